//! The Go steps' environment, the module files the dependency step sees,
//! and the dependency step itself with the credentials of private modules.

use std::collections::BTreeMap;

use crate::golang::GO_SETTING_ARGS;
use crate::spec::{Spec, values};

use super::{GOCACHE, GOMODCACHE, Inputs, PlanError, SRC, SSH_AGENT_SOCK, SecretMount, Step};

/// The environment of every Go step: caches at fixed places, and the Go
/// settings (build args win over the spec). Compile steps add the target
/// platform's.
pub(super) fn go_env(spec: &Spec, inputs: &Inputs) -> BTreeMap<String, String> {
    let mut go_env = BTreeMap::new();
    go_env.insert("GOMODCACHE".to_string(), GOMODCACHE.to_string());
    go_env.insert("GOCACHE".to_string(), GOCACHE.to_string());
    // Never let the go command download a different toolchain mid-build.
    go_env.insert("GOTOOLCHAIN".to_string(), "local".to_string());
    for (key, value) in &spec.go_settings {
        go_env.insert(key.clone(), value.value.clone());
    }
    for key in GO_SETTING_ARGS {
        if let Some(v) = inputs.build_args.get(*key).filter(|v| !v.is_empty()) {
            go_env.insert((*key).to_string(), v.clone());
        }
    }
    if !spec.goexperiment.is_empty() {
        go_env.insert(
            "GOEXPERIMENT".to_string(),
            values(&spec.goexperiment).join(","),
        );
    }
    go_env
}

/// The module's folder in the context and the files of the module(s).
pub(super) struct Modules {
    /// Relative to the context root (`.` or `services/api`).
    pub dir: String,
    /// Where the Go steps run: the module's folder in the mounted context.
    pub cwd: String,
    /// Context paths the dependency step sees (go.mod, go.sum, go.work …).
    pub files: Vec<String>,
}

pub(super) fn modules(spec: &Spec, inputs: &Inputs) -> Result<Modules, PlanError> {
    let module_dir = spec.dir.value.trim_start_matches("./").to_string();
    let cwd = module_path(&module_dir);
    // The files the dependency step sees: the module's go.mod/go.sum, and in
    // a workspace go.work and every used module's (named one by one:
    // BuildKit v0.8's include patterns do not match `**`).
    let mut module_files = Vec::new();
    let mut module_dirs = vec![module_dir.clone()];
    if let Some(work) = &inputs.gowork {
        module_files.extend(["go.work".to_string(), "go.work.sum".to_string()]);
        for dir in &work.uses {
            let dir = crate::spec::normalize_package(dir)
                .map_err(|why| PlanError::Other(format!("go.work: use {dir}: {why}")))?;
            module_dirs.push(dir.trim_start_matches("./").to_string());
        }
    }
    for dir in module_dirs {
        let prefix = if dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        for name in ["go.mod", "go.sum"] {
            let path = format!("{prefix}{name}");
            if !module_files.contains(&path) {
                module_files.push(path);
            }
        }
    }
    Ok(Modules {
        dir: module_dir,
        cwd,
        files: module_files,
    })
}

/// `go mod download`, keyed on the module files only.
pub(super) fn download_step(spec: &Spec, go_env: &BTreeMap<String, String>, cwd: &str) -> Step {
    // Dependencies: credentials for private modules go to this step only.
    let mut download = Step::new(
        "[gofront] go mod download".into(),
        vec!["go".into(), "mod".into(), "download".into()],
        go_env.clone(),
        cwd,
    );
    download.pos = spec.go.as_ref().map(|g| g.pos);
    if let Some(private) = &spec.private {
        download.pos = Some(private.pos);
        if private.netrc {
            download.secrets.push(SecretMount {
                id: "netrc".into(),
                target: "/root/.netrc".into(),
            });
        }
        if private.ssh {
            download.ssh = true;
            download
                .env
                .insert("SSH_AUTH_SOCK".into(), SSH_AGENT_SOCK.into());
            // git fetches the private hosts over ssh; configured through
            // git's environment, so nothing is written into a layer.
            let goprivate = go_env.get("GOPRIVATE").cloned().unwrap_or_default();
            let hosts = private_hosts(&goprivate);
            // Both schemes: the go-import tag of a plain-http server says http://.
            let rewrites: Vec<(String, String)> = hosts
                .iter()
                .flat_map(|host| {
                    ["https", "http"].map(|scheme| {
                        (
                            format!("url.ssh://git@{host}/.insteadOf"),
                            format!("{scheme}://{host}/"),
                        )
                    })
                })
                .collect();
            download
                .env
                .insert("GIT_CONFIG_COUNT".into(), rewrites.len().to_string());
            for (i, (key, value)) in rewrites.into_iter().enumerate() {
                download.env.insert(format!("GIT_CONFIG_KEY_{i}"), key);
                download.env.insert(format!("GIT_CONFIG_VALUE_{i}"), value);
            }
            if private.known_hosts.is_empty() {
                // Setting GIT_SSH_COMMAND stops the go command from adding
                // its own options, so they are repeated here.
                download.env.insert(
                    "GIT_SSH_COMMAND".into(),
                    "ssh -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ControlMaster=no"
                        .into(),
                );
            } else {
                download.known_hosts = Some(
                    private
                        .known_hosts
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect(),
                );
            }
        }
    }
    download
}

/// Where the build context is mounted in the Go steps, plus the module dir.
fn module_path(dir: &str) -> String {
    match dir {
        "." => SRC.to_string(),
        d => format!("{SRC}/{d}"),
    }
}

/// Hosts named by GOPRIVATE patterns that are plain host names (no wildcard):
/// their https:// git URLs are rewritten to ssh:// when `private.ssh` is on.
fn private_hosts(goprivate: &str) -> Vec<String> {
    let mut hosts: Vec<String> = goprivate
        .split(',')
        .filter_map(|p| p.trim().split('/').next())
        .filter(|h| !h.is_empty() && !h.contains(['*', '?', '[']))
        .map(str::to_string)
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}
