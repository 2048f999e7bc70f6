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

/// A git repository as BuildKit's git source fetches it.
#[derive(Clone, Debug, Default)]
pub struct GitSource {
    /// The URL git fetches (`https://host/org/repo.git`, `git@host:repo`).
    pub remote: String,
    /// Host and path (`host/org/repo.git`): with the reference, the source's
    /// identity, so https and ssh URLs of one repository share a cache key.
    pub host_path: String,
    /// Branch, tag, full ref or commit; empty for the remote's HEAD.
    pub reference: String,
    pub checksum: String,
    pub keep_git_dir: bool,
    pub skip_submodules: bool,
    /// Fetch over ssh with the client's forwarded agent (`--ssh default`).
    pub ssh: bool,
}

/// Secrets BuildKit's git source reads for https credentials when the
/// client sends them (`--secret id=GIT_AUTH_TOKEN`), as Go's `llb.Git` names
/// them by default.
const GIT_AUTH_TOKEN: &str = "GIT_AUTH_TOKEN";
const GIT_AUTH_HEADER: &str = "GIT_AUTH_HEADER";

/// A `git://` source. Subfolders are left to the caller (a copy), because
/// BuildKit before v0.9 refuses `#ref:subdir`.
pub fn git(repo: &GitSource, platform: &Platform, options: OpOptions) -> State {
    let mut attrs = BTreeMap::new();
    let mut caps = vec!["source.git"];
    let mut id = format!("git://{}", repo.host_path);
    if !repo.reference.is_empty() {
        id.push('#');
        id.push_str(&repo.reference);
    }
    if repo.keep_git_dir {
        attrs.insert("git.keepgitdir".to_string(), "true".to_string());
        caps.push("source.git.keepgitdir");
    }
    attrs.insert("git.fullurl".to_string(), repo.remote.clone());
    caps.push("source.git.fullurl");
    attrs.insert(
        "git.authtokensecret".to_string(),
        GIT_AUTH_TOKEN.to_string(),
    );
    attrs.insert(
        "git.authheadersecret".to_string(),
        GIT_AUTH_HEADER.to_string(),
    );
    if repo.ssh {
        attrs.insert("git.mountsshsock".to_string(), "default".to_string());
        caps.push("source.git.mountsshsock");
    }
    if !repo.checksum.is_empty() {
        attrs.insert("git.checksum".to_string(), repo.checksum.clone());
        caps.push("source.git.checksum");
    }
    if repo.skip_submodules {
        attrs.insert("git.skipsubmodules".to_string(), "true".to_string());
        caps.push("source.git.skipsubmodules");
    }
    source(id, attrs, platform, caps, options)
}

/// An http(s) source: the file at `url`, saved as `filename`.
pub fn http(url: &str, filename: &str, platform: &Platform, options: OpOptions) -> State {
    let mut attrs = BTreeMap::new();
    attrs.insert("http.filename".to_string(), filename.to_string());
    source(
        url.to_string(),
        attrs,
        platform,
        vec!["source.http"],
        options,
    )
}
