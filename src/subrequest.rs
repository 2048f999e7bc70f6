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
//! are neutral types, so this module knows nothing of the spec.
//!
//! Positions: `line` is 1-based; `character` is 0-based (`column - 1`), and,
//! as with every zero in these Go structs, left out when 0.

use base64::Engine;
use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::pb;
use serde::Serialize;

use crate::gateway::{Failure, WarnOpts};

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

impl Location {
    /// The `pb.Range` BuildKit expects: start and end both set (the Go
    /// printers dereference both), here the same point.
    pub fn to_pb_range(self) -> pb::Range {
        let at = pb::Position {
            line: clamp(self.line),
            character: clamp(self.column.saturating_sub(1)),
        };
        pb::Range {
            start: Some(at),
            end: Some(at),
        }
    }

    /// No ranges for an unknown position.
    pub fn to_pb_ranges(loc: Option<Location>) -> Vec<pb::Range> {
        loc.filter(|l| l.line > 0)
            .map(|l| vec![l.to_pb_range()])
            .unwrap_or_default()
    }
}

fn clamp(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The spec file, as the client sent it.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// As the user knows it (`gofront.yaml`), the `filename` opt.
    pub filename: &'a str,
    /// The whole file.
    pub data: &'a [u8],
    /// A linguist name: `YAML`.
    pub language: &'a str,
}

impl SourceFile<'_> {
    /// `pb.SourceInfo` (no `definition`: callers may add the one that
    /// loaded the file).
    pub fn to_pb(&self) -> pb::SourceInfo {
        pb::SourceInfo {
            filename: self.filename.to_string(),
            data: self.data.to_vec(),
            definition: None,
            language: self.language.to_string(),
        }
    }
}

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

/// One build target (`targets.Target`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    pub name: String,
    pub description: String,
    /// The target built when `--target` is not given.
    pub default: bool,
    /// Its base image.
    pub base: Option<String>,
    pub platform: Option<String>,
    pub location: Option<Location>,
}

/// One lint finding (`lint.Warning`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Warning {
    /// The rule name, CamelCase (`ruleName`).
    pub rule: String,
    /// What the rule checks (the same for every finding of the rule).
    pub description: String,
    /// Where the rule is documented.
    pub url: String,
    /// This finding.
    pub detail: String,
    pub location: Option<Location>,
}

// ---------------------------------------------------------------------------
// The Go structs, as JSON. Field order, names and `omitempty` as in BuildKit.

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn b64<S: serde::Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
}

fn b64_list<S: serde::Serializer>(data: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(data.len()))?;
    for d in data {
        seq.serialize_element(&base64::engine::general_purpose::STANDARD.encode(d))?;
    }
    seq.end()
}

/// `pb.Position` (`solver/pb/ops.pb.go`: `line,omitempty`, `character,omitempty`).
#[derive(Serialize, Clone, Copy)]
struct JsonPosition {
    #[serde(skip_serializing_if = "is_zero_i32")]
    line: i32,
    #[serde(skip_serializing_if = "is_zero_i32")]
    character: i32,
}

/// `pb.Range` (`start,omitempty`, `end,omitempty`, pointers).
#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// `pb.Location` (`sourceIndex,omitempty`, `ranges,omitempty`).
#[derive(Serialize)]
struct JsonLocation {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero_i32")]
    source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<JsonRange>,
}

impl JsonLocation {
    /// A location in source 0 (the spec), possibly with no ranges.
    fn of(loc: Option<Location>) -> JsonLocation {
        JsonLocation {
            source_index: 0,
            ranges: Location::to_pb_ranges(loc)
                .into_iter()
                .map(|r| {
                    let p = |p: Option<pb::Position>| {
                        let p = p.unwrap_or_default();
                        JsonPosition {
                            line: p.line,
                            character: p.character,
                        }
                    };
                    JsonRange {
                        start: p(r.start),
                        end: p(r.end),
                    }
                })
                .collect(),
        }
    }

    /// `*pb.Location` with `omitempty`, as the dockerfile frontend's
    /// `toSourceLocation` makes it: nil when there are no ranges.
    fn optional(loc: Option<Location>) -> Option<JsonLocation> {
        let l = JsonLocation::of(loc);
        (!l.ranges.is_empty()).then_some(l)
    }
}

/// `pb.SourceInfo` (`filename`, `data` base64, `definition`, `language`;
/// all `omitempty`).
#[derive(Serialize)]
struct JsonSourceInfo<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    filename: &'a str,
    #[serde(serialize_with = "b64", skip_serializing_if = "<[u8]>::is_empty")]
    data: &'a [u8],
    #[serde(skip_serializing_if = "str::is_empty")]
    language: &'a str,
}

/// `errdefs.Source` (`solver/errdefs/errdefs.proto`): the file and the
/// ranges an error points at.
#[derive(Serialize)]
struct JsonSource<'a> {
    info: JsonSourceInfo<'a>,
    ranges: Vec<JsonRange>,
}

/// The `errdefs.Source` detail of an error at `loc` in `src`, as BuildKit
/// sends it (a JSON `Any`): clients that render it print the excerpt.
pub fn source_detail(src: &SourceFile, loc: Location) -> Any {
    let value = JsonSource {
        info: JsonSourceInfo {
            filename: src.filename,
            data: src.data,
            language: src.language,
        },
        ranges: JsonLocation::of(Some(loc)).ranges,
    };
    Any {
        type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
        value: serde_json::to_vec(&value).expect("json serializes"),
    }
}

/// `subrequests.Named` (`frontend/subrequests/types.go`; no `omitempty`).
#[derive(Serialize)]
struct Named {
    name: &'static str,
    description: &'static str,
}

/// `subrequests.Request` (`frontend/subrequests/types.go`; nil slices are `null`).
#[derive(Serialize)]
struct RequestDef {
    name: &'static str,
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
    opts: Option<Vec<Named>>,
    inputs: Option<Vec<Named>>,
    metadata: Option<Vec<Named>>,
    refs: Option<Vec<Named>>,
}

fn meta_names(names: &[&'static str]) -> Option<Vec<Named>> {
    Some(
        names
            .iter()
            .map(|name| Named {
                name,
                description: "",
            })
            .collect(),
    )
}

/// What `describe` advertises, in the dockerfile frontend's order
/// (`dockerui/requests.go`: outline, targets, …, describe).
fn definitions() -> Vec<RequestDef> {
    vec![
        RequestDef {
            name: OUTLINE,
            version: VERSION,
            kind: "rpc",
            description: "List all parameters current build target supports",
            opts: Some(vec![Named {
                name: "target",
                description: "Target build stage",
            }]),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
        RequestDef {
            name: TARGETS,
            version: VERSION,
            kind: "rpc",
            description: "List all targets current build supports",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
        RequestDef {
            name: LINT,
            version: VERSION,
            kind: "rpc",
            description: "Lint a gofront spec",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt", "result.statuscode"]),
            refs: None,
        },
        RequestDef {
            name: DESCRIBE,
            version: VERSION,
            kind: "rpc",
            description: "List available subrequest types",
            opts: None,
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
    ]
}

/// `outline.Outline` (`frontend/subrequests/outline/outline.go`).
#[derive(Serialize)]
struct JsonOutline<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<JsonArg<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<JsonSecret<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ssh: Vec<JsonSecret<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cache: Vec<JsonCache<'a>>,
    #[serde(serialize_with = "b64_list", skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Vec<u8>>,
}

#[derive(Serialize)]
struct JsonArg<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `outline.Secret` and `outline.SSH` (same shape).
#[derive(Serialize)]
struct JsonSecret<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `outline.CacheMount`: note the capitalized `ID`.
#[derive(Serialize)]
struct JsonCache<'a> {
    #[serde(rename = "ID")]
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `targets.List` (`frontend/subrequests/targets/targets.go`; no `omitempty`).
#[derive(Serialize)]
struct JsonTargets<'a> {
    targets: Option<Vec<JsonTarget<'a>>>,
    #[serde(serialize_with = "b64_list")]
    sources: Vec<Vec<u8>>,
}

#[derive(Serialize)]
struct JsonTarget<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    default: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    base: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    platform: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `lint.LintResults` (`frontend/subrequests/lint/lint.go`).
#[derive(Serialize)]
struct JsonLint<'a> {
    warnings: Option<Vec<JsonWarning<'a>>>,
    sources: Vec<JsonSourceInfo<'a>>,
    #[serde(rename = "buildError", skip_serializing_if = "Option::is_none")]
    build_error: Option<JsonBuildError<'a>>,
}

/// `lint.Warning`. `location` is always present: buildx's printer
/// dereferences it (`Warning.PrintTo`), and the dockerfile frontend always
/// sets it (`AddWarning`), with no ranges when there is no position.
#[derive(Serialize)]
struct JsonWarning<'a> {
    #[serde(rename = "ruleName")]
    rule_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    location: JsonLocation,
}

/// `lint.BuildError`: `location` is a value, always written.
#[derive(Serialize)]
struct JsonBuildError<'a> {
    message: &'a str,
    location: JsonLocation,
}

/// `json.MarshalIndent(v, "", "  ")`, with Go's default escaping of
/// `<`, `>`, `&`, U+2028 and U+2029 (those bytes only occur inside strings).
fn go_json<T: Serialize>(v: &T) -> Vec<u8> {
    let raw = serde_json::to_string_pretty(v).expect("json serializes");
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.into_bytes()
}

/// Go's `text/tabwriter` with minwidth 0, tabwidth 0, padding `padding`,
/// padchar ' ', no flags, for a table whose rows have the same number of
/// cells: every cell but the last of a row is padded to its column's widest
/// cell (in runes) plus `padding`; the last cell is written as is.
fn tabwrite(rows: &[Vec<String>], padding: usize, out: &mut String) {
    let columns = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; columns.saturating_sub(1)];
    for row in rows {
        for (j, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[j] = widths[j].max(cell.chars().count() + padding);
        }
    }
    for row in rows {
        for (j, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < row.len() {
                let pad = widths[j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn result(json: Vec<u8>, txt: String) -> Vec<(String, Vec<u8>)> {
    vec![
        ("result.json".to_string(), json),
        ("result.txt".to_string(), txt.into_bytes()),
        ("version".to_string(), VERSION.as_bytes().to_vec()),
    ]
}

// ---------------------------------------------------------------------------
// Result builders: the metadata of a `Return` with no ref (`Refs::None`).

/// `frontend.subrequests.describe`: the subrequests gofront answers.
pub fn describe() -> Vec<(String, Vec<u8>)> {
    let defs = definitions();
    // subrequests.PrintDescribe: tabwriter padding 1.
    let mut rows = vec![row(["NAME", "VERSION", "DESCRIPTION"])];
    for d in &defs {
        rows.push(row([
            d.name.strip_prefix("frontend.").unwrap_or(d.name),
            d.version,
            d.description,
        ]));
    }
    let mut txt = String::new();
    tabwrite(&rows, 1, &mut txt);
    result(go_json(&defs), txt)
}

/// `frontend.outline`: the parameters of the selected target.
pub fn outline(o: &Outline, src: &SourceFile) -> Vec<(String, Vec<u8>)> {
    let json = JsonOutline {
        name: &o.name,
        description: &o.description,
        args: o
            .args
            .iter()
            .map(|a| JsonArg {
                name: &a.name,
                description: &a.description,
                value: a.value.as_deref().unwrap_or_default(),
                location: JsonLocation::optional(a.location),
            })
            .collect(),
        secrets: o
            .secrets
            .iter()
            .map(|s| JsonSecret {
                name: &s.name,
                required: s.required,
                location: JsonLocation::optional(s.location),
            })
            .collect(),
        ssh: o
            .ssh
            .iter()
            .map(|s| JsonSecret {
                name: &s.name,
                required: s.required,
                location: JsonLocation::optional(s.location),
            })
            .collect(),
        cache: o
            .cache
            .iter()
            .map(|c| JsonCache {
                id: &c.id,
                location: JsonLocation::optional(c.location),
            })
            .collect(),
        sources: vec![src.data.to_vec()],
    };
    result(go_json(&json), outline_text(o))
}

/// `outline.PrintOutline`.
fn outline_text(o: &Outline) -> String {
    let mut txt = String::new();
    if !o.name.is_empty() || !o.description.is_empty() {
        let name = if o.name.is_empty() {
            "(default)"
        } else {
            &o.name
        };
        let mut rows = vec![row(["TARGET:", name])];
        if !o.description.is_empty() {
            rows.push(row(["DESCRIPTION:", &o.description]));
        }
        tabwrite(&rows, 1, &mut txt);
        txt.push('\n');
    }
    if !o.args.is_empty() {
        let mut rows = vec![row(["BUILD ARG", "VALUE", "DESCRIPTION"])];
        for a in &o.args {
            rows.push(row([
                &a.name,
                a.value.as_deref().unwrap_or_default(),
                &a.description,
            ]));
        }
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    let required = |r: bool| if r { "true" } else { "" };
    if !o.secrets.is_empty() {
        let mut rows = vec![row(["SECRET", "REQUIRED"])];
        rows.extend(
            o.secrets
                .iter()
                .map(|s| row([&s.name, required(s.required)])),
        );
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    if !o.ssh.is_empty() {
        let mut rows = vec![row(["SSH", "REQUIRED"])];
        rows.extend(o.ssh.iter().map(|s| row([&s.name, required(s.required)])));
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    txt
}

/// `frontend.targets`: the targets the spec offers.
pub fn targets(t: &[Target], src: &SourceFile) -> Vec<(String, Vec<u8>)> {
    let json = JsonTargets {
        targets: (!t.is_empty()).then(|| {
            t.iter()
                .map(|t| JsonTarget {
                    name: &t.name,
                    default: t.default,
                    description: &t.description,
                    base: t.base.as_deref().unwrap_or_default(),
                    platform: t.platform.as_deref().unwrap_or_default(),
                    location: JsonLocation::optional(t.location),
                })
                .collect()
        }),
        sources: vec![src.data.to_vec()],
    };
    // targets.PrintTargets: tabwriter padding 1, no blank line after.
    let mut rows = vec![row(["TARGET", "DESCRIPTION"])];
    for t in t {
        let name = match (t.name.is_empty(), t.default) {
            (true, true) => "(default)".to_string(),
            (false, true) => format!("{} (default)", t.name),
            _ => t.name.clone(),
        };
        rows.push(vec![name, t.description.clone()]);
    }
    let mut txt = String::new();
    tabwrite(&rows, 1, &mut txt);
    result(go_json(&json), txt)
}

/// `frontend.lint`: the findings, and the error that stops the build if
/// any (message, position). `result.statuscode` is `1` when there is a
/// finding or an error, else `0`; buildx exits with it.
pub fn lint(
    w: &[Warning],
    src: &SourceFile,
    build_error: Option<(&str, Option<Location>)>,
) -> Vec<(String, Vec<u8>)> {
    let json = JsonLint {
        warnings: (!w.is_empty()).then(|| {
            w.iter()
                .map(|w| JsonWarning {
                    rule_name: &w.rule,
                    description: &w.description,
                    url: &w.url,
                    detail: &w.detail,
                    location: JsonLocation::of(w.location),
                })
                .collect()
        }),
        sources: vec![JsonSourceInfo {
            filename: src.filename,
            data: src.data,
            language: src.language,
        }],
        build_error: build_error.map(|(message, loc)| JsonBuildError {
            message,
            location: JsonLocation::of(loc),
        }),
    };
    let status = if w.is_empty() && build_error.is_none() {
        "0"
    } else {
        "1"
    };
    let mut out = result(go_json(&json), lint_text(w, src));
    out.push(("result.statuscode".to_string(), status.as_bytes().to_vec()));
    out
}

/// `lint.PrintLintViolations` with no source map: the warnings sorted by
/// line (those without a position first, by rule name), each as
/// `\nWARNING: Rule - url\ndetail\n` and the spec excerpt.
fn lint_text(w: &[Warning], src: &SourceFile) -> String {
    let line = |w: &Warning| w.location.filter(|l| l.line > 0).map(|l| l.line);
    let mut sorted: Vec<&Warning> = w.iter().collect();
    sorted.sort_by(|a, b| match (line(a), line(b)) {
        (None, None) => a.rule.cmp(&b.rule),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    });
    let mut txt = String::new();
    for w in sorted {
        txt.push_str("\nWARNING: ");
        txt.push_str(&w.rule);
        if !w.url.is_empty() {
            txt.push_str(" - ");
            txt.push_str(&w.url);
        }
        txt.push('\n');
        txt.push_str(&w.detail);
        txt.push('\n');
        if let Some(line) = line(w) {
            txt.push_str(&excerpt(src, line, line));
        }
    }
    txt
}

/// `errdefs.Source.Print`: the file name and first line, then the lines
/// around `start..=end` with `>>>` on those in the range.
pub fn excerpt(src: &SourceFile, start: u32, end: u32) -> String {
    let text = String::from_utf8_lossy(src.data);
    let lines: Vec<&str> = text.split('\n').collect();
    let n = lines.len();
    let (mut start, mut end) = (start as usize, (end.max(start)) as usize);
    let in_range = (start, end);
    if start > n || start < 1 {
        return String::new();
    }
    end = end.min(n);
    let pad = if end == start { 4 } else { 2 };
    let first = start;
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != n {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let mut out = format!("{}:{first}\n--------------------\n", src.filename);
    for (i, l) in lines.iter().enumerate().take(end).skip(start - 1) {
        let i = i + 1;
        let mark = if (in_range.0..=in_range.1).contains(&i) {
            ">>>"
        } else {
            "   "
        };
        out.push_str(&format!(" {i:>3} | {mark} {l}\n"));
    }
    out.push_str("--------------------\n");
    out
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

/// A lint finding as a build warning (the `Warn` RPC), as the dockerfile
/// frontend sends its checks during a normal build: short
/// `Rule: detail (line N)`, the rule's description as the detail line, its
/// url, and the spec with the finding's range. Pass the digest of the
/// vertex that loaded the spec to [`crate::gateway::Bridge::warn`].
pub fn warning_for_build(w: &Warning, src: &SourceFile) -> (String, WarnOpts) {
    let mut short = format!("{}: {}", w.rule, w.detail);
    let line = w.location.filter(|l| l.line > 0);
    if let Some(l) = line {
        short.push_str(&format!(" (line {})", l.line));
    }
    let opts = WarnOpts {
        level: 1,
        detail: if w.description.is_empty() {
            Vec::new()
        } else {
            vec![w.description.as_bytes().to_vec()]
        },
        url: w.url.clone(),
        source: Some(src.to_pb()),
        ranges: Location::to_pb_ranges(line),
    };
    (short, opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const SPEC: &str = "# syntax=ourorg/gofront\nmain: ./cmd/server\nruntime: alpine:latest\nuser: root\nports: [8080]\n";

    fn src() -> SourceFile<'static> {
        SourceFile {
            filename: "gofront.yaml",
            data: SPEC.as_bytes(),
            language: "YAML",
        }
    }

    fn meta(out: &[(String, Vec<u8>)], key: &str) -> Vec<u8> {
        out.iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no {key}"))
            .1
            .clone()
    }

    fn json_of(out: &[(String, Vec<u8>)]) -> Value {
        serde_json::from_slice(&meta(out, "result.json")).unwrap()
    }

    fn txt_of(out: &[(String, Vec<u8>)]) -> String {
        String::from_utf8(meta(out, "result.txt")).unwrap()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    fn at(line: u32, column: u32) -> Option<Location> {
        Some(Location { line, column })
    }

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
    fn describe_lists_outline_targets_lint_describe() {
        let out = describe();
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version"]
        );
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        let list = v.as_array().unwrap();
        let names: Vec<&str> = list.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "frontend.outline",
                "frontend.targets",
                "frontend.lint",
                "frontend.subrequests.describe"
            ]
        );
        for r in list {
            assert_eq!(
                keys(r),
                [
                    "name",
                    "version",
                    "type",
                    "description",
                    "opts",
                    "inputs",
                    "metadata",
                    "refs"
                ]
            );
            assert_eq!(r["version"], "1.0.0");
            assert_eq!(r["type"], "rpc");
            assert_eq!(r["inputs"], Value::Null);
            assert_eq!(r["refs"], Value::Null);
            assert_eq!(
                r["metadata"][0],
                json!({"name": "result.json", "description": ""})
            );
            assert_eq!(r["metadata"][1]["name"], "result.txt");
        }
        assert_eq!(
            list[0]["opts"],
            json!([{"name": "target", "description": "Target build stage"}])
        );
        assert_eq!(list[1]["opts"], json!([]));
        assert_eq!(list[2]["metadata"][2]["name"], "result.statuscode");
        assert_eq!(list[3]["opts"], Value::Null);
        let txt = txt_of(&out);
        let lines: Vec<&str> = txt.lines().collect();
        assert_eq!(lines[0], "NAME                 VERSION DESCRIPTION");
        assert_eq!(
            lines[1],
            "outline              1.0.0   List all parameters current build target supports"
        );
        assert_eq!(
            lines[4],
            "subrequests.describe 1.0.0   List available subrequest types"
        );
        // MarshalIndent layout.
        let raw = String::from_utf8(meta(&out, "result.json")).unwrap();
        assert!(raw.starts_with("[\n  {\n    \"name\": \"frontend.outline\",\n"));
    }

    #[test]
    fn outline_json_matches_outline_go() {
        let o = Outline {
            name: String::new(),
            description: "the service image".into(),
            args: vec![
                Arg {
                    name: "VERSION".into(),
                    description: "the version injected with -X".into(),
                    value: Some("dev".into()),
                    location: at(3, 10),
                },
                Arg {
                    name: "GOPROXY".into(),
                    description: String::new(),
                    value: None,
                    location: None,
                },
            ],
            secrets: vec![Secret {
                name: "netrc".into(),
                required: true,
                location: at(4, 1),
            }],
            ssh: vec![Ssh {
                name: "default".into(),
                required: false,
                location: None,
            }],
            cache: vec![CacheMount {
                id: "gofront-gomod".into(),
                location: None,
            }],
        };
        let out = outline(&o, &src());
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        assert_eq!(
            keys(&v),
            ["description", "args", "secrets", "ssh", "cache", "sources"]
        );
        assert_eq!(
            v["args"][0],
            json!({
                "name": "VERSION",
                "description": "the version injected with -X",
                "value": "dev",
                "location": {"ranges": [{"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 9}}]}
            })
        );
        assert_eq!(v["args"][1], json!({"name": "GOPROXY"}));
        assert_eq!(
            v["secrets"][0],
            json!({"name": "netrc", "required": true, "location": {"ranges": [{"start": {"line": 4}, "end": {"line": 4}}]}})
        );
        assert_eq!(v["ssh"][0], json!({"name": "default"}));
        assert_eq!(v["cache"][0], json!({"ID": "gofront-gomod"}));
        let sources = v["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 1);
        let data = base64::engine::general_purpose::STANDARD
            .decode(sources[0].as_str().unwrap())
            .unwrap();
        assert_eq!(data, SPEC.as_bytes());

        assert_eq!(
            txt_of(&out),
            "TARGET:      (default)\n\
             DESCRIPTION: the service image\n\
             \n\
             BUILD ARG   VALUE   DESCRIPTION\n\
             VERSION     dev     the version injected with -X\n\
             GOPROXY             \n\
             \n\
             SECRET   REQUIRED\n\
             netrc    true\n\
             \n\
             SSH       REQUIRED\n\
             default   \n\
             \n"
        );

        let empty = outline(&Outline::default(), &src());
        assert_eq!(keys(&json_of(&empty)), ["sources"]);
        assert_eq!(txt_of(&empty), "");
    }

    #[test]
    fn targets_json_matches_targets_go() {
        let t = vec![
            Target {
                name: "test".into(),
                description: "run go test only".into(),
                default: false,
                base: Some("golang:1.26-alpine".into()),
                platform: None,
                location: at(7, 1),
            },
            Target {
                name: String::new(),
                description: "the service image".into(),
                default: true,
                base: Some("gcr.io/distroless/static-debian12".into()),
                platform: Some("linux/amd64".into()),
                location: None,
            },
        ];
        let out = targets(&t, &src());
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version"]
        );
        let v = json_of(&out);
        assert_eq!(keys(&v), ["targets", "sources"]);
        assert_eq!(
            v["targets"][0],
            json!({
                "name": "test",
                "description": "run go test only",
                "base": "golang:1.26-alpine",
                "location": {"ranges": [{"start": {"line": 7}, "end": {"line": 7}}]}
            })
        );
        assert_eq!(
            keys(&v["targets"][1]),
            ["default", "description", "base", "platform"]
        );
        assert_eq!(v["targets"][1]["default"], true);
        assert_eq!(v["targets"][1]["platform"], "linux/amd64");
        assert_eq!(v["sources"].as_array().unwrap().len(), 1);
        assert_eq!(
            txt_of(&out),
            "TARGET    DESCRIPTION\ntest      run go test only\n(default) the service image\n"
        );
        let v = json_of(&targets(&[], &src()));
        assert_eq!(v["targets"], Value::Null, "a nil Go slice");
    }

    fn findings() -> Vec<Warning> {
        vec![
            Warning {
                rule: "RootUser".into(),
                description: "The service should not run as root".into(),
                url: "https://example.com/rules#rootuser".into(),
                detail: "user: root runs the service as uid 0".into(),
                location: at(4, 7),
            },
            Warning {
                rule: "LatestTag".into(),
                description:
                    "An image reference without a tag, or with :latest, changes under the build"
                        .into(),
                url: String::new(),
                detail: "runtime: alpine:latest is not pinned".into(),
                location: at(3, 10),
            },
            Warning {
                rule: "MissingDockerignore".into(),
                description: "Without .dockerignore".into(),
                url: String::new(),
                detail: "there is no .dockerignore".into(),
                location: None,
            },
        ]
    }

    #[test]
    fn lint_json_matches_lint_go() {
        let out = lint(&findings(), &src(), None);
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version", "result.statuscode"]
        );
        assert_eq!(meta(&out, "result.statuscode"), b"1");
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        assert_eq!(keys(&v), ["warnings", "sources"]);
        assert_eq!(
            v["warnings"][0],
            json!({
                "ruleName": "RootUser",
                "description": "The service should not run as root",
                "url": "https://example.com/rules#rootuser",
                "detail": "user: root runs the service as uid 0",
                "location": {"ranges": [{"start": {"line": 4, "character": 6}, "end": {"line": 4, "character": 6}}]}
            })
        );
        assert_eq!(
            keys(&v["warnings"][1]),
            ["ruleName", "description", "detail", "location"]
        );
        assert_eq!(
            v["warnings"][2]["location"],
            json!({}),
            "no position: no ranges"
        );
        assert_eq!(
            v["sources"],
            json!([{
                "filename": "gofront.yaml",
                "data": base64::engine::general_purpose::STANDARD.encode(SPEC),
                "language": "YAML"
            }])
        );
        // Insertion order in the JSON, as Go marshals before sorting.
        assert_eq!(v["warnings"][0]["ruleName"], "RootUser");
    }

    #[test]
    fn lint_text_matches_print_lint_violations() {
        let out = lint(&findings(), &src(), None);
        assert_eq!(
            txt_of(&out),
            "\nWARNING: MissingDockerignore\n\
             there is no .dockerignore\n\
             \nWARNING: LatestTag\n\
             runtime: alpine:latest is not pinned\n\
             gofront.yaml:3\n\
             --------------------\n\
             \x20  1 |     # syntax=ourorg/gofront\n\
             \x20  2 |     main: ./cmd/server\n\
             \x20  3 | >>> runtime: alpine:latest\n\
             \x20  4 |     user: root\n\
             \x20  5 |     ports: [8080]\n\
             --------------------\n\
             \nWARNING: RootUser - https://example.com/rules#rootuser\n\
             user: root runs the service as uid 0\n\
             gofront.yaml:4\n\
             --------------------\n\
             \x20  2 |     main: ./cmd/server\n\
             \x20  3 |     runtime: alpine:latest\n\
             \x20  4 | >>> user: root\n\
             \x20  5 |     ports: [8080]\n\
             \x20  6 |     \n\
             --------------------\n"
        );
    }

    #[test]
    fn lint_status_is_zero_without_findings_and_one_with_an_error() {
        let clean = lint(&[], &src(), None);
        assert_eq!(meta(&clean, "result.statuscode"), b"0");
        let v = json_of(&clean);
        assert_eq!(keys(&v), ["warnings", "sources"]);
        assert_eq!(v["warnings"], Value::Null, "a nil Go slice");
        assert_eq!(txt_of(&clean), "");

        let broken = lint(
            &[],
            &src(),
            Some(("gofront.yaml:2:1: unknown key", at(2, 1))),
        );
        assert_eq!(meta(&broken, "result.statuscode"), b"1");
        let v = json_of(&broken);
        assert_eq!(keys(&v), ["warnings", "sources", "buildError"]);
        assert_eq!(
            v["buildError"],
            json!({
                "message": "gofront.yaml:2:1: unknown key",
                "location": {"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]}
            })
        );
        let v = json_of(&lint(&[], &src(), Some(("no go.mod", None))));
        assert_eq!(
            v["buildError"],
            json!({"message": "no go.mod", "location": {}})
        );
    }

    #[test]
    fn json_escapes_like_go() {
        let w = [Warning {
            rule: "R".into(),
            detail: "a <b> & c".into(),
            ..Default::default()
        }];
        let raw = String::from_utf8(meta(&lint(&w, &src(), None), "result.json")).unwrap();
        assert!(
            raw.contains(r#""detail": "a \u003cb\u003e \u0026 c""#),
            "{raw}"
        );
        let v: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(v["warnings"][0]["detail"], "a <b> & c");
    }

    #[test]
    fn excerpt_pads_like_errdefs_source_print() {
        let s = SourceFile {
            filename: "f",
            data: b"a\nb\nc",
            language: "YAML",
        };
        assert_eq!(
            excerpt(&s, 1, 1),
            "f:1\n--------------------\n   1 | >>> a\n   2 |     b\n   3 |     c\n--------------------\n"
        );
        assert_eq!(excerpt(&s, 4, 4), "");
        assert_eq!(excerpt(&s, 0, 0), "");
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

    #[test]
    fn a_finding_becomes_a_build_warning_like_dockerfile_checks() {
        let w = &findings()[0];
        let (short, opts) = warning_for_build(w, &src());
        assert_eq!(
            short,
            "RootUser: user: root runs the service as uid 0 (line 4)"
        );
        assert_eq!(opts.level, 1);
        assert_eq!(
            opts.detail,
            vec![b"The service should not run as root".to_vec()]
        );
        assert_eq!(opts.url, "https://example.com/rules#rootuser");
        let info = opts.source.unwrap();
        assert_eq!(info.filename, "gofront.yaml");
        assert_eq!(info.language, "YAML");
        assert_eq!(info.data, SPEC.as_bytes());
        assert_eq!(opts.ranges.len(), 1);
        assert_eq!(opts.ranges[0].start.unwrap().line, 4);
        assert_eq!(opts.ranges[0].end.unwrap().character, 6);

        let (short, opts) = warning_for_build(&findings()[2], &src());
        assert_eq!(short, "MissingDockerignore: there is no .dockerignore");
        assert!(opts.ranges.is_empty());
    }
}
