//! A platform as BuildKit and containerd spell it (`linux/arm/v7`): what a
//! build runs on and what it targets. Its own module because the spec, the
//! plan, the LLB builder and the image config all speak of platforms, and
//! none of them should import another for it.

use bollard_buildkit_proto::pb;

/// A target or build platform, as BuildKit spells it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: &str) -> Self {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.to_string(),
        }
    }

    /// Parse a platform as `docker build --platform` takes it and normalize it
    /// the way containerd does (`arm64/v8` → `arm64`, `arm` → `arm/v7`).
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let bad =
            || format!("\"{s}\" is not a platform (expected os/arch[/variant], e.g. linux/arm64)");
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        let os = parts[0].to_ascii_lowercase();
        let mut arch = parts[1].to_ascii_lowercase();
        let mut variant = parts
            .get(2)
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_default();
        match arch.as_str() {
            "x86_64" | "x86-64" => arch = "amd64".into(),
            "aarch64" => arch = "arm64".into(),
            "i386" | "i686" => arch = "386".into(),
            "armhf" => {
                arch = "arm".into();
                variant = "v7".into();
            }
            _ => {}
        }
        if arch == "arm64" && variant == "v8" {
            variant.clear();
        }
        if arch == "arm" && variant.is_empty() {
            variant = "v7".into();
        }
        if arch == "amd64" && variant == "v1" {
            variant.clear();
        }
        let ok = |v: &str| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok(&os) || !ok(&arch) || !ok(&variant) {
            return Err(bad());
        }
        Ok(Platform {
            os,
            architecture: arch,
            variant,
        })
    }

    /// The ID BuildKit's exporters use for this platform (`linux/arm/v7`).
    pub fn id(&self) -> String {
        self.to_string()
    }

    pub fn to_pb(&self) -> pb::Platform {
        pb::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            ..Default::default()
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}
