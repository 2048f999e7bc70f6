//! A BuildKit that lacks a capability gofront needs: the build ends in a
//! message that names it and the BuildKit and Docker versions that have
//! it. Every daemon of the test bed has them all, so the frontend image is
//! `ourorg/gofront` behind tests/capfilter, a proxy that hides caps in
//! BuildKit's Ping answer (`harness::frontend_behind_capfilter`); the
//! frontend binary is the one users get.

use std::time::{Duration, Instant};

use crate::harness::*;

/// Without `exec.mount.cache` (an LLB cap) and `readdir` (a gateway cap)
/// the build is refused up front, both caps named, with the versions.
pub fn missing_caps_are_named_with_the_buildkit_that_has_them(d: Daemon) {
    let frontend = frontend_behind_capfilter("frontend-without-caps", "exec.mount.cache,readdir");
    let ctx = copy_example("hello");
    write_spec_for(ctx.path(), &frontend, &example_spec_body("hello"));
    let started = Instant::now();
    let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
    b.assert_failed_with(&[
        "`exec.mount.cache`",
        "`readdir`",
        "BuildKit v0.8",
        "Docker 20.10",
    ]);
    // The refusal comes right after Ping; the build command's 10-minute
    // kill is only the backstop for a hang.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the refusal took {:?}:\n{}",
        started.elapsed(),
        b.log
    );
    // gofront returned the error: no exit code of a frontend that died
    // without one, no broken connection.
    assert!(!b.log.contains("exit code:"), "{}", b.log);
    assert!(!b.log.contains("grpc server closed"), "{}", b.log);
}

/// The control: the same proxy hiding `mergeop`, which gofront can do
/// without. The build succeeds and the image works, so every other call
/// went through unchanged; and gofront took the path of a BuildKit
/// without MergeOp (the files copied onto the runtime base, as on
/// BuildKit v0.8), so the rewritten Ping is what it saw.
pub fn the_cap_filter_is_transparent_otherwise(d: Daemon) {
    let frontend = frontend_behind_capfilter("frontend-without-mergeop", "mergeop");
    let ctx = copy_example("hello");
    write_spec_for(ctx.path(), &frontend, &example_spec_body("hello"));
    let img = Image::build(
        d,
        ctx.path(),
        "capfilter",
        &["--build-arg", "VERSION=1.2.3"],
    );
    assert_eq!(img.run(&["-version"]), "1.2.3\n");
    let log = &img.build.log;
    assert!(
        !log.contains("[gofront] layer the files onto the runtime image"),
        "a MergeOp:\n{log}"
    );
    img.build
        .assert_logged("[gofront] add /usr/local/bin/hello to the runtime image");
}
