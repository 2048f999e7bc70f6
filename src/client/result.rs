//! What the build hands back for `Return`: one image, or one per platform
//! with its config, as BuildKit's exporters read them.

use crate::gateway::{Attestation, Failure, Refs};
use crate::image::ImageConfig;
use crate::plan::Plan;
use crate::platform::Platform;

/// The refs and metadata to return.
pub struct Outcome {
    pub refs: Refs,
    pub metadata: Vec<(String, Vec<u8>)>,
    /// Keyed by the platform IDs of `refs.platforms`.
    pub attestations: Vec<Attestation>,
}

impl Outcome {
    /// A subrequest's answer: metadata only.
    pub fn metadata(metadata: Vec<(String, Vec<u8>)>) -> Outcome {
        Outcome {
            refs: Refs::None,
            metadata,
            attestations: Vec::new(),
        }
    }

    /// Nothing to export (`--target test`): an empty result.
    pub fn empty() -> Outcome {
        Outcome {
            refs: Refs::Single(String::new()),
            metadata: Vec::new(),
            attestations: Vec::new(),
        }
    }
}

/// The per-platform results, collected as each platform is solved.
pub struct PlatformResults {
    /// An image index even for one platform.
    multi: bool,
    refs: Vec<(String, String)>,
    metadata: Vec<(String, Vec<u8>)>,
    platforms: Vec<serde_json::Value>,
    attestations: Vec<Attestation>,
}

/// The platform of `plan`'s image: its own, or the build platform's.
fn target_platform(plan: &Plan, build_platform: &Platform) -> Platform {
    plan.image
        .platform
        .clone()
        .unwrap_or_else(|| build_platform.clone())
}

/// The ID of `plan`'s image in `refs.platforms`, which keys its refs and
/// attestations.
pub fn platform_id(plan: &Plan, build_platform: &Platform) -> String {
    target_platform(plan, build_platform).id()
}

impl PlatformResults {
    pub fn new(multi: bool) -> Self {
        PlatformResults {
            multi,
            refs: Vec::new(),
            metadata: Vec::new(),
            platforms: Vec::new(),
            attestations: Vec::new(),
        }
    }

    /// Attestations of one platform's image.
    pub fn attest(&mut self, attestations: Vec<Attestation>) {
        self.attestations.extend(attestations);
    }

    /// The image of `plan`'s platform: its ref and config.
    pub fn add(
        &mut self,
        plan: &Plan,
        build_platform: &Platform,
        reference: String,
        config: &ImageConfig,
    ) -> Result<(), Failure> {
        let config =
            serde_json::to_vec(config).map_err(|e| Failure::new(format!("image config: {e}")))?;
        let target = target_platform(plan, build_platform);
        let id = target.id();
        let suffix = if self.multi {
            format!("/{id}")
        } else {
            String::new()
        };
        self.metadata
            .push((format!("containerimage.config{suffix}"), config));
        if let Some(epoch) = plan.final_stage.timestamp {
            self.metadata.push((
                format!("source.date.epoch{suffix}"),
                epoch.to_string().into_bytes(),
            ));
        }
        self.platforms
            .push(serde_json::json!({"ID": id, "Platform": target}));
        self.refs.push((id, reference));
        Ok(())
    }

    pub fn finish(mut self) -> Outcome {
        // The platform table; exptypes.Platforms has no json tags, hence
        // the capitalized keys.
        self.metadata.push((
            "refs.platforms".to_string(),
            serde_json::to_vec(&serde_json::json!({ "Platforms": self.platforms }))
                .expect("json serializes"),
        ));
        let refs = if self.multi {
            Refs::PerPlatform(self.refs)
        } else {
            Refs::Single(self.refs.remove(0).1)
        };
        Outcome {
            refs,
            metadata: self.metadata,
            attestations: self.attestations,
        }
    }
}
