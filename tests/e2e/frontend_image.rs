//! The frontend image as users pin and mirror it: the index that
//! `scripts/build-frontend-image.sh --push` put in the local registry (the
//! daemons' docker.io mirror) under the tags `X.Y.Z`, `X.Y`, `X`, `latest`.

use crate::harness::*;

/// What the README's "Pinning and mirroring the frontend" says works:
/// `# syntax=ourorg/gofront:X` (a semver tag), a digest pin (and a wrong
/// digest is refused, not ignored), and an organisation's copy of the index
/// (`buildx imagetools create`) chosen with `BUILDKIT_SYNTAX` without
/// editing the spec.
pub fn the_frontend_is_pinned_by_tag_and_digest_and_mirrored(d: Daemon) {
    let version = env!("CARGO_PKG_VERSION");
    let major = version.split('.').next().unwrap();
    let index = registry_digest("ourorg/gofront", version);
    let ctx = copy_example("hello");
    let body = example_spec_body("hello");

    // A major version's tag.
    write_spec_for(ctx.path(), &format!("ourorg/gofront:{major}"), &body);
    let img = Image::build(d, ctx.path(), "pin-major", &[]);
    img.build
        .assert_logged(&format!("docker.io/ourorg/gofront:{major}"));
    assert_eq!(img.serve().get("/healthz"), "ok\n");
    drop(img);

    // A digest: the index BuildKit resolves must be that one.
    write_spec_for(
        ctx.path(),
        &format!("ourorg/gofront:{version}@{index}"),
        &body,
    );
    let img = Image::build(d, ctx.path(), "pin-digest", &[]);
    img.build.assert_logged(&index);
    drop(img);
    let wrong = format!("sha256:{}", "0".repeat(64));
    write_spec_for(
        ctx.path(),
        &format!("ourorg/gofront:{version}@{wrong}"),
        &body,
    );
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("pin-wrong"), &[]);
    b.assert_failed_with(&[&wrong]);

    // An organisation's mirror: a byte-for-byte copy of the index (every
    // platform and attestation), picked by a build arg.
    let mirror = "127.0.0.1:5000/corp/gofront";
    run_ok(buildx().args([
        "--builder",
        BUILDX_BUILDER,
        "imagetools",
        "create",
        "-t",
        &format!("{mirror}:{version}"),
        &format!("127.0.0.1:5000/ourorg/gofront:{version}"),
    ]));
    assert_eq!(registry_digest("corp/gofront", version), index);
    write_spec(ctx.path(), &body);
    let syntax = format!("BUILDKIT_SYNTAX={mirror}:{version}");
    let img = Image::build(d, ctx.path(), "mirror", &["--build-arg", &syntax]);
    img.build.assert_logged(&format!("{mirror}:{version}"));
    assert_eq!(img.serve().get("/healthz"), "ok\n");
}
