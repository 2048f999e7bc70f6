//! What the client and the daemon asked for, parsed once.
//!
//! BuildKit hands a frontend its options as untyped `key=value` opts (see
//! [`crate::gateway::Opts`]), a few environment variables and Ping's caps.
//! This module reads all of them into one typed [`BuildRequest`], as
//! BuildKit's `frontend/dockerui.Config` does for the Dockerfile frontend:
//! every opt key is a named constant in [`keys`], every value is checked
//! here, and nothing downstream looks at a raw opt again. The plan takes the
//! part that shapes the build's intent ([`BuildRequest::plan_inputs`]);
//! `convert` takes the part that only says how to run it (session, resolve
//! mode, network, cache, caps).

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::CacheOptionsEntry;

use crate::gateway::{self, Caps, Opts};
use crate::golang::{GoMod, GoWork};
use crate::llb::Network;
use crate::plan::{self, Target};
use crate::platform::Platform;
use crate::spec::Spec;
use crate::subrequest;

pub mod attest;
pub mod context;

pub use attest::{AttestRequest, Sbom};
pub use context::{ContextSource, GitRef};

/// The opt keys gofront reads, as BuildKit's clients send them
/// (`frontend/dockerui/config.go` names the same keys).
pub mod keys {
    /// The spec's path in the spec local (`docker build -f`).
    pub const FILENAME: &str = "filename";
    /// Names the local holding the spec; when set, the spec is read from it
    /// even when the context is a URL or a frontend input.
    pub const SPEC_KEY: &str = "dockerfilekey";
    /// Names the local (or opt) holding the context.
    pub const CONTEXT_KEY: &str = "contextkey";
    pub const TARGET: &str = "target";
    /// `--platform`, a comma list.
    pub const PLATFORM: &str = "platform";
    pub const MULTI_PLATFORM: &str = "multi-platform";
    /// `--no-cache` (`no-cache=` with an empty value means every step).
    pub const NO_CACHE: &str = "no-cache";
    /// `--pull`: `default`, `pull` or `local`.
    pub const IMAGE_RESOLVE_MODE: &str = "image-resolve-mode";
    /// `--network`.
    pub const NETWORK: &str = "force-network-mode";
    /// `--add-host`.
    pub const EXTRA_HOSTS: &str = "add-hosts";
    /// `--cache-from` as buildx and buildctl send it (JSON)…
    pub const CACHE_IMPORTS: &str = "cache-imports";
    /// … and as Docker 20.10 sends it (a comma list of registry refs).
    pub const CACHE_FROM: &str = "cache-from";
    /// What buildx sends from a git checkout.
    pub const VCS_REVISION: &str = "vcs:revision";
    pub const VCS_SOURCE: &str = "vcs:source";
    pub const BUILD_ARG_PREFIX: &str = "build-arg:";
    pub const LABEL_PREFIX: &str = "label:";
    /// `--build-context NAME=VALUE`.
    pub const NAMED_CONTEXT_PREFIX: &str = "context:";
    /// The metadata of a frontend input that is another build's result
    /// (its image config), keyed by the input's name.
    pub const INPUT_METADATA_PREFIX: &str = "input-metadata:";
    /// Build args BuildKit's own frontends give a meaning to.
    pub const ARG_MULTI_PLATFORM: &str = "BUILDKIT_MULTI_PLATFORM";
    pub const ARG_KEEP_GIT_DIR: &str = "BUILDKIT_CONTEXT_KEEP_GIT_DIR";
}

/// The environment variables the gateway sets for the frontend process.
pub mod env {
    pub const SESSION_ID: &str = "BUILDKIT_SESSION_ID";
}

/// The local names clients use for the spec and the context.
pub const SPEC_LOCAL: &str = "dockerfile";
pub const CONTEXT_LOCAL: &str = "context";
/// The spec's name when the client names none.
pub const DEFAULT_SPEC_FILE: &str = "gofront.yaml";

/// One build request, typed.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    /// `--call …`; `None` for a build.
    pub subrequest: Option<subrequest::Request>,
    /// The spec's path in the spec local or fetched context.
    pub filename: String,
    /// The local the spec is read from.
    pub spec_local: String,
    /// `dockerfilekey` was given: the spec comes from `spec_local` always.
    pub spec_local_forced: bool,
    /// The local that holds the context.
    pub context_local: String,
    /// The context as the opts name it: a URL BuildKit fetches, or the
    /// client's directory (frontend inputs are asked for later, over the
    /// bridge, when the context is local).
    pub context: ContextSource,
    pub build_args: BTreeMap<String, String>,
    /// `--label`; they win over the spec's labels.
    pub labels: BTreeMap<String, String>,
    pub target: Target,
    /// `--platform`, normalized, without duplicates; empty when not given.
    pub platforms: Vec<Platform>,
    /// The client wants an image index even for one platform.
    pub multi_platform: bool,
    pub no_cache: bool,
    /// `default`, `pull` or `local`.
    pub resolve_mode: String,
    pub network: Network,
    /// `--add-host`: host → IP.
    pub extra_hosts: Vec<(String, String)>,
    /// `--build-context NAME=VALUE`.
    pub named_contexts: BTreeMap<String, String>,
    /// Input name → the metadata JSON of that build's result (bake sends
    /// it with a `target:` context).
    pub input_metadata: BTreeMap<String, String>,
    pub vcs_revision: Option<String>,
    pub vcs_source: Option<String>,
    /// `--cache-from`: named in every solve of the build.
    pub cache_imports: Vec<CacheOptionsEntry>,
    pub session_id: String,
    /// The first platform of the daemon's workers: where the Go toolchain
    /// runs, as the Dockerfile frontend picks it.
    pub build_platform: Platform,
    /// What the daemon can do, from Ping.
    pub daemon: DaemonFeatures,
    /// `--sbom`, `--provenance`, `--attest`.
    pub attest: AttestRequest,
}

/// The label of a BuildKit worker that names its executor (`oci`,
/// `containerd`); Docker's classic-store worker has none.
const WORKER_EXECUTOR_LABEL: &str = "org.mobyproject.buildkit.worker.executor";

/// The daemon's caps that change what gofront builds or asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct DaemonFeatures {
    /// MergeOp (BuildKit v0.10+): the binaries' layer goes onto the base
    /// without a copy.
    pub merge: bool,
    /// The `Inputs` call (a context or spec handed over as LLB).
    pub inputs: bool,
    /// The `Warn` call (BuildKit v0.10+): lint findings as build warnings.
    pub warnings: bool,
    /// Attestations in the result (BuildKit v0.11+).
    pub attestations: bool,
    /// Solves at once without risk: BuildKit v0.8 can crash on concurrent
    /// solves that share vertices (moby/moby#42414); v0.10, the first with
    /// build warnings, is taken as the mark of a BuildKit past it.
    pub parallel_solves: bool,
    /// The result goes to Docker's classic image store, which keeps one
    /// platform per image: Docker's own worker there (Docker 20.10, and
    /// 23–29 without the containerd image store) names no executor among
    /// its labels, where buildkitd's and the containerd store's do, and it
    /// has no MergeOp (moby enables it only with the containerd store).
    pub classic_docker_store: bool,
}

impl BuildRequest {
    /// Read the opts, the gateway's environment (`env(name)`) and the
    /// daemon's caps. Every malformed option is refused here, with the
    /// flag the user wrote.
    pub fn parse(
        opts: &Opts,
        env: impl Fn(&str) -> Option<String>,
        caps: &Caps,
    ) -> Result<BuildRequest, String> {
        let get = |key: &str| opts.get(key);
        let non_empty = |key: &str| get(key).filter(|v| !v.is_empty());
        let build_args = opts.with_prefix(keys::BUILD_ARG_PREFIX);
        let truthy = |v: Option<&str>| matches!(v, Some("1" | "true" | "True" | "TRUE"));

        let context_local = non_empty(keys::CONTEXT_KEY)
            .unwrap_or(CONTEXT_LOCAL)
            .to_string();
        let keep_git_dir = build_args
            .get(keys::ARG_KEEP_GIT_DIR)
            .and_then(|v| context::parse_bool(v));
        let context = context::from_opt(get(&context_local).unwrap_or_default(), keep_git_dir)
            .map_err(|e| format!("build context: {e}"))?;

        let target_name = get(keys::TARGET).unwrap_or_default();
        let target = Target::parse(target_name).ok_or_else(|| {
            format!(
                "--target {target_name}: gofront has the targets {}",
                plan::TARGETS
                    .iter()
                    .map(|t| t.1)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;

        Ok(BuildRequest {
            subrequest: subrequest::Request::from_opt(get(subrequest::REQUEST_ID_OPT)),
            filename: non_empty(keys::FILENAME)
                .unwrap_or(DEFAULT_SPEC_FILE)
                .to_string(),
            spec_local: non_empty(keys::SPEC_KEY).unwrap_or(SPEC_LOCAL).to_string(),
            spec_local_forced: non_empty(keys::SPEC_KEY).is_some(),
            context_local,
            context,
            labels: opts.with_prefix(keys::LABEL_PREFIX),
            target,
            platforms: parse_platforms(get(keys::PLATFORM).unwrap_or_default())?,
            multi_platform: truthy(get(keys::MULTI_PLATFORM))
                || truthy(build_args.get(keys::ARG_MULTI_PLATFORM).map(String::as_str)),
            no_cache: get(keys::NO_CACHE).is_some(),
            resolve_mode: get(keys::IMAGE_RESOLVE_MODE)
                .unwrap_or("default")
                .to_string(),
            network: parse_network(get(keys::NETWORK).unwrap_or_default())?,
            extra_hosts: parse_extra_hosts(get(keys::EXTRA_HOSTS).unwrap_or_default())?,
            named_contexts: opts.with_prefix(keys::NAMED_CONTEXT_PREFIX),
            input_metadata: opts.with_prefix(keys::INPUT_METADATA_PREFIX),
            vcs_revision: non_empty(keys::VCS_REVISION).map(str::to_string),
            vcs_source: non_empty(keys::VCS_SOURCE).map(str::to_string),
            cache_imports: parse_cache_imports(
                get(keys::CACHE_IMPORTS).unwrap_or_default(),
                get(keys::CACHE_FROM).unwrap_or_default(),
            )?,
            session_id: env(env::SESSION_ID).unwrap_or_default(),
            build_args,
            build_platform: build_platform(caps),
            attest: AttestRequest::parse(opts)?,
            daemon: DaemonFeatures {
                merge: caps.has_llb("mergeop"),
                inputs: caps.has_gateway(gateway::CAP_INPUTS),
                warnings: caps.has_warnings(),
                attestations: caps.has_gateway(gateway::CAP_ATTESTATIONS),
                parallel_solves: caps.has_warnings(),
                classic_docker_store: !caps.has_llb("mergeop")
                    && !caps.worker_labels.contains_key(WORKER_EXECUTOR_LABEL),
            },
        })
    }

    /// The platforms to build: `--platform`, else the spec's `platforms:`,
    /// else the build platform.
    pub fn target_platforms(&self, spec: &Spec) -> Vec<Platform> {
        if !self.platforms.is_empty() {
            self.platforms.clone()
        } else if !spec.platforms.is_empty() {
            spec.platforms.iter().map(|p| p.value.clone()).collect()
        } else {
            vec![self.build_platform.clone()]
        }
    }

    /// The request's part of the plan of one target platform, beside what
    /// the context holds (go.mod, go.work).
    pub fn plan_inputs(
        &self,
        target_platform: &Platform,
        gomod: &GoMod,
        gowork: Option<&GoWork>,
    ) -> plan::Inputs {
        plan::Inputs {
            build_args: self.build_args.clone(),
            labels: self.labels.clone(),
            build_platform: self.build_platform.clone(),
            target_platform: target_platform.clone(),
            target: self.target,
            gomod: gomod.clone(),
            gowork: gowork.cloned(),
            named_contexts: self.named_contexts.clone(),
            vcs_revision: self.vcs_revision.clone(),
            vcs_source: self.vcs_source.clone(),
            cache_imported: !self.cache_imports.is_empty(),
            // What the context and the runtime base hold: the client adds it.
            base_dirs: BTreeMap::new(),
            web: None,
        }
    }
}

/// The platform the builder runs on: the worker's first, as the Dockerfile
/// frontend picks it (the frontend's own architecture when Ping names none).
fn build_platform(caps: &Caps) -> Platform {
    if let Some(p) = caps.worker_platforms.first() {
        return Platform::new(&p.os, &p.architecture, &p.variant);
    }
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    Platform::new("linux", arch, "")
}

/// `--platform`: a comma list, normalized, duplicates dropped.
fn parse_platforms(list: &str) -> Result<Vec<Platform>, String> {
    let mut out: Vec<Platform> = Vec::new();
    for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let p = Platform::parse(p).map_err(|e| format!("--platform: {e}"))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// `--network` (opt `force-network-mode`).
fn parse_network(mode: &str) -> Result<Network, String> {
    match mode {
        "" | "default" | "sandbox" => Ok(Network::Default),
        "host" => Ok(Network::Host),
        "none" => Ok(Network::None),
        other => Err(format!(
            "--network {other}: gofront supports default, host and none"
        )),
    }
}

/// `add-hosts` as Docker and buildx send it: `host=ip` or `host:ip`, comma separated.
fn parse_extra_hosts(value: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (host, ip) = entry
            .split_once('=')
            .or_else(|| entry.split_once(':'))
            .ok_or_else(|| format!("--add-host {entry}: expected HOST:IP"))?;
        if ip.parse::<std::net::IpAddr>().is_err() || host.is_empty() {
            return Err(format!(
                "--add-host {entry}: expected HOST:IP with an IP address"
            ));
        }
        out.push((host.to_string(), ip.to_string()));
    }
    Ok(out)
}

/// The caches the user imports (`--cache-from`): `cache-imports`, JSON
/// `[{"Type":"registry","Attrs":{"ref":…}}]` from buildx and buildctl,
/// and the legacy `cache-from`, a comma list of registry refs (Docker
/// 20.10 always sends it, often empty). BuildKit imports nothing for a
/// frontend by itself: each solve must name them.
fn parse_cache_imports(json: &str, legacy: &str) -> Result<Vec<CacheOptionsEntry>, String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Type", alias = "type")]
        kind: String,
        #[serde(rename = "Attrs", alias = "attrs", default)]
        attrs: Option<std::collections::HashMap<String, String>>,
    }
    let mut out = Vec::new();
    if !json.trim().is_empty() {
        let entries: Vec<Entry> = serde_json::from_str(json)
            .map_err(|e| format!("--cache-from: cannot read the cache imports ({e})"))?;
        out.extend(entries.into_iter().map(|e| CacheOptionsEntry {
            r#type: e.kind,
            attrs: e.attrs.unwrap_or_default(),
        }));
    }
    for reference in legacy.split(',') {
        let reference = reference.trim();
        if !reference.is_empty() {
            out.push(CacheOptionsEntry {
                r#type: "registry".into(),
                attrs: [("ref".to_string(), reference.to_string())].into(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
