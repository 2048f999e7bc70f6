//! Frontend subrequests (`requestid`, buildx `--call`) and lint warnings.
//!
//! buildx `--call NAME` (and `--check`, which is `--call check` = `lint`)
//! sends the opt `requestid=frontend.NAME`. The answer is a `Return` with no
//! ref and only metadata: `result.json` (what `format=json` prints and what
//! buildx pretty-prints itself), `result.txt` (what clients that do not know
//! the structure print), `version`, and for lint `result.statuscode`.
//!
//! The JSON mirrors BuildKit's Go structs field by field (their `json`
//! tags, `omitempty` rules, field order and `null` for nil slices), as
//! `json.MarshalIndent(v, "", "  ")` writes them; `result.txt` mirrors
//! their `Print*` functions, `text/tabwriter` layout included. The inputs
//! are neutral types (and lint findings, which are one type from the rule
//! to the `Warn` call), so this module knows nothing of the spec beyond its
//! [`SpecSource`](crate::sourcemap::SpecSource).
//!
//! Positions: `line` is 1-based; `character` is 0-based (`column - 1`), and,
//! as with every zero in these Go structs, left out when 0.

mod describe;
mod gojson;
mod lint;
mod outline;
mod targets;
#[cfg(test)]
mod test_support;

// The result builders: each gives the metadata of a `Return` with no ref
// (`Refs::None`).
pub use describe::describe;
pub use lint::{lint, warning_for_build};
pub use outline::outline;
pub use targets::targets;

use bollard_buildkit_proto::google::protobuf::Any;

use crate::gateway::Failure;

/// `subrequests.RequestSubrequestsDescribe`.
pub const DESCRIBE: &str = "frontend.subrequests.describe";
/// `outline.RequestSubrequestsOutline` (`--call outline`).
pub const OUTLINE: &str = "frontend.outline";
/// `targets.RequestTargets` (`--call targets`).
pub const TARGETS: &str = "frontend.targets";
/// `lint.RequestLint` (`--call lint`, `--call check`, `--check`).
pub const LINT: &str = "frontend.lint";

/// The opt that carries the subrequest name.
pub const REQUEST_ID_OPT: &str = "requestid";
/// The frontend cap (image label `moby.buildkit.frontend.caps`) a frontend
/// must declare for the daemon to forward `--call` requests to it.
pub const FRONTEND_CAP: &str = "moby.buildkit.frontend.subrequests";

/// The version every result here is in. buildx prints `result.txt` instead
/// of its own rendering only when this is newer than the version it knows.
pub const VERSION: &str = "1.0.0";

/// The `type_url` of BuildKit's typed "unsupported subrequest" error detail.
pub const SUBREQUEST_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Subrequest+json";

/// What a `requestid` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Describe,
    Outline,
    Targets,
    Lint,
    /// Anything else: answer with [`unsupported`].
    Unsupported(String),
}

impl Request {
    pub fn parse(requestid: &str) -> Request {
        match requestid {
            DESCRIBE => Request::Describe,
            OUTLINE => Request::Outline,
            TARGETS => Request::Targets,
            LINT => Request::Lint,
            other => Request::Unsupported(other.to_string()),
        }
    }

    /// The subrequest of a build, if any: the `requestid` opt, when set and
    /// not empty (the dockerfile frontend treats an empty one as unknown;
    /// no client sends it).
    pub fn from_opt(requestid: Option<&str>) -> Option<Request> {
        requestid.filter(|r| !r.is_empty()).map(Request::parse)
    }
}

/// A position in the spec file is the spec's own [`Pos`](crate::spec::Pos):
/// `line` and `column` 1-based; a `line` of 0 means "no position".
pub use crate::spec::Pos as Location;

/// A build argument the build reads (`outline.Arg`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arg {
    pub name: String,
    pub description: String,
    /// The value the build would use (default or given).
    pub value: Option<String>,
    pub location: Option<Location>,
}

/// A build secret the build mounts (`outline.Secret`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Secret {
    pub name: String,
    pub required: bool,
    pub location: Option<Location>,
}

/// An SSH agent socket the build forwards (`outline.SSH`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ssh {
    pub name: String,
    pub required: bool,
    pub location: Option<Location>,
}

/// A cache mount the build uses (`outline.CacheMount`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CacheMount {
    pub id: String,
    pub location: Option<Location>,
}

/// What the selected target takes as parameters (`outline.Outline`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    /// The target (`""` for the default one).
    pub name: String,
    pub description: String,
    pub args: Vec<Arg>,
    pub secrets: Vec<Secret>,
    pub ssh: Vec<Ssh>,
    pub cache: Vec<CacheMount>,
}

/// One row of the target list (`targets.Target`; `plan::Target` is what
/// `--target` selects).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetEntry {
    pub name: String,
    pub description: String,
    /// The target built when `--target` is not given.
    pub default: bool,
    /// Its base image.
    pub base: Option<String>,
    pub platform: Option<String>,
    pub location: Option<Location>,
}

/// The error for a subrequest gofront does not answer: BuildKit's
/// `UnsupportedSubrequestError` (message `unsupported request NAME`, typed
/// detail `errdefs.Subrequest{name}` as JSON). buildx recognizes both and
/// retries `outline`/`targets`/`lint` with the Dockerfile frontend.
pub fn unsupported(name: &str) -> Failure {
    let mut f = Failure::new(format!("unsupported request {name}"));
    let mut detail = serde_json::Map::new();
    if !name.is_empty() {
        detail.insert("name".into(), serde_json::Value::String(name.into()));
    }
    f.details.push(Any {
        type_url: SUBREQUEST_TYPE_URL.into(),
        value: serde_json::to_vec(&detail).expect("json serializes"),
    });
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_buildkits() {
        assert_eq!(Request::parse("frontend.outline"), Request::Outline);
        assert_eq!(Request::parse("frontend.targets"), Request::Targets);
        assert_eq!(Request::parse("frontend.lint"), Request::Lint);
        assert_eq!(
            Request::parse("frontend.subrequests.describe"),
            Request::Describe
        );
        assert_eq!(
            Request::parse("frontend.convertllb"),
            Request::Unsupported("frontend.convertllb".into())
        );
        assert_eq!(Request::from_opt(None), None);
        assert_eq!(Request::from_opt(Some("")), None);
    }

    #[test]
    fn unsupported_is_buildkits_typed_error() {
        let f = unsupported("frontend.convertllb");
        assert_eq!(f.message, "unsupported request frontend.convertllb");
        assert_eq!(f.details.len(), 1);
        assert_eq!(
            f.details[0].type_url,
            "github.com/moby/buildkit/errdefs.Subrequest+json"
        );
        assert_eq!(f.details[0].value, br#"{"name":"frontend.convertllb"}"#);
        assert_eq!(f.to_rpc_status().code, tonic::Code::Unknown as i32);
    }
}
