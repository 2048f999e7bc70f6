//! End-to-end tests: real `docker build` runs on Docker 20.10 (BuildKit v0.8)
//! with the `ourorg/gofront` frontend image, and the images they produce are
//! run and inspected.
//!
//! They need the engine, the stand-in images and the frontend image, which
//! `scripts/test.sh` sets up; hence `#[ignore]` here and `--include-ignored`
//! there. Each test works on its own copy of an example in a temp dir.

mod harness;

use std::path::Path;
use std::time::Duration;

use harness::*;

/// Each test below runs twice: on Docker 20.10's built-in BuildKit (v0.8)
/// and on a current buildkitd through buildx (`scripts/buildkit-up.sh`).
macro_rules! on_both_daemons {
    ($($name:ident),* $(,)?) => {
        mod docker20 {
            $(
                #[test]
                #[ignore = "needs Docker and the frontend image: run scripts/test.sh"]
                fn $name() {
                    super::$name(super::Daemon::Docker)
                }
            )*
        }
        mod buildkit {
            $(
                #[test]
                #[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
                fn $name() {
                    super::$name(super::Daemon::Buildkit)
                }
            )*
        }
    };
}

on_both_daemons!(
    hello_builds_runs_and_is_configured,
    scratch_image_is_binary_certs_and_passwd,
    api_rebuild_after_an_edit_recompiles_only_what_changed,
    layers_mode_keeps_the_compiled_dependencies_through_an_edit,
    hostile_build_arg_is_data,
    bad_specs_fail_with_file_and_line,
    failing_go_build_is_reported,
    dockerignore_is_honoured,
    no_cache_reruns_the_steps,
    foreign_platform_cross_compiles,
    source_date_epoch_gives_the_same_image,
    cgo_builds_on_bookworm_and_runs_on_distroless_base,
    multi_binaries_templates_and_a_healthcheck_without_a_shell,
    cgo_sqlite_runs_on_distroless_base,
    tests_gate_the_image,
    files_tzdata_and_workdir_on_scratch,
    monorepo_module_in_a_workspace,
    upx_compresses_the_binary,
    binary_target_exports_only_the_binaries,
    images_in_the_spec_replace_the_builder_and_the_runtime,
    debug_target_adds_a_shell_toolbox,
    private_module_over_a_git_server_with_a_netrc_secret,
    build_switches_reach_go_build,
    private_module_over_ssh_with_the_agent_forwarded,
    race_detector_tests_run_with_cgo_on_bookworm,
    git_url_context_is_fetched_by_buildkit,
    tarball_context_on_stdin,
);

/// The main path: hello with a version, a label and the default runtime.
fn hello_builds_runs_and_is_configured(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("hello");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &[
            "--build-arg",
            "VERSION=1.2.3",
            "--label",
            "com.example.team=go",
        ],
    );
    b.assert_ok();
    assert!(
        b.log.contains("[gofront] go build . (linux/amd64)"),
        "progress names the step"
    );

    let cfg = inspect(&tag);
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

    assert_eq!(run_args(&tag, &["-version"]).trim(), "1.2.3");
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "hello from gofront 1.2.3\n");
    assert_eq!(server.get("/healthz"), "ok\n");
    drop(server);

    let files = image_files(&tag);
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
    let added = image_size(&tag) - image_size("gcr.io/distroless/static-debian12");
    assert!(
        added <= bin.data.len() as i64 + (1 << 20),
        "added {added} bytes for a {} byte binary",
        bin.data.len()
    );
    remove_image(&tag);
}

/// `runtime: scratch`: the image is the binary, CA certificates and a
/// passwd entry for the non-root user, and nothing else.
fn scratch_image_is_binary_certs_and_passwd(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "runtime: scratch\nports: [8080]\n");
    let tag = unique_tag("scratch");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    let files = image_files(&tag);
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
    let size = image_size(&tag);
    assert!(
        size <= bin.data.len() as i64 + (1 << 20),
        "image {size} vs binary {}",
        bin.data.len()
    );
    assert_eq!(inspect(&tag)["Config"]["User"], "65532:65532");
    let server = Server::start(&tag);
    assert_eq!(server.get("/healthz"), "ok\n");
    drop(server);
    remove_image(&tag);
}

/// The edit loop: after a one-line edit, no module is downloaded and only
/// the edited package and its importers are compiled.
fn api_rebuild_after_an_edit_recompiles_only_what_changed(d: Daemon) {
    let ctx = copy_example("api");
    let tag = unique_tag("api");
    // A version unique to this run: the first build really compiles, so the
    // Go build cache mount holds this build's packages before the edit (a
    // `--no-cache` build elsewhere starts a fresh cache mount).
    let version_value = format!("2.0.0-{}", tag.rsplit(':').next().unwrap());
    let version_arg = format!("VERSION={version_value}");
    build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-arg", &version_arg],
    )
    .assert_ok();
    let server = Server::start(&tag);
    let version: serde_json::Value = serde_json::from_str(&server.get("/version")).unwrap();
    assert_eq!(version["version"], version_value.as_str());
    let items: serde_json::Value = serde_json::from_str(&server.get("/items")).unwrap();
    assert_eq!(items["count"], 0);
    assert!(server.get("/metrics").contains("go_goroutines"));
    drop(server);

    // No change: everything is cached.
    let again = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-arg", &version_arg],
    );
    again.assert_ok();
    assert!(again.step("[gofront] go build").cached, "{}", again.log);

    // One-line edit in a leaf package.
    let greeting = edit_api_greeting(ctx.path());
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-arg", &version_arg],
    );
    b.assert_ok();
    assert!(
        b.step("[gofront] go mod download").cached,
        "go.mod did not change"
    );
    let compile = b.step("[gofront] go build");
    assert!(!compile.cached);
    assert!(
        !b.log.contains("go: downloading"),
        "no module is downloaded:\n{}",
        b.log
    );
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api"),
        "{compiled:?}"
    );
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/cmd/server"),
        "{compiled:?}"
    );
    assert!(
        !compiled
            .iter()
            .any(|p| p.starts_with("github.com/") || p.contains("internal/store")),
        "only the edited package and its importers: {compiled:?}"
    );
    let server = Server::start(&tag);
    assert!(server.get("/").contains(&greeting));
    drop(server);
    remove_image(&tag);
}

/// Layers mode (what a build with `--cache-from` gets; forced here with
/// the build arg): after an edit the package list is made again, but it has
/// not changed, so BuildKit keys the precompile on the same content and
/// keeps it; `go build`'s cache mount, seeded from it, has every dependency
/// compiled. Also checks that both daemons take a seeded cache mount.
fn layers_mode_keeps_the_compiled_dependencies_through_an_edit(d: Daemon) {
    let ctx = copy_example("api");
    let tag = unique_tag("layers");
    let args = ["--build-arg", "GOFRONT_CACHE=layers"];
    let first = build(d, ctx.path(), "gofront.yaml", &tag, &args);
    first.assert_ok();
    let precompiled = first
        .step("[gofront] compile the dependencies")
        .compiled_packages()
        .len();
    let greeting = edit_api_greeting(ctx.path());
    let b = build(d, ctx.path(), "gofront.yaml", &tag, &args);
    b.assert_ok();
    assert!(!b.step("[gofront] list the packages").cached, "{}", b.log);
    assert!(
        b.step("[gofront] compile the dependencies").cached,
        "the same list keeps the precompile cached:\n{}",
        b.log
    );
    let compile = b.step("[gofront] go build");
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api")
            && compiled
                .iter()
                .all(|p| p.starts_with("example.com/gofront/examples/api")),
        "only the main module is compiled (of {precompiled} ahead): {compiled:?}\n{}",
        b.log
    );
    let server = Server::start(&tag);
    assert!(server.get("/").contains(&greeting));
    drop(server);
    remove_image(&tag);
}

/// A build-arg value with shell syntax, quotes, spaces and newlines is
/// passed to the linker as data and comes back verbatim.
fn hostile_build_arg_is_data(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("hostile");
    let value = "$(touch /tmp/pwned); `id` \"quoted\" && echo\nsecond line";
    build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-arg", &format!("VERSION={value}")],
    )
    .assert_ok();
    assert_eq!(run_args(&tag, &["-version"]), format!("{value}\n"));
    assert_eq!(
        inspect(&tag)["Config"]["Labels"]["org.opencontainers.image.version"],
        value
    );
    remove_image(&tag);

    // A value Go's -ldflags cannot carry is refused, pointing at the spec.
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-arg", "VERSION=it's \"both\""],
    );
    b.assert_failed_with(&["gofront.yaml:5:3:", "cannot be injected", "hint:"]);
}

/// Bad specs end in an error with the file name and line, never a bare exit code.
fn bad_specs_fail_with_file_and_line(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "lib/lib.go",
        "package lib\n\nfunc X() int { return 1 }\n",
    );
    let cases: &[(&str, &[&str])] = &[
        ("main: [./cmd\n", &["gofront.yaml:2:"]),
        (
            "mian: .\n",
            &[
                "gofront.yaml:2:1: unknown key \"mian\"",
                "did you mean \"main\"?",
            ],
        ),
        (
            "cgo: sometimes\n",
            &["gofront.yaml:2:6: expected true or false"],
        ),
        (
            "ports: [http]\n",
            &["gofront.yaml:2:9: ports: \"http\" is not a port"],
        ),
        (
            "cgo: true\nruntime: scratch\n",
            &["gofront.yaml:3:10: runtime: cgo is on, and scratch has no C library"],
        ),
        (
            "version: { arg: VERSION, var: \"main.version;rm\" }\n",
            &[
                "gofront.yaml:2:",
                "version.var: \"main.version;rm\" is not a Go variable",
            ],
        ),
        (
            "main: ./cmd/nope\n",
            &["gofront.yaml:2:7: main: ./cmd/nope does not exist in the build context"],
        ),
        (
            "main: ./lib\n",
            &["gofront.yaml:2:7: main: ./lib is package lib, not a main package"],
        ),
        (
            "main: ../outside\n",
            &["gofront.yaml:2:7: main: \"../outside\" leaves the build context"],
        ),
    ];
    for (body, expected) in cases {
        write_spec(ctx.path(), body);
        let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
        b.assert_failed_with(expected);
    }
}

/// A failing `go build` is reported through `Return` (evaluate=true, P4)
/// with the daemon's error, even when the error trailers are large because
/// the spec (sent as a source map) is large (P5).
fn failing_go_build_is_reported(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "broken.go",
        "package main\n\nfunc broken() { return 1 }\n",
    );
    let padding: String = (0..3000)
        .map(|i| format!("# padding line {i} to make the source map large\n"))
        .collect();
    write_spec(ctx.path(), &format!("{padding}main: .\n"));
    let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
    // The compiler's message is in the step's output; the error names the
    // step and the spec line of `main` (line 3002, after the padding).
    assert!(
        b.step("[gofront] go build")
            .lines
            .iter()
            .any(|l| l.contains("too many return values"))
    );
    b.assert_failed_with(&[
        "gofront.yaml:3002: go build . (linux/amd64) failed:",
        "exit code: 1 (hint:",
    ]);
    assert!(!b.log.contains("grpc server closed"), "{}", b.log);
}

/// `.dockerignore` is honoured: an ignored file that would break the build
/// never reaches it. A multi-megabyte `.dockerignore` is read in chunks (P6).
fn dockerignore_is_honoured(d: Daemon) {
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
    let tag = unique_tag("ignore");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    remove_image(&tag);
}

/// `--no-cache` re-runs the steps; without it a rebuild is fully cached.
fn no_cache_reruns_the_steps(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("nocache");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    let cached = build(d, ctx.path(), "gofront.yaml", &tag, &[]);
    assert!(cached.step("[gofront] go build").cached);
    let fresh = build(d, ctx.path(), "gofront.yaml", &tag, &["--no-cache"]);
    fresh.assert_ok();
    assert!(!fresh.step("[gofront] go build").cached, "{}", fresh.log);
    assert!(!fresh.step("[gofront] go mod download").cached);
    remove_image(&tag);
}

/// One foreign platform on Docker 20.10: the toolchain runs natively and
/// cross-compiles; the image says arm64 and holds an AArch64 binary.
fn foreign_platform_cross_compiles(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "runtime: scratch\n");
    let tag = unique_tag("arm64");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--platform", "linux/arm64"],
    );
    b.assert_ok();
    assert!(b.log.contains("[gofront] go build . (linux/arm64)"));
    let cfg = inspect(&tag);
    assert_eq!(cfg["Architecture"], "arm64");
    assert_eq!(cfg["Os"], "linux");
    let files = image_files(&tag);
    let bin = file(&files, "usr/local/bin/hello");
    assert_eq!(
        elf(&bin.data).map(|e| (e.machine, e.dynamic)),
        Some((183, false)),
        "a static AArch64 binary"
    );
    remove_image(&tag);
}

/// With SOURCE_DATE_EPOCH, two builds from scratch give the same image.
fn source_date_epoch_gives_the_same_image(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("epoch");
    let args = [
        "--no-cache",
        "--build-arg",
        "SOURCE_DATE_EPOCH=1700000000",
        "--build-arg",
        "VERSION=1",
    ];
    build(d, ctx.path(), "gofront.yaml", &tag, &args).assert_ok();
    let first = inspect(&tag)["Id"].clone();
    build(d, ctx.path(), "gofront.yaml", &tag, &args).assert_ok();
    let second = inspect(&tag);
    assert_eq!(first, second["Id"]);
    assert_eq!(second["Created"], "2023-11-14T22:13:20Z");
    let files = image_files(&tag);
    let bin = file(&files, "usr/local/bin/hello");
    assert_eq!(bin.mtime, 1_700_000_000);
    remove_image(&tag);
}

/// `cgo: true` builds in the bookworm builder (gcc, glibc) and runs on the
/// glibc distroless base.
fn cgo_builds_on_bookworm_and_runs_on_distroless_base(d: Daemon) {
    let ctx = cgo_hello();
    let tag = unique_tag("cgo");
    let b = build(d, ctx.path(), "gofront.yaml", &tag, &[]);
    b.assert_ok();
    assert!(b.log.contains("golang:1.26-bookworm"), "the cgo builder");
    assert!(
        b.log.contains("distroless/base-debian12"),
        "the glibc runtime"
    );
    assert_eq!(run_args(&tag, &[]), "cgo ok: true\n");
    assert_eq!(inspect(&tag)["Config"]["User"], "65532:65532");
    let files = image_files(&tag);
    let bin = file(&files, "usr/local/bin/cgohello");
    assert_eq!(
        elf(&bin.data).map(|e| (e.machine, e.dynamic)),
        Some((62, true)),
        "a cgo binary links glibc dynamically"
    );
    remove_image(&tag);
}

/// Docker 20.10 stores one platform per image: asking for several fails up
/// front with a message that says what is needed.
#[test]
#[ignore = "needs Docker and the frontend image: run scripts/test.sh"]
fn several_platforms_on_docker_20_10_fail_clearly() {
    let d = Daemon::Docker;
    let ctx = copy_example("hello");
    // The 20.10 CLI refuses a comma list in --platform; the spec can ask.
    write_spec(ctx.path(), "platforms: [linux/amd64, linux/arm64]\n");
    let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
    b.assert_failed_with(&[
        "building several platforms at once (linux/amd64, linux/arm64)",
        "BuildKit v0.10+",
        "docker buildx",
    ]);
}

const SEVEN: [&str; 7] = [
    "linux/386",
    "linux/amd64",
    "linux/arm/v7",
    "linux/arm64",
    "linux/ppc64le",
    "linux/riscv64",
    "linux/s390x",
];

/// Seven platforms in one buildx build: one image per platform in the
/// index, each with the right config and a static binary for its machine;
/// the arm64 and arm/v7 binaries run under qemu-user and answer.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn seven_platforms_in_one_build() {
    let ctx = copy_example("hello");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("oci.tar");
    let b = build_oci(
        ctx.path(),
        "gofront.yaml",
        &dest,
        &[
            "--platform",
            &SEVEN.join(","),
            "--build-arg",
            "VERSION=7.7.7",
        ],
    );
    b.assert_ok();
    // The Go toolchain ran for the build platform only, once per target.
    for p in SEVEN {
        assert!(
            b.log.contains(&format!("[gofront] go build . ({p})")),
            "{p}"
        );
    }
    // The dependency step is the same vertex for every platform: it runs
    // at most once (not at all when an earlier build cached it).
    let downloads = b.steps("[gofront] go mod download");
    assert!(!downloads.is_empty());
    assert!(
        downloads.iter().filter(|s| !s.cached).count() <= 1,
        "{}",
        b.log
    );
    let images = read_oci_layout(&dest);
    let platforms: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    assert_eq!(platforms, SEVEN);
    for image in &images {
        let bin = image
            .files
            .get("usr/local/bin/hello")
            .unwrap_or_else(|| panic!("no binary for {}", image.platform));
        let facts = elf(bin).unwrap_or_else(|| panic!("{}: not an ELF file", image.platform));
        let (bits, le, machine) = expected_elf(&image.platform);
        assert_eq!(
            (facts.bits, facts.little_endian, facts.machine),
            (bits, le, machine),
            "{}",
            image.platform
        );
        assert!(!facts.dynamic, "{}: static", image.platform);
        assert_eq!(image.config["config"]["User"], "65532:65532");
        assert_eq!(
            image.config["config"]["Labels"]["org.opencontainers.image.version"],
            "7.7.7"
        );
    }
    let arm = images
        .iter()
        .find(|i| i.platform == "linux/arm/v7")
        .unwrap();
    assert_eq!(arm.config["variant"], "v7");
    for (platform, qemu) in [
        ("linux/arm64", "qemu-aarch64-static"),
        ("linux/arm/v7", "qemu-arm-static"),
    ] {
        let image = images.iter().find(|i| i.platform == platform).unwrap();
        let path = out.path().join(platform.replace('/', "-"));
        std::fs::write(&path, &image.files["usr/local/bin/hello"]).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let run = std::process::Command::new(qemu)
            .arg(&path)
            .arg("-version")
            .output()
            .expect("qemu-user runs");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "7.7.7\n",
            "{platform} under {qemu}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// `platforms:` in the spec is the default when the build names none.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn spec_platforms_are_the_default() {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "platforms: [linux/arm64, linux/amd64/v3]\n");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("oci.tar");
    build_oci(ctx.path(), "gofront.yaml", &dest, &[]).assert_ok();
    let images = read_oci_layout(&dest);
    let platforms: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    assert_eq!(platforms, ["linux/amd64/v3", "linux/arm64"]);
}

/// cgo to another architecture: Debian's cross gcc runs in the builder at
/// the build platform (no emulation); the arm64 binary links the arm64
/// glibc of distroless/base and runs under qemu-user against that image.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn cgo_cross_compiles_to_arm64() {
    let ctx = cgo_hello();
    let out = tempfile::tempdir().unwrap();
    let b = build_local(
        ctx.path(),
        "gofront.yaml",
        out.path(),
        &["--platform", "linux/arm64"],
    );
    b.assert_ok();
    assert!(
        b.log
            .contains("[gofront] apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross"),
        "{}",
        b.log
    );
    let bin = out.path().join("usr/local/bin/cgohello");
    let facts = elf(&std::fs::read(&bin).unwrap()).unwrap();
    assert_eq!(
        (facts.bits, facts.machine, facts.dynamic),
        (64, 183, true),
        "a dynamic AArch64 binary"
    );
    let run = std::process::Command::new("qemu-aarch64-static")
        .arg("-L")
        .arg(out.path())
        .arg(&bin)
        .output()
        .expect("qemu-user runs");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "cgo ok: true\n",
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A module whose main package calls C (getpid), with `cgo: true`.
fn cgo_hello() -> tempfile::TempDir {
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        "go.mod",
        "module example.com/cgohello\n\ngo 1.26\n",
    );
    write(
        ctx.path(),
        "main.go",
        "package main\n\n// #include <unistd.h>\nimport \"C\"\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Printf(\"cgo ok: %v\\n\", C.getpid() > 0)\n}\n",
    );
    write_spec(ctx.path(), "cgo: true\n");
    ctx
}

/// `--build-context` names the frontend image itself (BuildKit ≥ v0.12
/// resolves it before starting the frontend) and any image the graph uses,
/// by its name or by gofront's role names.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn build_contexts_replace_the_frontend_and_the_images() {
    let ctx = copy_example("hello");
    let tag = unique_tag("contexts");
    let b = build(
        Daemon::Buildkit,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &[
            "--build-context",
            "ourorg/gofront=docker-image://127.0.0.1:5000/ourorg/gofront:latest",
            "--build-context",
            "gcr.io/distroless/static-debian12=docker-image://alpine:3.21",
        ],
    );
    b.assert_ok();
    assert!(
        b.log
            .contains("[gofront] resolve image config for docker.io/library/alpine:3.21"),
        "{}",
        b.log
    );
    let files = image_files(&tag);
    assert!(
        files.iter().any(|f| f.path == "bin/busybox"),
        "the runtime base is alpine now"
    );
    assert!(files.iter().any(|f| f.path == "usr/local/bin/hello"));
    remove_image(&tag);

    // By role, and a value that cannot stand for an image.
    let b = build(
        Daemon::Buildkit,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-context", "runtime=docker-image://alpine:3.21"],
    );
    b.assert_ok();
    assert!(image_files(&tag).iter().any(|f| f.path == "bin/busybox"));
    remove_image(&tag);
    let b = build(
        Daemon::Buildkit,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &["--build-context", "builder=https://127.0.0.1:9/none.tar"],
    );
    b.assert_failed_with(&[
        "--build-context builder=https://127.0.0.1:9/none.tar",
        "can only be replaced by another image",
    ]);
}

/// Several platforms pushed to a registry: one index, one image per platform.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn several_platforms_push_one_index() {
    let ctx = copy_example("hello");
    let tag = unique_tag("push").rsplit(':').next().unwrap().to_string();
    let name = format!("127.0.0.1:5000/gofront-test/hello:{tag}");
    build_push(
        ctx.path(),
        "gofront.yaml",
        &name,
        &["--platform", "linux/amd64,linux/arm64,linux/arm/v7"],
    )
    .assert_ok();
    let index = registry_manifest("gofront-test/hello", &tag);
    let mut platforms: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["platform"]["os"] == "linux")
        .map(|m| {
            let p = &m["platform"];
            let mut id = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(v) = p["variant"].as_str() {
                id = format!("{id}/{v}");
            }
            id
        })
        .collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
}

/// examples/multi: two binaries, ldflags templates, the entrypoint, a
/// healthcheck that runs without a shell, the stop signal. On buildkitd the
/// context is a git checkout, so buildx sends `vcs:revision` for {{.Commit}}.
fn multi_binaries_templates_and_a_healthcheck_without_a_shell(d: Daemon) {
    let ctx = copy_example("multi");
    let commit = match d {
        Daemon::Docker => "unknown".to_string(),
        Daemon::Buildkit => git_commit_all(ctx.path()),
    };
    let tag = unique_tag("multi");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &tag,
        &[
            "--build-arg",
            "VERSION=1.2.3",
            "--build-arg",
            "BUILDER=ci -X main.version=evil",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
        ],
    );
    b.assert_ok();
    let cfg = inspect(&tag);
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
    let files = image_files(&tag);
    for bin in ["/usr/local/bin/server", "/usr/local/bin/ctl"] {
        assert_eq!(
            file(&files, bin.trim_start_matches('/')).mode & 0o777,
            0o755,
            "{bin}"
        );
    }
    let server = Server::start(&tag);
    assert_eq!(
        server.get("/"),
        format!(
            "multi 1.2.3 commit={commit} built=2023-11-14T22:13:20Z by=ci -X main.version=evil\n"
        )
    );
    // distroless has no shell: the binary's own -healthcheck makes it healthy.
    assert_eq!(server.health(Duration::from_secs(60)), "healthy");
    assert_eq!(
        run_entrypoint(&tag, "/usr/local/bin/ctl", &["version"]),
        format!("ctl 1.2.3 {commit}\n")
    );
    remove_image(&tag);

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

/// examples/cgo-sqlite: the SQLite amalgamation compiled with cgo, linked
/// against glibc, running on distroless/base.
fn cgo_sqlite_runs_on_distroless_base(d: Daemon) {
    let ctx = copy_example("cgo-sqlite");
    let tag = unique_tag("sqlite");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    let server = Server::start(&tag);
    let body = server.get("/");
    assert!(
        body.starts_with("sqlite 3.") && body.ends_with(" rows=3\n"),
        "{body:?}"
    );
    drop(server);
    remove_image(&tag);
}

/// examples/tested: `go test` runs before the image; a failing test fails
/// the build with its output and the `test:` line; `--target test` runs only
/// the tests.
fn tests_gate_the_image(d: Daemon) {
    let ctx = copy_example("tested");
    let tag = unique_tag("tested");
    let b = build(d, ctx.path(), "gofront.yaml", &tag, &[]);
    b.assert_ok();
    assert!(b.log.contains("[gofront] go test ./..."), "{}", b.log);
    let server = Server::start(&tag);
    assert_eq!(server.get("/?name=x"), "hello, x\n");
    drop(server);
    remove_image(&tag);

    // Only the tests: no go build.
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("tested"),
        &["--target", "test"],
    );
    b.assert_ok();
    assert!(b.log.contains("[gofront] go test ./..."));
    assert!(!b.log.contains("[gofront] go build"), "{}", b.log);

    // A failing test stops the build, with the test's output.
    let spec = std::fs::read_to_string(ctx.path().join("gofront.yaml")).unwrap();
    std::fs::write(
        ctx.path().join("gofront.yaml"),
        format!("{spec}tags: [failing]\n"),
    )
    .unwrap();
    // The `test:` block's first key (`packages:`): where YAML places a block
    // mapping.
    let test_line = spec.lines().position(|l| l.starts_with("test:")).unwrap() + 2;
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("tested"), &[]);
    b.assert_failed_with(&[&format!("gofront.yaml:{test_line}: go test ./... failed")]);
    assert!(
        b.log.contains("greet: deliberate failure for the e2e test"),
        "the test output is shown: {}",
        b.log
    );
    assert!(!b.log.contains("[gofront] go build"), "{}", b.log);
}

/// examples/files-tz: context files with their mode, a folder, the time zone
/// database embedded on scratch, the working directory.
fn files_tzdata_and_workdir_on_scratch(d: Daemon) {
    let ctx = copy_example("files-tz");
    let tag = unique_tag("files");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    assert_eq!(inspect(&tag)["Config"]["WorkingDir"], "/srv");
    let files = image_files(&tag);
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
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "bonjour Europe/Paris +2\n");
    assert_eq!(server.get("/static/"), "static ok\n");
    drop(server);
    remove_image(&tag);
}

/// examples/monorepo: go.work at the context root, the module in a subfolder.
fn monorepo_module_in_a_workspace(d: Daemon) {
    let ctx = copy_example("monorepo");
    let tag = unique_tag("monorepo");
    build(d, ctx.path(), "gofront.yaml", &tag, &[]).assert_ok();
    assert_eq!(
        inspect(&tag)["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/api"])
    );
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "hello from the greeting lib\n");
    drop(server);
    remove_image(&tag);
}

/// `upx: true`: the binary is compressed in the builder and still runs.
fn upx_compresses_the_binary(d: Daemon) {
    let ctx = copy_example("hello");
    let plain = unique_tag("upx");
    build(d, ctx.path(), "gofront.yaml", &plain, &[]).assert_ok();
    let spec = std::fs::read_to_string(ctx.path().join("gofront.yaml")).unwrap();
    std::fs::write(
        ctx.path().join("gofront.yaml"),
        format!("{spec}upx: true\n"),
    )
    .unwrap();
    let packed = unique_tag("upx");
    let b = build(d, ctx.path(), "gofront.yaml", &packed, &[]);
    b.assert_ok();
    assert!(b.log.contains("[gofront] upx hello"), "{}", b.log);
    let size = |tag: &str| file(&image_files(tag), "usr/local/bin/hello").data.len();
    let (before, after) = (size(&plain), size(&packed));
    assert!(after * 2 < before, "upx: {before} -> {after} bytes");
    let server = Server::start(&packed);
    assert_eq!(server.get("/healthz"), "ok\n");
    drop(server);
    remove_image(&plain);
    remove_image(&packed);
}

/// `--target binary --output type=local`: the binaries alone, at the root.
fn binary_target_exports_only_the_binaries(d: Daemon) {
    let ctx = copy_example("multi");
    let out = tempfile::tempdir().unwrap();
    build_local_on(
        d,
        ctx.path(),
        "gofront.yaml",
        out.path(),
        &["--target", "binary", "--build-arg", "BUILDER=ci"],
    )
    .assert_ok();
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["ctl", "server"]);
    let ctl = std::process::Command::new(out.path().join("ctl"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ctl.stdout), "ctl dev unknown\n");
}

/// `images:` replaces images by role and by name (mirrors, air-gapped sites).
fn images_in_the_spec_replace_the_builder_and_the_runtime(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(
        ctx.path(),
        "main: .\nimages:\n  builder: golang:1.26-bookworm\n  gcr.io/distroless/static-debian12: alpine:3.21\n",
    );
    let tag = unique_tag("images");
    let b = build(d, ctx.path(), "gofront.yaml", &tag, &[]);
    b.assert_ok();
    assert!(
        b.log
            .contains("[gofront] builder docker.io/library/golang:1.26-bookworm"),
        "{}",
        b.log
    );
    // alpine has a shell; distroless does not.
    assert_eq!(
        run_entrypoint(&tag, "/bin/sh", &["-c", "echo from alpine"]),
        "from alpine\n"
    );
    remove_image(&tag);
}

/// `--call outline|targets|check` through buildx: the subrequests answer
/// with the spec's args, secrets and targets, and lint findings point at
/// their lines.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn calls_outline_targets_and_check_through_buildx() {
    let ctx = copy_example("multi");
    let (rc, out, err) = call(ctx.path(), "gofront.yaml", "outline,format=json", &[]);
    assert_eq!(rc, 0, "{err}");
    let outline: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let args = outline["args"].as_array().unwrap();
    let arg = |name: &str| args.iter().find(|a| a["name"] == name).cloned();
    assert_eq!(arg("VERSION").unwrap()["value"], "dev");
    let builder = arg("BUILDER").expect("the {{.Env.BUILDER}} build arg");
    assert_eq!(builder["location"]["ranges"][0]["start"]["line"], 16);
    assert!(arg("GOPROXY").is_some());

    let (rc, out, err) = call(ctx.path(), "gofront.yaml", "targets", &[]);
    assert_eq!(rc, 0, "{err}");
    for t in ["image (default)", "binary", "debug"] {
        assert!(out.contains(t), "{out}");
    }

    let (rc, out, err) = call(ctx.path(), "gofront.yaml", "check", &[]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("Check complete, no warnings found."),
        "{out}{err}"
    );

    // Findings: a :latest runtime and no .dockerignore; exit 1, with lines.
    std::fs::remove_file(ctx.path().join(".dockerignore")).unwrap();
    write_spec(ctx.path(), "main: ./cmd/server\nruntime: alpine:latest\n");
    let (rc, out, err) = call(ctx.path(), "gofront.yaml", "check", &[]);
    let all = format!("{out}{err}");
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("LatestTag"), "{all}");
    assert!(all.contains("MissingDockerignore"), "{all}");
    assert!(all.contains("gofront.yaml:3"), "the finding's line: {all}");

    // Findings are warnings during a normal build.
    write_spec(ctx.path(), "main: ./cmd/server\nruntime: alpine:3.21\n");
    let out_dir = tempfile::tempdir().unwrap();
    let b = build_local(ctx.path(), "gofront.yaml", out_dir.path(), &[]);
    b.assert_ok();
    assert!(b.log.contains("1 warning found"), "{}", b.log);
    assert!(b.log.contains("MissingDockerignore"), "{}", b.log);

    // A broken spec: the check fails with the error and its line.
    write_spec(ctx.path(), "main: ./cmd/server\nmian: x\n");
    let (rc, out, err) = call(ctx.path(), "gofront.yaml", "check", &[]);
    let all = format!("{out}{err}");
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("unknown key \"mian\""), "{all}");
}

/// `--target debug`: the service image plus busybox in /busybox, so a shell
/// works in a distroless image; the entrypoint and user stay.
fn debug_target_adds_a_shell_toolbox(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("debug");
    build(d, ctx.path(), "gofront.yaml", &tag, &["--target", "debug"]).assert_ok();
    let cfg = inspect(&tag);
    assert_eq!(
        cfg["Config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/hello"])
    );
    assert_eq!(cfg["Config"]["User"], "65532:65532");
    assert_eq!(
        run_entrypoint(&tag, "/busybox/sh", &["-c", "ls /usr/local/bin; id -u"]),
        "hello\n65532\n"
    );
    let server = Server::start(&tag);
    assert_eq!(server.get("/healthz"), "ok\n");
    drop(server);
    remove_image(&tag);
}

/// A git URL as the build context (`docker build -f gofront.yaml URL#ref`):
/// BuildKit fetches the repository (public/hello.git of the fixture server),
/// the spec comes from it, and the client sends no files.
fn git_url_context_is_fetched_by_buildkit(d: Daemon) {
    let _server = GitServer::start();
    let tag = unique_tag("git");
    let b = build_url(
        d,
        "http://127.42.0.1/public/hello.git#main",
        "gofront.yaml",
        &tag,
        &["--build-arg", "VERSION=from-git"],
        &[],
    );
    b.assert_ok();
    assert!(
        b.log
            .contains("[gofront] load git context 127.42.0.1/public/hello.git#main"),
        "{}",
        b.log
    );
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "hello from gofront from-git\n");
    drop(server);
    remove_image(&tag);
    // A branch that does not exist fails with git's answer (buildx asks
    // for the repository itself first, to look for a build policy).
    let b = build_url(
        d,
        "http://127.42.0.1/public/hello.git#no-such-branch",
        "gofront.yaml",
        &tag,
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
/// tarball over its session and BuildKit unpacks it. Docker 20.10 serves it
/// once, to its own Dockerfile frontend that reads the `# syntax` line, so a
/// frontend image cannot read it again there: a clear error with a hint.
fn tarball_context_on_stdin(d: Daemon) {
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
    let tag = unique_tag("tarball");
    let b = build_stdin(
        d,
        &tarball,
        "gofront.yaml",
        &tag,
        &["--build-arg", "VERSION=from-a-tarball"],
    );
    if d == Daemon::Docker {
        b.assert_failed_with(&["Docker 20.10 sends a context on stdin only once"]);
        return;
    }
    b.assert_ok();
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "hello from gofront from-a-tarball\n");
    drop(server);
    remove_image(&tag);
}

/// What buildx does with a git URL carrying a query string (BuildKit v0.19+
/// syntax): by default it asks the frontend for cap
/// `moby.buildkit.frontend.gitquerystring` and passes the URL on; with
/// `BUILDX_SEND_GIT_QUERY_AS_INPUT=1` it builds the git source itself and
/// hands it over as the frontend inputs `context` and `dockerfile` (cap
/// `moby.buildkit.frontend.inputs`). Both build `hello` from a subfolder of
/// public/examples.git at tag v1.
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn git_query_contexts_as_opt_and_as_frontend_input() {
    let _server = GitServer::start();
    let url = "http://127.42.0.1/public/examples.git?tag=v1&subdir=hello";
    for (env, ours) in [
        (None, true),
        (Some(("BUILDX_SEND_GIT_QUERY_AS_INPUT", "1")), false),
    ] {
        let tag = unique_tag("gitquery");
        let env: Vec<(&str, &str)> = env.into_iter().collect();
        let b = build_url(
            Daemon::Buildkit,
            url,
            "gofront.yaml",
            &tag,
            &["--build-arg", "VERSION=from-a-query"],
            &env,
        );
        b.assert_ok();
        // Our git source, or the one buildx built and handed over.
        assert_eq!(
            b.log
                .contains("[gofront] load git context 127.42.0.1/public/examples.git#refs/tags/v1"),
            ours,
            "{env:?}: {}",
            b.log
        );
        let server = Server::start(&tag);
        assert_eq!(server.get("/"), "hello from gofront from-a-query\n");
        drop(server);
        remove_image(&tag);
    }
}

/// A fresh CI runner: the previous run exported its cache to the registry
/// (`--cache-to …,mode=max`), this one starts with an empty BuildKit and
/// imports it (`--cache-from`). A build that imports a cache keeps its
/// caches in layers: the module download keyed on go.mod/go.sum, and the
/// dependencies compiled ahead, keyed on the module files and the list of
/// imported packages. After an edit to a .go file both come from the
/// imported cache: no module is downloaded and only the main module is
/// compiled. (BuildKit imports a cache for a frontend's solves only when
/// the frontend names it in each.)
#[test]
#[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
fn a_fresh_runner_takes_modules_and_compiled_dependencies_from_cache_from() {
    let ctx = copy_example("api");
    let out = tempfile::tempdir().unwrap();
    let cache = format!("127.0.0.1:5000/e2e-cache/{}", unique_tag("ci"));
    // As CI configures it: every run imports the previous run's cache and
    // exports its own (the first finds none to import).
    let to = format!("--cache-to=type=registry,ref={cache},mode=max");
    let from = format!("--cache-from=type=registry,ref={cache}");
    prune_buildkitd();
    let first = build_local(ctx.path(), "gofront.yaml", out.path(), &[&from, &to]);
    first.assert_ok();
    assert!(!first.step("[gofront] go mod download").cached);
    let precompile = first.step("[gofront] compile the dependencies");
    assert!(
        precompile.lines.iter().any(|l| l == "net/http"),
        "the standard library and the modules are compiled ahead:\n{}",
        first.log
    );
    // The next commit, on a runner whose BuildKit has no cache.
    let edited = edit_api_greeting(ctx.path());
    prune_buildkitd();
    let second = build_local(ctx.path(), "gofront.yaml", out.path(), &[&from, &to]);
    second.assert_ok();
    for reused in [
        "[gofront] go mod download",
        "[gofront] compile the dependencies",
    ] {
        assert!(second.step(reused).reused(), "{reused}:\n{}", second.log);
    }
    // The edit itself is compiled, and only the main module's packages:
    // `go build -v` lists each package it compiles.
    let compile = second.step("[gofront] go build");
    assert!(!compile.reused(), "{}", second.log);
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api"),
        "{}",
        second.log
    );
    assert!(
        compiled
            .iter()
            .all(|p| p.starts_with("example.com/gofront/examples/api")),
        "only the main module is compiled: {compiled:?}"
    );
    let binary = std::fs::read(out.path().join("usr/local/bin/server")).unwrap();
    assert!(
        binary.windows(edited.len()).any(|w| w == edited.as_bytes()),
        "the binary lacks the edit"
    );
}

/// The private module server of tests/fixtures/gitserver, on 127.42.0.1:80,
/// stopped on drop.
struct GitServer {
    state: tempfile::TempDir,
}

impl GitServer {
    fn start() -> GitServer {
        let state = tempfile::tempdir().unwrap();
        let up = repo_root().join("tests/fixtures/gitserver/up.sh");
        let out = std::process::Command::new(up)
            .arg(state.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "gitserver up: {out:?}");
        GitServer { state }
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let down = repo_root().join("tests/fixtures/gitserver/down.sh");
        let _ = std::process::Command::new(down)
            .arg(self.state.path())
            .status();
    }
}

/// examples/private: a module only a password-protected git server on
/// loopback serves. The `netrc` secret reaches `go mod download` and no
/// layer; without it the download fails.
fn private_module_over_a_git_server_with_a_netrc_secret(d: Daemon) {
    let _server = GitServer::start();
    let ctx = copy_example("private");
    let netrc = ctx.path().join("../netrc-private");
    std::fs::write(
        &netrc,
        "machine git.gofront.test login gofront password s3cret\n",
    )
    .unwrap();
    let secret = format!("id=netrc,src={}", netrc.display());
    let mut args = vec![
        "--add-host",
        "git.gofront.test:127.42.0.1",
        "--build-arg",
        "GOINSECURE=git.gofront.test",
    ];
    // Docker 20.10 runs build steps on a bridge network; buildkitd here
    // runs them on the host's (scripts/buildkit-up.sh).
    if d == Daemon::Docker {
        args.extend(["--network", "host"]);
    }
    let tag = unique_tag("private");
    let mut with_secret = args.clone();
    with_secret.extend(["--secret", secret.as_str()]);
    build(d, ctx.path(), "gofront.yaml", &tag, &with_secret).assert_ok();
    let server = Server::start(&tag);
    assert_eq!(server.get("/"), "hello from a private module\n");
    drop(server);
    let files = image_files(&tag);
    assert!(
        !files
            .iter()
            .any(|f| f.path.ends_with(".netrc")
                || String::from_utf8_lossy(&f.data).contains("s3cret")),
        "the secret is in no layer"
    );
    remove_image(&tag);

    // Without the secret: a clear error with a hint.
    args.push("--no-cache");
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("private"), &args);
    b.assert_failed_with(&["secret netrc", "not found", "--secret id=netrc,src="]);

    // With a wrong password the git server refuses the download.
    std::fs::write(
        &netrc,
        "machine git.gofront.test login gofront password wrong\n",
    )
    .unwrap();
    let mut wrong = args.clone();
    wrong.extend(["--secret", secret.as_str()]);
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("private"),
        &wrong,
    );
    b.assert_failed_with(&["go mod download failed"]);
    assert!(
        b.log.contains("git.gofront.test/team/greeting"),
        "{}",
        b.log
    );
}

/// `strip`, `trimpath`, `goflags`, `goexperiment` and `tags` end up in the
/// binary: Go records its build settings in it.
fn build_switches_reach_go_build(d: Daemon) {
    let ctx = copy_example("hello");
    let binary = |tag: &str| file(&image_files(tag), "usr/local/bin/hello").data.clone();
    let contains =
        |data: &[u8], needle: &str| data.windows(needle.len()).any(|w| w == needle.as_bytes());
    let default = unique_tag("switches");
    build(d, ctx.path(), "gofront.yaml", &default, &[]).assert_ok();
    let plain = binary(&default);
    assert!(!has_symtab(&plain), "stripped by default");
    assert!(contains(&plain, "-trimpath=true"), "trimpath by default");

    write_spec(
        ctx.path(),
        "main: .\nstrip: false\ntrimpath: false\ngoflags: [\"-gcflags=all=-l\"]\ngoexperiment: [jsonv2]\ntags: [gofront_e2e]\n",
    );
    let custom = unique_tag("switches");
    build(d, ctx.path(), "gofront.yaml", &custom, &[]).assert_ok();
    let data = binary(&custom);
    assert!(has_symtab(&data), "strip: false keeps the symbol table");
    assert!(!contains(&data, "-trimpath=true"));
    assert!(contains(&data, "-gcflags=all=-l"));
    assert!(contains(&data, "GOEXPERIMENT=jsonv2"));
    assert!(contains(&data, "-tags=gofront_e2e"));
    remove_image(&default);
    remove_image(&custom);
}

/// `private: { ssh: true, known_hosts: [...] }`: the module is fetched by
/// git over ssh (sshd on 127.42.0.1:22, key auth only) with the client's key
/// forwarded through `--ssh default`, and the host key checked.
fn private_module_over_ssh_with_the_agent_forwarded(d: Daemon) {
    let server = GitServer::start();
    let ssh_up = repo_root().join("tests/fixtures/gitserver/ssh-up.sh");
    let out = std::process::Command::new(ssh_up)
        .arg(server.state.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "ssh-up: {out:?}");
    let ssh_dir = server.state.path().join("ssh");
    let known_hosts = std::fs::read_to_string(ssh_dir.join("known_hosts")).unwrap();
    let ctx = copy_example("private");
    write_spec(
        ctx.path(),
        &format!(
            "main: .\ngoprivate: git.gofront.test\nprivate:\n  ssh: true\n  known_hosts: [\"{}\"]\n",
            known_hosts.trim()
        ),
    );
    let key = format!("default={}", ssh_dir.join("id_ed25519").display());
    let mut args = vec![
        "--add-host",
        "git.gofront.test:127.42.0.1",
        "--build-arg",
        "GOINSECURE=git.gofront.test",
        "--ssh",
        key.as_str(),
    ];
    if d == Daemon::Docker {
        args.extend(["--network", "host"]);
    }
    let tag = unique_tag("private-ssh");
    let b = build(d, ctx.path(), "gofront.yaml", &tag, &args);
    b.assert_ok();
    let server_run = Server::start(&tag);
    assert_eq!(server_run.get("/"), "hello from a private module\n");
    drop(server_run);
    remove_image(&tag);

    // A wrong host key is refused.
    write_spec(
        ctx.path(),
        "main: .\ngoprivate: git.gofront.test\nprivate:\n  ssh: true\n  known_hosts: [\"git.gofront.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBadBadBadBadBadBadBadBadBadBadBadBadBadBadBad\"]\n",
    );
    args.push("--no-cache");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("private-ssh"),
        &args,
    );
    b.assert_failed_with(&["go mod download failed"]);
    assert!(b.log.contains("Host key verification failed"), "{}", b.log);
}

/// `test.flags: [-race]`: the race detector needs cgo, so the tests run on
/// the bookworm builder with CGO_ENABLED=1; the binary stays static.
fn race_detector_tests_run_with_cgo_on_bookworm(d: Daemon) {
    let ctx = copy_example("tested");
    write_spec(
        ctx.path(),
        "main: .\ntest: { packages: [./...], flags: [-race, -count=1] }\n",
    );
    let out = tempfile::tempdir().unwrap();
    let b = build_local_on(
        d,
        ctx.path(),
        "gofront.yaml",
        out.path(),
        &["--target", "binary"],
    );
    b.assert_ok();
    // (The argv, -race included, is checked by the plan's unit tests.)
    assert!(b.log.contains("[gofront] go test ./..."), "{}", b.log);
    assert!(
        b.log.contains("golang:1.26-bookworm"),
        "the race detector needs gcc: {}",
        b.log
    );
    let binary = std::fs::read(out.path().join("tested")).unwrap();
    assert!(!elf(&binary).unwrap().dynamic, "the binary is still static");
}
