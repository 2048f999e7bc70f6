//! The OCI/Docker image config returned with the result.
//!
//! The types model Docker's image config (OCI plus Docker's extensions such as
//! `Healthcheck`), and keep any field they do not know in `extra`, so nothing
//! a base image sets is lost when gofront re-emits its config. (`oci-spec`'s
//! types drop Docker's extensions, which is why they are not used here.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::platform::Platform;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ImageConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    #[serde(default)]
    pub config: ContainerConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub env: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub entrypoint: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub cmd: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

impl Default for RootFs {
    fn default() -> Self {
        RootFs {
            kind: "layers".into(),
            diff_ids: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What gofront sets on top of the base image's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImageSettings {
    pub platform: Option<Platform>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub user: String,
    pub env: BTreeMap<String, String>,
    pub exposed_ports: Vec<String>,
    /// `dirs` declared volumes (VOLUME).
    pub volumes: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub working_dir: Option<String>,
    /// `SIGTERM`, `SIGINT` … or a number.
    pub stop_signal: Option<String>,
    pub healthcheck: Option<crate::spec::Healthcheck>,
    /// History entries for what gofront adds, in order.
    pub history: Vec<History>,
    /// RFC 3339 time for `created` and the new history entries
    /// (from `SOURCE_DATE_EPOCH`); `None` leaves them to the exporter.
    pub created: Option<String>,
}

/// Parse a base image config as returned by `ResolveImageConfig`.
pub fn parse_base(bytes: &[u8]) -> Result<ImageConfig, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("cannot read the base image config: {e}"))
}

/// The final config: the base's (or an empty one for scratch) with gofront's
/// settings applied the way a Dockerfile would apply its instructions.
pub fn finalize(base: Option<ImageConfig>, settings: &ImageSettings) -> ImageConfig {
    let mut img = base.unwrap_or_else(|| ImageConfig {
        config: ContainerConfig {
            env: vec![format!("PATH={DEFAULT_PATH}")],
            working_dir: "/".into(),
            ..Default::default()
        },
        ..Default::default()
    });
    // The exporter computes these; a stale value must not leak through.
    img.created = settings.created.clone();
    img.rootfs = RootFs::default();
    // Build triggers run in a child build; gofront has none (as dockerfile2llb does).
    img.config.extra.remove("OnBuild");
    if let Some(p) = &settings.platform {
        img.os = p.os.clone();
        img.architecture = p.architecture.clone();
        img.variant = p.variant.clone();
    }
    let c = &mut img.config;
    c.entrypoint = settings.entrypoint.clone();
    // A new entrypoint resets an inherited Cmd, as ENTRYPOINT does.
    c.cmd = settings.cmd.clone();
    c.user = settings.user.clone();
    if let Some(w) = &settings.working_dir {
        c.working_dir = w.clone();
    }
    if c.working_dir.is_empty() {
        c.working_dir = "/".into();
    }
    if let Some(signal) = &settings.stop_signal {
        c.extra
            .insert("StopSignal".into(), Value::String(signal.clone()));
    }
    if let Some(h) = &settings.healthcheck {
        // Docker's HealthConfig: exec form, durations in nanoseconds.
        let mut test = vec![Value::String("CMD".into())];
        test.extend(h.cmd.iter().cloned().map(Value::String));
        let mut health = serde_json::Map::new();
        health.insert("Test".into(), Value::Array(test));
        for (key, value) in [
            ("Interval", h.interval),
            ("Timeout", h.timeout),
            ("StartPeriod", h.start_period),
        ] {
            if let Some(ns) = value {
                health.insert(key.into(), Value::from(ns));
            }
        }
        if let Some(r) = h.retries {
            health.insert("Retries".into(), Value::from(r));
        }
        c.extra.insert("Healthcheck".into(), Value::Object(health));
    }
    for (k, v) in &settings.env {
        let entry = format!("{k}={v}");
        match c
            .env
            .iter_mut()
            .find(|e| e.split('=').next() == Some(k.as_str()))
        {
            Some(existing) => *existing = entry,
            None => c.env.push(entry),
        }
    }
    if !c.env.iter().any(|e| e.starts_with("PATH=")) {
        c.env.insert(0, format!("PATH={DEFAULT_PATH}"));
    }
    for p in &settings.exposed_ports {
        c.exposed_ports
            .insert(p.clone(), Value::Object(Default::default()));
    }
    if !settings.volumes.is_empty() {
        // Docker's `Volumes`: a set, as a map to empty objects.
        let volumes = c
            .extra
            .entry("Volumes".into())
            .or_insert_with(|| Value::Object(Default::default()));
        if !volumes.is_object() {
            *volumes = Value::Object(Default::default());
        }
        if let Value::Object(set) = volumes {
            for v in &settings.volumes {
                set.insert(v.clone(), Value::Object(Default::default()));
            }
        }
    }
    for (k, v) in &settings.labels {
        c.labels.insert(k.clone(), v.clone());
    }
    for h in &settings.history {
        let mut h = h.clone();
        h.created = settings.created.clone();
        img.history.push(h);
    }
    img
}

/// RFC 3339 UTC for a unix time (`SOURCE_DATE_EPOCH`, never negative here).
pub fn rfc3339(unix: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn base_fields_survive_and_settings_apply() {
        let base = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/x","A=1"],"Cmd":["/bin/sh"],"Healthcheck":{"Test":["NONE"]},"OnBuild":["RUN x"],"Labels":null},"rootfs":{"type":"layers","diff_ids":["sha256:a"]},"history":[{"created_by":"base"}]}"#;
        let settings = ImageSettings {
            entrypoint: vec!["/app".into()],
            user: "65532:65532".into(),
            env: [
                ("A".to_string(), "2".to_string()),
                ("B".to_string(), "3".to_string()),
            ]
            .into(),
            exposed_ports: vec!["8080/tcp".into()],
            labels: [("l".to_string(), "v".to_string())].into(),
            history: vec![History {
                created_by: "gofront".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let img = finalize(Some(parse_base(base).unwrap()), &settings);
        let json = serde_json::to_value(&img).unwrap();
        assert_eq!(
            json["config"]["Env"],
            serde_json::json!(["PATH=/x", "A=2", "B=3"])
        );
        assert!(json["config"].get("Cmd").is_none(), "base Cmd is reset");
        assert_eq!(json["config"]["Healthcheck"]["Test"][0], "NONE");
        assert!(json["config"].get("OnBuild").is_none());
        assert_eq!(
            json["config"]["ExposedPorts"]["8080/tcp"],
            serde_json::json!({})
        );
        assert_eq!(json["rootfs"]["diff_ids"], serde_json::json!([]));
        assert_eq!(json["history"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn scratch_gets_default_path_and_workdir() {
        let img = finalize(None, &ImageSettings::default());
        assert_eq!(img.config.env, vec![format!("PATH={DEFAULT_PATH}")]);
        assert_eq!(img.config.working_dir, "/");
    }
}
