//! The gofront spec: parse the YAML, validate every value, keep positions.
//!
//! Parsing is strict: unknown keys, wrong types and values the build could
//! misread (a `main` that starts with `-` would become a `go build` flag) are
//! errors that name the file, line and column, with a hint where one helps.

use std::collections::BTreeMap;
use std::fmt;

use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};

use crate::platform::Platform;

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

/// A validated value and where it was written. Every value of a [`Spec`]
/// keeps its place, so that errors, lint findings and the LLB source map
/// all point at the line that made them, without reading the text again.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

/// The values of located values, in order.
pub fn values<T: Clone>(list: &[Located<T>]) -> Vec<T> {
    list.iter().map(|l| l.value.clone()).collect()
}

/// The values of a map of located values.
pub fn value_map<T: Clone>(map: &BTreeMap<String, Located<T>>) -> BTreeMap<String, T> {
    map.iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect()
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

/// One main package and the binary built from it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Binary {
    /// The main package, normalized to `.` or `./path` (relative to `dir`).
    pub main: Located<String>,
    /// `None`: named after the package directory (the module for `.`).
    pub name: Option<Located<String>>,
    /// This binary's own linker flags, after the top-level ones.
    pub ldflags: Vec<LdFlag>,
    /// This binary's own tags, after the top-level ones.
    pub tags: Vec<Located<String>>,
}

/// One linker flag with its value, split into words; each word may hold
/// templates (`{{.Version}}`), filled in per build and quoted for Go.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LdFlag {
    pub words: Vec<String>,
    pub pos: Pos,
}

/// Credentials for private modules.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Private {
    /// Mount the secret `netrc` as `/root/.netrc`.
    pub netrc: bool,
    /// Forward the default SSH agent and fetch GOPRIVATE hosts over ssh.
    pub ssh: bool,
    pub known_hosts: Vec<String>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TestSpec {
    pub packages: Vec<String>,
    pub flags: Vec<String>,
    pub pos: Pos,
}

impl TestSpec {
    /// `-race` needs cgo, so a C toolchain.
    pub fn race(&self) -> bool {
        self.flags.iter().any(|f| f == "-race" || f == "-race=true")
    }
}

/// A context file or directory copied into the image.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FileEntry {
    /// Relative to the context root, cleaned (`config/app.yaml`).
    pub src: String,
    /// Absolute, cleaned.
    pub dst: String,
    pub mode: Option<u32>,
    pub owner: (u32, u32),
    /// The folders this entry creates get `owner` too (else root).
    pub own_dirs: bool,
    pub pos: Pos,
}

/// A folder the service writes, made in the image and owned by its user.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StateDir {
    /// Absolute, cleaned.
    pub path: String,
    pub mode: u32,
    /// The service user's ids unless the spec names others.
    pub owner: (u32, u32),
    /// Declared a volume in the image config.
    pub volume: bool,
    pub pos: Pos,
}

/// The package manager of a web UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageManager {
    Npm,
    Yarn,
    Pnpm,
}

impl PackageManager {
    pub fn parse(s: &str) -> Option<PackageManager> {
        match s {
            "npm" => Some(PackageManager::Npm),
            "yarn" => Some(PackageManager::Yarn),
            "pnpm" => Some(PackageManager::Pnpm),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Yarn => "yarn",
            PackageManager::Pnpm => "pnpm",
        }
    }

    /// The lockfile that names this manager, in the order they are looked
    /// for (a folder with two lockfiles is npm's if it has npm's).
    pub const LOCKFILES: &[(&str, PackageManager)] = &[
        ("package-lock.json", PackageManager::Npm),
        ("npm-shrinkwrap.json", PackageManager::Npm),
        ("pnpm-lock.yaml", PackageManager::Pnpm),
        ("yarn.lock", PackageManager::Yarn),
    ];
}

/// A web UI built with node before `go build`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WebSpec {
    /// The folder with package.json, relative to the context's root,
    /// cleaned; empty for the root itself.
    pub dir: Located<String>,
    /// The folder the build writes, relative to `dir`.
    pub output: String,
    /// The package.json script that builds it.
    pub script: Located<String>,
    /// `None`: from the lockfile.
    pub manager: Option<Located<PackageManager>>,
    /// Where the output goes in the context the Go steps see, relative to
    /// its root.
    pub into: Located<String>,
    pub pos: Pos,
}

/// `go generate` before `go build`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GenerateSpec {
    pub packages: Vec<String>,
    pub pos: Pos,
}

/// Docker's health check, exec form. Durations in nanoseconds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Healthcheck {
    pub cmd: Vec<String>,
    pub interval: Option<u64>,
    pub timeout: Option<u64>,
    pub start_period: Option<u64>,
    pub retries: Option<u32>,
    pub pos: Pos,
}

/// The validated spec.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Spec {
    pub file: String,
    /// `None`: take the Go version from `go.mod` (or `go.work`).
    pub go: Option<Located<String>>,
    /// The module's directory in the context: `.` or `./path`.
    pub dir: Located<String>,
    /// At least one. From `main` or `binaries`.
    pub binaries: Vec<Binary>,
    /// The binary named as entrypoint (`None`: the first).
    pub entrypoint: Option<Located<String>>,
    pub runtime: Located<Runtime>,
    pub cgo: Located<bool>,
    pub version: Option<Located<VersionSpec>>,
    pub ldflags: Vec<LdFlag>,
    pub tags: Vec<Located<String>>,
    pub goflags: Vec<Located<String>>,
    pub goexperiment: Vec<Located<String>>,
    pub trimpath: Located<bool>,
    pub strip: Located<bool>,
    /// GOPROXY, GOPRIVATE, GONOSUMDB, GOSUMDB as written in the spec.
    pub go_settings: BTreeMap<String, Located<String>>,
    pub private: Option<Private>,
    pub test: Option<TestSpec>,
    pub files: Vec<FileEntry>,
    pub tzdata: Located<bool>,
    pub workdir: Option<Located<String>>,
    /// Sorted by path, without duplicates.
    pub dirs: Vec<StateDir>,
    pub web: Option<WebSpec>,
    pub generate: Option<GenerateSpec>,
    pub stop_signal: Option<Located<String>>,
    pub healthcheck: Option<Healthcheck>,
    pub upx: Located<bool>,
    /// govulncheck after `go build`; `None` when off.
    pub vulncheck: Option<Located<VulnCheck>>,
    /// Image overrides: role or image name → reference.
    pub images: BTreeMap<String, Located<String>>,
    /// Sorted, without duplicates (the first one written keeps its place).
    pub ports: Vec<Located<Port>>,
    pub env: BTreeMap<String, Located<String>>,
    pub args: Vec<Located<String>>,
    pub user: Located<User>,
    pub labels: BTreeMap<String, Located<String>>,
    /// Platforms to build when the build names none (`--platform` wins).
    pub platforms: Vec<Located<Platform>>,
    /// Lint rules skipped by `# check=skip=A,B` in the comment lines at the
    /// top (the Dockerfile frontend's directive), as written.
    pub check_skip: Vec<Located<String>>,
}

/// What a reachable vulnerability does to the build (`vulncheck:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VulnCheck {
    /// A build warning per reachable vulnerability.
    Warn,
    /// The build fails on any reachable vulnerability.
    Fail,
}

impl Spec {
    /// The spec line of the first binary's `main` (or of `binaries`).
    pub fn main_pos(&self) -> Pos {
        self.binaries
            .first()
            .map(|b| b.main.pos)
            .unwrap_or_default()
    }

    /// Every linker flag the spec writes: the top-level ones, then each
    /// binary's own.
    pub fn all_ldflags(&self) -> impl Iterator<Item = &LdFlag> {
        self.ldflags
            .iter()
            .chain(self.binaries.iter().flat_map(|b| b.ldflags.iter()))
    }
}

pub const DEFAULT_USER: &str = "65532:65532";

/// The error for the `files:` entries whose source the context lacks
/// (`missing`: their indexes in `spec.files`), each named with its line;
/// `None` when none is missing. One text for the build and `gofront check`.
pub fn missing_files_error(spec: &Spec, missing: &[usize]) -> Option<SpecError> {
    let entries: Vec<&FileEntry> = missing.iter().filter_map(|i| spec.files.get(*i)).collect();
    let first = entries.first()?;
    let message = match entries.as_slice() {
        [one] => format!("files: {} is not in the build context", one.src),
        _ => format!(
            "files: {} are not in the build context",
            entries
                .iter()
                .map(|f| format!("{} (line {})", f.src, f.pos.line))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(SpecError {
        file: spec.file.clone(),
        pos: first.pos,
        message,
        hint: Some(
            "`src` is relative to the build context's root; check the path and .dockerignore"
                .into(),
        ),
    })
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
        .map_err(|e| yaml_error(file, text, &e))?;
    let mut spec = validate(file, raw)?;
    spec.check_skip = check_skip_directive(text);
    Ok(spec)
}

/// The rule names of `# check=skip=A,B` in the comment lines at the top of
/// the spec, each with its place (`;` separates options, as in a
/// Dockerfile's `# check=` directive).
fn check_skip_directive(text: &str) -> Vec<Located<String>> {
    let mut out = Vec::new();
    for (i, raw_line) in text.lines().enumerate() {
        let line = raw_line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let Some(options) = comment.trim().strip_prefix("check=") else {
            continue;
        };
        for option in options.split(';') {
            let Some(list) = option.trim().strip_prefix("skip=") else {
                continue;
            };
            for name in list.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                // Names are plain words; the first occurrence in the line is
                // where this one was written, near enough for an error.
                let column = raw_line.find(name).map_or(1, |c| c as u32 + 1);
                out.push(Located {
                    value: name.to_string(),
                    pos: Pos {
                        line: i as u32 + 1,
                        column,
                    },
                });
            }
        }
    }
    out
}

/// Turn a YAML error into a `SpecError` with a friendlier message.
fn yaml_error(file: &str, text: &str, e: &serde_saphyr::Error) -> SpecError {
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
        // serde lists the keys of the mapping in question after the key.
        let listed: Vec<String> = match message.split_once("expected one of ") {
            Some((_, list)) => list
                .split(',')
                .map(|k| k.trim().trim_matches('`').to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            None => TOP_KEYS.iter().map(|k| k.to_string()).collect(),
        };
        let known: Vec<&str> = listed.iter().map(String::as_str).collect();
        message = format!("unknown key \"{key}\"");
        hint = Some(match closest(&key, &known) {
            Some(k) => format!("did you mean \"{k}\"?"),
            None => format!("known keys here are: {}", known.join(", ")),
        });
    } else if message.starts_with("expected string scalar") {
        message = "expected a string here".into();
    } else if message.starts_with("cannot deserialize null") {
        message = "this value is empty".into();
        hint = Some("give it a value or delete the line".into());
    } else if message.starts_with("expected mapping") {
        // At the first line with content: the document itself is no mapping.
        let first_line = text
            .lines()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|i| i as u32 + 1)
            .unwrap_or(1);
        if pos.line <= first_line && pos.column <= 1 {
            message = "the spec must be a mapping of keys to values".into();
            hint = Some("e.g. `main: ./cmd/server`".into());
        } else {
            message = "expected a mapping (key: value) here".into();
            hint = Some("see `gofront schema` or the README for this key's shape".into());
        }
    } else if message.starts_with("expected sequence") {
        message = "expected a list here".into();
        hint = Some("e.g. [a, b], or one `- item` per line".into());
    } else if message.contains("duplicate") || message.contains("Duplicate") {
        if let Some(i) = message.find("; set DuplicateKeyPolicy") {
            message.truncate(i);
        }
        if let Some(i) = message.find(" set DuplicateKeyPolicy") {
            message.truncate(i);
        }
        hint = Some("each key may appear once".into());
    } else if message.contains("Documents {") {
        message = "the spec must be a single YAML document".into();
        hint = Some("remove the `---` separator and what follows it".into());
    } else if message.starts_with("invalid u32") || message.starts_with("invalid u64") {
        message = "expected a whole number from 0 up".into();
    } else if message.starts_with("invalid boolean") {
        message = "expected true or false".into();
    } else if message.contains("Nodes {") {
        hint = Some("the spec has too many values for a gofront spec".into());
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
    let by_edits = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k);
    // `binary` → `binaries`, `environment` → `env`, `retry` → `retries`.
    let by_prefix = || {
        known
            .iter()
            .filter(|k| k.len() >= 3 && key.len() >= 3)
            .find(|k| k.starts_with(key) || key.starts_with(**k))
            .copied()
    };
    by_edits.or_else(by_prefix)
}

/// A value cut short and escaped for an error message (a hostile spec may
/// hold megabytes, newlines or NUL bytes).
pub(crate) fn short(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        return s.escape_debug().to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{}…", cut.escape_debug())
}

/// Normalize a main package path to `.` or `./a/b`, refusing anything that
/// could leave the context or be read by `go build` as a flag or a pattern.
pub fn normalize_package(p: &str) -> Result<String, String> {
    if p.is_empty() {
        return Err("the path is empty".into());
    }
    if p.len() > 1024 {
        return Err(format!(
            "the path is {} bytes long; the limit is 1024",
            p.len()
        ));
    }
    let shown = short(p);
    let p_shown = &shown;
    if p.starts_with('/') {
        return Err(format!(
            "\"{p_shown}\" is absolute; it must be relative to the build context"
        ));
    }
    if p.starts_with('-') {
        return Err(format!(
            "\"{p_shown}\" starts with '-' and would be read as a flag"
        ));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+' | '~')))
    {
        return Err(format!(
            "\"{p_shown}\" contains {c:?}; only letters, digits and . / _ - + ~ are allowed"
        ));
    }
    let parts = path_parts(p).ok_or_else(|| format!("\"{p_shown}\" leaves the build context"))?;
    if parts.contains(&"...") {
        return Err(format!("\"{p_shown}\" is a pattern; name one main package"));
    }
    if parts.is_empty() {
        Ok(".".into())
    } else {
        Ok(format!("./{}", parts.join("/")))
    }
}

/// The elements of a slash-separated path without empty and `.` ones, or
/// `None` when one is `..`: spec paths never walk up, they are refused.
pub(crate) fn path_parts(p: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = p.split('/').filter(|s| !matches!(*s, "" | ".")).collect();
    (!parts.contains(&"..")).then_some(parts)
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
            && !n.starts_with('-')
            // All digits: a numeric id, which must fit in 32 bits.
            && (!n.bytes().all(|b| b.is_ascii_digit()) || n.parse::<u32>().is_ok())
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

mod raw;
pub mod template;
mod validate;

pub use raw::RawSpec;
use raw::TOP_KEYS;
use validate::validate;

#[cfg(test)]
mod tests;
