//! `go test` before the image: the gate, `--target test`, the race detector.

use crate::harness::*;

/// examples/tested: `go test` runs before the image; a failing test fails
/// the build with its output and the `test:` line; `--target test` runs only
/// the tests.
pub fn tests_gate_the_image(d: Daemon) {
    let ctx = copy_example("tested");
    let img = Image::build(d, ctx.path(), "tested", &[]);
    let b = &img.build;
    b.assert_logged("[gofront] go test ./...");
    assert_eq!(img.serve().get("/?name=x"), "hello, x\n");
    drop(img);

    // Only the tests: no go build.
    let img = Image::build(d, ctx.path(), "tested", &["--target", "test"]);
    let b = &img.build;
    assert!(b.log.contains("[gofront] go test ./..."));
    assert!(!b.log.contains("[gofront] go build"), "{}", b.log);
    drop(img);

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

/// `test.flags: [-race]`: the race detector needs cgo, so the tests run on
/// the bookworm builder with CGO_ENABLED=1; the binary stays static.
pub fn race_detector_tests_run_with_cgo_on_bookworm(d: Daemon) {
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
    b.assert_logged("[gofront] go test ./...");
    assert!(
        b.log.contains("golang:1.26-bookworm"),
        "the race detector needs gcc: {}",
        b.log
    );
    let binary = std::fs::read(out.path().join("tested")).unwrap();
    assert!(!elf(&binary).unwrap().dynamic, "the binary is still static");
}
