//! `cgo: true`: the bookworm builder, the glibc runtime, cross-compiling
//! with Debian's cross gcc.

use crate::harness::*;

/// `cgo: true` builds in the bookworm builder (gcc, glibc) and runs on the
/// glibc distroless base.
pub fn cgo_builds_on_bookworm_and_runs_on_distroless_base(d: Daemon) {
    let ctx = cgo_hello();
    let img = Image::build(d, ctx.path(), "cgo", &[]);
    let b = &img.build;
    assert!(b.log.contains("golang:1.26-bookworm"), "the cgo builder");
    assert!(
        b.log.contains("distroless/base-debian12"),
        "the glibc runtime"
    );
    assert_eq!(img.run(&[]), "cgo ok: true\n");
    assert_eq!(img.inspect()["Config"]["User"], "65532:65532");
    let files = img.files();
    let bin = file(&files, "usr/local/bin/cgohello");
    assert_eq!(
        elf(&bin.data).map(|e| (e.machine, e.dynamic)),
        Some((62, true)),
        "a cgo binary links glibc dynamically"
    );
}

/// cgo to another architecture: Debian's cross gcc runs in the builder at
/// the build platform (no emulation); the arm64 binary links the arm64
/// glibc of distroless/base and runs under qemu-user against that image.
pub fn cgo_cross_compiles_to_arm64(d: Daemon) {
    let ctx = cgo_hello();
    let out = tempfile::tempdir().unwrap();
    let b = build_local(
        d,
        ctx.path(),
        "gofront.yaml",
        out.path(),
        &["--platform", "linux/arm64"],
    );
    b.assert_ok();
    b.assert_logged("[gofront] apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross");
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

/// examples/cgo-sqlite: the SQLite amalgamation compiled with cgo, linked
/// against glibc, running on distroless/base.
pub fn cgo_sqlite_runs_on_distroless_base(d: Daemon) {
    let ctx = copy_example("cgo-sqlite");
    let img = Image::build(d, ctx.path(), "sqlite", &[]);
    let body = img.serve().get("/");
    assert!(
        body.starts_with("sqlite 3.") && body.ends_with(" rows=3\n"),
        "{body:?}"
    );
}
