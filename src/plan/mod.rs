//! The resolved build as pure data: which images, which steps with which
//! argv, env and mounts, and what the final image holds. No I/O happens here;
//! everything the plan depends on arrives in [`Inputs`], so the same inputs
//! always give the same plan (and, through `convert`, the same LLB).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::golang::{
    GO_SETTING_ARGS, GoMod, GoWork, binary_name, go_target_env, minor, quote_ldflag_word,
};
use crate::image::{History, ImageSettings};
use crate::platform::Platform;
use crate::spec::{FileEntry, LdFlag, Pos, Runtime, Spec, SpecError, template};

/// Where Go keeps its caches inside the builder (the golang images' GOPATH).
pub const GOMODCACHE: &str = "/go/pkg/mod";
pub const GOCACHE: &str = "/root/.cache/go-build";
/// The build context is mounted here, read-only, in the Go steps.
pub const SRC: &str = "/src";
/// The compile step writes only the binary, into this output mount.
pub const OUT: &str = "/out";
/// Where the binary goes in the final image.
pub const BIN_DIR: &str = "/usr/local/bin";
pub const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// `upx` reads the binary from here (the compile step's output, read-only).
pub const UPX_IN: &str = "/in";
/// Where the client's SSH agent socket is mounted (BuildKit's default).
pub const SSH_AGENT_SOCK: &str = "/run/buildkit/ssh_agent.0";
/// The static busybox image of the `debug` target, and where it goes.
pub const DEBUG_TOOLBOX: &str = "busybox:1.37-musl";
pub const TOOLBOX_DIR: &str = "/busybox";
/// Debian's backports suite for the bookworm builder (upx).
pub const BACKPORTS: &str = "bookworm-backports";

/// The build arg that chooses where the caches live (see [`CacheMode`]).
pub const CACHE_ARG: &str = "GOFRONT_CACHE";
/// Layers mode: the dependency list is written to `DEPS_DIR/DEPS_LIST`.
pub const DEPS_DIR: &str = "/gofront-deps";
pub const DEPS_LIST: &str = "packages";
/// `go list -f`: the packages `go build` can compile without the sources of
/// the context: the standard library and modules from the module cache (not
/// the main module(s), not `replace` to a local directory).
pub const DEPS_TEMPLATE: &str = "{{if .Standard}}{{.ImportPath}}{{else}}{{with .Module}}{{if not .Main}}{{if .Replace}}{{if .Replace.Version}}{{$.ImportPath}}{{end}}{{else}}{{$.ImportPath}}{{end}}{{end}}{{end}}{{end}}";
/// The only two shell scripts gofront runs. They are fixed text: every
/// value (paths, flags, package names) reaches them as a positional
/// parameter, never as script text. `go list` prints to stdout, and the
/// list must become a file:
pub const LIST_SCRIPT: &str = r#"out=$1; shift; exec go "$@" > "$out""#;
/// … and then the arguments of `go build` (xargs reads package paths, which
/// Go restricts to characters without quotes or blanks). Compiling ahead is
/// an optimization: a package that needs the context's sources (vendor/)
/// is left to `go build`, which compiles it and reports any real error.
pub const PRECOMPILE_SCRIPT: &str = r#"list=$1; shift; xargs -r go "$@" < "$list" || echo "gofront: some dependencies were not compiled ahead; go build compiles them" >&2"#;

/// Everything the plan depends on besides the spec: the request's part
/// that shapes what is built (from [`crate::request::BuildRequest::plan_inputs`])
/// and what the context says about the module. How the build is run
/// (session, network, cache behaviour, daemon caps) is not here: `convert`
/// gets it beside the plan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Inputs {
    pub build_args: BTreeMap<String, String>,
    /// `--label` opts; they win over the spec's labels.
    pub labels: BTreeMap<String, String>,
    pub build_platform: Platform,
    pub target_platform: Platform,
    /// `--target`.
    pub target: Target,
    /// The go.mod of the module (in `dir`).
    pub gomod: GoMod,
    /// The `go` line of a `go.work` at the context root, if there is one.
    pub gowork: Option<GoWork>,
    /// Named contexts (`--build-context NAME=VALUE`): they can replace an
    /// image of the plan.
    pub named_contexts: BTreeMap<String, String>,
    /// `vcs:revision` and `vcs:source` as buildx sends them.
    pub vcs_revision: Option<String>,
    pub vcs_source: Option<String>,
    /// The build imports a cache (`--cache-from`): it runs where the local
    /// cache does not persist, a CI runner.
    pub cache_imported: bool,
}

/// Where the Go module and build caches live.
///
/// BuildKit never exports cache mounts, so `--cache-to`/`--cache-from`
/// carry only layers; but a layer starts empty whenever its key changes,
/// while a cache mount keeps everything that is still valid. Each is the
/// better choice in one place: mounts where the daemon's cache persists
/// (a laptop), layers where only the exported cache does (a CI runner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    /// GOMODCACHE and GOCACHE are cache mounts shared by every build on the
    /// daemon: a dependency bump fetches and compiles only what changed.
    Mounts,
    /// The modules are the download step's layer (keyed on go.mod/go.sum),
    /// and the dependencies are compiled ahead into a layer keyed on the
    /// module files and the list of imported packages; `go build`'s cache
    /// mount starts from it. `--cache-to … mode=max` exports both, so a
    /// fresh runner downloads nothing and compiles only the main module.
    Layers,
}

impl CacheMode {
    /// `GOFRONT_CACHE` (`auto`, `mounts`, `layers`); `auto` (the default)
    /// is layers when the build imports a cache, mounts otherwise.
    pub fn choose(arg: Option<&str>, cache_imported: bool) -> Result<CacheMode, String> {
        match arg.map(str::trim) {
            None | Some("" | "auto") if cache_imported => Ok(CacheMode::Layers),
            None | Some("" | "auto") => Ok(CacheMode::Mounts),
            Some("mounts") => Ok(CacheMode::Mounts),
            Some("layers") => Ok(CacheMode::Layers),
            Some(_) => Err(format!(
                "build arg {CACHE_ARG}={:?}: the choices are auto, mounts and layers (hint: auto uses layers, which --cache-to can export, when the build has --cache-from, and cache mounts otherwise)",
                arg.unwrap_or_default()
            )),
        }
    }
}

/// Layers mode: the dependencies of one or more binaries (those with the
/// same compile flags) compiled ahead of `go build`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Precompile {
    /// `go list -deps` over the context: which packages to compile. Only
    /// its output (the list) feeds `build`, so an edit that keeps the
    /// imports keeps `build` cached.
    pub list: Step,
    /// `go build` of the listed packages into an empty GOCACHE (a layer),
    /// seeing only the module files.
    pub build: Step,
}

/// What the build produces (`--target`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The service image.
    #[default]
    Image,
    /// Only the binaries, at the root of an empty filesystem
    /// (`--output type=local,dest=bin`).
    Binary,
    /// Only the tests.
    Test,
    /// The image plus a busybox toolbox in /busybox.
    Debug,
}

/// Every target with its description (`--call targets`).
pub const TARGETS: &[(Target, &str, &str)] = &[
    (Target::Image, "image", "the service image"),
    (
        Target::Binary,
        "binary",
        "only the binaries, for --output type=local,dest=DIR",
    ),
    (
        Target::Test,
        "test",
        "run only the tests (`test:` in the spec)",
    ),
    (
        Target::Debug,
        "debug",
        "the image plus a busybox shell toolbox in /busybox",
    ),
];

impl Target {
    pub fn parse(name: &str) -> Option<Target> {
        if name.is_empty() {
            return Some(Target::Image);
        }
        TARGETS.iter().find(|t| t.1 == name).map(|t| t.0)
    }
}

/// One image the graph uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageRef {
    /// Fully qualified (`docker.io/library/golang:1.26-alpine`).
    pub reference: String,
    pub platform: Platform,
}

/// A build secret mounted as a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretMount {
    pub id: String,
    pub target: String,
}

/// A step that runs in the builder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The progress line `docker build` shows.
    pub name: String,
    pub argv: Vec<String>,
    /// Set on top of the builder image's environment.
    pub env: BTreeMap<String, String>,
    pub cwd: String,
    /// The spec line this step comes from, for error excerpts.
    pub pos: Option<Pos>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretMount>,
    /// Forward the client's default SSH agent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ssh: bool,
    /// `known_hosts` contents mounted at /root/.ssh/known_hosts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
}

impl Step {
    fn new(name: String, argv: Vec<String>, env: BTreeMap<String, String>, cwd: &str) -> Self {
        Step {
            name,
            argv,
            env,
            cwd: cwd.to_string(),
            pos: None,
            secrets: Vec::new(),
            ssh: false,
            known_hosts: None,
        }
    }

    fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos).filter(|p| p.line > 0);
        self
    }
}

/// One `go build` and what becomes of its binary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Compile {
    pub binary: String,
    pub step: Step,
    /// `upx` compressing the binary, when asked for.
    pub upx: Option<Step>,
    /// Layers mode: the index in `Plan::precompiles` whose layer seeds
    /// this step's GOCACHE.
    pub precompiled: Option<usize>,
}

/// The final stage: file operations only, no exec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FinalStage {
    pub name: String,
    /// Where each binary (by name) goes.
    pub binaries: Vec<(String, String)>,
    /// Context files copied in.
    pub files: Vec<FileEntry>,
    /// Created (root-owned, 0755) when set.
    pub workdir: Option<String>,
    /// Copy the builder's CA bundle (scratch has none).
    pub ca_certificates: bool,
    /// `/etc/passwd` and `/etc/group` contents for scratch.
    pub passwd: Option<(String, String)>,
    /// The debug toolbox image: its `/bin` goes to `/busybox`.
    pub toolbox: Option<ImageRef>,
    /// Unix seconds for file mtimes (`SOURCE_DATE_EPOCH`).
    pub timestamp: Option<i64>,
    pub pos: Option<Pos>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub go_version: String,
    pub target: Target,
    pub builder: ImageRef,
    /// `None`: scratch (also for the `binary` target).
    pub runtime: Option<ImageRef>,
    /// The module's folder in the context, relative (`.` or `services/api`).
    pub module_dir: String,
    /// Context paths the dependency step sees (go.mod, go.sum, go.work …).
    pub module_files: Vec<String>,
    pub download: Step,
    pub cache: CacheMode,
    /// The modules are the download step's layer rather than a cache
    /// mount: in layers mode, and for private modules, whose credentials
    /// only the download step sees (a pruned cache mount would leave `go
    /// build` to fetch them without).
    pub modules_in_layer: bool,
    pub precompiles: Vec<Precompile>,
    /// Debian packages installed in the builder (C cross compiler, upx).
    pub apt: Vec<Step>,
    /// Extra apt sources written into the builder first: (path, contents).
    pub apt_sources: Vec<(String, String)>,
    pub compiles: Vec<Compile>,
    pub test: Option<Step>,
    pub final_stage: FinalStage,
    pub image: ImageSettings,
}

/// A C cross compiler from Debian bookworm, for cgo to another architecture.
pub struct CrossCompiler {
    pub platform: &'static str,
    pub packages: &'static [&'static str],
    pub cc: &'static str,
}

/// The cgo targets gofront cross-compiles to from another architecture.
pub const CROSS_COMPILERS: &[CrossCompiler] = &[
    CrossCompiler {
        platform: "linux/amd64",
        packages: &["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"],
        cc: "x86_64-linux-gnu-gcc",
    },
    CrossCompiler {
        platform: "linux/arm64",
        packages: &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"],
        cc: "aarch64-linux-gnu-gcc",
    },
];

fn cross_compiler(target: &Platform) -> Option<&'static CrossCompiler> {
    let plain = Platform::new(&target.os, &target.architecture, "");
    CROSS_COMPILERS
        .iter()
        .find(|c| c.platform == plain.to_string())
}

/// A problem with the inputs that is not located in the spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Spec(SpecError),
    Other(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Spec(e) => e.fmt(f),
            PlanError::Other(m) => f.write_str(m),
        }
    }
}

/// Expand a short image name the way Docker does.
pub fn normalize_image(reference: &str) -> Result<String, String> {
    let parsed = crate::imageref::ImageRef::parse(reference)
        .map_err(|e| format!("\"{reference}\" is not an image reference: {e}"))?;
    Ok(parsed.normalized())
}

/// An image reference as Docker users write it: `golang:1.26-alpine` for
/// `docker.io/library/golang:1.26-alpine`, no `:latest`.
pub fn familiar_name(normalized: &str) -> String {
    let short = normalized
        .strip_prefix("docker.io/library/")
        .or_else(|| normalized.strip_prefix("docker.io/"))
        .unwrap_or(normalized);
    short.strip_suffix(":latest").unwrap_or(short).to_string()
}

/// The image to use for `reference` (role `role`) after `--build-context`:
/// as the Dockerfile frontend does, a context named after the image
/// (familiar name, optionally `::<platform>`) replaces it; gofront also
/// accepts its role names `builder` and `runtime`. Only `docker-image://`
/// values can stand for an image.
pub fn named_context(
    contexts: &BTreeMap<String, String>,
    role: &str,
    reference: &str,
    platform: &Platform,
) -> Result<String, PlanError> {
    let familiar = familiar_name(reference);
    let candidates = [
        format!("{familiar}::{}", platform.id()),
        familiar.clone(),
        format!("{role}::{}", platform.id()),
        role.to_string(),
    ];
    let Some((name, value)) = candidates
        .iter()
        .find_map(|c| contexts.get(c).map(|v| (c.clone(), v.clone())))
    else {
        return Ok(reference.to_string());
    };
    match value.strip_prefix("docker-image://") {
        Some(image) => normalize_image(image)
            .map_err(|e| PlanError::Other(format!("--build-context {name}={value}: {e}"))),
        None if value.starts_with("input:") => Err(PlanError::Other(format!(
            "--build-context {name}: the {role} image ({familiar}) can be replaced by an image reference only, not by another build's result (a bake `target:` context); hint: push that image and name it, {name}=docker-image://REFERENCE"
        ))),
        None => Err(PlanError::Other(format!(
            "--build-context {name}={value}: the {role} image ({familiar}) can only be replaced by another image (docker-image://REFERENCE)"
        ))),
    }
}

/// The builder image: alpine without cgo (small, no C toolchain needed),
/// bookworm with cgo (it ships gcc and glibc headers: no install step).
pub fn builder_image(go_version: &str, cgo: bool) -> String {
    let flavour = if cgo { "bookworm" } else { "alpine" };
    format!("golang:{go_version}-{flavour}")
}

/// The runtime image for the spec, or `None` for scratch.
pub fn runtime_image(runtime: &Runtime, cgo: bool) -> Option<String> {
    match runtime {
        Runtime::Scratch => None,
        Runtime::Distroless if cgo => Some("gcr.io/distroless/base-debian12".into()),
        Runtime::Distroless => Some("gcr.io/distroless/static-debian12".into()),
        Runtime::Alpine => Some("alpine:3.21".into()),
        Runtime::Image(i) => Some(i.clone()),
    }
}

/// The user and group lines a scratch image needs for a numeric user.
fn passwd_for(uid: u32, gid: u32) -> (String, String) {
    let mut passwd = String::from("root:x:0:0:root:/root:/sbin/nologin\n");
    let mut group = String::from("root:x:0:\n");
    if uid != 0 {
        passwd.push_str(&format!(
            "nonroot:x:{uid}:{gid}:nonroot:/home/nonroot:/sbin/nologin\n"
        ));
    }
    if gid != 0 {
        group.push_str(&format!("nonroot:x:{gid}:\n"));
    }
    (passwd, group)
}

/// Where the build context is mounted in the Go steps, plus the module dir.
fn module_path(dir: &str) -> String {
    match dir {
        "." => SRC.to_string(),
        d => format!("{SRC}/{d}"),
    }
}

/// Hosts named by GOPRIVATE patterns that are plain host names (no wildcard):
/// their https:// git URLs are rewritten to ssh:// when `private.ssh` is on.
fn private_hosts(goprivate: &str) -> Vec<String> {
    let mut hosts: Vec<String> = goprivate
        .split(',')
        .filter_map(|p| p.trim().split('/').next())
        .filter(|h| !h.is_empty() && !h.contains(['*', '?', '[']))
        .map(str::to_string)
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Resolve the spec and inputs into a plan.
pub fn build(spec: &Spec, inputs: &Inputs) -> Result<Plan, PlanError> {
    let spec_err = |pos, message: String, hint: Option<String>| {
        PlanError::Spec(SpecError {
            file: spec.file.clone(),
            pos,
            message,
            hint,
        })
    };
    let target = inputs.target;
    if target == Target::Test && spec.test.is_none() {
        return Err(PlanError::Other(format!(
            "--target test: {} has no `test:` section (hint: add `test: {{}}` to run go test ./...)",
            spec.file
        )));
    }
    let go_version = match &spec.go {
        Some(g) => g.value.clone(),
        None => inputs
            .gowork
            .as_ref()
            .and_then(|w| w.go.as_deref().map(minor))
            .or_else(|| inputs.gomod.wanted_go())
            .ok_or_else(|| {
                PlanError::Other(format!(
                    "{}: `go` is not set and go.mod has no go line (hint: add `go: \"1.26\"` to the spec or `go 1.26` to go.mod)",
                    spec.file
                ))
            })?,
    };
    let cgo = spec.cgo.value;
    let race = spec.test.as_ref().is_some_and(|t| t.race());
    // The alpine builder has neither gcc (cgo, -race) nor git (private
    // modules) nor Debian packages (upx); bookworm has all of them.
    let bookworm = cgo || race || spec.private.is_some() || spec.upx.value;
    let images = |role: &str, reference: &str, platform: &Platform| -> Result<String, PlanError> {
        // The spec's `images:` first (by role, then by name), then --build-context.
        let familiar = familiar_name(reference);
        let from_spec = spec
            .images
            .get(role)
            .or_else(|| spec.images.get(&familiar))
            .map(|r| {
                normalize_image(&r.value).map_err(|e| spec_err(r.pos, format!("images: {e}"), None))
            })
            .transpose()?;
        let reference = from_spec.unwrap_or_else(|| reference.to_string());
        named_context(&inputs.named_contexts, role, &reference, platform)
    };
    let builder_ref =
        normalize_image(&builder_image(&go_version, bookworm)).map_err(PlanError::Other)?;
    let builder = ImageRef {
        reference: images("builder", &builder_ref, &inputs.build_platform)?,
        platform: inputs.build_platform.clone(),
    };
    let runtime = match (target, runtime_image(&spec.runtime.value, cgo)) {
        (Target::Binary, _) | (_, None) => None,
        (_, Some(r)) => {
            let reference = normalize_image(&r)
                .map_err(|e| spec_err(spec.runtime.pos, format!("runtime: {e}"), None))?;
            Some(ImageRef {
                reference: images("runtime", &reference, &inputs.target_platform)?,
                platform: inputs.target_platform.clone(),
            })
        }
    };
    let toolbox = match target {
        Target::Debug => Some(ImageRef {
            reference: images(
                "debug",
                &normalize_image(DEBUG_TOOLBOX).map_err(PlanError::Other)?,
                &inputs.target_platform,
            )?,
            platform: inputs.target_platform.clone(),
        }),
        _ => None,
    };

    // The Go steps' environment: caches at fixed places, the Go settings
    // (build args win over the spec), and for compile the target platform.
    let mut go_env = BTreeMap::new();
    go_env.insert("GOMODCACHE".to_string(), GOMODCACHE.to_string());
    go_env.insert("GOCACHE".to_string(), GOCACHE.to_string());
    // Never let the go command download a different toolchain mid-build.
    go_env.insert("GOTOOLCHAIN".to_string(), "local".to_string());
    for (key, value) in &spec.go_settings {
        go_env.insert(key.clone(), value.value.clone());
    }
    for key in GO_SETTING_ARGS {
        if let Some(v) = inputs.build_args.get(*key).filter(|v| !v.is_empty()) {
            go_env.insert((*key).to_string(), v.clone());
        }
    }
    if !spec.goexperiment.is_empty() {
        go_env.insert("GOEXPERIMENT".to_string(), spec.goexperiment.join(","));
    }

    let module_dir = spec.dir.value.trim_start_matches("./").to_string();
    let cwd = module_path(&module_dir);
    // The files the dependency step sees: the module's go.mod/go.sum, and in
    // a workspace go.work and every used module's (named one by one:
    // BuildKit v0.8's include patterns do not match `**`).
    let mut module_files = Vec::new();
    let mut module_dirs = vec![module_dir.clone()];
    if let Some(work) = &inputs.gowork {
        module_files.extend(["go.work".to_string(), "go.work.sum".to_string()]);
        for dir in &work.uses {
            let dir = crate::spec::normalize_package(dir)
                .map_err(|why| PlanError::Other(format!("go.work: use {dir}: {why}")))?;
            module_dirs.push(dir.trim_start_matches("./").to_string());
        }
    }
    for dir in module_dirs {
        let prefix = if dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        for name in ["go.mod", "go.sum"] {
            let path = format!("{prefix}{name}");
            if !module_files.contains(&path) {
                module_files.push(path);
            }
        }
    }

    // Dependencies: credentials for private modules go to this step only.
    let mut download = Step::new(
        "[gofront] go mod download".into(),
        vec!["go".into(), "mod".into(), "download".into()],
        go_env.clone(),
        &cwd,
    );
    download.pos = spec.go.as_ref().map(|g| g.pos);
    if let Some(private) = &spec.private {
        download.pos = Some(private.pos);
        if private.netrc {
            download.secrets.push(SecretMount {
                id: "netrc".into(),
                target: "/root/.netrc".into(),
            });
        }
        if private.ssh {
            download.ssh = true;
            download
                .env
                .insert("SSH_AUTH_SOCK".into(), SSH_AGENT_SOCK.into());
            // git fetches the private hosts over ssh; configured through
            // git's environment, so nothing is written into a layer.
            let goprivate = go_env.get("GOPRIVATE").cloned().unwrap_or_default();
            let hosts = private_hosts(&goprivate);
            // Both schemes: the go-import tag of a plain-http server says http://.
            let rewrites: Vec<(String, String)> = hosts
                .iter()
                .flat_map(|host| {
                    ["https", "http"].map(|scheme| {
                        (
                            format!("url.ssh://git@{host}/.insteadOf"),
                            format!("{scheme}://{host}/"),
                        )
                    })
                })
                .collect();
            download
                .env
                .insert("GIT_CONFIG_COUNT".into(), rewrites.len().to_string());
            for (i, (key, value)) in rewrites.into_iter().enumerate() {
                download.env.insert(format!("GIT_CONFIG_KEY_{i}"), key);
                download.env.insert(format!("GIT_CONFIG_VALUE_{i}"), value);
            }
            if private.known_hosts.is_empty() {
                // Setting GIT_SSH_COMMAND stops the go command from adding
                // its own options, so they are repeated here.
                download.env.insert(
                    "GIT_SSH_COMMAND".into(),
                    "ssh -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ControlMaster=no"
                        .into(),
                );
            } else {
                download.known_hosts = Some(
                    private
                        .known_hosts
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect(),
                );
            }
        }
    }

    let mut compile_env = go_env.clone();
    compile_env.insert(
        "CGO_ENABLED".to_string(),
        if cgo { "1" } else { "0" }.to_string(),
    );
    let target_env = go_target_env(&inputs.target_platform).map_err(PlanError::Other)?;
    compile_env.extend(target_env.clone());

    // Debian packages for the builder: a C cross compiler for cgo to another
    // architecture (never an emulated target toolchain), upx.
    let mut packages: Vec<String> = Vec::new();
    let mut apt_pos = spec.upx.pos;
    if cgo && inputs.target_platform.architecture != inputs.build_platform.architecture {
        let cross = cross_compiler(&inputs.target_platform).ok_or_else(|| {
            spec_err(
                spec.cgo.pos,
                format!(
                    "cgo: cross-compiling with cgo from {} to {} is not supported yet (C cross compilers: {})",
                    inputs.build_platform,
                    inputs.target_platform,
                    CROSS_COMPILERS.iter().map(|c| c.platform).collect::<Vec<_>>().join(", ")
                ),
                Some("build that platform on a machine of its own, or set `cgo: false`".into()),
            )
        })?;
        packages.extend(cross.packages.iter().map(|s| s.to_string()));
        compile_env.insert("CC".to_string(), cross.cc.to_string());
        apt_pos = spec.cgo.pos;
    }
    let upx = spec.upx.value && matches!(target, Target::Image | Target::Binary);
    let mut apt_sources = Vec::new();
    if upx {
        // bookworm itself has no upx; its backports do (4.2), pinned to
        // this one package.
        packages.push(format!("upx-ucl/{BACKPORTS}"));
        apt_sources.push((
            "/etc/apt/sources.list.d/gofront-backports.sources".to_string(),
            format!(
                "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: {BACKPORTS}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            ),
        ));
    }
    let mut apt = Vec::new();
    if !packages.is_empty() {
        let mut apt_env = BTreeMap::new();
        apt_env.insert("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string());
        apt.push(
            Step::new(
                "[gofront] apt-get update".into(),
                vec!["apt-get".into(), "update".into()],
                apt_env.clone(),
                "/",
            )
            .at(apt_pos),
        );
        let mut install: Vec<String> = ["apt-get", "install", "-y", "--no-install-recommends"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        install.extend(packages.iter().cloned());
        apt.push(
            Step::new(
                format!("[gofront] apt-get install {}", packages.join(" ")),
                install,
                apt_env,
                "/",
            )
            .at(apt_pos),
        );
    }

    // Template values for ldflags.
    let epoch = inputs
        .build_args
        .get("SOURCE_DATE_EPOCH")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0);
    let version_value = spec.version.as_ref().map(|v| {
        inputs
            .build_args
            .get(&v.value.arg)
            .cloned()
            .unwrap_or_else(|| v.value.default.clone())
    });
    let mut values = template::Values {
        env: inputs.build_args.clone(),
        ..Default::default()
    };
    let unknown = || "unknown".to_string();
    let named = &mut values.named;
    if let Some(v) = &version_value {
        named.insert("Version".into(), v.clone());
    }
    named.insert(
        "Commit".into(),
        inputs.vcs_revision.clone().unwrap_or_else(unknown),
    );
    named.insert(
        "Source".into(),
        inputs.vcs_source.clone().unwrap_or_else(unknown),
    );
    named.insert(
        "Date".into(),
        epoch.map(crate::image::rfc3339).unwrap_or_else(unknown),
    );
    named.insert("GOOS".into(), target_env["GOOS"].clone());
    named.insert("GOARCH".into(), target_env["GOARCH"].clone());
    named.insert(
        "GOARM".into(),
        target_env.get("GOARM").cloned().unwrap_or_default(),
    );

    let render = |flag: &LdFlag| -> Result<Vec<String>, PlanError> {
        flag.words
            .iter()
            .map(|w| {
                let word = template::render(w, &values)
                    .map_err(|why| spec_err(flag.pos, format!("ldflags: {why}"), None))?;
                quote_ldflag_word(&word).map_err(|why| {
                    spec_err(
                        flag.pos,
                        format!("ldflags: \"{word}\" cannot be passed to the linker: {why}"),
                        None,
                    )
                })
            })
            .collect()
    };

    let mut base_ldflags = Vec::new();
    if spec.strip {
        base_ldflags.extend(["-s".to_string(), "-w".to_string()]);
    }
    if let Some(v) = &spec.version {
        let word = format!(
            "{}={}",
            v.value.var,
            version_value.clone().unwrap_or_default()
        );
        let quoted = quote_ldflag_word(&word).map_err(|why| {
            spec_err(
                v.pos,
                format!(
                    "version: the value of build arg {} cannot be injected: {why}",
                    v.value.arg
                ),
                Some("use a version without quotes, e.g. 1.2.3".into()),
            )
        })?;
        base_ldflags.push("-X".into());
        base_ldflags.push(quoted);
    }
    for f in &spec.ldflags {
        base_ldflags.extend(render(f)?);
    }

    let mut global_tags = spec.tags.clone();
    if spec.tzdata {
        global_tags.push("timetzdata".into());
    }

    let cache = CacheMode::choose(
        inputs.build_args.get(CACHE_ARG).map(String::as_str),
        inputs.cache_imported,
    )
    .map_err(PlanError::Other)?;
    // Layers mode: binaries compiled with the same flags share one
    // precompile (flags → the main packages, with their spec lines).
    type Mains = Vec<(String, Pos)>;
    let mut groups: Vec<(Vec<String>, Mains)> = Vec::new();
    let mut compiles: Vec<Compile> = Vec::new();
    for b in &spec.binaries {
        let name = match &b.name {
            Some(n) => n.value.clone(),
            None => binary_name(&b.main.value, &inputs.gomod),
        };
        let pos = b.name.as_ref().map(|n| n.pos).unwrap_or(b.main.pos);
        if compiles.iter().any(|c| c.binary == name) {
            return Err(spec_err(
                pos,
                format!("binaries: two binaries are named \"{name}\""),
                Some("give one of them a `name:`".into()),
            ));
        }
        let mut ldflags = base_ldflags.clone();
        for f in &b.ldflags {
            ldflags.extend(render(f)?);
        }
        let mut tags = global_tags.clone();
        for t in &b.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        let main = &b.main.value;
        // The flags that decide how packages compile (not -ldflags, which
        // only the link uses): the dependencies compiled ahead with the
        // same flags are the ones `go build` finds in its cache.
        let mut flags: Vec<String> = Vec::new();
        if spec.trimpath {
            flags.push("-trimpath".into());
        }
        // The context rarely has .git, and the alpine builder has no git:
        // never let VCS stamping fail or vary the build ({{.Commit}} instead).
        flags.push("-buildvcs=false".into());
        if !tags.is_empty() {
            flags.push(format!("-tags={}", tags.join(",")));
        }
        flags.extend(spec.goflags.iter().cloned());
        // List each package as it is compiled: the progress output then
        // shows that an edit recompiles only what it touched.
        let mut argv: Vec<String> = vec!["go".into(), "build".into(), "-v".into()];
        argv.extend(flags.iter().cloned());
        argv.push(format!("-ldflags={}", ldflags.join(" ")));
        argv.push("-o".into());
        argv.push(format!("{OUT}/{name}"));
        argv.push(main.clone());
        let step = Step::new(
            format!("[gofront] go build {main} ({})", inputs.target_platform),
            argv,
            compile_env.clone(),
            &cwd,
        )
        .at(b.main.pos);
        let upx_step = upx.then(|| {
            Step::new(
                format!("[gofront] upx {name} ({})", inputs.target_platform),
                vec![
                    "upx".into(),
                    "--best".into(),
                    "--lzma".into(),
                    "-q".into(),
                    "-o".into(),
                    format!("{OUT}/{name}"),
                    format!("{UPX_IN}/{name}"),
                ],
                BTreeMap::new(),
                "/",
            )
            .at(spec.upx.pos)
        });
        let precompiled = match cache {
            CacheMode::Mounts => None,
            CacheMode::Layers => Some(match groups.iter().position(|(f, _)| *f == flags) {
                Some(i) => {
                    groups[i].1.push((main.clone(), b.main.pos));
                    i
                }
                None => {
                    groups.push((flags, vec![(main.clone(), b.main.pos)]));
                    groups.len() - 1
                }
            }),
        };
        compiles.push(Compile {
            binary: name,
            step,
            upx: upx_step,
            precompiled,
        });
    }
    let precompiles: Vec<Precompile> = groups
        .into_iter()
        .map(|(flags, mains)| {
            let names: Vec<&str> = mains.iter().map(|m| m.0.as_str()).collect();
            let pos = mains[0].1;
            let mut list_argv: Vec<String> = vec![
                "sh".into(),
                "-c".into(),
                LIST_SCRIPT.into(),
                "gofront-list".into(),
                format!("{DEPS_DIR}/{DEPS_LIST}"),
                "list".into(),
                "-deps".into(),
                format!("-f={DEPS_TEMPLATE}"),
            ];
            list_argv.extend(flags.iter().cloned());
            list_argv.extend(names.iter().map(|n| n.to_string()));
            let list = Step::new(
                format!(
                    "[gofront] list the packages {} imports ({})",
                    names.join(" "),
                    inputs.target_platform
                ),
                list_argv,
                compile_env.clone(),
                &cwd,
            )
            .at(pos);
            let mut build_argv: Vec<String> = vec![
                "sh".into(),
                "-c".into(),
                PRECOMPILE_SCRIPT.into(),
                "gofront-precompile".into(),
                format!("{DEPS_DIR}/{DEPS_LIST}"),
                "build".into(),
                "-v".into(),
            ];
            build_argv.extend(flags);
            // Everything it needs is in the module layer: never fetch.
            let mut env = compile_env.clone();
            env.insert("GOPROXY".into(), "off".into());
            let build = Step::new(
                format!(
                    "[gofront] compile the dependencies of {} ({})",
                    names.join(" "),
                    inputs.target_platform
                ),
                build_argv,
                env,
                &cwd,
            )
            .at(pos);
            Precompile { list, build }
        })
        .collect();

    let test = spec.test.as_ref().map(|t| {
        // Tests run natively on the build platform (no emulation), once for
        // every target platform.
        let mut env = go_env.clone();
        env.insert(
            "CGO_ENABLED".to_string(),
            if cgo || t.race() { "1" } else { "0" }.to_string(),
        );
        let mut argv: Vec<String> = vec!["go".into(), "test".into()];
        if !global_tags.is_empty() {
            argv.push(format!("-tags={}", global_tags.join(",")));
        }
        argv.extend(spec.goflags.iter().cloned());
        argv.extend(t.flags.iter().cloned());
        argv.extend(t.packages.iter().cloned());
        Step::new(
            format!("[gofront] go test {}", t.packages.join(" ")),
            argv,
            env,
            &cwd,
        )
        .at(t.pos)
    });

    let entry = match &spec.entrypoint {
        Some(ep) => compiles
            .iter()
            .position(|c| c.binary == ep.value)
            .ok_or_else(|| {
                spec_err(
                    ep.pos,
                    format!("entrypoint: there is no binary named \"{}\"", ep.value),
                    Some(format!(
                        "the binaries are: {}",
                        compiles
                            .iter()
                            .map(|c| c.binary.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )
            })?,
        None => 0,
    };

    let dir = if target == Target::Binary {
        ""
    } else {
        BIN_DIR
    };
    let binaries: Vec<(String, String)> = compiles
        .iter()
        .map(|c| (c.binary.clone(), format!("{dir}/{}", c.binary)))
        .collect();
    let entrypoint_path = binaries[entry].1.clone();
    let user = &spec.user.value;
    let scratch = runtime.is_none() && target != Target::Binary;
    let image_stage = target != Target::Binary;
    let final_stage = FinalStage {
        name: format!("[gofront] add {} to the runtime image", {
            binaries
                .iter()
                .map(|b| b.1.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        binaries: binaries.clone(),
        files: if image_stage {
            spec.files.clone()
        } else {
            Vec::new()
        },
        workdir: spec
            .workdir
            .as_ref()
            .filter(|_| image_stage)
            .map(|w| w.value.clone()),
        ca_certificates: scratch,
        passwd: if scratch {
            user.ids.map(|(u, g)| passwd_for(u, g))
        } else {
            None
        },
        toolbox,
        timestamp: epoch,
        pos: Some(spec.runtime.pos).filter(|p| p.line > 0),
    };

    let mut labels = spec.labels.clone();
    if let Some(v) = &version_value {
        labels.insert("org.opencontainers.image.version".into(), v.clone());
    }
    labels.extend(inputs.labels.clone());
    let mut added: Vec<String> = binaries.iter().map(|b| b.1.clone()).collect();
    added.extend(final_stage.files.iter().map(|f| f.dst.clone()));
    if scratch {
        added.push(CA_BUNDLE.to_string());
        added.push("/etc/passwd".to_string());
    }
    if final_stage.toolbox.is_some() {
        added.push(TOOLBOX_DIR.to_string());
    }
    let mut env = spec.env.clone();
    if final_stage.toolbox.is_some() {
        env.insert(
            "PATH".into(),
            format!("{}:{TOOLBOX_DIR}", crate::image::DEFAULT_PATH),
        );
    }
    let main_list = spec
        .binaries
        .iter()
        .map(|b| b.main.value.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let image = ImageSettings {
        platform: Some(inputs.target_platform.clone()),
        entrypoint: if image_stage {
            vec![entrypoint_path]
        } else {
            Vec::new()
        },
        cmd: if image_stage {
            spec.args.clone()
        } else {
            Vec::new()
        },
        user: if image_stage {
            user.spec.clone()
        } else {
            String::new()
        },
        env: if image_stage { env } else { BTreeMap::new() },
        exposed_ports: if image_stage {
            spec.ports.iter().map(|p| p.to_string()).collect()
        } else {
            Vec::new()
        },
        labels,
        working_dir: final_stage.workdir.clone(),
        stop_signal: spec
            .stop_signal
            .as_ref()
            .filter(|_| image_stage)
            .map(|s| s.value.clone()),
        healthcheck: spec.healthcheck.clone().filter(|_| image_stage),
        history: vec![
            History {
                created_by: format!(
                    "gofront: COPY {} (go build {main_list}, {}, cgo {})",
                    added.join(" "),
                    inputs.target_platform,
                    if cgo { "on" } else { "off" }
                ),
                comment: "gofront".into(),
                ..Default::default()
            },
            History {
                created_by: format!(
                    "gofront: ENTRYPOINT, USER {} and config from {}",
                    user.spec, spec.file
                ),
                comment: "gofront".into(),
                empty_layer: true,
                ..Default::default()
            },
        ],
        created: epoch.map(crate::image::rfc3339),
    };

    Ok(Plan {
        go_version,
        target,
        builder,
        runtime,
        module_dir,
        module_files,
        download,
        cache,
        modules_in_layer: cache == CacheMode::Layers || spec.private.is_some(),
        precompiles,
        apt,
        apt_sources,
        compiles,
        test,
        final_stage,
        image,
    })
}

#[cfg(test)]
mod tests;
