//! The gofront spec: parse the YAML, validate every value, keep positions.
//!
//! Parsing is strict: unknown keys, wrong types and values the build could
//! misread (a `main` that starts with `-` would become a `go build` flag) are
//! errors that name the file, line and column, with a hint where one helps.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};

use crate::llb::Platform;

/// Specs are a few hundred bytes; anything far larger is a mistake or an attack.
pub const MAX_SPEC_BYTES: usize = 256 * 1024;

/// A 1-based position in the spec file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl<T> From<&Spanned<T>> for Pos {
    fn from(s: &Spanned<T>) -> Self {
        Pos {
            line: s.referenced.line() as u32,
            column: s.referenced.column() as u32,
        }
    }
}

/// A validated value and where it was written.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

/// An error in the spec, reported as `file:line:column: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.pos.line, self.pos.column, self.message
            )?;
        } else {
            write!(f, "{}: {}", self.file, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// The runtime base image of the final stage.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    /// Nothing but the binary, CA certificates and a passwd entry.
    Scratch,
    /// Google's distroless: `static` without cgo, `base` (glibc) with cgo.
    Distroless,
    Alpine,
    /// Any other image reference, as written.
    Image(String),
}

/// Who the service runs as.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// As written: `65532:65532`, `65532` or `nonroot`.
    pub spec: String,
    /// Numeric ids when given as numbers (needed to write `/etc/passwd`).
    pub ids: Option<(u32, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VersionSpec {
    /// The build arg that carries the version (`--build-arg VERSION=1.2.3`).
    pub arg: String,
    /// The Go variable set with `-X`, e.g. `main.version`.
    pub var: String,
    pub default: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Port {
    pub number: u16,
    pub protocol: String,
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.protocol)
    }
}

/// The validated spec.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Spec {
    pub file: String,
    /// `None`: take the Go version from `go.mod`.
    pub go: Option<Located<String>>,
    /// The main package, normalized to `.` or `./path`.
    pub main: Located<String>,
    pub runtime: Located<Runtime>,
    pub cgo: Located<bool>,
    pub version: Option<Located<VersionSpec>>,
    pub ports: Vec<Port>,
    pub env: BTreeMap<String, String>,
    pub args: Vec<String>,
    pub user: Located<User>,
    pub labels: BTreeMap<String, String>,
    /// Platforms to build when the build names none (`--platform` wins).
    pub platforms: Vec<Located<Platform>>,
}

pub const DEFAULT_USER: &str = "65532:65532";

// ---------------------------------------------------------------------------
// Raw YAML shape. Every value is `Spanned` so validation can point at it.

const TOP_KEYS: &[&str] = &[
    "go",
    "main",
    "runtime",
    "cgo",
    "version",
    "ports",
    "env",
    "args",
    "user",
    "labels",
    "platforms",
];
const VERSION_KEYS: &[&str] = &["arg", "var", "default"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    go: Option<Spanned<String>>,
    main: Option<Spanned<String>>,
    runtime: Option<Spanned<String>>,
    cgo: Option<Spanned<bool>>,
    version: Option<Spanned<RawVersion>>,
    ports: Option<Vec<Spanned<RawPort>>>,
    env: Option<BTreeMap<String, Spanned<Scalar>>>,
    args: Option<Vec<Spanned<String>>>,
    user: Option<Spanned<Scalar>>,
    labels: Option<BTreeMap<String, Spanned<Scalar>>>,
    platforms: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    arg: Option<Spanned<String>>,
    var: Option<Spanned<String>>,
    default: Option<Spanned<Scalar>>,
}

/// A scalar written as string, number or boolean, kept as text
/// (`PORT: 8080` in `env` means the string "8080").
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A port: `8080` or `"8080/udp"`.
struct RawPort(String);

impl<'de> Deserialize<'de> for RawPort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Scalar::deserialize(d).map(|s| RawPort(s.0))
    }
}

// ---------------------------------------------------------------------------

fn yaml_options() -> Options {
    // A spec is a handful of keys two levels deep: tight budgets make alias
    // bombs and deep nesting fail fast with a position.
    let mut budget = Budget::default();
    budget.max_depth = 16;
    budget.max_aliases = 64;
    budget.max_anchors = 64;
    budget.max_nodes = 10_000;
    budget.max_events = 50_000;
    budget.max_total_scalar_bytes = MAX_SPEC_BYTES;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options
}

/// Parse and validate the spec in `text`, read from `file`.
pub fn parse(file: &str, text: &str) -> Result<Spec, SpecError> {
    let err = |pos: Pos, message: String, hint: Option<String>| SpecError {
        file: file.to_string(),
        pos,
        message,
        hint,
    };
    if text.len() > MAX_SPEC_BYTES {
        return Err(err(
            Pos::default(),
            format!(
                "the spec is {} bytes; the limit is {MAX_SPEC_BYTES}",
                text.len()
            ),
            Some("a gofront spec is a few lines of YAML".into()),
        ));
    }
    let has_content = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if !has_content {
        return Err(err(
            Pos { line: 1, column: 1 },
            "the spec is empty".into(),
            Some("write at least `main: ./cmd/yourservice` below the `# syntax=` line".into()),
        ));
    }
    let raw: RawSpec = serde_saphyr::from_str_with_options(text, yaml_options())
        .map_err(|e| yaml_error(file, &e))?;
    validate(file, raw)
}

/// Turn a YAML error into a `SpecError` with a friendlier message.
fn yaml_error(file: &str, e: &serde_saphyr::Error) -> SpecError {
    let pos = e
        .location()
        .map(|l| Pos {
            line: l.line() as u32,
            column: l.column() as u32,
        })
        .unwrap_or_default();
    let mut message = e.without_snippet().to_string();
    // The crate appends the position; ours is in front already.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    let mut hint = None;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let known = if message.contains("expected one of arg") {
            VERSION_KEYS
        } else {
            TOP_KEYS
        };
        message = format!("unknown key \"{key}\"");
        hint = Some(match closest(&key, known) {
            Some(k) => format!("did you mean \"{k}\"?"),
            None => format!("known keys here are: {}", known.join(", ")),
        });
    } else if message.starts_with("expected string scalar") {
        message = "expected a string here".into();
    } else if message.starts_with("cannot deserialize null") {
        message = "this value is empty".into();
        hint = Some("give it a value or delete the line".into());
    } else if message.starts_with("expected mapping") {
        message = "the spec must be a mapping of keys to values".into();
        hint = Some("e.g. `main: ./cmd/server`".into());
    } else if message.starts_with("invalid boolean") {
        message = "expected true or false".into();
    } else if message.contains("budget") || message.contains("limit") {
        hint = Some("the spec is too deeply nested or uses too many aliases".into());
    }
    SpecError {
        file: file.to_string(),
        pos,
        message,
        hint,
    }
}

fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

fn validate(file: &str, raw: RawSpec) -> Result<Spec, SpecError> {
    let err = |pos: Pos, message: String, hint: &str| SpecError {
        file: file.to_string(),
        pos,
        message,
        hint: if hint.is_empty() {
            None
        } else {
            Some(hint.to_string())
        },
    };

    let go = match raw.go {
        Some(g) => {
            let pos = Pos::from(&g);
            if !is_go_version(&g.value) {
                return Err(err(
                    pos,
                    format!("go: \"{}\" is not a Go version", g.value),
                    "write it as a quoted string such as \"1.26\" or \"1.26.3\"",
                ));
            }
            Some(Located {
                value: g.value,
                pos,
            })
        }
        None => None,
    };

    let main = match raw.main {
        Some(m) => {
            let pos = Pos::from(&m);
            let value = normalize_package(&m.value).map_err(|why| {
                err(
                    pos,
                    format!("main: {why}"),
                    "give the main package as a path inside the build context, e.g. ./cmd/server",
                )
            })?;
            Located { value, pos }
        }
        None => Located {
            value: ".".into(),
            pos: Pos::default(),
        },
    };

    let cgo = match raw.cgo {
        Some(c) => Located {
            value: c.value,
            pos: Pos::from(&c),
        },
        None => Located {
            value: false,
            pos: Pos::default(),
        },
    };

    let runtime = match raw.runtime {
        Some(r) => {
            let pos = Pos::from(&r);
            let value = match r.value.as_str() {
                "scratch" => Runtime::Scratch,
                "distroless" => Runtime::Distroless,
                "alpine" => Runtime::Alpine,
                other => {
                    let parsed: Result<oci_spec::distribution::Reference, _> = other.parse();
                    if parsed.is_err() || other.chars().any(char::is_whitespace) {
                        return Err(err(
                            pos,
                            format!("runtime: \"{other}\" is not an image reference"),
                            "use scratch, distroless, alpine or an image such as gcr.io/distroless/static-debian12",
                        ));
                    }
                    Runtime::Image(other.to_string())
                }
            };
            Located { value, pos }
        }
        None => Located {
            value: Runtime::Distroless,
            pos: Pos::default(),
        },
    };
    if cgo.value {
        let static_image =
            matches!(&runtime.value, Runtime::Image(i) if i.contains("distroless/static"));
        let refused = match &runtime.value {
            Runtime::Scratch => Some("scratch has no C library"),
            Runtime::Alpine => Some("alpine has musl, but cgo binaries are built against glibc"),
            _ if static_image => Some("distroless/static has no C library"),
            _ => None,
        };
        if let Some(why) = refused {
            return Err(err(
                runtime.pos,
                format!("runtime: cgo is on, and {why}"),
                "drop `runtime` to get gcr.io/distroless/base-debian12 (glibc), or set `cgo: false` for a static binary",
            ));
        }
    }

    let version = match raw.version {
        Some(v) => {
            let pos = Pos::from(&v);
            let raw_v = v.value;
            let arg = raw_v.arg.ok_or_else(|| {
                err(
                    pos,
                    "version: `arg` is missing".into(),
                    "e.g. `arg: VERSION` (the build arg that carries it)",
                )
            })?;
            if !is_arg_name(&arg.value) {
                return Err(err(
                    Pos::from(&arg),
                    format!(
                        "version.arg: \"{}\" is not a valid build arg name",
                        arg.value
                    ),
                    "use letters, digits and underscores, e.g. VERSION",
                ));
            }
            let var = raw_v.var.ok_or_else(|| {
                err(
                    pos,
                    "version: `var` is missing".into(),
                    "e.g. `var: main.version` (the Go variable set with -X)",
                )
            })?;
            if !is_go_var(&var.value) {
                return Err(err(
                    Pos::from(&var),
                    format!("version.var: \"{}\" is not a Go variable", var.value),
                    "write importpath.name, e.g. main.version or example.com/app/internal/version.Version",
                ));
            }
            let default = raw_v
                .default
                .map(|d| d.value.0)
                .unwrap_or_else(|| "dev".into());
            Some(Located {
                value: VersionSpec {
                    arg: arg.value,
                    var: var.value,
                    default,
                },
                pos,
            })
        }
        None => None,
    };

    let mut ports = Vec::new();
    for p in raw.ports.unwrap_or_default() {
        let pos = Pos::from(&p);
        let port = parse_port(&p.value.0).ok_or_else(|| {
            err(
                pos,
                format!("ports: \"{}\" is not a port", p.value.0),
                "write a number from 1 to 65535, optionally with /tcp or /udp, e.g. 8080 or \"53/udp\"",
            )
        })?;
        ports.push(port);
    }
    ports.sort();
    ports.dedup();

    let mut env = BTreeMap::new();
    for (k, v) in raw.env.unwrap_or_default() {
        if k.is_empty() || k.contains('=') || k.contains('\0') || k.chars().any(char::is_whitespace)
        {
            return Err(err(
                Pos::from(&v),
                format!("env: \"{k}\" is not a valid variable name"),
                "names cannot be empty or contain '=' or spaces",
            ));
        }
        env.insert(k, v.value.0);
    }

    let args = raw
        .args
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.value)
        .collect();

    let user = match raw.user {
        Some(u) => {
            let pos = Pos::from(&u);
            let spec = u.value.0;
            let parsed = parse_user(&spec).ok_or_else(|| {
                err(
                    pos,
                    format!("user: \"{spec}\" is not a user"),
                    "write uid:gid (e.g. 65532:65532), a uid, or a user name that exists in the runtime image",
                )
            })?;
            if matches!(runtime.value, Runtime::Scratch) && parsed.ids.is_none() {
                return Err(err(
                    pos,
                    format!(
                        "user: \"{spec}\" is a name, and scratch has no /etc/passwd to look it up in"
                    ),
                    "give numeric ids with scratch, e.g. 65532:65532",
                ));
            }
            Located { value: parsed, pos }
        }
        None => Located {
            value: parse_user(DEFAULT_USER).expect("the default user parses"),
            pos: Pos::default(),
        },
    };

    let mut labels = BTreeMap::new();
    for (k, v) in raw.labels.unwrap_or_default() {
        if k.is_empty() {
            return Err(err(
                Pos::from(&v),
                "labels: a label name is empty".into(),
                "",
            ));
        }
        labels.insert(k, v.value.0);
    }

    let mut platforms: Vec<Located<Platform>> = Vec::new();
    for p in raw.platforms.unwrap_or_default() {
        let pos = Pos::from(&p);
        let value = Platform::parse(&p.value).map_err(|why| {
            err(
                pos,
                format!("platforms: {why}"),
                "e.g. platforms: [linux/amd64, linux/arm64, linux/arm/v7]",
            )
        })?;
        if value.os != "linux" {
            return Err(err(
                pos,
                format!("platforms: {value} is not supported; gofront builds Linux images"),
                "",
            ));
        }
        if !platforms.iter().any(|q| q.value == value) {
            platforms.push(Located { value, pos });
        }
    }

    Ok(Spec {
        file: file.to_string(),
        go,
        main,
        runtime,
        cgo,
        version,
        ports,
        env,
        args,
        user,
        labels,
        platforms,
    })
}

/// `1.26`, `1.26.3`, `1.27rc1`.
pub fn is_go_version(v: &str) -> bool {
    let (num, rc) = match v.split_once("rc") {
        Some((n, r)) => (n, Some(r)),
        None => (v, None),
    };
    let parts: Vec<&str> = num.split('.').collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    let ok = (2..=3).contains(&parts.len()) && parts.iter().all(|p| digits(p));
    ok && rc.is_none_or(|r| digits(r) && parts.len() == 2)
}

/// Normalize a main package path to `.` or `./a/b`, refusing anything that
/// could leave the context or be read by `go build` as a flag or a pattern.
pub fn normalize_package(p: &str) -> Result<String, String> {
    if p.is_empty() {
        return Err("the path is empty".into());
    }
    if p.starts_with('/') {
        return Err(format!(
            "\"{p}\" is absolute; it must be relative to the build context"
        ));
    }
    if p.starts_with('-') {
        return Err(format!(
            "\"{p}\" starts with '-' and would be read as a flag"
        ));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+' | '~')))
    {
        return Err(format!(
            "\"{p}\" contains {c:?}; only letters, digits and . / _ - + ~ are allowed"
        ));
    }
    let mut parts = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(format!("\"{p}\" leaves the build context")),
            "..." => return Err(format!("\"{p}\" is a pattern; name one main package")),
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        Ok(".".into())
    } else {
        Ok(format!("./{}", parts.join("/")))
    }
}

fn is_arg_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_go_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `importpath.name` as the linker's `-X` takes it.
pub fn is_go_var(s: &str) -> bool {
    let Some((path, name)) = s.rsplit_once('.') else {
        return false;
    };
    let path_ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.starts_with('-')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '~'));
    // The last dot separates the name, so a path such as example.com/x
    // keeps its own dots.
    path_ok && is_go_ident(name)
}

fn parse_port(s: &str) -> Option<Port> {
    let (num, proto) = match s.split_once('/') {
        Some((n, p)) => (n, p),
        None => (s, "tcp"),
    };
    if !matches!(proto, "tcp" | "udp" | "sctp") {
        return None;
    }
    let number: u16 = num.parse().ok()?;
    (number != 0).then(|| Port {
        number,
        protocol: proto.to_string(),
    })
}

fn parse_user(s: &str) -> Option<User> {
    let (u, g) = match s.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (s, None),
    };
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.len() <= 32
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !name_ok(u) || g.is_some_and(|g| !name_ok(g)) {
        return None;
    }
    let uid: Option<u32> = u.parse().ok();
    let gid: Option<u32> = match g {
        Some(g) => g.parse().ok(),
        None => uid,
    };
    Some(User {
        spec: s.to_string(),
        ids: uid.zip(gid),
    })
}

#[cfg(test)]
mod tests;
