//! `--call` subrequests through buildx.

use crate::harness::*;

/// `--call outline|targets|check` through buildx: the subrequests answer
/// with the spec's args, secrets and targets, and lint findings point at
/// their lines.
pub fn calls_outline_targets_and_check_through_buildx(d: Daemon) {
    let ctx = copy_example("multi");
    let (rc, out, err) = call(d, ctx.path(), "gofront.yaml", "outline,format=json", &[]);
    assert_eq!(rc, 0, "{err}");
    let outline: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let args = outline["args"].as_array().unwrap();
    let arg = |name: &str| args.iter().find(|a| a["name"] == name).cloned();
    assert_eq!(arg("VERSION").unwrap()["value"], "dev");
    let builder = arg("BUILDER").expect("the {{.Env.BUILDER}} build arg");
    assert_eq!(builder["location"]["ranges"][0]["start"]["line"], 16);
    assert!(arg("GOPROXY").is_some());

    let (rc, out, err) = call(d, ctx.path(), "gofront.yaml", "targets", &[]);
    assert_eq!(rc, 0, "{err}");
    for t in ["image (default)", "binary", "debug"] {
        assert!(out.contains(t), "{out}");
    }

    let (rc, out, err) = call(d, ctx.path(), "gofront.yaml", "check", &[]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("Check complete, no warnings found."),
        "{out}{err}"
    );

    // Findings: a :latest runtime and no .dockerignore; exit 1, with lines.
    std::fs::remove_file(ctx.path().join(".dockerignore")).unwrap();
    write_spec(ctx.path(), "main: ./cmd/server\nruntime: alpine:latest\n");
    let (rc, out, err) = call(d, ctx.path(), "gofront.yaml", "check", &[]);
    let all = format!("{out}{err}");
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("LatestTag"), "{all}");
    assert!(all.contains("MissingDockerignore"), "{all}");
    assert!(all.contains("gofront.yaml:3"), "the finding's line: {all}");

    // Findings are warnings during a normal build.
    write_spec(ctx.path(), "main: ./cmd/server\nruntime: alpine:3.21\n");
    let out_dir = tempfile::tempdir().unwrap();
    let b = build_local(d, ctx.path(), "gofront.yaml", out_dir.path(), &[]);
    b.assert_ok();
    b.assert_logged("1 warning found");
    b.assert_logged("MissingDockerignore");

    // A broken spec: the check fails with the error and its line.
    write_spec(ctx.path(), "main: ./cmd/server\nmian: x\n");
    let (rc, out, err) = call(d, ctx.path(), "gofront.yaml", "check", &[]);
    let all = format!("{out}{err}");
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("unknown key \"mian\""), "{all}");
}
