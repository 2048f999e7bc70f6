//! The few context files the plan depends on (`.dockerignore`, `go.mod`,
//! `go.work`), and the context itself for the main-package check.

use crate::convert;
use crate::gateway::{Bridge, Failure};
use crate::golang::{self, GoMod, GoWork, context_dir};
use crate::llb::{self, LocalOptions};
use crate::request::{BuildRequest, CONTEXT_LOCAL, ContextSource};
use crate::spec::{Spec, SpecError};

use super::{SpecFile, dockerignore, solve_local, solve_state};

/// What the build learnt from the context before any Go file: enough for
/// lint, which must answer even where there is no module.
pub struct ContextFiles {
    /// `.dockerignore` patterns (a client's directory only).
    pub excludes: Vec<String>,
    pub has_dockerignore: bool,
    /// The module's `go.mod`, for lint (`None`: not there; the module
    /// read reports that).
    pub gomod_text: Option<String>,
    /// The names at the context's root.
    names: Vec<String>,
    /// Where `go.mod` and `go.work` are read from.
    meta_ref: String,
    /// The whole context, when BuildKit fetched it.
    fetched_ref: Option<String>,
}

/// The Go module in the context.
pub struct ModuleFiles {
    pub gomod: GoMod,
    pub gowork: Option<GoWork>,
    /// The whole context, solved: the main packages are read from it.
    pub context_ref: String,
}

/// From a local context, a tiny transfer of just those files; a fetched
/// context is fetched whole once, and read in place.
pub(super) async fn read(
    bridge: &mut Bridge,
    request: &BuildRequest,
    spec: &Spec,
) -> Result<ContextFiles, Failure> {
    let gomod_path = context_dir(&spec.dir.value, "./go.mod");
    let platform = &request.build_platform;
    let fetched_ref = match &request.context {
        ContextSource::Local => None,
        other => {
            let state = convert::context_source(other, &[], &request.session_id, platform);
            Some(
                solve_state(bridge, &state, "[gofront] load build context")
                    .await?
                    .0,
            )
        }
    };
    let meta_ref = match &fetched_ref {
        Some(reference) => reference.clone(),
        None => {
            solve_local(
                bridge,
                CONTEXT_LOCAL,
                LocalOptions {
                    session_id: request.session_id.clone(),
                    shared_key_hint: format!("{CONTEXT_LOCAL}-meta"),
                    include_patterns: vec![
                        ".dockerignore".into(),
                        "go.work".into(),
                        gomod_path.clone(),
                    ],
                    ..Default::default()
                },
                platform,
                "[gofront] load .dockerignore, go.mod and go.work",
            )
            .await?
            .0
        }
    };
    let names: Vec<String> = bridge
        .read_dir(&meta_ref, "/")
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.path)
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    // As in the Dockerfile frontend, `.dockerignore` filters what a client
    // sends; a fetched context is used as it is.
    let has_dockerignore = has(".dockerignore");
    let excludes = if fetched_ref.is_none() && has_dockerignore {
        let raw = bridge
            .read_file(&meta_ref, ".dockerignore", 16 << 20)
            .await?;
        dockerignore::parse(&String::from_utf8_lossy(&raw))
    } else {
        Vec::new()
    };
    let gomod_text = bridge
        .read_file(&meta_ref, &gomod_path, 1 << 20)
        .await
        .ok()
        .map(|raw| String::from_utf8_lossy(&raw).into_owned());
    Ok(ContextFiles {
        excludes,
        has_dockerignore,
        gomod_text,
        names,
        meta_ref,
        fetched_ref,
    })
}

/// `go.mod` (in the spec's `dir`), `go.work`, and the whole context.
pub(super) async fn read_module(
    bridge: &mut Bridge,
    request: &BuildRequest,
    spec: &Spec,
    file: &SpecFile,
    context: &ContextFiles,
) -> Result<ModuleFiles, Failure> {
    let module_dir = context_dir(&spec.dir.value, ".");
    let gomod_path = context_dir(&spec.dir.value, "./go.mod");
    let meta_ref = &context.meta_ref;
    let has = |name: &str| context.names.iter().any(|n| n == name);
    let has_gomod = if module_dir.is_empty() {
        has("go.mod")
    } else {
        bridge
            .read_dir(meta_ref, &module_dir)
            .await?
            .is_some_and(|entries| entries.iter().any(|e| e.path == "go.mod"))
    };
    if !has_gomod {
        if module_dir.is_empty() {
            return Err(Failure::new(
                "there is no go.mod at the root of the build context (hint: pass the module's directory as the context, e.g. `docker build -f svc/gofront.yaml svc`, set `dir:` to the module's folder, or run `go mod init`)",
            ));
        }
        return Err(file.failure(&SpecError {
            file: spec.file.clone(),
            pos: spec.dir.pos,
            message: format!("dir: there is no go.mod in {}", spec.dir.value),
            hint: Some("`dir` names the folder of a Go module inside the build context".into()),
        }));
    }
    let raw = bridge.read_file(meta_ref, &gomod_path, 1 << 20).await?;
    let gomod = golang::parse(&String::from_utf8_lossy(&raw)).map_err(Failure::new)?;
    let gowork = if has("go.work") {
        let raw = bridge.read_file(meta_ref, "go.work", 1 << 20).await?;
        Some(golang::parse_work(&String::from_utf8_lossy(&raw)).map_err(Failure::new)?)
    } else {
        None
    };

    let context_ref = match &context.fetched_ref {
        Some(reference) => reference.clone(),
        None => {
            let context = convert::context_source(
                &ContextSource::Local,
                &context.excludes,
                &request.session_id,
                &request.build_platform,
            );
            bridge
                .solve(
                    llb::marshal(&context).definition,
                    false,
                    "load build context",
                )
                .await?
        }
    };
    Ok(ModuleFiles {
        gomod,
        gowork,
        context_ref,
    })
}
