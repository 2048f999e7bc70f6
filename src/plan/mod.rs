//! The resolved build as pure data: which images, which steps with which
//! argv, env and mounts, and what the final image holds. No I/O happens here;
//! everything the plan depends on arrives in [`Inputs`], so the same inputs
//! always give the same plan (and, through `convert`, the same LLB).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::gomod::GoMod;
use crate::image::{History, ImageSettings};
use crate::llb::Platform;
use crate::spec::{Pos, Runtime, Spec, SpecError};

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

/// Go settings a user (or a corporate network) passes as build args; each
/// one given is set in the environment of the Go steps.
pub const GO_SETTING_ARGS: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GOINSECURE",
    "GOFLAGS",
];

/// Everything the plan depends on besides the spec.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Inputs {
    pub build_args: BTreeMap<String, String>,
    /// `--label` opts; they win over the spec's labels.
    pub labels: BTreeMap<String, String>,
    pub build_platform: Platform,
    pub target_platform: Platform,
    pub no_cache: bool,
    /// BuildKit's `image-resolve-mode` (`default`, `pull`, `local`).
    pub resolve_mode: String,
    pub session_id: String,
    /// Exclude patterns from the context's `.dockerignore`.
    pub excludes: Vec<String>,
    pub gomod: GoMod,
    /// The daemon has MergeOp (BuildKit v0.10+).
    pub merge: bool,
    /// Named contexts (`--build-context NAME=VALUE`, opts `context:NAME`).
    pub contexts: BTreeMap<String, String>,
}

/// One image the graph uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageRef {
    /// Fully qualified (`docker.io/library/golang:1.26-alpine`).
    pub reference: String,
    pub platform: Platform,
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
}

/// The final stage: file operations only, no exec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FinalStage {
    pub name: String,
    pub binary_path: String,
    /// Copy the builder's CA bundle (scratch has none).
    pub ca_certificates: bool,
    /// `/etc/passwd` and `/etc/group` contents for scratch.
    pub passwd: Option<(String, String)>,
    /// Unix seconds for file mtimes (`SOURCE_DATE_EPOCH`).
    pub timestamp: Option<i64>,
    pub pos: Option<Pos>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub go_version: String,
    pub binary: String,
    pub builder: ImageRef,
    /// `None`: scratch.
    pub runtime: Option<ImageRef>,
    pub excludes: Vec<String>,
    pub session_id: String,
    pub resolve_mode: String,
    pub no_cache: bool,
    /// Layer the binary onto the base with MergeOp (else a copy).
    pub merge: bool,
    pub download: Step,
    /// Steps that install a C cross compiler (cgo for another architecture).
    pub cross_toolchain: Vec<Step>,
    pub compile: Step,
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
    let parsed: oci_spec::distribution::Reference = reference
        .parse()
        .map_err(|e| format!("\"{reference}\" is not an image reference: {e}"))?;
    Ok(parsed.whole())
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

/// Go's target environment for a platform.
pub fn go_target_env(p: &Platform) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    env.insert("GOOS".to_string(), p.os.clone());
    env.insert("GOARCH".to_string(), p.architecture.clone());
    match (p.architecture.as_str(), p.variant.as_str()) {
        ("arm", v) if !v.is_empty() => {
            let n = v.trim_start_matches('v');
            if !matches!(n, "5" | "6" | "7") {
                return Err(format!("platform {p}: Go supports arm v5, v6 and v7"));
            }
            env.insert("GOARM".to_string(), n.to_string());
        }
        ("amd64", v) if !v.is_empty() && v != "v1" => {
            if !matches!(v, "v2" | "v3" | "v4") {
                return Err(format!("platform {p}: Go supports amd64 v1 to v4"));
            }
            env.insert("GOAMD64".to_string(), v.to_string());
        }
        _ => {}
    }
    Ok(env)
}

/// Quote one `-ldflags` word so that Go's `quoted.Split` gives it back whole.
/// Go splits on whitespace and takes a leading `'` or `"` as a quote with no
/// escapes inside, so a value that needs quoting can use whichever quote it
/// does not contain; one with whitespace and both quotes cannot be passed.
pub fn quote_ldflag_word(word: &str) -> Result<String, String> {
    let needs = word.is_empty()
        || word.chars().any(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        || word.starts_with('\'')
        || word.starts_with('"');
    if !needs {
        return Ok(word.to_string());
    }
    if !word.contains('\'') {
        Ok(format!("'{word}'"))
    } else if !word.contains('"') {
        Ok(format!("\"{word}\""))
    } else {
        Err(
            "it contains whitespace and both kinds of quote, which Go's -ldflags cannot carry"
                .into(),
        )
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
    let go_version = match &spec.go {
        Some(g) => g.value.clone(),
        None => inputs.gomod.wanted_go().ok_or_else(|| {
            PlanError::Other(format!(
                "{}: `go` is not set and go.mod has no go line (hint: add `go: \"1.26\"` to the spec or `go 1.26` to go.mod)",
                spec.file
            ))
        })?,
    };
    let cgo = spec.cgo.value;
    let builder_ref =
        normalize_image(&builder_image(&go_version, cgo)).map_err(PlanError::Other)?;
    let builder = ImageRef {
        reference: named_context(
            &inputs.contexts,
            "builder",
            &builder_ref,
            &inputs.build_platform,
        )?,
        platform: inputs.build_platform.clone(),
    };
    let runtime = match runtime_image(&spec.runtime.value, cgo) {
        Some(r) => {
            let reference = normalize_image(&r)
                .map_err(|e| spec_err(spec.runtime.pos, format!("runtime: {e}"), None))?;
            Some(ImageRef {
                reference: named_context(
                    &inputs.contexts,
                    "runtime",
                    &reference,
                    &inputs.target_platform,
                )?,
                platform: inputs.target_platform.clone(),
            })
        }
        None => None,
    };

    // The Go steps' environment: caches at fixed places, the user's Go
    // settings, and for compile the target platform.
    let mut go_env = BTreeMap::new();
    go_env.insert("GOMODCACHE".to_string(), GOMODCACHE.to_string());
    go_env.insert("GOCACHE".to_string(), GOCACHE.to_string());
    // Never let the go command download a different toolchain mid-build.
    go_env.insert("GOTOOLCHAIN".to_string(), "local".to_string());
    for key in GO_SETTING_ARGS {
        if let Some(v) = inputs.build_args.get(*key).filter(|v| !v.is_empty()) {
            go_env.insert((*key).to_string(), v.clone());
        }
    }

    let download = Step {
        name: "[gofront] go mod download".into(),
        argv: vec!["go".into(), "mod".into(), "download".into()],
        env: go_env.clone(),
        cwd: SRC.into(),
        pos: spec.go.as_ref().map(|g| g.pos),
    };

    let binary = inputs.gomod.short_name();
    let binary = match spec.main.value.as_str() {
        "." => binary,
        m => m.rsplit('/').next().unwrap_or(&binary).to_string(),
    };

    let mut ldflags = vec!["-s".to_string(), "-w".to_string()];
    let mut version_value = None;
    if let Some(v) = &spec.version {
        let value = inputs
            .build_args
            .get(&v.value.arg)
            .cloned()
            .unwrap_or_else(|| v.value.default.clone());
        let word = format!("{}={}", v.value.var, value);
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
        ldflags.push("-X".into());
        ldflags.push(quoted);
        version_value = Some(value);
    }
    let mut compile_env = go_env;
    compile_env.insert(
        "CGO_ENABLED".to_string(),
        if cgo { "1" } else { "0" }.to_string(),
    );
    compile_env.extend(go_target_env(&inputs.target_platform).map_err(PlanError::Other)?);
    // cgo for another architecture: Debian's cross gcc, installed in the
    // builder at the build platform (never an emulated target toolchain).
    let mut cross_toolchain = Vec::new();
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
        let mut apt_env = BTreeMap::new();
        apt_env.insert("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string());
        cross_toolchain.push(Step {
            name: format!(
                "[gofront] apt-get update (C cross compiler for {})",
                inputs.target_platform
            ),
            argv: vec!["apt-get".into(), "update".into()],
            env: apt_env.clone(),
            cwd: "/".into(),
            pos: Some(spec.cgo.pos).filter(|p| p.line > 0),
        });
        let mut install: Vec<String> = ["apt-get", "install", "-y", "--no-install-recommends"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        install.extend(cross.packages.iter().map(|s| s.to_string()));
        cross_toolchain.push(Step {
            name: format!(
                "[gofront] install {} (C cross compiler for {})",
                cross.packages.join(" "),
                inputs.target_platform
            ),
            argv: install,
            env: apt_env,
            cwd: "/".into(),
            pos: Some(spec.cgo.pos).filter(|p| p.line > 0),
        });
        compile_env.insert("CC".to_string(), cross.cc.to_string());
    }
    let main = &spec.main.value;
    let compile = Step {
        name: format!("[gofront] go build {main} ({})", inputs.target_platform),
        argv: vec![
            "go".into(),
            "build".into(),
            // List each package as it is compiled: the progress output then
            // shows that an edit recompiles only what it touched.
            "-v".into(),
            "-trimpath".into(),
            // The context rarely has .git, and the alpine builder has no git:
            // never let VCS stamping fail or vary the build.
            "-buildvcs=false".into(),
            format!("-ldflags={}", ldflags.join(" ")),
            "-o".into(),
            format!("{OUT}/{binary}"),
            main.clone(),
        ],
        env: compile_env,
        cwd: SRC.into(),
        pos: Some(spec.main.pos).filter(|p| p.line > 0),
    };

    let binary_path = format!("{BIN_DIR}/{binary}");
    let user = &spec.user.value;
    let scratch = runtime.is_none();
    let epoch = inputs
        .build_args
        .get("SOURCE_DATE_EPOCH")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0);
    let final_stage = FinalStage {
        name: format!("[gofront] add {binary_path} to the runtime image"),
        binary_path: binary_path.clone(),
        ca_certificates: scratch,
        passwd: if scratch {
            user.ids.map(|(u, g)| passwd_for(u, g))
        } else {
            None
        },
        timestamp: epoch,
        pos: Some(spec.runtime.pos).filter(|p| p.line > 0),
    };

    let mut labels = spec.labels.clone();
    if let Some(v) = &version_value {
        labels.insert("org.opencontainers.image.version".into(), v.clone());
    }
    labels.extend(inputs.labels.clone());
    let mut added = vec![binary_path.clone()];
    if scratch {
        added.push(CA_BUNDLE.to_string());
        added.push("/etc/passwd".to_string());
    }
    let image = ImageSettings {
        platform: Some(inputs.target_platform.clone()),
        entrypoint: vec![binary_path],
        cmd: spec.args.clone(),
        user: user.spec.clone(),
        env: spec.env.clone(),
        exposed_ports: spec.ports.iter().map(|p| p.to_string()).collect(),
        labels,
        history: vec![
            History {
                created_by: format!(
                    "gofront: COPY {} (go build {main}, {}, cgo {})",
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
        binary,
        builder,
        runtime,
        excludes: inputs.excludes.clone(),
        session_id: inputs.session_id.clone(),
        resolve_mode: inputs.resolve_mode.clone(),
        no_cache: inputs.no_cache,
        merge: inputs.merge,
        download,
        cross_toolchain,
        compile,
        final_stage,
        image,
    })
}

/// Parse `.dockerignore` into exclude patterns, as BuildKit's dockerfile
/// frontend does: skip comments and blank lines, clean paths, keep `!`.
pub fn parse_dockerignore(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (neg, pat) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let cleaned = clean_path(pat);
        if cleaned == "." {
            continue;
        }
        out.push(if neg { format!("!{cleaned}") } else { cleaned });
    }
    out
}

/// Lexical path cleaning (Go's `filepath.Clean`), relative to the context root.
fn clean_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests;
