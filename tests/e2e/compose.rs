//! Where users build besides `docker build`: Docker Compose and Bake on
//! Docker 29, with the engine's own BuildKit or with buildkitd.

use std::process::Command;

use crate::harness::*;

/// The compose project of a test: its own name, so that parallel or
/// leftover projects never meet; `down --rmi all` on drop.
struct Project {
    name: String,
    dir: tempfile::TempDir,
    builder: Option<&'static str>,
}

impl Project {
    fn compose(&self) -> Command {
        let mut c = docker29();
        c.current_dir(self.dir.path())
            .args(["compose", "--progress=plain", "-p", &self.name]);
        if let Some(b) = self.builder {
            c.env("BUILDX_BUILDER", b);
        }
        c
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = self
            .compose()
            .args(["down", "--rmi", "all", "--volumes"])
            .output();
    }
}

/// `docker compose build` of a service whose `build:` is gofront
/// (`dockerfile: gofront.yaml`, args, target, platforms, as for a
/// Dockerfile), then `docker compose up`: the image is built by `builder`
/// (the engine's own BuildKit when `None`), runs under Compose and answers
/// with the version the build arg set.
fn compose_builds_and_runs(builder: Option<&'static str>) {
    let ctx = copy_example("hello");
    let name = unique_tag("compose")
        .rsplit(':')
        .next()
        .unwrap()
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    write(
        ctx.path(),
        "compose.yaml",
        &format!(
            r#"
services:
  hello:
    image: gofront-test/compose-{name}
    build:
      context: .
      dockerfile: gofront.yaml
      args:
        VERSION: "5.5.5"
      target: image
      platforms: [linux/amd64]
    ports: ["127.0.0.1::8080"]
"#
        ),
    );
    let project = Project {
        name: format!("gofront-{name}"),
        dir: ctx,
        builder,
    };
    let out = project.compose().arg("build").output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "compose build failed:\n{log}");
    assert!(log.contains("[gofront] go build ."), "{log}");
    let up = project.compose().args(["up", "-d"]).output().unwrap();
    assert!(
        up.status.success(),
        "compose up failed: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    let port = String::from_utf8_lossy(
        &project
            .compose()
            .args(["port", "hello", "8080"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .rsplit(':')
    .next()
    .unwrap()
    .parse::<u16>()
    .expect("compose publishes the port");
    let body = http_get_within(port, "/", std::time::Duration::from_secs(20));
    assert_eq!(body, "hello from gofront 5.5.5\n");
}

/// Compose on Docker 29, built by the engine's own BuildKit.
pub fn compose_builds_on_docker29() {
    compose_builds_and_runs(None);
}

/// The buildx builder (in Docker 29's client config) that sends builds to
/// buildkitd.
const BUILDKITD_BUILDER: &str = "gofront-buildkitd";

/// Compose on Docker 29 with `BUILDX_BUILDER` naming a buildkitd builder
/// (as CI setups with `docker/setup-buildx-action` do): buildkitd builds,
/// the image is loaded into Docker 29 and runs there.
pub fn compose_builds_on_buildkitd() {
    let exists = docker29()
        .args(["buildx", "inspect", BUILDKITD_BUILDER])
        .output()
        .unwrap()
        .status
        .success();
    if !exists {
        let out = docker29()
            .args([
                "buildx",
                "create",
                "--name",
                BUILDKITD_BUILDER,
                "--driver",
                "remote",
            ])
            .arg(BUILDKITD_SOCKET)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "buildx create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    compose_builds_and_runs(Some(BUILDKITD_BUILDER));
}

/// `docker buildx bake` of a group of three gofront services from one
/// context, as a repository with several images builds them: one whose
/// runtime is another target's result (`contexts`), one `target = "debug"`
/// with its own args, one from a second spec with another runtime. All
/// three come out of one bake and run.
pub fn bake_group_builds_and_runs_several_services(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "base.Dockerfile",
        "FROM gcr.io/distroless/static-debian12\nENV TEAM=core\n",
    );
    write(
        ctx.path(),
        "scratch.gofront.yaml",
        "# syntax=ourorg/gofront\nmain: .\nruntime: scratch\nports: [8080]\nversion: { arg: VERSION, var: main.version }\n",
    );
    write(
        ctx.path(),
        "docker-bake.hcl",
        r#"
group "default" {
  targets = ["svc", "svc-debug", "svc-scratch"]
}

target "base" {
  context    = "."
  dockerfile = "base.Dockerfile"
}

target "_gofront" {
  context    = "."
  dockerfile = "gofront.yaml"
  args       = { VERSION = "1.0.0" }
}

target "svc" {
  inherits = ["_gofront"]
  contexts = { runtime = "target:base" }
}

target "svc-debug" {
  inherits = ["_gofront"]
  target   = "debug"
  args     = { VERSION = "2.0.0" }
}

target "svc-scratch" {
  inherits   = ["_gofront"]
  dockerfile = "scratch.gofront.yaml"
}
"#,
    );
    let tags = [
        ("svc", unique_tag("bake-svc")),
        ("svc-debug", unique_tag("bake-debug")),
        ("svc-scratch", unique_tag("bake-scratch")),
    ];
    let wanted: Vec<(&str, &str)> = tags.iter().map(|(t, tag)| (*t, tag.as_str())).collect();
    let b = bake_targets(d, ctx.path(), "docker-bake.hcl", "default", &wanted);
    let [svc, debug, scratch] = tags.map(|(_, tag)| Image::built_by(d, &tag, &b));

    let env = svc.inspect()["Config"]["Env"].to_string();
    assert!(env.contains("TEAM=core"), "svc is layered on base: {env}");
    assert!(svc.serve().get("/").contains("1.0.0"));

    assert_eq!(
        debug.run_entrypoint("/busybox/sh", &["-c", "ls /usr/local/bin"]),
        "hello\n"
    );
    assert!(debug.serve().get("/").contains("2.0.0"));

    let files = scratch.files();
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
        ],
        "svc-scratch is built from its own spec"
    );
    assert!(scratch.serve().get("/").contains("1.0.0"));
}
