//! What an image is: the binary, its config, files and base, on distroless
//! and scratch, from the examples.

use std::path::Path;
use std::time::Duration;

use crate::harness::*;

/// The main path: hello with a version, a label and the default runtime.
pub fn hello_builds_runs_and_is_configured(d: Daemon) {
    let ctx = copy_example("hello");
    let img = Image::build(
        d,
        ctx.path(),
        "hello",
        &[
            "--build-arg",
            "VERSION=1.2.3",
            "--label",
            "com.example.team=go",
        ],
    );
    assert!(
        img.build.log.contains("[gofront] go build . (linux/amd64)"),
        "progress names the step"
    );
    // The binary goes onto the base with MergeOp where the daemon's
    // BuildKit has it, else with one copy (the step names say which).
    if d.has_merge_op() {
        img.build
            .assert_logged("[gofront] layer the files onto the runtime image");
    } else {
        img.build
            .assert_logged("[gofront] add /usr/local/bin/hello to the runtime image");
    }

    let cfg = img.inspect();
    assert_eq!(cfg["Config"]["User"], "65532:65532");
    assert_eq!(
        cfg["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/hello"])
    );
    assert!(cfg["Config"]["ExposedPorts"].get("8080/tcp").is_some());
    assert_eq!(
        cfg["Config"]["Labels"]["org.opencontainers.image.version"],
        "1.2.3"
    );
    assert_eq!(cfg["Config"]["Labels"]["com.example.team"], "go");
    assert!(
        cfg["Config"]["Env"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().starts_with("SSL_CERT_FILE=")),
        "the base image's env is kept"
    );

    assert_eq!(img.run(&["-version"]).trim(), "1.2.3");
    let server = img.serve();
    assert_eq!(server.get("/"), "hello from gofront 1.2.3\n");
    assert_eq!(server.get("/healthz"), "ok\n");
    drop(server);

    let files = img.files();
    assert!(
        !files.iter().any(|f| f.path.ends_with(".go")),
        "no Go source in the image"
    );
    let bin = file(&files, "usr/local/bin/hello");
    assert_eq!(
        bin.mode & 0o777,
        0o755,
        "copy mode is set, not chmod 000 (P7)"
    );
    assert_eq!((bin.uid, bin.gid), (0, 0));
    assert!(bin.mtime > 0, "mtime is kept, not 1970 (P7)");
    assert_eq!(
        elf(&bin.data).map(|e| (e.machine, e.dynamic)),
        Some((62, false)),
        "a static x86-64 binary"
    );

    // On distroless, gofront adds the binary and nothing else of note.
    let added = img.size() - image_size(d, "gcr.io/distroless/static-debian12");
    assert!(
        added <= bin.data.len() as i64 + (1 << 20),
        "added {added} bytes for a {} byte binary",
        bin.data.len()
    );
}

/// `runtime: scratch`: the image is the binary, CA certificates and a
/// passwd entry for the non-root user, and nothing else.
pub fn scratch_image_is_binary_certs_and_passwd(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "runtime: scratch\nports: [8080]\n");
    let img = Image::build(d, ctx.path(), "scratch", &[]);
    let files = img.files();
    let paths: Vec<&str> = files
        .iter()
        .filter(|f| !f.is_dir)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "etc/group",
            "etc/passwd",
            "etc/ssl/certs/ca-certificates.crt",
            "usr/local/bin/hello"
        ]
    );
    let passwd = files.iter().find(|f| f.path == "etc/passwd").unwrap();
    assert!(String::from_utf8_lossy(&passwd.data).contains("nonroot:x:65532:65532:"));
    assert_eq!(passwd.mode & 0o777, 0o644);
    let bin = file(&files, "usr/local/bin/hello");
    let size = img.size();
    assert!(
        size <= bin.data.len() as i64 + (1 << 20),
        "image {size} vs binary {}",
        bin.data.len()
    );
    assert_eq!(img.inspect()["Config"]["User"], "65532:65532");
    assert_eq!(img.serve().get("/healthz"), "ok\n");
}

/// examples/multi: two binaries, ldflags templates, the entrypoint, a
/// healthcheck that runs without a shell, the stop signal. Where the client
/// is buildx (buildkitd, Docker 29's `docker build` on either store) the
/// context is a git checkout, so buildx sends `vcs:revision` for
/// {{.Commit}}; Docker 20.10's client sends none.
pub fn multi_binaries_templates_and_a_healthcheck_without_a_shell(d: Daemon) {
    let ctx = copy_example("multi");
    let commit = match d {
        Daemon::Docker => "unknown".to_string(),
        Daemon::Buildkit | Daemon::Docker29 | Daemon::Docker29Classic => git_commit_all(ctx.path()),
    };
    let img = Image::build(
        d,
        ctx.path(),
        "multi",
        &[
            "--build-arg",
            "VERSION=1.2.3",
            "--build-arg",
            "BUILDER=ci -X main.version=evil",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
        ],
    );
    let cfg = img.inspect();
    assert_eq!(
        cfg["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/server"])
    );
    assert_eq!(cfg["Config"]["StopSignal"], "SIGTERM");
    assert_eq!(
        cfg["Config"]["Healthcheck"]["Test"],
        serde_json::json!(["CMD", "/usr/local/bin/server", "-healthcheck"])
    );
    assert_eq!(cfg["Config"]["Healthcheck"]["Interval"], 10_000_000_000u64);
    let files = img.files();
    for bin in ["/usr/local/bin/server", "/usr/local/bin/ctl"] {
        assert_eq!(
            file(&files, bin.trim_start_matches('/')).mode & 0o777,
            0o755,
            "{bin}"
        );
    }
    let server = img.serve();
    assert_eq!(
        server.get("/"),
        format!(
            "multi 1.2.3 commit={commit} built=2023-11-14T22:13:20Z by=ci -X main.version=evil\n"
        )
    );
    // distroless has no shell: the binary's own -healthcheck makes it healthy.
    assert_eq!(server.health(Duration::from_secs(60)), "healthy");
    assert_eq!(
        img.run_entrypoint("/usr/local/bin/ctl", &["version"]),
        format!("ctl 1.2.3 {commit}\n")
    );
    drop(server);
    drop(img);

    // {{.Env.BUILDER}} without the build arg is an error at its line.
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("multi"), &[]);
    b.assert_failed_with(&["gofront.yaml:16", "the build arg BUILDER is not set"]);
}

/// Commit everything in `dir` to a new git repository; its HEAD.
fn git_commit_all(dir: &Path) -> String {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "e2e"]);
    git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// examples/files-tz: context files with their mode, a folder, the time zone
/// database embedded on scratch, the working directory.
pub fn files_tzdata_and_workdir_on_scratch(d: Daemon) {
    let ctx = copy_example("files-tz");
    let img = Image::build(d, ctx.path(), "files", &[]);
    assert_eq!(img.inspect()["Config"]["WorkingDir"], "/srv");
    let files = img.files();
    let config = file(&files, "etc/files-tz/config.json");
    assert_eq!(config.mode & 0o777, 0o444);
    assert_eq!((config.uid, config.gid), (0, 0));
    assert_eq!(
        file(&files, "etc/files-tz").mode & 0o777,
        0o755,
        "the parent directory does not take the file's mode"
    );
    assert!(
        file(&files, "srv/static/index.html")
            .data
            .starts_with(b"static ok")
    );
    assert!(
        !files
            .iter()
            .any(|f| f.path.starts_with("usr/share/zoneinfo")),
        "scratch has no zoneinfo: it is in the binary"
    );
    let server = img.serve();
    assert_eq!(server.get("/"), "bonjour Europe/Paris +2\n");
    assert_eq!(server.get("/static/"), "static ok\n");
}

/// examples/monorepo: go.work at the context root, the module in a subfolder.
pub fn monorepo_module_in_a_workspace(d: Daemon) {
    let ctx = copy_example("monorepo");
    let img = Image::build(d, ctx.path(), "monorepo", &[]);
    assert_eq!(
        img.inspect()["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/api"])
    );
    assert_eq!(img.serve().get("/"), "hello from the greeting lib\n");
}

/// `--target debug`: the service image plus busybox in /busybox, so a shell
/// works in a distroless image; the entrypoint and user stay.
pub fn debug_target_adds_a_shell_toolbox(d: Daemon) {
    let ctx = copy_example("hello");
    let img = Image::build(d, ctx.path(), "debug", &["--target", "debug"]);
    let cfg = img.inspect();
    assert_eq!(
        cfg["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/hello"])
    );
    assert_eq!(cfg["Config"]["User"], "65532:65532");
    assert_eq!(
        img.run_entrypoint("/busybox/sh", &["-c", "ls /usr/local/bin; id -u"]),
        "hello\n65532\n"
    );
    assert_eq!(img.serve().get("/healthz"), "ok\n");
}
