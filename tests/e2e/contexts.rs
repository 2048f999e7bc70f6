//! Where the build context comes from and what reaches it: `.dockerignore`,
//! a git URL, a tarball on stdin, `--build-context`.

use crate::harness::*;

/// `.dockerignore` is honoured: an ignored file that would break the build
/// never reaches it. A multi-megabyte `.dockerignore` is read in chunks (P6).
pub fn dockerignore_is_honoured(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "broken.go",
        "package main\n\nthis does not compile\n",
    );
    let mut ignore = String::from("broken.go\n");
    while ignore.len() < 6 << 20 {
        ignore.push_str(
            "# a long comment line to make this .dockerignore larger than gRPC's 4 MiB\n",
        );
    }
    write(ctx.path(), ".dockerignore", &ignore);
    // The build succeeds; the image is removed at once.
    Image::build(d, ctx.path(), "ignore", &[]);
}

/// `--build-context` names the frontend image itself (BuildKit ≥ v0.12
/// resolves it before starting the frontend) and any image the graph uses,
/// by its name or by gofront's role names.
pub fn build_contexts_replace_the_frontend_and_the_images(d: Daemon) {
    let ctx = copy_example("hello");
    let img = Image::build(
        d,
        ctx.path(),
        "contexts",
        &[
            "--build-context",
            "ourorg/gofront=docker-image://127.0.0.1:5000/ourorg/gofront:latest",
            "--build-context",
            "gcr.io/distroless/static-debian12=docker-image://alpine:3.21",
        ],
    );
    let b = &img.build;
    b.assert_logged("[gofront] resolve image config for docker.io/library/alpine:3.21");
    let files = img.files();
    assert!(
        files.iter().any(|f| f.path == "bin/busybox"),
        "the runtime base is alpine now"
    );
    assert!(files.iter().any(|f| f.path == "usr/local/bin/hello"));
    drop(img);

    // By role, and a value that cannot stand for an image.
    let img = Image::build(
        d,
        ctx.path(),
        "contexts",
        &["--build-context", "runtime=docker-image://alpine:3.21"],
    );
    assert!(img.files().iter().any(|f| f.path == "bin/busybox"));
    drop(img);
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("contexts"),
        &["--build-context", "builder=https://127.0.0.1:9/none.tar"],
    );
    b.assert_failed_with(&[
        "--build-context builder=https://127.0.0.1:9/none.tar",
        "can only be replaced by another image",
    ]);
}

/// A bake target's result as the runtime image (`contexts = { runtime =
/// "target:base" }`): buildx builds `base` and hands it to gofront as a
/// frontend input with its image config; the service image is layered on
/// it and keeps its config (env, labels), nothing is pulled for the
/// default runtime.
pub fn bake_target_context_replaces_the_runtime(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "base.Dockerfile",
        "FROM gcr.io/distroless/static-debian12\nENV TEAM=core\nLABEL org.example.base=yes\n",
    );
    write(
        ctx.path(),
        "docker-bake.hcl",
        r#"
target "base" {
  context    = "."
  dockerfile = "base.Dockerfile"
}

target "svc" {
  context    = "."
  dockerfile = "gofront.yaml"
  contexts   = { runtime = "target:base" }
  args       = { VERSION = "7.7.7" }
}
"#,
    );
    let img = Image::build_with(d, "bake", |tag| {
        bake(d, ctx.path(), "docker-bake.hcl", "svc", tag)
    });
    let b = &img.build;
    // The base target's own op (named by its Dockerfile) is in the graph,
    // and gofront neither resolves nor pulls its default runtime.
    assert!(
        b.log
            .contains("1/1] FROM gcr.io/distroless/static-debian12"),
        "the runtime is the base target's result: {}",
        b.log
    );
    assert!(
        !b.log.contains("[gofront] runtime gcr.io")
            && !b.log.contains("resolve image config for gcr.io"),
        "nothing is resolved for the default runtime: {}",
        b.log
    );
    let config = &img.inspect()["Config"];
    let env: Vec<&str> = config["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        env.contains(&"TEAM=core"),
        "the base's env is kept: {env:?}"
    );
    assert_eq!(config["Labels"]["org.example.base"], "yes");
    assert_eq!(
        config["Labels"]["org.opencontainers.image.version"],
        "7.7.7"
    );
    assert_eq!(config["User"], "65532:65532");
    let server = img.serve();
    assert!(server.get("/").contains("7.7.7"));
    assert!(img.files().iter().any(|f| f.path == "usr/local/bin/hello"));
}

/// A git URL as the build context (`docker build -f gofront.yaml URL#ref`):
/// BuildKit fetches the repository (public/hello.git of the fixture server),
/// the spec comes from it, and the client sends no files.
pub fn git_url_context_is_fetched_by_buildkit(d: Daemon) {
    let _server = GitServer::start();
    let img = Image::build_with(d, "git", |tag| {
        build_url(
            d,
            "http://127.42.0.1/public/hello.git#main",
            "gofront.yaml",
            tag,
            &["--build-arg", "VERSION=from-git"],
            &[],
        )
    });
    let b = &img.build;
    b.assert_logged("[gofront] load git context 127.42.0.1/public/hello.git#main");
    assert_eq!(img.serve().get("/"), "hello from gofront from-git\n");
    drop(img);
    // A branch that does not exist fails with git's answer (buildx asks
    // for the repository itself first, to look for a build policy).
    let b = build_url(
        d,
        "http://127.42.0.1/public/hello.git#no-such-branch",
        "gofront.yaml",
        &unique_tag("git"),
        &[],
        &[],
    );
    assert!(!b.ok, "{}", b.log);
    assert!(
        b.log.contains("does not contain ref no-such-branch")
            || b.log.contains("couldn't find remote ref no-such-branch"),
        "{}",
        b.log
    );
}

/// `docker build -f gofront.yaml - < context.tar.gz`: the client serves the
/// tarball over its session and BuildKit unpacks it (buildx on buildkitd
/// and on Docker 29). Docker 20.10 serves it once, to its own Dockerfile
/// frontend that reads the `# syntax` line, so a frontend image cannot read
/// it again there: a clear error with a hint.
pub fn tarball_context_on_stdin(d: Daemon) {
    let ctx = copy_example("hello");
    let tarball = ctx.path().join("../hello-context.tar.gz");
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(ctx.path())
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    let args = ["--build-arg", "VERSION=from-a-tarball"];
    match d {
        Daemon::Docker => {
            let b = build_stdin(d, &tarball, "gofront.yaml", &unique_tag("tarball"), &args);
            b.assert_failed_with(&["Docker 20.10 sends a context on stdin only once"]);
            return;
        }
        // buildx is the client on both: it serves the tarball to BuildKit.
        Daemon::Buildkit | Daemon::Docker29 | Daemon::Docker29Classic => {}
    }
    let img = Image::build_with(d, "tarball", |tag| {
        build_stdin(d, &tarball, "gofront.yaml", tag, &args)
    });
    assert_eq!(img.serve().get("/"), "hello from gofront from-a-tarball\n");
}

/// What buildx does with a git URL carrying a query string (BuildKit v0.19+
/// syntax): by default it asks the frontend for cap
/// `moby.buildkit.frontend.gitquerystring` and passes the URL on; with
/// `BUILDX_SEND_GIT_QUERY_AS_INPUT=1` it builds the git source itself and
/// hands it over as the frontend inputs `context` and `dockerfile` (cap
/// `moby.buildkit.frontend.inputs`). Both build `hello` from a subfolder of
/// public/examples.git at tag v1.
pub fn git_query_contexts_as_opt_and_as_frontend_input(d: Daemon) {
    let _server = GitServer::start();
    let url = "http://127.42.0.1/public/examples.git?tag=v1&subdir=hello";
    for (env, ours) in [
        (None, true),
        (Some(("BUILDX_SEND_GIT_QUERY_AS_INPUT", "1")), false),
    ] {
        let env: Vec<(&str, &str)> = env.into_iter().collect();
        let img = Image::build_with(d, "gitquery", |tag| {
            build_url(
                d,
                url,
                "gofront.yaml",
                tag,
                &["--build-arg", "VERSION=from-a-query"],
                &env,
            )
        });
        let b = &img.build;
        // Our git source, or the one buildx built and handed over.
        assert_eq!(
            b.log
                .contains("[gofront] load git context 127.42.0.1/public/examples.git#refs/tags/v1"),
            ours,
            "{env:?}: {}",
            b.log
        );
        assert_eq!(img.serve().get("/"), "hello from gofront from-a-query\n");
    }
}
