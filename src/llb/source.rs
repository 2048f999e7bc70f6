//! Source operations: container images and client-side local directories.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::{Node, OpKind, OpOptions, Platform, State};

/// An image source for `platform`. `reference` must already be normalized
/// (`docker.io/library/golang:1.26-alpine`); `resolve_mode` is BuildKit's
/// `image.resolvemode` (`default`, `pull`, `local`), omitted when `default`.
pub fn image(
    reference: &str,
    platform: &Platform,
    resolve_mode: &str,
    options: OpOptions,
) -> State {
    let mut attrs = BTreeMap::new();
    let mut caps = vec!["source.image"];
    if !resolve_mode.is_empty() && resolve_mode != "default" {
        attrs.insert("image.resolvemode".to_string(), resolve_mode.to_string());
        caps.push("source.image.resolvemode");
    }
    source(
        format!("docker-image://{reference}"),
        attrs,
        platform,
        caps,
        options,
    )
}

fn source(
    identifier: String,
    attrs: BTreeMap<String, String>,
    platform: &Platform,
    caps: Vec<&'static str>,
    options: OpOptions,
) -> State {
    State::from_node(
        Node {
            kind: OpKind::Source(pb::SourceOp { identifier, attrs }),
            inputs: Vec::new(),
            platform: Some(platform.clone()),
            caps,
            options,
        },
        0,
    )
}

/// What to transfer from a client-side local directory.
#[derive(Clone, Debug, Default)]
pub struct LocalOptions {
    pub session_id: String,
    /// Lets BuildKit reuse the transfer cache of another local with the
    /// same hint, so two views of the context share one incremental copy.
    pub shared_key_hint: String,
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub follow_paths: Vec<String>,
}

/// A `local://<name>` source: the build context or the spec's directory,
/// streamed from the client session.
pub fn local(name: &str, local: &LocalOptions, platform: &Platform, options: OpOptions) -> State {
    let mut attrs = BTreeMap::new();
    let mut caps = vec!["source.local"];
    let json = |v: &Vec<String>| serde_json::to_string(v).expect("a list of strings serializes");
    if !local.session_id.is_empty() {
        attrs.insert("local.session".to_string(), local.session_id.clone());
        caps.push("source.local.sessionid");
    }
    if !local.shared_key_hint.is_empty() {
        attrs.insert(
            "local.sharedkeyhint".to_string(),
            local.shared_key_hint.clone(),
        );
        caps.push("source.local.sharedkeyhint");
    }
    if !local.include_patterns.is_empty() {
        attrs.insert(
            "local.includepattern".to_string(),
            json(&local.include_patterns),
        );
        caps.push("source.local.includepatterns");
    }
    if !local.exclude_patterns.is_empty() {
        attrs.insert(
            "local.excludepatterns".to_string(),
            json(&local.exclude_patterns),
        );
        caps.push("source.local.excludepatterns");
    }
    if !local.follow_paths.is_empty() {
        attrs.insert("local.followpaths".to_string(), json(&local.follow_paths));
        caps.push("source.local.followpaths");
    }
    source(format!("local://{name}"), attrs, platform, caps, options)
}
