//! The context paths the spec names beyond the Go packages: every `files:`
//! source must be there (each missing one named at its line, before
//! BuildKit would fail on one of them at the spec's first line), and the
//! web UI's folder tells the plan its package manager.

use crate::gateway::{Bridge, Failure};
use crate::plan::WebFacts;
use crate::spec::{self, SpecError};

use super::SpecFile;

/// Fail, naming every `files:` source the context lacks.
pub(super) async fn check_files(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    file: &SpecFile,
) -> Result<(), Failure> {
    let mut missing = Vec::new();
    for (i, entry) in spec.files.iter().enumerate() {
        let (parent, name) = entry.src.rsplit_once('/').unwrap_or(("/", &entry.src));
        let found = bridge
            .read_dir(context_ref, parent)
            .await?
            .is_some_and(|names| names.iter().any(|n| n.path == name));
        if !found {
            missing.push(i);
        }
    }
    match spec::missing_files_error(spec, &missing) {
        Some(e) => Err(file.failure(&e)),
        None => Ok(()),
    }
}

/// What the web UI's folder holds, for the plan to pick the package
/// manager and the install step's inputs.
pub(super) async fn web_facts(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    file: &SpecFile,
) -> Result<Option<WebFacts>, Failure> {
    let Some(web) = &spec.web else {
        return Ok(None);
    };
    let dir = if web.dir.value.is_empty() {
        "/"
    } else {
        web.dir.value.as_str()
    };
    let Some(entries) = bridge.read_dir(context_ref, dir).await? else {
        return Err(file.failure(&SpecError {
            file: spec.file.clone(),
            pos: web.dir.pos,
            message: format!("web.dir: {} is not in the build context", web.dir.value),
            hint: Some("check the path, and that .dockerignore does not exclude it".into()),
        }));
    };
    let files: Vec<String> = entries.into_iter().map(|e| e.path).collect();
    let package_manager = if files.iter().any(|f| f == "package.json") {
        let path = if dir == "/" {
            "package.json".to_string()
        } else {
            format!("{dir}/package.json")
        };
        let raw = bridge.read_file(context_ref, &path, 4 << 20).await?;
        serde_json::from_slice::<serde_json::Value>(&raw)
            .ok()
            .and_then(|v| v.get("packageManager")?.as_str().map(str::to_string))
    } else {
        None
    };
    Ok(Some(WebFacts {
        files,
        package_manager,
    }))
}
