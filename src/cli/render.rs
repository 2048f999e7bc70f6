//! `gofront render`: the plan and the LLB a spec compiles to, offline.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use bollard_buildkit_proto::pb;
use prost::Message;
use serde_json::{Value, json};

use super::{UsageError, op_json, read_spec, spec_folder};
use crate::client::dockerignore;
use crate::convert;
use crate::gateway::{Caps, Opts};
use crate::golang::{self as gomod, GoMod, GoWork};
use crate::plan::{self, Plan};
use crate::platform::Platform;
use crate::request::{BuildRequest, keys};
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
    format: Format,
}

/// How `gofront render` writes what it made (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// For a person: the plan as JSON, then each op as Rust's debug text.
    Text,
    /// For tools (jq): one JSON document, the plan and the ops.
    Json,
    /// The marshaled `pb.Definition`, as `buildctl debug dump-llb` reads
    /// it on stdin.
    Llb,
}

impl Format {
    fn parse(name: &str) -> Result<Format, UsageError> {
        match name {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "llb" => Ok(Format::Llb),
            other => Err(UsageError::value(format!(
                "--format {other}: expected text, json or llb"
            ))),
        }
    }
}

fn parse_args(args: &[String]) -> Result<RenderArgs, UsageError> {
    use lexopt::prelude::*;
    let mut spec_path = None;
    let mut context = None;
    let mut target_platform = Platform::new("linux", "amd64", "");
    let mut build_args = BTreeMap::new();
    let mut format = Format::Text;
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
            Long("format") => format = Format::parse(&parser.value()?.string()?)?,
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
        format,
    })
}

pub(super) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let request = match parse_args(args) {
        Ok(r) => r,
        Err(usage) => return usage.report("render", err),
    };
    let rendered = match render(&request) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    let output = match request.format {
        Format::Text => text(&rendered).map(|t| format!("{t}\n").into_bytes()),
        Format::Json => json_document(&rendered).and_then(|doc| {
            let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
            Ok(format!("{text}\n").into_bytes())
        }),
        Format::Llb => Ok(rendered.definition.encode_to_vec()),
    };
    match output {
        Ok(bytes) => {
            // Ignore a closed pipe (`gofront render … | head`).
            let _ = out.write_all(&bytes);
            0
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            1
        }
    }
}

fn render(request: &RenderArgs) -> Result<Rendered, String> {
    let spec = read_spec(&request.spec_path)?;
    let context = match &request.context {
        Some(dir) => dir.clone(),
        None => spec_folder(&request.spec_path),
    };
    let files = read_context(&context, &spec)?;
    compile(&spec, request, files)
}

/// The plan as JSON, a blank line, then [`convert::dump`].
fn text(rendered: &Rendered) -> Result<String, String> {
    let plan_json = serde_json::to_string_pretty(&rendered.plan).map_err(|e| e.to_string())?;
    Ok(format!(
        "{plan_json}\n\n{}",
        convert::dump(&rendered.definition)
    ))
}

/// `{"plan": …, "ops": [{"digest", "name", "caps", "op"}, …]}`, the ops in
/// the definition's order; `op` as [`op_json::op`] writes it.
fn json_document(rendered: &Rendered) -> Result<Value, String> {
    let mut ops = Vec::with_capacity(rendered.definition.def.len());
    for (digest, op, metadata) in convert::ops(&rendered.definition) {
        let op = op.map_err(|e| format!("op {digest} does not decode: {e}"))?;
        let name = metadata.and_then(|m| m.description.get("llb.customname"));
        let caps: Vec<&str> = metadata
            .map(|m| m.caps.keys().map(String::as_str).collect())
            .unwrap_or_default();
        ops.push(json!({
            "digest": digest,
            "name": name,
            "caps": caps,
            "op": op_json::op(&op),
        }));
    }
    let plan = serde_json::to_value(&rendered.plan).map_err(|e| e.to_string())?;
    Ok(json!({ "plan": plan, "ops": ops }))
}

/// The files of the build context the plan depends on, which a build gets
/// from the client.
struct ContextFiles {
    gomod: GoMod,
    /// A `go.work` at the context root.
    gowork: Option<GoWork>,
    /// The `.dockerignore` patterns.
    excludes: Vec<String>,
    /// What the web UI's folder holds.
    web: Option<plan::WebFacts>,
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
        .map(|t| dockerignore::parse(&t))
        .unwrap_or_default();
    Ok(ContextFiles {
        gomod: gomod::parse(&gomod_text)?,
        gowork,
        excludes,
        web: spec
            .web
            .as_ref()
            .map(|w| web_facts(&context.join(&w.dir.value))),
    })
}

/// The names in the web UI's folder and package.json's `packageManager`,
/// as a build reads them from the context.
fn web_facts(dir: &Path) -> plan::WebFacts {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let package_manager = std::fs::read(dir.join("package.json"))
        .ok()
        .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
        .and_then(|v| v.get("packageManager")?.as_str().map(str::to_string));
    plan::WebFacts {
        files,
        package_manager,
    }
}

/// What a build of the spec would make: the plan and its LLB.
struct Rendered {
    plan: Plan,
    definition: pb::Definition,
}

/// The one place render calls into the pipeline (the plan's inputs, the
/// plan, the LLB), so that a change of those signatures is made here only.
fn compile(spec: &Spec, request: &RenderArgs, files: ContextFiles) -> Result<Rendered, String> {
    // The request `docker build --platform … --build-arg …` makes of a local
    // context, parsed as a build parses it, on an amd64 daemon without
    // optional caps.
    let mut opts: BTreeMap<String, String> = request
        .build_args
        .iter()
        .map(|(k, v)| (format!("{}{k}", keys::BUILD_ARG_PREFIX), v.clone()))
        .collect();
    opts.insert(keys::PLATFORM.into(), request.target_platform.to_string());
    let opts = Opts(opts);
    let caps = Caps {
        worker_platforms: vec![Platform::new("linux", "amd64", "").to_pb()],
        ..Default::default()
    };
    let build = BuildRequest::parse(&opts, |_| None, &caps)?;
    let mut inputs = build.plan_inputs(
        &request.target_platform,
        &files.gomod,
        files.gowork.as_ref(),
    );
    inputs.web = files.web;
    let plan = plan::build(spec, &inputs).map_err(|e| e.to_string())?;
    // The builder's env is unknown offline; the golang images' PATH stands in.
    let env = vec!["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    let options = convert::Options::for_request(&build, files.excludes, env, None);
    let definition = convert::to_llb(&plan, &options).definition;
    Ok(Rendered { plan, definition })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::run_with;
    use crate::cli::test_support::*;

    const API: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/api/gofront.yaml");

    /// `gofront render API --format FORMAT`: stdout as bytes (llb is not text).
    fn render_as(format: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = run_with(
            &args(&["render", API, "--format", format]),
            &mut out,
            &mut err,
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
        out
    }

    /// What render made for API, in process.
    fn rendered() -> Rendered {
        render(&parse_args(&args(&[API])).ok().unwrap()).unwrap()
    }

    fn digests(definition: &pb::Definition) -> Vec<String> {
        definition
            .def
            .iter()
            .map(|op| crate::llb::digest_of(op))
            .collect()
    }

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

    #[test]
    fn text_is_the_default_format_the_plan_then_the_ops() {
        let (code, default, _) = cli(&["render", API]);
        assert_eq!(code, 0);
        assert_eq!(default.as_bytes(), render_as("text"));
        let rendered = rendered();
        let plan = serde_json::to_string_pretty(&rendered.plan).unwrap();
        assert_eq!(
            default,
            format!("{plan}\n\n{}\n", convert::dump(&rendered.definition))
        );
    }

    #[test]
    fn json_is_one_document_with_the_plan_and_the_ops_of_the_definition() {
        let doc: Value = serde_json::from_slice(&render_as("json")).unwrap();
        let rendered = rendered();
        assert_eq!(
            doc.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["plan", "ops"]
        );
        assert_eq!(doc["plan"], serde_json::to_value(&rendered.plan).unwrap());
        let ops = doc["ops"].as_array().unwrap();
        let json_digests: Vec<&str> = ops.iter().map(|o| o["digest"].as_str().unwrap()).collect();
        assert_eq!(json_digests, digests(&rendered.definition));
        for (entry, bytes) in ops.iter().zip(&rendered.definition.def) {
            assert_eq!(
                entry.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["digest", "name", "caps", "op"]
            );
            let op = pb::Op::decode(bytes.as_slice()).unwrap();
            assert_eq!(entry["op"], op_json::op(&op));
            let metadata = rendered
                .definition
                .metadata
                .get(entry["digest"].as_str().unwrap());
            let name = metadata.and_then(|m| m.description.get("llb.customname"));
            assert_eq!(entry["name"], json!(name));
            let caps: Vec<&String> = metadata
                .map(|m| m.caps.keys().collect())
                .unwrap_or_default();
            assert_eq!(entry["caps"], json!(caps));
        }
        // The go build step, as BuildKit's JSON spells an exec op.
        let build = ops
            .iter()
            .find(|o| o["name"].as_str().is_some_and(|n| n.contains("go build")))
            .expect("a go build op");
        let args = build["op"]["Op"]["exec"]["meta"]["args"]
            .as_array()
            .unwrap();
        assert_eq!(args[..2], [json!("go"), json!("build")]);
        assert!(
            build["caps"]
                .as_array()
                .unwrap()
                .contains(&json!("exec.mount.cache"))
        );
        // The last op only names the result and has no metadata.
        let terminal = ops.last().unwrap();
        assert_eq!(terminal["op"]["Op"], json!({}));
        assert_eq!(
            (&terminal["name"], &terminal["caps"]),
            (&json!(null), &json!([]))
        );
    }

    #[test]
    fn llb_is_the_marshaled_definition() {
        let bytes = render_as("llb");
        let decoded = pb::Definition::decode(bytes.as_slice()).unwrap();
        let rendered = rendered();
        assert_eq!(decoded, rendered.definition);
        assert_eq!(digests(&decoded), digests(&rendered.definition));
        assert_eq!(decoded.encode_to_vec(), bytes, "nothing but the message");
    }

    #[test]
    fn an_unknown_format_is_a_usage_error() {
        assert_eq!(
            cli(&["render", API, "--format", "yaml"]),
            (
                2,
                String::new(),
                "gofront render: --format yaml: expected text, json or llb\n".into()
            )
        );
    }
}
