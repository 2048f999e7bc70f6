//! Spec keys and build options that change the output: reproducible
//! timestamps, upx, the binary target, replaced images, go build's switches.

use crate::harness::*;

/// With SOURCE_DATE_EPOCH, two builds from scratch give the same image: the
/// same config and layers (`content_digest`).
pub fn source_date_epoch_gives_the_same_image(d: Daemon) {
    let ctx = copy_example("hello");
    let args = [
        "--no-cache",
        "--build-arg",
        "SOURCE_DATE_EPOCH=1700000000",
        "--build-arg",
        "VERSION=1",
    ];
    let img = Image::build(d, ctx.path(), "epoch", &args);
    let first = img.content_digest();
    img.rebuild(&args).assert_ok();
    assert_eq!(first, img.content_digest());
    let second = img.inspect();
    assert_eq!(second["Created"], "2023-11-14T22:13:20Z");
    let files = img.files();
    let bin = file(&files, "usr/local/bin/hello");
    assert_eq!(bin.mtime, 1_700_000_000);
}

/// `upx: true`: the binary is compressed in the builder and still runs.
pub fn upx_compresses_the_binary(d: Daemon) {
    let ctx = copy_example("hello");
    let plain = Image::build(d, ctx.path(), "upx", &[]);
    let spec = std::fs::read_to_string(ctx.path().join("gofront.yaml")).unwrap();
    std::fs::write(
        ctx.path().join("gofront.yaml"),
        format!("{spec}upx: true\n"),
    )
    .unwrap();
    let packed = Image::build(d, ctx.path(), "upx", &[]);
    let b = &packed.build;
    b.assert_logged("[gofront] upx hello");
    let size = |img: &Image| file(&img.files(), "usr/local/bin/hello").data.len();
    let (before, after) = (size(&plain), size(&packed));
    assert!(after * 2 < before, "upx: {before} -> {after} bytes");
    assert_eq!(packed.serve().get("/healthz"), "ok\n");
}

/// `--target binary --output type=local`: the binaries alone, at the root.
pub fn binary_target_exports_only_the_binaries(d: Daemon) {
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
pub fn images_in_the_spec_replace_the_builder_and_the_runtime(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(
        ctx.path(),
        "main: .\nimages:\n  builder: golang:1.26-bookworm\n  gcr.io/distroless/static-debian12: alpine:3.21\n",
    );
    let img = Image::build(d, ctx.path(), "images", &[]);
    let b = &img.build;
    b.assert_logged("[gofront] builder docker.io/library/golang:1.26-bookworm");
    // alpine has a shell; distroless does not.
    assert_eq!(
        img.run_entrypoint("/bin/sh", &["-c", "echo from alpine"]),
        "from alpine\n"
    );
}

/// `strip`, `trimpath`, `goflags`, `goexperiment` and `tags` end up in the
/// binary: Go records its build settings in it.
pub fn build_switches_reach_go_build(d: Daemon) {
    let ctx = copy_example("hello");
    let binary = |img: &Image| file(&img.files(), "usr/local/bin/hello").data.clone();
    let contains =
        |data: &[u8], needle: &str| data.windows(needle.len()).any(|w| w == needle.as_bytes());
    let default = Image::build(d, ctx.path(), "switches", &[]);
    let plain = binary(&default);
    assert!(!has_symtab(&plain), "stripped by default");
    assert!(contains(&plain, "-trimpath=true"), "trimpath by default");

    write_spec(
        ctx.path(),
        "main: .\nstrip: false\ntrimpath: false\ngoflags: [\"-gcflags=all=-l\"]\ngoexperiment: [jsonv2]\ntags: [gofront_e2e]\n",
    );
    let custom = Image::build(d, ctx.path(), "switches", &[]);
    let data = binary(&custom);
    assert!(has_symtab(&data), "strip: false keeps the symbol table");
    assert!(!contains(&data, "-trimpath=true"));
    assert!(contains(&data, "-gcflags=all=-l"));
    assert!(contains(&data, "GOEXPERIMENT=jsonv2"));
    assert!(contains(&data, "-tags=gofront_e2e"));
}
