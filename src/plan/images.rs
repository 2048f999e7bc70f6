//! Which images the graph starts from: the Go builder, the runtime base and
//! the debug toolbox, after the spec's `images:` and `--build-context`.

use std::collections::BTreeMap;

use crate::imageref::{familiar_name, normalize};
use crate::platform::Platform;
use crate::spec::{Runtime, Spec};

use super::{DEBUG_TOOLBOX, Inputs, NODE_IMAGE, PlanError, SourceImage, Target, spec_error};

/// The images of one plan.
pub(super) struct Images {
    pub builder: SourceImage,
    /// `None`: scratch (also for the `binary` target).
    pub runtime: Option<SourceImage>,
    /// The `debug` target's busybox.
    pub toolbox: Option<SourceImage>,
    /// The web UI's node image (build platform).
    pub node: Option<SourceImage>,
}

/// The builder runs on the build platform; the runtime and the toolbox are
/// of the target platform.
pub(super) fn resolve(spec: &Spec, inputs: &Inputs, go_version: &str) -> Result<Images, PlanError> {
    let cgo = spec.cgo.value;
    let race = spec.test.as_ref().is_some_and(|t| t.race());
    // The alpine builder has neither gcc (cgo, -race) nor git (private
    // modules) nor Debian packages (upx); bookworm has all of them.
    let bookworm = cgo || race || spec.private.is_some() || spec.upx.value;
    let image =
        |role: &str, reference: &str, platform: &Platform| -> Result<SourceImage, PlanError> {
            // The spec's `images:` first (by role, then by name), then --build-context.
            let familiar = familiar_name(reference);
            let from_spec = spec
                .images
                .get(role)
                .or_else(|| spec.images.get(&familiar))
                .map(|r| {
                    normalize(&r.value)
                        .map_err(|e| spec_error(spec, r.pos, format!("images: {e}"), None))
                })
                .transpose()?;
            let reference = from_spec.unwrap_or_else(|| reference.to_string());
            let (reference, input) =
                match named_context(&inputs.named_contexts, role, &reference, platform)? {
                    NamedImage::Reference(reference) => (reference, None),
                    NamedImage::Input { value, name } => (value, Some(name)),
                };
            Ok(SourceImage {
                reference,
                platform: platform.clone(),
                input,
            })
        };
    let builder_ref = normalize(&builder_image(go_version, bookworm)).map_err(PlanError::Other)?;
    let builder = image("builder", &builder_ref, &inputs.build_platform)?;
    let runtime = match (inputs.target, runtime_image(&spec.runtime.value, cgo)) {
        (Target::Binary, _) | (_, None) => None,
        (_, Some(r)) => {
            let reference = normalize(&r)
                .map_err(|e| spec_error(spec, spec.runtime.pos, format!("runtime: {e}"), None))?;
            Some(image("runtime", &reference, &inputs.target_platform)?)
        }
    };
    let toolbox = match inputs.target {
        Target::Debug => Some(image(
            "debug",
            &normalize(DEBUG_TOOLBOX).map_err(PlanError::Other)?,
            &inputs.target_platform,
        )?),
        _ => None,
    };
    let node = match &spec.web {
        Some(_) => Some(image(
            "node",
            &normalize(NODE_IMAGE).map_err(PlanError::Other)?,
            &inputs.build_platform,
        )?),
        None => None,
    };
    Ok(Images {
        builder,
        runtime,
        toolbox,
        node,
    })
}

/// What a named context makes of an image of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamedImage {
    /// An image reference, normalized (the one given, when no context
    /// names it).
    Reference(String),
    /// Another build's result, handed over as the frontend input `name`
    /// (`value` is the context's value, `input:NAME`).
    Input { value: String, name: String },
}

/// The image to use for `reference` (role `role`) after `--build-context`:
/// as the Dockerfile frontend does, a context named after the image
/// (familiar name, optionally `::<platform>`) replaces it; gofront also
/// accepts its role names `builder` and `runtime`. An image can be replaced
/// by another image (`docker-image://`) or by another build's result
/// (`input:`, what bake sends for `target:`); a folder or a repository
/// cannot stand for an image.
pub fn named_context(
    contexts: &BTreeMap<String, String>,
    role: &str,
    reference: &str,
    platform: &Platform,
) -> Result<NamedImage, PlanError> {
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
        return Ok(NamedImage::Reference(reference.to_string()));
    };
    if let Some(image) = value.strip_prefix("docker-image://") {
        return normalize(image)
            .map(NamedImage::Reference)
            .map_err(|e| PlanError::Other(format!("--build-context {name}={value}: {e}")));
    }
    match value.strip_prefix("input:") {
        Some(input) if !input.is_empty() => Ok(NamedImage::Input {
            value: value.clone(),
            name: input.to_string(),
        }),
        _ => Err(PlanError::Other(format!(
            "--build-context {name}={value}: the {role} image ({familiar}) can only be replaced by another image (docker-image://REFERENCE) or another build's result (a bake `target:` context)"
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
