//! `gofront render`: the plan and the LLB a spec compiles to, offline.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use bollard_buildkit_proto::pb;

use super::{UsageError, read_spec, spec_folder};
use crate::convert;
use crate::gomod::{self, GoMod};
use crate::llb::Platform;
use crate::plan::{self, GoWork, Inputs, Plan};
use crate::spec::Spec;

/// What `gofront render` is asked to do.
struct RenderArgs {
    spec_path: PathBuf,
    /// `--context` (default: the spec's folder).
    context: Option<PathBuf>,
    /// `--platform` (default: linux/amd64, which is also the build platform).
    target_platform: Platform,
    /// `--build-arg KEY=VALUE`, the last value of a key winning.
    build_args: BTreeMap<String, String>,
}

fn parse_args(args: &[String]) -> Result<RenderArgs, UsageError> {
    use lexopt::prelude::*;
    let mut spec_path = None;
    let mut context = None;
    let mut target_platform = Platform::new("linux", "amd64", "");
    let mut build_args = BTreeMap::new();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("context") => context = Some(PathBuf::from(parser.value()?)),
            Long("platform") => {
                let value = parser.value()?.string()?;
                target_platform = Platform::parse(&value).map_err(UsageError::value)?;
            }
            Long("build-arg") => {
                let value = parser.value()?.string()?;
                let (key, value) = value
                    .split_once('=')
                    .ok_or_else(|| UsageError::value("--build-arg takes KEY=VALUE"))?;
                build_args.insert(key.to_string(), value.to_string());
            }
            Value(path) if spec_path.is_none() => spec_path = Some(PathBuf::from(path)),
            Value(_) => return Err(UsageError::shape("one spec at a time")),
            other => return Err(other.unexpected().into()),
        }
    }
    let spec_path = spec_path.ok_or_else(|| UsageError::shape("which spec?"))?;
    Ok(RenderArgs {
        spec_path,
        context,
        target_platform,
        build_args,
    })
}

pub(super) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let request = match parse_args(args) {
        Ok(r) => r,
        Err(usage) => return usage.report("render", err),
    };
    match render(&request) {
        Ok(text) => {
            // Ignore a closed pipe (`gofront render … | head`).
            let _ = writeln!(out, "{text}");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            1
        }
    }
}

fn render(request: &RenderArgs) -> Result<String, String> {
    let (spec, _) = read_spec(&request.spec_path)?;
    let context = match &request.context {
        Some(dir) => dir.clone(),
        None => spec_folder(&request.spec_path),
    };
    let files = read_context(&context, &spec)?;
    let rendered = compile(&spec, request, files)?;
    let plan_json = serde_json::to_string_pretty(&rendered.plan).map_err(|e| e.to_string())?;
    Ok(format!(
        "{plan_json}\n\n{}",
        convert::dump(&rendered.definition)
    ))
}

/// The files of the build context the plan depends on, which a build gets
/// from the client.
struct ContextFiles {
    gomod: GoMod,
    /// A `go.work` at the context root.
    gowork: Option<GoWork>,
    /// The `.dockerignore` patterns.
    excludes: Vec<String>,
}

fn read_context(context: &Path, spec: &Spec) -> Result<ContextFiles, String> {
    let gomod_path = context
        .join(spec.dir.value.trim_start_matches("./"))
        .join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod_path)
        .map_err(|e| format!("{}: {e}", gomod_path.display()))?;
    let gowork = match std::fs::read_to_string(context.join("go.work")) {
        Ok(text) => Some(gomod::parse_work(&text)?),
        Err(_) => None,
    };
    let excludes = std::fs::read_to_string(context.join(".dockerignore"))
        .map(|t| plan::parse_dockerignore(&t))
        .unwrap_or_default();
    Ok(ContextFiles {
        gomod: gomod::parse(&gomod_text)?,
        gowork,
        excludes,
    })
}

/// What a build of the spec would make: the plan and its LLB.
struct Rendered {
    plan: Plan,
    definition: pb::Definition,
}

/// The one place render calls into the pipeline (the plan's inputs, the
/// plan, the LLB), so that a change of those signatures is made here only.
fn compile(spec: &Spec, request: &RenderArgs, files: ContextFiles) -> Result<Rendered, String> {
    let inputs = Inputs {
        build_args: request.build_args.clone(),
        build_platform: Platform::new("linux", "amd64", ""),
        target_platform: request.target_platform.clone(),
        resolve_mode: "default".into(),
        excludes: files.excludes,
        gomod: files.gomod,
        gowork: files.gowork,
        ..Default::default()
    };
    let plan = plan::build(spec, &inputs).map_err(|e| e.to_string())?;
    // The builder's env is unknown offline; the golang images' PATH stands in.
    let env = vec!["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    let definition = convert::to_llb(&plan, &env, None).definition;
    Ok(Rendered { plan, definition })
}

#[cfg(test)]
mod tests {
    use crate::cli::test_support::*;

    const API: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/api/gofront.yaml");

    #[test]
    fn options_go_before_or_after_the_spec_with_a_space_or_an_equals_sign() {
        let (code, after, err) = cli(&["render", API, "--build-arg", "VERSION=1.2.3"]);
        assert_eq!(code, 0, "{err}");
        assert!(after.contains("1.2.3"), "{after}");
        assert_eq!(
            cli(&["render", "--build-arg=VERSION=1.2.3", API]),
            (0, after, String::new())
        );
    }
}
