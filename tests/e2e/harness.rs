//! Helpers for the end-to-end tests: run docker, read images, talk HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Debian's Docker 20.10 client (the 28.x client on PATH lacks buildx and
/// refuses BuildKit builds without it). `GOFRONT_TEST_DOCKER` overrides.
pub fn docker() -> Command {
    let bin = std::env::var("GOFRONT_TEST_DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into());
    let mut c = Command::new(bin);
    c.env("DOCKER_BUILDKIT", "1");
    c
}

/// The Docker 29 daemon of `scripts/docker29-up.sh` (containerd image store).
pub const DOCKER29_HOST: &str = "unix:///run/gofront-docker29/docker.sock";

/// The Docker 29 daemon of `scripts/docker29-up.sh --store classic`.
pub const DOCKER29_CLASSIC_HOST: &str = "unix:///run/gofront-docker29-classic/docker.sock";

/// The Docker 29.8 client (`.tools/docker29/cli/docker`, its `build` is
/// buildx's `docker` driver) talking to Docker 29's containerd store:
/// `DOCKER_HOST` and `DOCKER_CONFIG` (the buildx plugin, buildx's state)
/// are set on the command, never taken from the test's environment.
pub fn docker29() -> Command {
    docker29_cli(DOCKER29_HOST, "config")
}

/// The same client talking to the classic-store Docker 29, with its own
/// client config (`.tools/docker29/config-classic`: buildx's state apart).
/// The daemon is checked once per run (`check_classic_store`).
pub fn docker29_classic() -> Command {
    static CHECKED: Once = Once::new();
    CHECKED.call_once(check_classic_store);
    docker29_cli(DOCKER29_CLASSIC_HOST, "config-classic")
}

/// What the classic-store tests rely on: the daemon has the classic store
/// (`Driver` overlay2; the containerd store says overlayfs), and its
/// frontend image is the registry's current one. Its BuildKit takes a
/// local image before the registry's, so a frontend pushed after
/// `scripts/docker29-up.sh --store classic` last ran would not be the one
/// tested (the containerd store and buildkitd ask the registry first).
fn check_classic_store() {
    let cli = || docker29_cli(DOCKER29_CLASSIC_HOST, "config-classic");
    let driver = run_ok(cli().args(["info", "--format", "{{.Driver}}"]));
    assert_eq!(
        driver.trim(),
        "overlay2",
        "{DOCKER29_CLASSIC_HOST} should be Docker 29 with the classic image store"
    );
    let want = registry_digest("ourorg/gofront", "latest");
    let have = run_ok(cli().args([
        "image",
        "inspect",
        "--format",
        "{{json .RepoDigests}}",
        "ourorg/gofront:latest",
    ]));
    assert!(
        have.contains(&format!("@{want}\"")),
        "the classic store's ourorg/gofront:latest ({}) is not the registry's ({want}), \
         and its BuildKit would build with it: run scripts/docker29-up.sh --store classic",
        have.trim()
    );
}

fn docker29_cli(host: &str, config: &str) -> Command {
    let root = repo_root().join(".tools/docker29");
    let mut c = Command::new(root.join("cli/docker"));
    c.env("DOCKER_HOST", host)
        .env("DOCKER_CONFIG", root.join(config))
        .env_remove("DOCKER_CONTEXT");
    c
}

/// The CLI of the engine whose image store holds `daemon`'s images:
/// Docker 20.10 for its own builds and for buildkitd's (`--load`), each
/// Docker 29 for its own.
pub fn docker_on(daemon: Daemon) -> Command {
    match daemon {
        Daemon::Docker | Daemon::Buildkit => docker(),
        Daemon::Docker29 => docker29(),
        Daemon::Docker29Classic => docker29_classic(),
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Run `cmd`, which must succeed; its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A private copy of `examples/<name>`.
pub fn copy_example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("examples").join(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A one-line edit in examples/api's leaf package: its greeting constant
/// becomes a string unique to this run (so no earlier run's cache can
/// answer for it), which is returned.
pub fn edit_api_greeting(ctx: &Path) -> String {
    let handlers = ctx.join("internal/api/handlers.go");
    let src = std::fs::read_to_string(&handlers).unwrap();
    let greeting = format!("edited by the e2e test {}", unique_tag("edit"));
    let edited = src.replacen(
        "const greeting = \"hello from the gofront example api\"",
        &format!("const greeting = {greeting:?}"),
        1,
    );
    assert_ne!(src, edited, "the example still has the greeting constant");
    std::fs::write(&handlers, edited).unwrap();
    greeting
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Write `gofront.yaml` into `dir`: the `# syntax=` line, then `body`.
pub fn write_spec(dir: &Path, body: &str) {
    write_spec_for(dir, "ourorg/gofront", body);
}

/// `write_spec` with another frontend image in the `# syntax=` line.
pub fn write_spec_for(dir: &Path, frontend: &str, body: &str) {
    write(dir, "gofront.yaml", &format!("# syntax={frontend}\n{body}"));
}

/// The spec of `examples/<name>` without its `# syntax=` line.
pub fn example_spec_body(name: &str) -> String {
    let spec =
        std::fs::read_to_string(repo_root().join("examples").join(name).join("gofront.yaml"))
            .unwrap();
    let (syntax, body) = spec.split_once('\n').unwrap();
    assert!(syntax.starts_with("# syntax="), "{name}: {syntax}");
    body.to_string()
}

/// A frontend image `gofront-test/<name>` that is `ourorg/gofront` behind
/// tests/capfilter, a proxy that removes the caps `drop` (comma-separated
/// ids) from BuildKit's Ping answer and forwards everything else: a
/// daemon that lacks them, without a test switch in the frontend. Built
/// once per test run (Docker's cache keeps a rebuild of the same binary
/// quick), into Docker 20.10's store, where its BuildKit finds it, and
/// pushed to the registry, through which buildkitd and Docker 29 resolve
/// `docker.io/gofront-test/<name>`. Returns the name for `# syntax=`.
pub fn frontend_behind_capfilter(name: &str, drop: &str) -> String {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let image = format!("gofront-test/{name}");
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built.contains(&image) {
        return image;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(capfilter_binary(), dir.path().join("capfilter")).unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM ourorg/gofront:latest\n\
         COPY capfilter /bin/capfilter\n\
         ARG DROP\n\
         ENV GOFRONT_CAPFILTER_DROP=$DROP\n\
         ENTRYPOINT [\"/bin/capfilter\", \"/bin/gofront\"]\n",
    );
    let local = format!("{image}:latest");
    let pushed = format!("127.0.0.1:5000/{image}:latest");
    run_ok(
        docker()
            .args(["build", "--quiet", "--build-arg"])
            .arg(format!("DROP={drop}"))
            .args(["-t", &local, "-t", &pushed])
            .arg(dir.path()),
    );
    run_ok(docker().args(["push", "--quiet", &pushed]));
    // Only the local name stays in Docker 20.10's store.
    run_ok(docker().args(["image", "rm", &pushed]));
    built.push(image.clone());
    image
}

/// tests/capfilter built as the frontend is (scripts/build-frontend-image.sh):
/// static, for the image's `FROM scratch` world. Once per test run.
fn capfilter_binary() -> &'static Path {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = run_ok(
            Command::new(cargo)
                .current_dir(repo_root())
                .env("RUSTFLAGS", "-C target-feature=+crt-static")
                .args(["build", "--release", "--locked", "--quiet"])
                .args(["-p", "gofront-capfilter", "--bin", "capfilter"])
                .args(["--target", "x86_64-unknown-linux-gnu"])
                .arg("--message-format=json"),
        );
        let binary = out
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the capfilter executable");
        let data = std::fs::read(&binary).unwrap();
        assert_eq!(
            elf(&data).map(|e| e.dynamic),
            Some(false),
            "{} must be static",
            binary.display()
        );
        binary
    })
}

pub fn unique_tag(what: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "gofront-test/{what}:{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The Go settings of this machine, passed as build args as a user would.
fn go_setting_args() -> Vec<String> {
    let mut args = Vec::new();
    for key in ["GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOFLAGS"] {
        let out = Command::new("go").args(["env", key]).output();
        if let Ok(out) = out {
            let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !v.is_empty() {
                args.push("--build-arg".into());
                args.push(format!("{key}={v}"));
            }
        }
    }
    args
}

/// Which BuildKit runs a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemon {
    /// Docker 20.10's built-in BuildKit v0.8, through `docker build`.
    Docker,
    /// A current buildkitd through buildx (remote driver), images from the
    /// local registry mirror.
    Buildkit,
    /// Docker 29's built-in BuildKit (v0.33) through plain `docker build`
    /// (buildx's `docker` driver), the containerd image store; images from
    /// the local registry mirror.
    Docker29,
    /// The same Docker 29 with the classic image store (graphdriver
    /// overlay2, `scripts/docker29-up.sh --store classic`): one image per
    /// tag, its ID the config's digest. BuildKit there takes a local image
    /// before the registry's (the script keeps the store's current).
    Docker29Classic,
}

impl Daemon {
    /// Whether the daemon's BuildKit offers MergeOp (cap `mergeop`), so
    /// gofront layers the binaries onto the base with it: buildkitd and
    /// Docker 29's containerd store do; Docker 20.10's v0.8 has none, and
    /// Docker 29's classic store turns it off ("only enabled with
    /// containerd image store backend"), so gofront copies the files onto
    /// the base there.
    pub fn has_merge_op(self) -> bool {
        match self {
            Daemon::Buildkit | Daemon::Docker29 => true,
            Daemon::Docker | Daemon::Docker29Classic => false,
        }
    }
}

/// The builder `scripts/buildkit-up.sh` registers.
pub const BUILDX_BUILDER: &str = "gofront";

/// The buildx that `scripts/buildkit-up.sh` installs in `.tools/bin`.
/// buildkitd's socket (`scripts/buildkit-up.sh`).
pub const BUILDKITD_SOCKET: &str = "unix:///run/gofront-buildkit/buildkitd.sock";

pub fn buildx() -> Command {
    Command::new(repo_root().join(".tools/bin/buildx"))
}

/// Empty a current BuildKit's build cache, as on a fresh CI runner (the
/// base images come back from the local registry when a build needs them).
pub fn prune_build_cache(daemon: Daemon) {
    match daemon {
        Daemon::Buildkit => run_ok(
            Command::new(repo_root().join(".tools/bin/buildctl"))
                .args(["--addr", BUILDKITD_SOCKET])
                .args(["prune", "--all"]),
        ),
        Daemon::Docker29 | Daemon::Docker29Classic => {
            run_ok(docker_on(daemon).args(["builder", "prune", "--all", "--force"]))
        }
        Daemon::Docker => panic!("the fresh-runner tests need a current BuildKit"),
    };
}

pub struct Build {
    pub ok: bool,
    pub log: String,
}

pub struct StepLog {
    pub cached: bool,
    pub lines: Vec<String>,
}

impl StepLog {
    /// The packages a `go build -v` step compiled: its output lines that
    /// are one import path each.
    pub fn compiled_packages(&self) -> Vec<&str> {
        self.lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| l.contains('/') && !l.contains(' '))
            .collect()
    }

    /// The step did not run: it was cached locally, or its result came
    /// from an imported cache (`--cache-from`), which progress shows as the
    /// step's layers being pulled and extracted instead of `CACHED`.
    pub fn reused(&self) -> bool {
        self.cached
            || self
                .lines
                .iter()
                .any(|l| l.starts_with("extracting sha256:"))
    }
}

impl Build {
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.ok, "the build failed:\n{}", self.log);
    }

    /// The build's output mentions `needle` (a step's name, a message).
    #[track_caller]
    pub fn assert_logged(&self, needle: &str) {
        assert!(
            self.log.contains(needle),
            "the build log should contain {needle:?}:\n{}",
            self.log
        );
    }

    /// The build failed with an error that contains every `needle` and is
    /// not a bare exit code.
    #[track_caller]
    pub fn assert_failed_with(&self, needles: &[&str]) {
        assert!(!self.ok, "the build should fail:\n{}", self.log);
        let error: String = self
            .log
            .lines()
            .skip_while(|l| !l.contains("failed to solve"))
            .collect::<Vec<_>>()
            .join("\n");
        for n in needles {
            assert!(
                error.contains(n),
                "error should contain {n:?}:\n{error}\n--- full log:\n{}",
                self.log
            );
        }
        assert!(
            !error.trim_end().ends_with("exit code: 1"),
            "a bare exit code:\n{error}"
        );
    }

    /// Every progress step whose name starts with `name` (a vertex solved
    /// in several solves shows up once per solve).
    pub fn steps(&self, name: &str) -> Vec<StepLog> {
        let mut ids: Vec<String> = Vec::new();
        for l in self.log.lines() {
            if let Some((id, rest)) = l.split_once(' ')
                && id.starts_with('#')
                && rest.starts_with(name)
                && !ids.iter().any(|i| i == id)
            {
                ids.push(id.to_string());
            }
        }
        ids.iter().map(|id| self.step_by_id(id)).collect()
    }

    /// The lines of the progress step whose name starts with `name`
    /// (`--progress=plain` prefixes every line of step N with `#N `).
    pub fn step(&self, name: &str) -> StepLog {
        let header = self
            .log
            .lines()
            .find(|l| {
                l.starts_with('#')
                    && l.split_once(' ')
                        .is_some_and(|(_, rest)| rest.starts_with(name))
            })
            .unwrap_or_else(|| panic!("no step {name:?} in:\n{}", self.log));
        let id = header.split_once(' ').unwrap().0.to_string();
        self.step_by_id(&id)
    }

    fn step_by_id(&self, id: &str) -> StepLog {
        let prefix = format!("{id} ");
        let lines: Vec<String> = self
            .log
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .map(|l| {
                let rest = &l[prefix.len()..];
                // Drop the "0.123 " timestamp of output lines.
                match rest.split_once(' ') {
                    Some((t, text)) if t.parse::<f64>().is_ok() => text.to_string(),
                    _ => rest.to_string(),
                }
            })
            .collect();
        StepLog {
            cached: lines.iter().any(|l| l == "CACHED"),
            lines,
        }
    }
}

/// `docker build --progress=plain -f <spec> -t <tag> <args> <context>`,
/// killed after 10 minutes: a hung frontend (pitfall P1) fails the test.
pub fn build(daemon: Daemon, context: &Path, spec: &str, tag: &str, args: &[&str]) -> Build {
    build_inner(build_command(daemon), context, spec, Some(tag), args)
}

/// `build` from a context URL (a git repository, a tarball), with `spec`
/// the file's name in it and `env` for the client (buildx's switches).
pub fn build_url(
    daemon: Daemon,
    url: &str,
    spec: &str,
    tag: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Build {
    let mut cmd = build_command(daemon);
    cmd.envs(env.iter().copied());
    run_build(cmd, Path::new(spec), Path::new(url), Some(tag), args)
}

/// `build -f SPEC - < TARBALL`: the context as a tarball on stdin.
pub fn build_stdin(daemon: Daemon, tarball: &Path, spec: &str, tag: &str, args: &[&str]) -> Build {
    let mut cmd = build_command(daemon);
    cmd.stdin(std::fs::File::open(tarball).expect("the tarball opens"));
    run_build(cmd, Path::new(spec), Path::new("-"), Some(tag), args)
}

/// The build command whose result lands in an image store: `docker build`
/// on Docker 20.10 and on Docker 29 (which keeps it in its containerd or
/// classic store), `buildx build --load` on buildkitd (into Docker 20.10's
/// store, so the same inspect/run checks apply).
fn build_command(daemon: Daemon) -> Command {
    match daemon {
        Daemon::Buildkit => {
            let mut c = buildx_build();
            c.arg("--load");
            c
        }
        Daemon::Docker | Daemon::Docker29 | Daemon::Docker29Classic => plain_build(daemon),
    }
}

/// `docker build` as a user types it, with no output chosen: Docker 20.10's
/// own client, or Docker 29's (buildx, `docker` driver).
fn plain_build(daemon: Daemon) -> Command {
    let mut c = match daemon {
        Daemon::Docker | Daemon::Docker29 | Daemon::Docker29Classic => docker_on(daemon),
        Daemon::Buildkit => return buildx_build(),
    };
    c.arg("build");
    c
}

fn buildx_build() -> Command {
    let mut c = buildx();
    c.args(["--builder", BUILDX_BUILDER, "build"]);
    c
}

/// A build on a current BuildKit with its output chosen by the caller:
/// buildx on buildkitd, or `docker build` on a Docker 29.
fn current_build(daemon: Daemon) -> Command {
    match daemon {
        Daemon::Buildkit | Daemon::Docker29 | Daemon::Docker29Classic => plain_build(daemon),
        Daemon::Docker => panic!("this test needs a current BuildKit"),
    }
}

fn build_inner(
    cmd: Command,
    context: &Path,
    spec: &str,
    tag: Option<&str>,
    args: &[&str],
) -> Build {
    run_build(cmd, &context.join(spec), context, tag, args)
}

fn run_build(
    mut cmd: Command,
    spec: &Path,
    context: &Path,
    tag: Option<&str>,
    args: &[&str],
) -> Build {
    cmd.arg("--progress=plain").arg("-f").arg(spec);
    if let Some(tag) = tag {
        cmd.arg("-t").arg(tag);
    }
    cmd.args(go_setting_args());
    cmd.args(args);
    cmd.arg(context);
    run_with_deadline(cmd, "docker build")
}

/// `buildx bake` of `target` in `dir`'s `file` on buildkitd (loaded into
/// Docker 20.10) or `docker buildx bake` on Docker 29 (its store), as `tag`
/// (`--allow fs.read`: buildx v0.38+ asks for it before bake reads a local
/// folder).
pub fn bake(daemon: Daemon, dir: &Path, file: &str, target: &str, tag: &str) -> Build {
    bake_targets(daemon, dir, file, target, &[(target, tag)])
}

/// The same for a group (or target) `what` of several targets, each
/// `(target, tag)` of `tags` tagged.
pub fn bake_targets(
    daemon: Daemon,
    dir: &Path,
    file: &str,
    what: &str,
    tags: &[(&str, &str)],
) -> Build {
    let mut cmd = match daemon {
        Daemon::Buildkit => {
            let mut c = buildx();
            c.args(["--builder", BUILDX_BUILDER]);
            c
        }
        Daemon::Docker29 | Daemon::Docker29Classic => {
            let mut c = docker_on(daemon);
            c.arg("buildx");
            c
        }
        Daemon::Docker => panic!("bake needs a current BuildKit"),
    };
    cmd.current_dir(dir)
        .args(["bake", "--progress=plain", "--load"])
        .arg("-f")
        .arg(file)
        .arg(format!("--allow=fs.read={}", dir.display()));
    for (target, tag) in tags {
        cmd.arg(format!("--set={target}.tags={tag}"));
    }
    cmd.arg(what);
    run_with_deadline(cmd, "buildx bake")
}

/// Run a build command to its end (10 minutes at most: a hang fails the
/// test), its output captured.
fn run_with_deadline(mut cmd: Command, what: &str) -> Build {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what} does not start: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish in 10 minutes (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = format!(
        "{}{}",
        out_reader.join().unwrap(),
        err_reader.join().unwrap()
    );
    Build {
        ok: status.success(),
        log,
    }
}

/// `docker image inspect` of `image` in `daemon`'s image store.
fn inspect(daemon: Daemon, image: &str) -> serde_json::Value {
    let out = run_ok(docker_on(daemon).args(["image", "inspect", image]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

/// The platform (`os/arch[/variant]`) of an image's config as `docker
/// image inspect` shows it (the host's, when the store has it).
fn inspected_platform(cfg: &serde_json::Value) -> String {
    platform_id(&cfg["Os"], &cfg["Architecture"], &cfg["Variant"])
}

/// `os/arch[/variant]` from an image config's fields (`docker inspect`
/// capitalizes them, the OCI config does not).
fn platform_id(
    os: &serde_json::Value,
    arch: &serde_json::Value,
    variant: &serde_json::Value,
) -> String {
    let mut p = format!("{}/{}", os.as_str().unwrap(), arch.as_str().unwrap());
    if let Some(v) = variant.as_str().filter(|v| !v.is_empty()) {
        p.push('/');
        p.push_str(v);
    }
    p
}

/// The size of `image`'s filesystem: the sum of its layers, uncompressed.
/// Docker 20.10's `Size` is that, and so is the classic store's on Docker
/// 29 (the graphdriver's layer sizes); the containerd store's counts the
/// unpacked snapshot and the (compressed) content both, so there the
/// layers are read out of `docker save` and measured.
pub fn image_size(daemon: Daemon, image: &str) -> i64 {
    match daemon {
        Daemon::Docker | Daemon::Buildkit | Daemon::Docker29Classic => {
            inspect(daemon, image)["Size"].as_i64().unwrap()
        }
        Daemon::Docker29 => {
            let platform = inspected_platform(&inspect(daemon, image));
            let images = save_images(daemon, image, Some(&platform));
            let [one] = images.as_slice() else {
                panic!("{image}: {} images for {platform}", images.len());
            };
            one.layers_size as i64
        }
    }
}

/// `docker save` of `image` (only `platform`, or every platform it has)
/// read as an OCI layout: Docker 29's containerd store writes one.
pub fn save_images(daemon: Daemon, image: &str, platform: Option<&str>) -> Vec<OciImage> {
    let dir = tempfile::tempdir().unwrap();
    let tarball = dir.path().join("image.tar");
    let mut cmd = docker_on(daemon);
    cmd.arg("save").arg("-o").arg(&tarball);
    if let Some(p) = platform {
        cmd.args(["--platform", p]);
    }
    run_ok(cmd.arg(image));
    read_oci_layout(&tarball)
}

fn remove_image(daemon: Daemon, image: &str) {
    let _ = run(docker_on(daemon).args(["rmi", "-f", image]));
}

/// `docker run --rm <image> <args>`: the output.
fn run_args(daemon: Daemon, image: &str, args: &[&str]) -> String {
    run_ok(
        docker_on(daemon)
            .args(["run", "--rm", "--network", "none", image])
            .args(args),
    )
}

/// `docker run --rm --entrypoint <entrypoint> <image> <args>`: the output.
fn run_entrypoint(daemon: Daemon, image: &str, entrypoint: &str, args: &[&str]) -> String {
    run_ok(
        docker_on(daemon)
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                entrypoint,
                image,
            ])
            .args(args),
    )
}

/// An image a test built, under a tag of its own, removed (`docker rmi`) on
/// drop, so a failed assertion does not leave it behind. Containers started
/// from it (`serve`) should be declared after it: they are dropped first.
pub struct Image {
    pub tag: String,
    /// The build that made it first.
    pub build: Build,
    /// The daemon that built it; its image is read through `docker_on`.
    pub daemon: Daemon,
    /// The context directory, for `rebuild`.
    source: Option<PathBuf>,
}

impl Image {
    /// `build` of `gofront.yaml` in `context` on `daemon`, tagged
    /// `unique_tag(what)`; the build must succeed.
    #[track_caller]
    pub fn build(daemon: Daemon, context: &Path, what: &str, args: &[&str]) -> Image {
        let mut image = Image::build_with(daemon, what, |tag| {
            build(daemon, context, "gofront.yaml", tag, args)
        });
        image.source = Some(context.to_path_buf());
        image
    }

    /// The same for a build made another way on `daemon` (a context URL, a
    /// tarball on stdin, bake): `how` builds with the tag it is given.
    #[track_caller]
    pub fn build_with(daemon: Daemon, what: &str, how: impl FnOnce(&str) -> Build) -> Image {
        let tag = unique_tag(what);
        let build = how(&tag);
        build.assert_ok();
        Image {
            tag,
            build,
            daemon,
            source: None,
        }
    }

    /// An image that `build` (which must have succeeded) made under `tag`
    /// among others, as a bake of several targets does.
    #[track_caller]
    pub fn built_by(daemon: Daemon, tag: &str, build: &Build) -> Image {
        build.assert_ok();
        Image {
            tag: tag.to_string(),
            build: Build {
                ok: build.ok,
                log: build.log.clone(),
            },
            daemon,
            source: None,
        }
    }

    /// The same context built again on the same daemon under the same tag,
    /// with `args`; the caller judges the result.
    pub fn rebuild(&self, args: &[&str]) -> Build {
        let context = self
            .source
            .as_ref()
            .expect("only an image built from a context directory is rebuilt");
        build(self.daemon, context, "gofront.yaml", &self.tag, args)
    }

    /// What identifies the image's content (its config and layers): the
    /// image ID on Docker 20.10 and on Docker 29's classic store (the
    /// config's digest; the classic store keeps no attestation); on Docker
    /// 29's containerd store, whose ID is the digest of an index that also
    /// holds a provenance attestation (the build's own record, made anew by
    /// every build), the digest of the host platform's image manifest.
    pub fn content_digest(&self) -> String {
        match self.daemon {
            Daemon::Docker | Daemon::Buildkit | Daemon::Docker29Classic => {
                self.inspect()["Id"].as_str().unwrap().to_string()
            }
            Daemon::Docker29 => {
                let platform = inspected_platform(&self.inspect());
                let images = save_images(self.daemon, &self.tag, Some(&platform));
                let [one] = images.as_slice() else {
                    panic!("{}: {} images for {platform}", self.tag, images.len());
                };
                one.manifest_digest.clone()
            }
        }
    }

    /// `docker image inspect`: the image's JSON.
    pub fn inspect(&self) -> serde_json::Value {
        inspect(self.daemon, &self.tag)
    }

    /// The filesystem's size, uncompressed (`image_size`).
    pub fn size(&self) -> i64 {
        image_size(self.daemon, &self.tag)
    }

    /// Every file of the image's filesystem, sorted by path.
    pub fn files(&self) -> Vec<ImageFile> {
        image_files(self.daemon, &self.tag)
    }

    /// A container of the image serving on a loopback port, once it
    /// answers `/healthz`; removed on drop.
    pub fn serve(&self) -> Server {
        Server::start(self.daemon, &self.tag)
    }

    /// `docker run --rm <image> <args>`: the output.
    pub fn run(&self, args: &[&str]) -> String {
        run_args(self.daemon, &self.tag, args)
    }

    /// `docker run --rm --entrypoint <entrypoint> <image> <args>`: the output.
    pub fn run_entrypoint(&self, entrypoint: &str, args: &[&str]) -> String {
        run_entrypoint(self.daemon, &self.tag, entrypoint, args)
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        remove_image(self.daemon, &self.tag);
    }
}

pub struct ImageFile {
    pub path: String,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub is_dir: bool,
    pub data: Vec<u8>,
}

/// The file at `path` among `files`.
#[track_caller]
pub fn file<'a>(files: &'a [ImageFile], path: &str) -> &'a ImageFile {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} in the image"))
}

/// Every file of the image's filesystem (`docker export`), sorted by path.
/// On Docker 29's containerd store the container is asked for the image's
/// own platform (that store selects a platform of an index, the host's by
/// default); Docker 20.10 and the classic store take the one image a tag
/// names, whatever its platform.
fn image_files(daemon: Daemon, image: &str) -> Vec<ImageFile> {
    let mut create = docker_on(daemon);
    create.arg("create");
    if daemon == Daemon::Docker29 {
        create.args(["--platform", &inspected_platform(&inspect(daemon, image))]);
    }
    let id = run_ok(create.arg(image)).trim().to_string();
    let out = run(docker_on(daemon).args(["export", &id]));
    let _ = run(docker_on(daemon).args(["rm", "-f", &id]));
    assert!(out.status.success(), "docker export failed");
    let mut archive = tar::Archive::new(out.stdout.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let h = entry.header().clone();
        let path = entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        // Docker adds these to every container filesystem.
        if path.starts_with(".dockerenv")
            || path.starts_with("dev")
            || path.starts_with("proc")
            || path.starts_with("sys")
            || path == "etc/hostname"
            || path == "etc/hosts"
            || path == "etc/resolv.conf"
            || path == "etc/mtab"
        {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        files.push(ImageFile {
            path,
            mode: h.mode().unwrap(),
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            mtime: h.mtime().unwrap(),
            is_dir: h.entry_type().is_dir(),
            data,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `GET path` on a loopback port: the body, or `None` when nothing answers
/// with HTTP.
fn http_get(port: u16, path: &str) -> Option<String> {
    http_request(port, "GET", path, "").map(|(_, body)| body)
}

/// An HTTP/1.0 request on a loopback port: the status line and the body.
fn http_request(port: u16, method: &str, path: &str, body: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let (head, body) = resp.split_once("\r\n\r\n")?;
    let status = head.lines().next()?.to_string();
    status
        .starts_with("HTTP/1.")
        .then(|| (status, body.to_string()))
}

/// `GET path` on a loopback port, retried until a service that is
/// starting answers (`within` at most).
pub fn http_get_within(port: u16, path: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        if let Some(body) = http_get(port, path) {
            return body;
        }
        if Instant::now() > deadline {
            panic!("nothing answered GET {path} on 127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A container serving on a random loopback port; removed on drop.
pub struct Server {
    daemon: Daemon,
    id: String,
    port: u16,
}

impl Server {
    fn start(daemon: Daemon, image: &str) -> Server {
        let id = run_ok(docker_on(daemon).args(["run", "-d", "-p", "127.0.0.1::8080", image]))
            .trim()
            .to_string();
        let port_out = run_ok(docker_on(daemon).args(["port", &id, "8080/tcp"]));
        let port = port_out
            .lines()
            .next()
            .and_then(|l| l.rsplit(':').next())
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {port_out:?}"));
        let server = Server { daemon, id, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.try_get("/healthz").is_none() {
            if Instant::now() > deadline {
                let logs = run(docker_on(daemon).args(["logs", &server.id]));
                panic!(
                    "{image} did not answer on port {port}: {}",
                    String::from_utf8_lossy(&logs.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn try_get(&self, path: &str) -> Option<String> {
        http_get(self.port, path)
    }

    /// The container's health status once it is no longer `starting`.
    pub fn health(&self, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let status = run_ok(docker_on(self.daemon).args([
                "inspect",
                "--format",
                "{{.State.Health.Status}}",
                &self.id,
            ]))
            .trim()
            .to_string();
            if status != "starting" || Instant::now() > deadline {
                return status;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    pub fn get(&self, path: &str) -> String {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path} failed"))
    }

    /// `POST path` with `body`: the status line and the answer.
    pub fn post(&self, path: &str, body: &str) -> (String, String) {
        http_request(self.port, "POST", path, body).unwrap_or_else(|| panic!("POST {path} failed"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = run(docker_on(self.daemon).args(["rm", "-f", &self.id]));
    }
}

/// The private module server of tests/fixtures/gitserver, on 127.42.0.1:80,
/// stopped on drop.
pub struct GitServer {
    pub state: tempfile::TempDir,
}

impl GitServer {
    pub fn start() -> GitServer {
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

/// The facts of an ELF file the platform tests check.
#[derive(Debug, PartialEq, Eq)]
pub struct Elf {
    pub bits: u8,
    pub little_endian: bool,
    pub machine: u16,
    /// Has a PT_INTERP segment (dynamically linked).
    pub dynamic: bool,
}

pub fn elf(data: &[u8]) -> Option<Elf> {
    let e = goblin::elf::Elf::parse(data).ok()?;
    Some(Elf {
        bits: if e.is_64 { 64 } else { 32 },
        little_endian: e.little_endian,
        machine: e.header.e_machine,
        dynamic: e.interpreter.is_some(),
    })
}

/// Whether an ELF file has a symbol table (it is not stripped).
pub fn has_symtab(data: &[u8]) -> bool {
    let e = goblin::elf::Elf::parse(data).expect("an ELF file");
    e.section_headers
        .iter()
        .any(|h| e.shdr_strtab.get_at(h.sh_name) == Some(".symtab"))
}

/// The ELF a Go binary for `platform` must be: (bits, little endian, e_machine).
pub fn expected_elf(platform: &str) -> (u8, bool, u16) {
    match platform {
        "linux/amd64" => (64, true, 62),
        "linux/arm64" => (64, true, 183),
        "linux/arm/v7" | "linux/arm/v6" => (32, true, 40),
        "linux/386" => (32, true, 3),
        "linux/ppc64le" => (64, true, 21),
        "linux/s390x" => (64, false, 22),
        "linux/riscv64" => (64, true, 243),
        other => panic!("no ELF facts for {other}"),
    }
}

/// One platform's image in an OCI layout.
pub struct OciImage {
    pub platform: String,
    pub config: serde_json::Value,
    /// Files of all layers, later layers winning.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    /// The layers' size uncompressed (their tar streams).
    pub layers_size: u64,
    /// The digest of its manifest (config and layers).
    pub manifest_digest: String,
}

/// Read an OCI layout tarball (`--output type=oci`): every platform image
/// of its index (attestation manifests skipped).
pub fn read_oci_layout(tarball: &Path) -> Vec<OciImage> {
    let mut blobs = std::collections::BTreeMap::new();
    let mut index = None;
    let file = std::fs::File::open(tarball).unwrap();
    for entry in tar::Archive::new(file).entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if path == "index.json" {
            index = Some(data);
        } else if let Some(d) = path.strip_prefix("blobs/sha256/") {
            blobs.insert(format!("sha256:{d}"), data);
        }
    }
    let blob_json = |digest: &str| -> serde_json::Value {
        serde_json::from_slice(
            blobs
                .get(digest)
                .unwrap_or_else(|| panic!("no blob {digest}")),
        )
        .unwrap()
    };
    let mut images = Vec::new();
    let mut todo: Vec<serde_json::Value> = serde_json::from_slice::<serde_json::Value>(
        &index.expect("index.json"),
    )
    .unwrap()["manifests"]
        .as_array()
        .unwrap()
        .clone();
    while let Some(desc) = todo.pop() {
        let media = desc["mediaType"].as_str().unwrap_or_default();
        let digest = desc["digest"].as_str().unwrap();
        if media.contains("index") || media.contains("manifest.list") {
            todo.extend(
                blob_json(digest)["manifests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            );
            continue;
        }
        if desc["annotations"]["vnd.docker.reference.type"] == "attestation-manifest" {
            continue;
        }
        let manifest = blob_json(digest);
        let config = blob_json(manifest["config"]["digest"].as_str().unwrap());
        let platform = platform_id(&config["os"], &config["architecture"], &config["variant"]);
        let mut files = std::collections::BTreeMap::new();
        let mut layers_size = 0;
        for layer in manifest["layers"].as_array().unwrap() {
            let raw = blobs.get(layer["digest"].as_str().unwrap()).unwrap();
            let media = layer["mediaType"].as_str().unwrap_or_default();
            let mut tarball = Vec::new();
            if media.ends_with("gzip") {
                flate2::read::GzDecoder::new(raw.as_slice())
                    .read_to_end(&mut tarball)
                    .unwrap();
            } else {
                tarball.extend_from_slice(raw);
            }
            layers_size += tarball.len() as u64;
            for entry in tar::Archive::new(tarball.as_slice()).entries().unwrap() {
                let mut entry = entry.unwrap();
                let path = entry
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_start_matches("./")
                    .to_string();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                files.insert(path, data);
            }
        }
        images.push(OciImage {
            platform,
            config,
            files,
            layers_size,
            manifest_digest: digest.to_string(),
        });
    }
    images.sort_by(|a, b| a.platform.cmp(&b.platform));
    images
}

/// A build's images as an OCI layout tarball at `dest`: on buildkitd
/// exported by buildx (`--output type=oci`); on Docker 29 built into its
/// containerd store as a user would (`docker build -t`), then read back
/// with `docker save` (every platform of the index) and removed.
pub fn build_oci(daemon: Daemon, context: &Path, spec: &str, dest: &Path, args: &[&str]) -> Build {
    match daemon {
        Daemon::Buildkit => {
            let out = format!("type=oci,dest={}", dest.display());
            let mut all = vec!["--output", out.as_str()];
            all.extend_from_slice(args);
            build_inner(buildx_build(), context, spec, None, &all)
        }
        Daemon::Docker29 => {
            let tag = unique_tag("oci");
            let b = build_inner(plain_build(daemon), context, spec, Some(&tag), args);
            if b.ok {
                run_ok(docker29().arg("save").arg("-o").arg(dest).arg(&tag));
                remove_image(daemon, &tag);
            }
            b
        }
        Daemon::Docker => panic!("several platforms need a current BuildKit"),
        Daemon::Docker29Classic => {
            panic!("the classic image store keeps one platform per image: use the containerd store")
        }
    }
}

/// The build's filesystem exported to `dest` (`--output type=local`), on
/// any daemon (Docker 20.10's CLI has `-o` with BuildKit too).
pub fn build_local_on(
    daemon: Daemon,
    context: &Path,
    spec: &str,
    dest: &Path,
    args: &[&str],
) -> Build {
    let out = format!("type=local,dest={}", dest.display());
    let mut all = vec!["--output", out.as_str()];
    all.extend_from_slice(args);
    build_inner(plain_build(daemon), context, spec, None, &all)
}

/// `--output type=local` on a current BuildKit: the image's filesystem in
/// `dest`.
pub fn build_local(
    daemon: Daemon,
    context: &Path,
    spec: &str,
    dest: &Path,
    args: &[&str],
) -> Build {
    assert!(
        daemon != Daemon::Docker,
        "this test needs a current BuildKit"
    );
    build_local_on(daemon, context, spec, dest, args)
}

/// A build on a current BuildKit pushed to `name` (a local registry
/// reference).
pub fn build_push(daemon: Daemon, context: &Path, spec: &str, name: &str, args: &[&str]) -> Build {
    let out = format!("type=image,name={name},push=true");
    let mut all = vec!["--output", out.as_str()];
    all.extend_from_slice(args);
    let b = build_inner(current_build(daemon), context, spec, None, &all);
    // Docker 29's image exporter keeps the pushed image in its store too.
    if matches!(daemon, Daemon::Docker29 | Daemon::Docker29Classic) {
        remove_image(daemon, name);
    }
    b
}

/// Media types a registry may answer a manifest request with: indexes and
/// single manifests, OCI and Docker.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// `METHOD /v2/<repo>/<path>` on the local registry (127.0.0.1:5000): the
/// response's head and body; the status must be 200.
fn registry_request(method: &str, repo: &str, path: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", 5000)).expect("the local registry answers");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} /v2/{repo}/{path} HTTP/1.0\r\nHost: 127.0.0.1:5000\r\nAccept: {MANIFEST_TYPES}\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(resp.len());
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{method} {repo}/{path}: {head}"
    );
    (head, resp.get(split + 4..).unwrap_or_default().to_vec())
}

/// A manifest request for `repo:tag` (or `repo@digest`).
fn registry_manifest_request(method: &str, repo: &str, tag: &str) -> (String, String) {
    let (head, body) = registry_request(method, repo, &format!("manifests/{tag}"));
    (head, String::from_utf8(body).unwrap())
}

/// The digest of what the local registry serves for `repo:tag` (an index or
/// a manifest): its `Docker-Content-Digest`.
pub fn registry_digest(repo: &str, tag: &str) -> String {
    let (head, _) = registry_manifest_request("HEAD", repo, tag);
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("docker-content-digest")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no digest for {repo}:{tag} in:\n{head}"))
}

/// The manifest (index) the local registry serves for `repo:tag`.
pub fn registry_manifest(repo: &str, tag: &str) -> serde_json::Value {
    let (_, body) = registry_manifest_request("GET", repo, tag);
    serde_json::from_str(&body).unwrap()
}

/// `build --call <call>` on a current BuildKit (buildx on buildkitd,
/// `docker build` on Docker 29): exit code, stdout (the result) and stderr
/// (progress).
pub fn call(
    daemon: Daemon,
    context: &Path,
    spec: &str,
    call: &str,
    args: &[&str],
) -> (i32, String, String) {
    let out = current_build(daemon)
        .arg("--progress=plain")
        .arg("--call")
        .arg(call)
        .arg("-f")
        .arg(context.join(spec))
        .args(args)
        .arg(context)
        .output()
        .expect("buildx runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `GET /v2/<repo>/blobs/<digest>` on the local registry: the blob's bytes.
pub fn registry_blob(repo: &str, digest: &str) -> Vec<u8> {
    registry_request("GET", repo, &format!("blobs/{digest}")).1
}

/// One in-toto attestation of a pushed image.
#[derive(Debug)]
pub struct Attested {
    /// The platform of the image it is about (`linux/amd64`).
    pub platform: String,
    /// The digest of that image's manifest (the statement's subject).
    pub image_digest: String,
    pub predicate_type: String,
    /// The whole in-toto statement.
    pub statement: serde_json::Value,
}

/// The attestations of `repo:tag` in the local registry: the attestation
/// manifests of its index, each layer an in-toto statement.
pub fn registry_attestations(repo: &str, tag: &str) -> Vec<Attested> {
    let index = registry_manifest(repo, tag);
    let manifests = index["manifests"].as_array().cloned().unwrap_or_default();
    let platform_of = |digest: &str| -> String {
        manifests
            .iter()
            .find(|m| m["digest"] == digest)
            .map(|m| {
                let p = &m["platform"];
                platform_id(&p["os"], &p["architecture"], &p["variant"])
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for m in &manifests {
        if m["annotations"]["vnd.docker.reference.type"] != "attestation-manifest" {
            continue;
        }
        let image_digest = m["annotations"]["vnd.docker.reference.digest"]
            .as_str()
            .unwrap()
            .to_string();
        let manifest = registry_manifest(repo, m["digest"].as_str().unwrap());
        for layer in manifest["layers"].as_array().unwrap() {
            let statement: serde_json::Value =
                serde_json::from_slice(&registry_blob(repo, layer["digest"].as_str().unwrap()))
                    .unwrap();
            out.push(Attested {
                platform: platform_of(&image_digest),
                image_digest: image_digest.clone(),
                predicate_type: statement["predicateType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                statement,
            });
        }
    }
    out
}

/// The local registry's repository and tag of a pushed name.
pub fn registry_repo_tag(name: &str) -> (String, String) {
    let rest = name
        .strip_prefix("127.0.0.1:5000/")
        .expect("a local registry name");
    let (repo, tag) = rest.rsplit_once(':').expect("a tag");
    (repo.to_string(), tag.to_string())
}

/// A unique name in the local registry.
pub fn registry_name(what: &str) -> String {
    format!(
        "127.0.0.1:5000/gofront-test/{what}:{}",
        unique_tag(what).rsplit(':').next().unwrap()
    )
}

/// PyPI's SPDX validator (`scripts/spdx-tools-up.sh`) over a document:
/// its complaints, empty when it is valid SPDX.
pub fn spdx_validation_errors(document: &serde_json::Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sbom.spdx.json");
    std::fs::write(&path, serde_json::to_vec_pretty(document).unwrap()).unwrap();
    let tool = repo_root().join(".tools/spdx-tools-0.8.5/bin/pyspdxtools");
    let out = Command::new(&tool)
        .arg("-i")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/spdx-tools-up.sh)", tool.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && !text.to_lowercase().contains("error") {
        String::new()
    } else {
        text
    }
}

/// The vulnerability database of tests/fixtures/vulndb served over HTTP on
/// loopback (127.43.0.1, a free port), stopped on drop.
pub struct VulnDb {
    child: std::process::Child,
    pub url: String,
}

impl VulnDb {
    pub fn serve(dir: &Path) -> VulnDb {
        let port = {
            let l = std::net::TcpListener::bind(("127.43.0.1", 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.43.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.43.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the vulndb server starts"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        VulnDb {
            child,
            url: format!("http://127.43.0.1:{port}"),
        }
    }
}

impl Drop for VulnDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
