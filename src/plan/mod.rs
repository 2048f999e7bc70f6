//! The resolved build as pure data: which images, which steps with which
//! argv, env and mounts, and what the final image holds. No I/O happens here;
//! everything the plan depends on arrives in [`Inputs`], so the same inputs
//! always give the same plan (and, through `convert`, the same LLB).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::golang::{GoMod, GoWork, minor};
use crate::image::ImageSettings;
use crate::platform::Platform;
use crate::spec::{FileEntry, PackageManager, Pos, Spec, SpecError};

mod attest;
mod cache;
mod compile;
mod final_stage;
mod goenv;
mod images;
mod ldflags;
mod prebuild;
mod toolchain;

pub use attest::{
    BUILD_INFO_BIN, BUILD_INFO_GO, BUILD_INFO_OUT, BUILD_INFO_SCRIPT, GOVULNCHECK_VERSION,
    GOVULNDB_ARG, GOVULNDB_DEFAULT, VULN_OUT, VULN_TOOLS, VULNCHECK_SCRIPT, VulnCheckPlan,
};
pub use cache::CacheMode;
pub use final_stage::made_dirs;
pub use images::{NamedImage, builder_image, named_context, runtime_image};
pub use prebuild::WEB_ROOT;
pub use toolchain::{CROSS_COMPILERS, CrossCompiler};

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
/// The web UI's build image (role `node`): Node.js LTS with npm, yarn 1
/// and corepack (pnpm, newer yarn), on the build platform.
pub const NODE_IMAGE: &str = "node:24-bookworm-slim";
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
/// that shapes what is built (the request module makes it, `plan_inputs`)
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
    /// The folders of the runtime base among those the final stage makes
    /// ([`made_dirs`]): they keep their owner and mode.
    pub base_dirs: BTreeMap<String, DirMeta>,
    /// What the context's web UI folder holds (`web:` in the spec).
    pub web: Option<WebFacts>,
}

/// A folder's owner and permission bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DirMeta {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

/// The package manager's files found in the web UI's folder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WebFacts {
    /// Names in the folder that the install step needs (package.json, the
    /// lockfile, .npmrc, .yarnrc.yml, pnpm-workspace.yaml …).
    pub files: Vec<String>,
    /// package.json's `packageManager` (`pnpm@9.15.0`), when set.
    pub package_manager: Option<String>,
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

/// An image the graph starts from, at the platform it is pulled for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceImage {
    /// Fully qualified (`docker.io/library/golang:1.26-alpine`); for an
    /// input, the named context's value (`input:base`).
    pub reference: String,
    pub platform: Platform,
    /// Another build's result that the client hands over as a frontend
    /// input (a bake `contexts = { runtime = "target:base" }`): the input's
    /// name. Its image config comes with the request, not from a registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// A build secret mounted as a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretMount {
    pub id: String,
    pub target: String,
}

/// A step that runs in the builder.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    /// The working directory (one of `dirs`).
    pub workdir: Option<String>,
    /// Every folder made for the workdir, `dirs` and the files, parents
    /// first, with the owner and mode each gets.
    pub dirs: Vec<MadeDir>,
    /// Copy the builder's CA bundle (scratch has none).
    pub ca_certificates: bool,
    /// `/etc/passwd` and `/etc/group` contents for scratch.
    pub passwd: Option<(String, String)>,
    /// The debug toolbox image: its `/bin` goes to `/busybox`.
    pub toolbox: Option<SourceImage>,
    /// Unix seconds for file mtimes (`SOURCE_DATE_EPOCH`).
    pub timestamp: Option<i64>,
    pub pos: Option<Pos>,
}

/// A folder of the final stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MadeDir {
    pub path: String,
    pub meta: DirMeta,
}

/// The web UI, built with node on the build platform before `go build`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WebBuild {
    pub image: SourceImage,
    pub manager: PackageManager,
    /// The UI's folder in the context (empty: the root).
    pub dir: String,
    /// Context paths the install step sees: package.json, the lockfile …
    pub manifest_files: Vec<String>,
    /// Context paths left out of the build step's sources: a local
    /// node_modules and output, which the steps make themselves.
    pub excludes: Vec<String>,
    /// Install the dependencies (`npm ci`), keyed on the manifests only.
    pub install: Step,
    /// Run the script (`npm run build`).
    pub build: Step,
    /// The package manager's download caches: (path, cache id).
    pub caches: Vec<(String, String)>,
    /// What the build writes, as a context path (`web/dist`) …
    pub output: String,
    /// … and where the Go steps see it (`web/dist`, or the spec's `into`).
    pub into: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub go_version: String,
    pub target: Target,
    pub builder: SourceImage,
    /// `None`: scratch (also for the `binary` target).
    pub runtime: Option<SourceImage>,
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
    /// The web UI, built before the Go steps.
    pub web: Option<WebBuild>,
    /// `go generate`, on the context (with the web UI's output), before
    /// the Go steps; its output is the source they see.
    pub generate: Option<Step>,
    pub compiles: Vec<Compile>,
    pub test: Option<Step>,
    /// Reads each binary's Go build info and SHA-256; run only when the
    /// build asks for an SBOM.
    pub build_info: Step,
    /// govulncheck after `go build` (`vulncheck:`).
    pub vulncheck: Option<VulnCheckPlan>,
    pub final_stage: FinalStage,
    pub image: ImageSettings,
}

/// A problem with the inputs that is not located in the spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Spec(SpecError),
    Other(String),
}

/// An error at `pos` in the spec.
fn spec_error(spec: &Spec, pos: Pos, message: String, hint: Option<String>) -> PlanError {
    PlanError::Spec(SpecError {
        file: spec.file.clone(),
        pos,
        message,
        hint,
    })
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Spec(e) => e.fmt(f),
            PlanError::Other(m) => f.write_str(m),
        }
    }
}

/// Resolve the spec and inputs into a plan, part by part.
pub fn build(spec: &Spec, inputs: &Inputs) -> Result<Plan, PlanError> {
    if inputs.target == Target::Test && spec.test.is_none() {
        return Err(PlanError::Other(format!(
            "--target test: {} has no `test:` section (hint: add `test: {{}}` to run go test ./...)",
            spec.file
        )));
    }
    let go_version = go_version(spec, inputs)?;
    let images = images::resolve(spec, inputs, &go_version)?;
    let go_env = goenv::go_env(spec, inputs);
    let modules = goenv::modules(spec, inputs)?;
    let download = goenv::download_step(spec, &go_env, &modules.cwd);
    let toolchain = toolchain::plan(spec, inputs, &go_env)?;
    let version = version(spec, inputs);
    let epoch = source_date_epoch(inputs)?;
    let linker = ldflags::Linker::new(
        spec,
        inputs,
        &toolchain.target_env,
        version.as_deref(),
        epoch,
    )?;
    let cache = CacheMode::choose(
        inputs.build_args.get(CACHE_ARG).map(String::as_str),
        inputs.cache_imported,
    )
    .map_err(PlanError::Other)?;
    let compiled = compile::compiles(
        &compile::CompileContext {
            spec,
            inputs,
            linker: &linker,
            toolchain: &toolchain,
            cwd: &modules.cwd,
        },
        cache,
    )?;
    let test = compile::test_step(spec, &go_env, &modules.cwd);
    let web = prebuild::web(spec, inputs, images.node.clone())?;
    let generate = prebuild::generate_step(spec, &go_env, &modules.cwd);
    let build_info = attest::build_info_step(&compiled.compiles, inputs);
    let vulncheck = attest::vulncheck(spec, inputs, &go_env, &toolchain.compile_env, &modules.cwd);
    let final_stage = final_stage::final_stage(spec, inputs, &compiled.compiles, &images, epoch);
    let image = final_stage::image_settings(spec, inputs, &final_stage, version.as_deref())?;
    Ok(Plan {
        go_version,
        target: inputs.target,
        builder: images.builder,
        runtime: images.runtime,
        module_dir: modules.dir,
        module_files: modules.files,
        download,
        cache,
        modules_in_layer: cache == CacheMode::Layers || spec.private.is_some(),
        precompiles: compiled.precompiles,
        apt: toolchain.apt,
        apt_sources: toolchain.apt_sources,
        web,
        generate,
        compiles: compiled.compiles,
        test,
        build_info,
        vulncheck,
        final_stage,
        image,
    })
}

/// The spec's `go`, else `go.work`'s, else `go.mod`'s (`go` or `toolchain`).
fn go_version(spec: &Spec, inputs: &Inputs) -> Result<String, PlanError> {
    match &spec.go {
        Some(g) => Ok(g.value.clone()),
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
            }),
    }
}

/// The version injected: the build arg the spec names, else its default.
fn version(spec: &Spec, inputs: &Inputs) -> Option<String> {
    spec.version.as_ref().map(|v| {
        inputs
            .build_args
            .get(&v.value.arg)
            .cloned()
            .unwrap_or_else(|| v.value.default.clone())
    })
}

/// The last second an RFC 3339 time (the image's `created`) can hold:
/// 9999-12-31T23:59:59Z.
const LAST_EPOCH: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH`: seconds since 1970 up to the year 9999, or none
/// when unset or empty. Anything else is refused rather than ignored or
/// formatted into a date no image config can hold (a value in
/// milliseconds, the common slip, lands in the year 55000).
fn source_date_epoch(inputs: &Inputs) -> Result<Option<i64>, PlanError> {
    let Some(raw) = inputs
        .build_args
        .get("SOURCE_DATE_EPOCH")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let shown: String = raw.chars().take(40).collect();
    match raw.parse::<i64>() {
        Ok(v) if (0..=LAST_EPOCH).contains(&v) => Ok(Some(v)),
        Ok(v) if v > LAST_EPOCH => Err(PlanError::Other(format!(
            "SOURCE_DATE_EPOCH={shown} is after the year 9999 (hint: it is seconds since 1970; a value in milliseconds needs dividing by 1000, e.g. $(git log -1 --format=%ct))"
        ))),
        _ => Err(PlanError::Other(format!(
            "SOURCE_DATE_EPOCH={shown} is not a time (hint: seconds since 1970, e.g. $(git log -1 --format=%ct))"
        ))),
    }
}

#[cfg(test)]
mod tests;
