//! The build's side of the gateway, between the transport and the build
//! (BuildKit's `frontend/dockerui` is the model): it reads what the build
//! needs from the client and the daemon — the request, the spec, the few
//! context files the plan depends on, base image configs — checks the main
//! packages, solves graphs and assembles the result. `frontend` sequences
//! these calls; `gateway` only carries them.

use std::collections::BTreeMap;

use crate::convert;
use crate::gateway::{Bridge, Failure, Opts};
use crate::image;
use crate::lint;
use crate::llb::{self, ForeignDefinition, LocalOptions, OpOptions, State};
use crate::plan::{self, Plan, SourceImage};
use crate::platform::Platform;
use crate::request::BuildRequest;
use crate::sourcemap::SpecSource;
use crate::spec::{self, SpecError};
use crate::subrequest;

mod attest;
mod base_dirs;
mod caps;
mod context;
pub mod dockerignore;
mod failure;
mod main_package;
mod result;
mod sources;
mod spec_paths;

pub use attest::{VulnOutcome, VulnRunner, VulnVerdict};
pub use context::{ContextFiles, ModuleFiles};
pub use result::{Outcome, PlatformResults, platform_id};

/// The spec file as read, kept for error locations.
pub struct SpecFile {
    pub source: SpecSource,
    /// The vertex that loaded it: build warnings point at it.
    pub digest: String,
}

impl SpecFile {
    /// A failure that points at `pos` in the spec, with an `errdefs.Source`
    /// detail so that clients which render it show the YAML excerpt.
    pub fn failure(&self, err: &SpecError) -> Failure {
        let mut f = Failure::new(err.to_string());
        if err.pos.line > 0 {
            f.details.push(self.source.error_detail(err.pos));
        }
        f
    }

    /// A planning failure: located in the spec or not.
    pub fn plan_failure(&self, err: plan::PlanError) -> Failure {
        match err {
            plan::PlanError::Spec(e) => self.failure(&e),
            plan::PlanError::Other(m) => Failure::new(m),
        }
    }
}

/// One build's connection to the client and the daemon.
pub struct Client {
    bridge: Bridge,
    pub request: BuildRequest,
}

impl Client {
    /// Ask the daemon what it can do, refuse one too old, and read the
    /// request. Every solve from here on imports the caches the user named.
    pub async fn start(mut bridge: Bridge, opts: &Opts) -> Result<Client, Failure> {
        let caps = bridge.ping().await?;
        caps::check(&caps)?;
        let request =
            BuildRequest::parse(opts, |k| std::env::var(k).ok(), &caps).map_err(Failure::new)?;
        bridge.import_caches(request.cache_imports.clone());
        Ok(Client { bridge, request })
    }

    /// The spec, from wherever the request says it is.
    pub async fn read_spec(&mut self) -> Result<SpecFile, Failure> {
        sources::read_spec(&mut self.bridge, &mut self.request).await
    }

    /// `.dockerignore` and the names at the context's root.
    pub async fn read_context(&mut self, spec: &spec::Spec) -> Result<ContextFiles, Failure> {
        context::read(&mut self.bridge, &self.request, spec).await
    }

    /// `go.mod`, `go.work`, and the whole context.
    pub async fn read_module(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        context: &ContextFiles,
    ) -> Result<ModuleFiles, Failure> {
        context::read_module(&mut self.bridge, &self.request, spec, file, context).await
    }

    /// Lint findings as build warnings, where the daemon takes them
    /// (BuildKit v0.10+). A warning that cannot be shown must not fail the
    /// build.
    pub async fn warn(&mut self, findings: &[lint::Finding], file: &SpecFile) {
        if !self.request.daemon.warnings {
            return;
        }
        for w in findings {
            let (short, warn_opts) = subrequest::warning_for_build(w, &file.source);
            let _ = self.bridge.warn(&file.digest, &short, warn_opts).await;
        }
    }

    /// Check that every `files:` source is in the context, and read what
    /// the web UI's folder holds.
    pub async fn read_spec_paths(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        module: &ModuleFiles,
    ) -> Result<Option<plan::WebFacts>, Failure> {
        spec_paths::check_files(&mut self.bridge, &module.context_ref, spec, file).await?;
        spec_paths::web_facts(&mut self.bridge, &module.context_ref, spec, file).await
    }

    /// The plan of one platform. The folders the final stage makes are
    /// looked up in its runtime base first, to keep those it has.
    pub async fn plan(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        mut inputs: plan::Inputs,
    ) -> Result<Plan, Failure> {
        let first = plan::build(spec, &inputs).map_err(|e| file.plan_failure(e))?;
        let paths = plan::made_dirs(spec);
        let Some(runtime) = first.runtime.as_ref().filter(|_| !paths.is_empty()) else {
            return Ok(first);
        };
        inputs.base_dirs =
            base_dirs::lookup(&mut self.bridge, &self.request, runtime, &paths).await?;
        if inputs.base_dirs.is_empty() {
            return Ok(first);
        }
        plan::build(spec, &inputs).map_err(|e| file.plan_failure(e))
    }

    /// The platforms to build, refused up front where the daemon cannot
    /// store them.
    pub fn platforms(&self, spec: &spec::Spec) -> Result<Vec<Platform>, Failure> {
        let targets = self.request.target_platforms(spec);
        // Refused before anything is compiled: Docker's exporter would
        // fail only after every platform was built.
        if self.multi_platform(&targets) && self.request.daemon.classic_docker_store {
            return Err(Failure::new(format!(
                "building several platforms at once ({}) needs an image index, and this Docker's classic image store keeps one platform per image (hint: turn on the containerd image store, the default of new Docker 29 installs, or use `docker buildx build` on a builder of the docker-container driver, or build one platform at a time with --platform)",
                targets
                    .iter()
                    .map(Platform::id)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(targets)
    }

    /// Whether the result is an image index (several platforms, or asked for).
    pub fn multi_platform(&self, targets: &[Platform]) -> bool {
        targets.len() > 1 || self.request.multi_platform
    }

    /// Check the main packages while the builder's and the first runtime's
    /// configs are resolved: three independent round trips at once rather
    /// than one after another. The builder's config, and the runtime's.
    pub async fn check_and_resolve(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        module: &ModuleFiles,
        plan: &Plan,
    ) -> Result<(image::ImageConfig, Option<Resolved>), Failure> {
        let (mut for_builder, mut for_runtime) = (self.bridge.clone(), self.bridge.clone());
        let (checked, builder, runtime) = tokio::join!(
            main_package::check_all(&mut self.bridge, &module.context_ref, spec, file),
            resolve_config(&mut for_builder, Some(&plan.builder), &self.request),
            resolve_config(&mut for_runtime, plan.runtime.as_ref(), &self.request),
        );
        checked?;
        let builder = builder.map_err(|f| image_failure(spec, file, plan, "builder", f))?;
        let runtime = runtime.map_err(|f| image_failure(spec, file, plan, "runtime", f))?;
        // A builder that is another build's result may come without a config.
        Ok((builder.map(|b| b.config).unwrap_or_default(), runtime))
    }

    /// The node image's env for the web UI's steps (none without `web`),
    /// a failure to resolve it reported at `web:`.
    pub async fn node_env(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        plan: &Plan,
    ) -> Result<Vec<String>, Failure> {
        let Some(web) = &plan.web else {
            return Ok(Vec::new());
        };
        let config = resolve_config(&mut self.bridge, Some(&web.image), &self.request)
            .await
            .map_err(|f| image_failure(spec, file, plan, "node", f))?;
        Ok(config.map(|c| c.config.config.env).unwrap_or_default())
    }

    /// The config of an image of the plan (`None` for none, e.g. `scratch`).
    pub async fn resolve_config(
        &mut self,
        image: Option<&SourceImage>,
    ) -> Result<Option<Resolved>, Failure> {
        resolve_config(&mut self.bridge, image, &self.request).await
    }

    /// How `convert` runs the plans of this build, with the frontend
    /// inputs their images name.
    pub async fn convert_options(
        &mut self,
        plans: &[Plan],
        context: &ContextFiles,
        builder_env: Vec<String>,
        file: &SpecFile,
    ) -> Result<convert::Options, Failure> {
        let mut options = convert::Options::for_request(
            &self.request,
            context.excludes.clone(),
            builder_env,
            Some(file.source.info()),
        );
        options.inputs = self.image_inputs(plans).await?;
        Ok(options)
    }

    /// The frontend inputs that stand for images of the plans (a bake
    /// `target:` context), each checked to be there and well formed.
    async fn image_inputs(
        &mut self,
        plans: &[Plan],
    ) -> Result<BTreeMap<String, ForeignDefinition>, Failure> {
        let wanted: BTreeMap<&str, &str> = plans
            .iter()
            .flat_map(|p| {
                [
                    Some(&p.builder),
                    p.runtime.as_ref(),
                    p.final_stage.toolbox.as_ref(),
                ]
            })
            .flatten()
            .filter_map(|i| i.input.as_deref().map(|name| (name, i.reference.as_str())))
            .collect();
        if wanted.is_empty() {
            return Ok(BTreeMap::new());
        }
        if !self.request.daemon.inputs {
            let named: Vec<&str> = wanted.values().copied().collect();
            return Err(Failure::new(format!(
                "the build context {} is another build's result, and this BuildKit cannot hand one to a frontend (capability `frontend.inputs`, BuildKit v0.8+; hint: push that image and name it with docker-image://REFERENCE)",
                named.join(", ")
            )));
        }
        let sent = self.bridge.inputs().await?;
        let mut out = BTreeMap::new();
        for (name, value) in wanted {
            let definition = sent.get(name).ok_or_else(|| {
                Failure::new(format!(
                    "the build context {value} names the frontend input {name:?}, which the client did not send"
                ))
            })?;
            let foreign = ForeignDefinition::parse(definition)
                .map_err(|e| Failure::new(format!("the client's frontend input {name:?}: {e}")))?;
            out.insert(name.to_string(), foreign);
        }
        Ok(out)
    }

    /// Solve a graph of the build now (evaluate), so that a failing step
    /// comes back here and is reported through `Return` with the step and
    /// the spec line that made it, rather than after it.
    pub async fn solve_build(
        &mut self,
        marshaled: llb::Marshaled,
        file: &SpecFile,
    ) -> Result<String, Failure> {
        solve_explained(&mut self.bridge, marshaled, file).await
    }
}

/// Solve a graph of the build now, a failing step explained.
async fn solve_explained(
    bridge: &mut Bridge,
    marshaled: llb::Marshaled,
    file: &SpecFile,
) -> Result<String, Failure> {
    let definition = marshaled.definition.clone();
    bridge
        .solve(marshaled.definition, true, failure::BUILD)
        .await
        .map_err(|f| failure::explain_step_failure(f, &definition, &file.source.name))
}

/// An image of the plan that the daemon cannot resolve, reported at the
/// spec line that chose it: `images.<role>` when it names the image, else
/// `runtime:` or `web:` (the node image), else `go:` for the builder, whose tag is the Go version (or
/// go.mod's `go` line, named, when the spec has no `go`).
fn image_failure(
    spec: &spec::Spec,
    file: &SpecFile,
    plan: &Plan,
    role: &str,
    failure: Failure,
) -> Failure {
    let image = match role {
        "builder" => Some(&plan.builder),
        "node" => plan.web.as_ref().map(|w| &w.image),
        _ => plan.runtime.as_ref(),
    };
    let Some(image) = image else {
        return failure;
    };
    let reason = failure
        .message
        .split_once(": ")
        .map_or(failure.message.as_str(), |(_, why)| why);
    let (pos, chose, hint) = if let Some(v) = spec.images.get(role) {
        (
            v.pos,
            format!("`images.{role}`"),
            "check the reference and that the registry or mirror has it".to_string(),
        )
    } else if let (Some(web), "node") = (&spec.web, role) {
        (
            web.dir.pos,
            "`web`".to_string(),
            "name a node image the registry or mirror has with `images: { node: … }`".to_string(),
        )
    } else if role == "runtime" {
        (
            spec.runtime.pos,
            "`runtime`".to_string(),
            "check the reference, or name a mirror with `images: { runtime: … }`".to_string(),
        )
    } else if let Some(go) = &spec.go {
        (
            go.pos,
            format!("`go: \"{}\"`", go.value),
            "name a Go version the registry or mirror has, or the builder itself with `images: { builder: … }`".to_string(),
        )
    } else {
        (
            spec::Pos::default(),
            format!("go.mod's go line (Go {})", plan.go_version),
            "set `go:` in the spec to a version the registry or mirror has (e.g. go: \"1.26\"), or name the builder with `images: { builder: … }`".to_string(),
        )
    };
    let err = SpecError {
        file: spec.file.clone(),
        pos,
        message: format!(
            "the {role} image {} (from {chose}) cannot be resolved: {reason}",
            image.reference
        ),
        hint: Some(hint),
    };
    if pos.line > 0 {
        file.failure(&err)
    } else {
        Failure::new(err.to_string())
    }
}

/// Lint: the answer to `--call check`, and warnings during a build.
/// Informational findings (an undigested base) would make every check
/// fail, so they are left to `gofront check`; so are the rules the spec
/// skips (`# check=skip=Rule`, as in a Dockerfile).
pub fn lint_findings(
    spec: &spec::Spec,
    context: &ContextFiles,
) -> Result<Vec<lint::Finding>, SpecError> {
    let ctx = lint::Context {
        has_dockerignore: context.has_dockerignore,
        gomod: context.gomod_text.clone(),
        // The Go files are not read before the plan.
        missing_embeds: Vec::new(),
    };
    Ok(lint::check(spec, &ctx, lint::Skips::default())?
        .into_iter()
        .filter(|f| !f.informational)
        .collect())
}

/// Solve a small local source; its ref and the digest of its vertex.
async fn solve_local(
    bridge: &mut Bridge,
    name: &str,
    local: LocalOptions,
    platform: &Platform,
    progress: &str,
) -> Result<(String, String), Failure> {
    let state = llb::local(name, &local, platform, OpOptions::named(progress));
    solve_state(bridge, &state, progress).await
}

/// Solve a state; its ref and the digest of its vertex.
async fn solve_state(
    bridge: &mut Bridge,
    state: &State,
    progress: &str,
) -> Result<(String, String), Failure> {
    let marshaled = llb::marshal(state);
    let digest = marshaled.head.clone().unwrap_or_default();
    let reference = bridge.solve(marshaled.definition, false, progress).await?;
    Ok((reference, digest))
}

/// A base image as the daemon resolved it.
pub struct Resolved {
    pub config: image::ImageConfig,
    /// The manifest (or index) digest; `None` for another build's result.
    pub digest: Option<String>,
}

/// The config of an image of the plan: resolved by the daemon, or for
/// another build's result, the one the client sent with it.
async fn resolve_config(
    bridge: &mut Bridge,
    image: Option<&SourceImage>,
    request: &BuildRequest,
) -> Result<Option<Resolved>, Failure> {
    let Some(image) = image else {
        return Ok(None);
    };
    if let Some(name) = &image.input {
        let config = input_config(request, name).map_err(|e| {
            Failure::new(format!(
                "the build context {}: the image config of input {name:?}: {e}",
                image.reference
            ))
        })?;
        return Ok(config.map(|config| Resolved {
            config,
            digest: None,
        }));
    }
    let (digest, raw) = bridge
        .resolve_image_config(
            &image.reference,
            &image.platform.to_pb(),
            &request.resolve_mode,
        )
        .await?;
    let config = image::parse_base(&raw).map_err(Failure::new)?;
    Ok(Some(Resolved {
        config,
        digest: (!digest.is_empty()).then_some(digest),
    }))
}

/// The image config of another build's result, as the Dockerfile frontend
/// reads it: the `containerimage.config` entry of the input's metadata
/// (opt `input-metadata:NAME`, a JSON object of base64 values, Go's
/// `map[string][]byte`); `None` when the client sent none.
fn input_config(request: &BuildRequest, name: &str) -> Result<Option<image::ImageConfig>, String> {
    use base64::Engine;
    let Some(raw) = request.input_metadata.get(name) else {
        return Ok(None);
    };
    let metadata: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(raw).map_err(|e| format!("unreadable metadata ({e})"))?;
    let Some(config) = metadata.get("containerimage.config") else {
        return Ok(None);
    };
    let encoded = config
        .as_str()
        .ok_or("containerimage.config is not base64 text")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| format!("containerimage.config is not base64 ({e})"))?;
    image::parse_base(&bytes).map(Some)
}

#[cfg(test)]
mod tests;
