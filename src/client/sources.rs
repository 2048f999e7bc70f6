//! Where the spec and the build context come from, and reading the spec.

use crate::convert;
use crate::gateway::{Bridge, Failure};
use crate::llb::{self, ForeignDefinition, LocalOptions};
use crate::request::{BuildRequest, CONTEXT_LOCAL, ContextSource, SPEC_LOCAL};
use crate::sourcemap::SpecSource;
use crate::spec;

use super::{SpecFile, solve_local, solve_state};

/// Read the spec. As BuildKit's Dockerfile frontend decides
/// (`dockerui.initContext`): a git or http(s) URL in the `context` opt is
/// fetched by BuildKit and holds the spec too; otherwise frontend inputs
/// named `context` and `dockerfile` (cap `frontend.inputs`) win over the
/// client's locals, and an input context becomes the request's context.
/// `dockerfilekey` forces the spec from that local in every case.
pub(super) async fn read_spec(
    bridge: &mut Bridge,
    request: &mut BuildRequest,
) -> Result<SpecFile, Failure> {
    let spec_state = match &request.context {
        ContextSource::Local if request.daemon.inputs => {
            let (spec, context) = from_inputs(bridge, request.spec_local_forced).await?;
            if let Some(context) = context {
                request.context = context;
            }
            spec
        }
        ContextSource::Local => None,
        fetched => (!request.spec_local_forced)
            .then(|| convert::context_source(fetched, &[], "", &request.build_platform)),
    };
    let filename = &request.filename;
    let progress = format!("[gofront] load spec {filename}");
    let (spec_ref, digest) = match &spec_state {
        Some(state) => solve_state(bridge, state, &progress).await?,
        None => {
            solve_local(
                bridge,
                &request.spec_local,
                LocalOptions {
                    session_id: request.session_id.clone(),
                    shared_key_hint: request.spec_local.clone(),
                    follow_paths: vec![filename.clone()],
                    ..Default::default()
                },
                &request.build_platform,
                &progress,
            )
            .await?
        }
    };
    let bytes = bridge
        .read_file(&spec_ref, filename, spec::MAX_SPEC_BYTES + 1)
        .await
        .map_err(|f| explain_stdin_context(&request.context, f))?;
    let name = filename.rsplit('/').next().unwrap_or(filename).to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(format!("{name}: the spec is not UTF-8 text")))?;
    Ok(SpecFile {
        source: SpecSource::new(name, text),
        digest,
    })
}

/// The frontend inputs `dockerfile` and `context`, as states.
async fn from_inputs(
    bridge: &mut Bridge,
    spec_local_forced: bool,
) -> Result<(Option<llb::State>, Option<ContextSource>), Failure> {
    let inputs = bridge.inputs().await?;
    let parse = |name: &str| -> Result<Option<ForeignDefinition>, Failure> {
        inputs
            .get(name)
            .map(|def| {
                ForeignDefinition::parse(def)
                    .map_err(|e| Failure::new(format!("the client's frontend input {name:?}: {e}")))
            })
            .transpose()
    };
    let spec = match parse(SPEC_LOCAL)? {
        Some(def) if !spec_local_forced => Some(llb::State::from_foreign(&def)),
        _ => None,
    };
    let context = parse(CONTEXT_LOCAL)?.map(|definition| ContextSource::Input {
        name: CONTEXT_LOCAL.to_string(),
        definition,
    });
    Ok((spec, context))
}

/// Docker 20.10 serves a context from stdin (`http://build-context-…`)
/// for one read, which its Dockerfile frontend spends on the `# syntax`
/// line: say so rather than "context not found".
fn explain_stdin_context(context: &ContextSource, failure: Failure) -> Failure {
    match context {
        ContextSource::Tarball { url }
            if url.starts_with("http://build-context-")
                && failure.message.contains("context not found") =>
        {
            Failure {
                message: format!(
                    "{} (Docker 20.10 sends a context on stdin only once, to its own Dockerfile frontend, so a frontend image cannot read it; hint: build the directory, `docker build -f gofront.yaml DIR`, or use `docker buildx build`)",
                    failure.message
                ),
                details: failure.details,
            }
        }
        _ => failure,
    }
}
