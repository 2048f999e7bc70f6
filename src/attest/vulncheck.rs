//! govulncheck's `-format json` stream read into a [`Report`], and the
//! OpenVEX document gofront attaches for it ([`openvex`]).
//!
//! The stream (golang.org/x/vuln `internal/govulncheck/govulncheck.go`,
//! protocol `v1.0.0`) is a sequence of indented JSON objects, not an
//! array, each with one of `config` (first), `progress`, `SBOM`, `osv` and
//! `finding`. An `osv` message is emitted for every database entry of a
//! module in the build, whatever its version; only `finding`s say what
//! affects the build, several per vulnerability as the analysis deepens:
//! first one per vulnerable *module* (trace: one frame, module only), then
//! one per imported vulnerable *package* (one frame with `package`), then,
//! at `-scan symbol`, one per reached vulnerable *symbol* with the call
//! path (frames from the vulnerable function up to the entry point, so
//! reversed here). The level of a vulnerability is that of its most
//! precise finding, read from the first frame as govulncheck's own OpenVEX
//! handler does (`internal/openvex/handler.go`, `foundAtLevel`).
//!
//! A stream only means something when govulncheck exited 0 (it does with
//! `-format json` whatever it finds; 3 is for text output): with a broken
//! database (bad gzip or JSON, a missing entry) it exits 1 after printing
//! `config`, `SBOM` and `progress` messages, which parse as a report
//! without vulnerabilities. The caller checks the exit status first. (An
//! unreachable `-db http(s)://…` prints nothing: exit 1, stderr "creating
//! client: unrecognized vulndb format"; [`parse`] fails on that.)

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What govulncheck found, from its `-format json` stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The Go version whose standard library was checked (`go1.26.8`).
    pub go_version: Option<String>,
    /// The database URL as given with `-db`.
    pub db: Option<String>,
    /// RFC 3339 time of the database's latest entry (`index/db`), absent
    /// when the database has no `index/db` (govulncheck ignores that).
    pub db_last_modified: Option<String>,
    /// govulncheck's version (`v1.9.0`).
    pub scanner_version: Option<String>,
    /// Every vulnerability with a finding, sorted by id.
    pub vulns: Vec<Vuln>,
}

/// One vulnerability that affects a module of the build at its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vuln {
    pub id: String,
    pub aliases: Vec<String>,
    /// The OSV summary, or its details when it has no summary.
    pub summary: String,
    /// The vulnerable module (`stdlib` for the standard library).
    pub module: String,
    /// The module's version in the build (`v1.26.8` for `stdlib`).
    pub version: String,
    /// The earliest version without the vulnerability, if any.
    pub fixed: Option<String>,
    pub level: Level,
    /// The call path for [`Level::Symbol`], entry point (`main.main`)
    /// first, vulnerable function last; empty for the other levels.
    pub path: Vec<Frame>,
}

/// How far govulncheck got from the build to the vulnerable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The module is required at a vulnerable version; no vulnerable
    /// package is imported.
    Module,
    /// A vulnerable package is imported; no vulnerable function is called.
    Package,
    /// A vulnerable function is reachable from an entry point.
    Symbol,
}

/// One function of a call path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The module of the function (`stdlib` for the standard library).
    pub module: String,
    /// The import path.
    pub package: String,
    /// As SSA names it: `greet`, `newMux$2` for a closure.
    pub function: String,
    /// `*Server` for a method with a pointer receiver.
    pub receiver: Option<String>,
    /// `file.go:12:3`, the file relative to the module's root (to GOROOT
    /// for `stdlib`): where this function calls the next one, or, for the
    /// vulnerable function, where it is declared.
    pub position: Option<String>,
}

/// The stream's messages, as far as gofront reads them.
#[derive(Deserialize)]
struct Config {
    protocol_version: String,
    #[serde(default)]
    scanner_version: Option<String>,
    #[serde(default)]
    db: Option<String>,
    #[serde(default)]
    db_last_modified: Option<String>,
    #[serde(default)]
    go_version: Option<String>,
    #[serde(default)]
    scan_level: Option<String>,
}

#[derive(Deserialize)]
struct Osv {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    details: String,
}

#[derive(Deserialize)]
struct Finding {
    osv: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    trace: Vec<TraceFrame>,
}

#[derive(Deserialize)]
struct TraceFrame {
    module: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    package: Option<String>,
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    receiver: Option<String>,
    #[serde(default)]
    position: Option<Position>,
}

#[derive(Deserialize)]
struct Position {
    #[serde(default)]
    filename: String,
    #[serde(default)]
    line: u64,
    #[serde(default)]
    column: u64,
}

impl Finding {
    fn level(&self) -> Level {
        let top = &self.trace[0];
        if top.function.as_deref().is_some_and(|f| !f.is_empty()) {
            Level::Symbol
        } else if top.package.as_deref().is_some_and(|p| !p.is_empty()) {
            Level::Package
        } else {
            Level::Module
        }
    }
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn frame(f: &TraceFrame) -> Frame {
    let position = f.position.as_ref().and_then(|p| {
        (p.line > 0 && !p.filename.is_empty()).then(|| {
            if p.column > 0 {
                format!("{}:{}:{}", p.filename, p.line, p.column)
            } else {
                format!("{}:{}", p.filename, p.line)
            }
        })
    });
    Frame {
        module: f.module.clone(),
        package: f.package.clone().unwrap_or_default(),
        function: f.function.clone().unwrap_or_default(),
        receiver: nonempty(f.receiver.clone()),
        position,
    }
}

/// Read a govulncheck `-format json` stream (at `-scan symbol`, the
/// default). Errors name the message that is wrong; a stream without a
/// `config` message (empty: govulncheck failed before starting) is one.
pub fn parse(stream: &str) -> Result<Report, String> {
    let mut config: Option<Config> = None;
    let mut osvs: BTreeMap<String, Osv> = BTreeMap::new();
    let mut findings: BTreeMap<String, Vec<Finding>> = BTreeMap::new();

    let messages = serde_json::Deserializer::from_str(stream).into_iter::<Value>();
    for (i, message) in messages.enumerate() {
        let n = i + 1;
        let message = message
            .map_err(|e| format!("govulncheck output is not a JSON stream (message {n}): {e}"))?;
        let Value::Object(mut fields) = message else {
            return Err(format!(
                "govulncheck output: message {n} is not a JSON object: {}",
                truncate(&message.to_string())
            ));
        };
        let typed = |kind: &str, e: serde_json::Error| {
            format!("govulncheck output: message {n} ({kind}): {e}")
        };
        if let Some(v) = fields.remove("config") {
            if config.is_some() {
                return Err(format!(
                    "govulncheck output: message {n} is a second config"
                ));
            }
            let c: Config = serde_json::from_value(v).map_err(|e| typed("config", e))?;
            if !c.protocol_version.starts_with("v1.") {
                return Err(format!(
                    "govulncheck output: protocol version {:?}, gofront reads v1.x",
                    c.protocol_version
                ));
            }
            if let Some(level) = c.scan_level.as_deref().filter(|l| *l != "symbol") {
                return Err(format!(
                    "govulncheck ran with -scan {level}: gofront needs -scan symbol \
                     (the default) to tell reachable vulnerabilities from the others"
                ));
            }
            config = Some(c);
        } else if config.is_none() {
            return Err(format!(
                "govulncheck output: message {n} comes before the config message"
            ));
        } else if let Some(v) = fields.remove("osv") {
            let o: Osv = serde_json::from_value(v).map_err(|e| typed("osv", e))?;
            osvs.insert(o.id.clone(), o);
        } else if let Some(v) = fields.remove("finding") {
            let f: Finding = serde_json::from_value(v).map_err(|e| typed("finding", e))?;
            if f.trace.is_empty() {
                return Err(format!(
                    "govulncheck output: message {n}: the finding for {} has no trace",
                    f.osv
                ));
            }
            findings.entry(f.osv.clone()).or_default().push(f);
        }
        // progress, SBOM and message types to come: nothing to read.
    }

    let Some(config) = config else {
        return Err("govulncheck output has no config message \
                    (it printed nothing: see its error output)"
            .to_string());
    };

    let mut vulns = Vec::with_capacity(findings.len());
    for (id, fs) in findings {
        let Some(osv) = osvs.remove(&id) else {
            return Err(format!(
                "govulncheck output: findings for {id} but no osv message for it"
            ));
        };
        vulns.push(vuln(osv, &fs));
    }
    // BTreeMap order: sorted by id already.
    Ok(Report {
        go_version: nonempty(config.go_version),
        db: nonempty(config.db),
        db_last_modified: nonempty(config.db_last_modified),
        scanner_version: nonempty(config.scanner_version),
        vulns,
    })
}

/// The vulnerability as its most precise findings show it. Of several
/// call paths (one per reached symbol, in an order that varies between
/// runs), the shortest, then the first by its text: the same report for
/// the same build.
fn vuln(osv: Osv, findings: &[Finding]) -> Vuln {
    let level = findings.iter().map(Finding::level).max().expect("findings");
    let best = findings
        .iter()
        .filter(|f| f.level() == level)
        .map(|f| {
            let path: Vec<Frame> = f.trace.iter().rev().map(frame).collect();
            let key: Vec<String> = path
                .iter()
                .map(|fr| {
                    format!(
                        "{} {}",
                        symbol(fr, None),
                        fr.position.as_deref().unwrap_or("")
                    )
                })
                .collect();
            (path.len(), key, f, path)
        })
        .min_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)))
        .expect("a finding at the best level");
    let (_, _, finding, path) = best;
    let top = &finding.trace[0];
    Vuln {
        id: osv.id,
        aliases: osv.aliases,
        summary: if osv.summary.is_empty() {
            osv.details.trim().to_string()
        } else {
            osv.summary
        },
        module: top.module.clone(),
        version: top.version.clone().unwrap_or_default(),
        fixed: nonempty(finding.fixed_version.clone()),
        level,
        path: if level == Level::Symbol {
            path
        } else {
            Vec::new()
        },
    }
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `go1.26.8` for the `v1.26.8` of `stdlib` and `toolchain`, as govulncheck
/// prints them (`internal/semver.SemverToGoTag`); other versions as they are.
fn display_version(module: &str, version: &str) -> String {
    if module != "stdlib" && module != "toolchain" {
        return version.to_string();
    }
    let Some(v) = version.strip_prefix('v') else {
        return version.to_string();
    };
    if v == "1.0.0" {
        return "go1".to_string();
    }
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let parts: Vec<&str> = release.split('.').collect();
    let [major, minor, patch] = parts[..] else {
        return version.to_string();
    };
    let before_121 = major == "1" && minor.parse::<u64>().is_ok_and(|m| m < 21);
    let mut out = format!("go{major}.{minor}");
    if !(patch == "0" && (before_121 || pre.is_some())) {
        out.push('.');
        out.push_str(patch);
    }
    if let Some(pre) = pre {
        // rc.2 → rc2
        let digits = pre.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits < pre.len() && pre[..digits].ends_with('.') {
            out.push_str(&pre[..digits - 1]);
            out.push_str(&pre[digits..]);
        } else {
            out.push_str(pre);
        }
    }
    out
}

/// The natural name of a package (`language` for golang.org/x/text/language,
/// `yaml` for gopkg.in/yaml.v3, `chi` for github.com/go-chi/chi/v5), as
/// govulncheck's text output names them (goimports' heuristic).
fn package_name(import_path: &str) -> &str {
    let mut base = import_path.rsplit('/').next().unwrap_or(import_path);
    if let Some(n) = base.strip_prefix('v')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && let Some((dir, _)) = import_path.rsplit_once('/')
    {
        base = dir.rsplit('/').next().unwrap_or(dir);
    }
    let base = base.strip_prefix("go-").unwrap_or(base);
    let end = base
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(base.len());
    &base[..end]
}

/// `pkg.Func`, `pkg.Type.Method`, `pkg.Func.func2` for a closure; `main`
/// for the package `main_pkg` (the call path's entry package when its
/// entry point is `main`).
fn symbol(f: &Frame, main_pkg: Option<&str>) -> String {
    let pkg = if main_pkg == Some(f.package.as_str()) {
        "main"
    } else {
        package_name(&f.package)
    };
    let mut out = String::new();
    if !pkg.is_empty() {
        out.push_str(pkg);
        out.push('.');
    }
    if let Some(r) = &f.receiver {
        out.push_str(r.trim_start_matches('*'));
        out.push('.');
    }
    // SSA names closures f$1, f$1$2 (Go's runtime: f.func1, f.func1.2) and
    // adds $bound / $thunk for method values: dropped like govulncheck does.
    let mut parts = f.function.split('$');
    out.push_str(parts.next().unwrap_or(""));
    let mut first = true;
    for part in parts {
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(if first { ".func" } else { "." });
            out.push_str(part);
            first = false;
        }
    }
    out
}

impl Vuln {
    /// Whether the build calls the vulnerable code.
    pub fn reachable(&self) -> bool {
        self.level == Level::Symbol
    }

    /// The package `main` of the call path, if it starts at `main.main`.
    fn main_package(&self) -> Option<&str> {
        let entry = self.path.first()?;
        (entry.function == "main" && entry.receiver.is_none()).then_some(entry.package.as_str())
    }

    fn found_and_fixed(&self) -> String {
        let found = display_version(&self.module, &self.version);
        let at = if found.is_empty() {
            self.module.clone()
        } else {
            format!("{}@{found}", self.module)
        };
        match &self.fixed {
            Some(fixed) => format!("{at} (fixed in {})", display_version(&self.module, fixed)),
            None => format!("{at} (no fixed version)"),
        }
    }

    /// One line for a build warning: `GO-2099-0001 in
    /// golang.org/x/text@v0.14.0 (fixed in v0.15.0): main.main → main.run
    /// → … → main.greet → language.Parse`. The call path keeps the frames
    /// of the entry point's module and the vulnerable function; each run of
    /// other frames (net/http serving the handler, say) is one `…`.
    pub fn describe(&self) -> String {
        let what = match self.level {
            Level::Symbol => {
                let main = self.main_package();
                let entry_module = self.path.first().map(|f| f.module.as_str());
                let last = self.path.len().saturating_sub(1);
                let mut shown: Vec<String> = Vec::new();
                for (i, f) in self.path.iter().enumerate() {
                    if i == 0 || i == last || Some(f.module.as_str()) == entry_module {
                        shown.push(symbol(f, main));
                    } else if shown.last().map(String::as_str) != Some("…") {
                        shown.push("…".to_string());
                    }
                }
                shown.join(" → ")
            }
            Level::Package => {
                "a vulnerable package is imported, its vulnerable code is not called".to_string()
            }
            Level::Module => {
                "the module is required at a vulnerable version, no vulnerable package is imported"
                    .to_string()
            }
        };
        format!("{} in {}: {what}", self.id, self.found_and_fixed())
    }

    /// Several lines: the summary, aliases, versions and the whole call
    /// path with positions (`module/file:line:col` outside the entry
    /// point's module).
    pub fn details(&self) -> String {
        let mut out = format!("{}: {}\n", self.id, self.summary);
        if !self.aliases.is_empty() {
            out.push_str(&format!("  aliases: {}\n", self.aliases.join(", ")));
        }
        out.push_str(&format!("  module:  {}\n", self.module));
        out.push_str(&format!(
            "  found:   {}\n",
            display_version(&self.module, &self.version)
        ));
        let fixed = match self.fixed.as_deref() {
            None => "none known".to_string(),
            // The command that takes it, for a module the service requires.
            Some(f) if self.module != "stdlib" && self.module != "toolchain" => {
                format!("{f} (go get {}@{f})", self.module)
            }
            Some(f) => display_version(&self.module, f),
        };
        out.push_str(&format!("  fixed:   {fixed}\n"));
        match self.level {
            Level::Symbol => {
                out.push_str("  reachable: the service calls the vulnerable code:\n");
                let main = self.main_package();
                let entry_module = self.path.first().map(|f| f.module.as_str());
                let names: Vec<String> = self.path.iter().map(|f| symbol(f, main)).collect();
                let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
                for (f, name) in self.path.iter().zip(&names) {
                    let pos = match &f.position {
                        Some(p) if Some(f.module.as_str()) == entry_module => p.clone(),
                        Some(p) => format!("{}/{p}", f.module),
                        None => String::new(),
                    };
                    let line = format!("    {name:width$}  {pos}");
                    out.push_str(line.trim_end());
                    out.push('\n');
                }
            }
            Level::Package => out.push_str(
                "  not reachable: a vulnerable package is imported, \
                 no call path reaches its vulnerable code\n",
            ),
            Level::Module => out.push_str(
                "  not reachable: the module is required at a vulnerable version, \
                 no vulnerable package is imported\n",
            ),
        }
        // The last line without its newline, like describe().
        out.pop();
        out
    }
}

/// The OpenVEX context gofront writes, the one govulncheck writes.
pub const OPENVEX_CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// `pkg:golang/<module>@<version>` (purl spec: each segment and the
/// version percent-encoded; the module path's slashes stay separators).
/// govulncheck's own `-format openvex` escapes the whole module path as one
/// segment (`pkg:golang/golang.org%2Fx%2Ftext@v0.14.0`); the form here is
/// the one the purl spec's golang examples and SBOM tools use.
pub fn purl(module: &str, version: &str) -> String {
    fn escape(s: &str, out: &mut String) {
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    let mut out = String::from("pkg:golang/");
    for (i, segment) in module.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        escape(segment, &mut out);
    }
    if !version.is_empty() {
        out.push('@');
        escape(version, &mut out);
    }
    out
}

/// The OpenVEX document (<https://openvex.dev/ns/v0.2.0>) for `report`:
/// one statement per vulnerability, in id order, about `product` (the
/// image: a purl or a reference, as the caller names it) with the
/// vulnerable module's purl as subcomponent.
///
/// Statuses follow govulncheck's own `-format openvex` at `-scan symbol`
/// (`internal/openvex/handler.go`, `statements`):
/// - [`Level::Symbol`] (called): `affected`, with an `action_statement`
///   (which OpenVEX requires for `affected`, and govulncheck omits): upgrade
///   to the fixed version, or, with none, stop calling the code.
/// - [`Level::Package`] (imported, not called): `not_affected`,
///   `vulnerable_code_not_in_execute_path`: the code is in the binary but no
///   call path reaches it.
/// - [`Level::Module`] (required, no vulnerable package imported):
///   `not_affected`, `vulnerable_code_not_present`, as govulncheck does:
///   the vulnerable packages are not compiled into the binary at all, the
///   stronger and more precise claim.
///
/// Each `not_affected` statement has an `impact_statement` saying which of
/// the two govulncheck established (govulncheck writes one sentence for
/// both). Deterministic: the `@id` is `urn:gofront:vex:<sha256>` of the
/// document without `@id` and `timestamp` (what govulncheck hashes too), so
/// the same findings about the same product by the same author have the
/// same id at any time; govulncheck's `govulncheck/vex:<sha256>` is not an
/// absolute IRI, which the OpenVEX schema asks for.
pub fn openvex(report: &Report, product: &str, author: &str, timestamp: &str) -> Value {
    let tooling = match &report.scanner_version {
        Some(v) => format!("https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck@{v}"),
        None => "https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck".to_string(),
    };
    let statements: Vec<Value> = report.vulns.iter().map(|v| statement(v, product)).collect();
    // What the id stands for: everything but the id and the time.
    let mut hashed = json!({
        "@context": OPENVEX_CONTEXT,
        "author": author,
        "version": 1,
        "tooling": tooling,
        "statements": statements,
    });
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&hashed).expect("a Value serializes"),
    ));
    json!({
        "@context": OPENVEX_CONTEXT,
        "@id": format!("urn:gofront:vex:{digest}"),
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "tooling": hashed["tooling"].take(),
        "statements": hashed["statements"].take(),
    })
}

fn statement(v: &Vuln, product: &str) -> Value {
    let mut vulnerability = json!({
        "@id": format!("https://pkg.go.dev/vuln/{}", v.id),
        "name": v.id,
        "description": v.summary,
    });
    if !v.aliases.is_empty() {
        vulnerability["aliases"] = json!(v.aliases);
    }
    let mut s = json!({
        "vulnerability": vulnerability,
        "products": [{
            "@id": product,
            "subcomponents": [{ "@id": purl(&v.module, &v.version) }],
        }],
    });
    match v.level {
        Level::Symbol => {
            s["status"] = "affected".into();
            let symbol = v.path.last().map(|f| symbol(f, None)).unwrap_or_default();
            s["action_statement"] = match &v.fixed {
                Some(fixed) => format!(
                    "Upgrade {} to {} or later: {symbol} is reachable from the service's entry points",
                    v.module,
                    display_version(&v.module, fixed)
                ),
                None => format!(
                    "No fixed version of {} is known: stop calling {symbol} or remove the dependency",
                    v.module
                ),
            }
            .into();
        }
        Level::Package => {
            s["status"] = "not_affected".into();
            s["justification"] = "vulnerable_code_not_in_execute_path".into();
            s["impact_statement"] = "govulncheck found the vulnerable package imported \
                                     but no call path from the service's entry points \
                                     to its vulnerable code"
                .into();
        }
        Level::Module => {
            s["status"] = "not_affected".into();
            s["justification"] = "vulnerable_code_not_present".into();
            s["impact_statement"] = "govulncheck found the module required at a vulnerable \
                                     version but none of its vulnerable packages \
                                     in the service"
                .into();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = include_str!("testdata/govulncheck-two.json");
    const NONE: &str = include_str!("testdata/govulncheck-none.json");

    fn two() -> Report {
        parse(TWO).expect("the saved stream parses")
    }

    #[test]
    fn two_config() {
        let r = two();
        assert_eq!(r.go_version.as_deref(), Some("go1.26.8"));
        assert_eq!(r.db.as_deref(), Some("http://127.0.0.1:18765"));
        assert_eq!(r.db_last_modified.as_deref(), Some("2025-01-02T00:00:00Z"));
        assert_eq!(r.scanner_version.as_deref(), Some("v1.9.0"));
        let ids: Vec<&str> = r.vulns.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["GO-2099-0001", "GO-2099-0002"]);
    }

    #[test]
    fn reachable_at_symbol_level_main_first() {
        let r = two();
        let v = &r.vulns[0];
        assert_eq!(v.level, Level::Symbol);
        assert!(v.reachable());
        assert_eq!(v.module, "golang.org/x/text");
        assert_eq!(v.version, "v0.14.0");
        assert_eq!(v.fixed.as_deref(), Some("v0.15.0"));
        assert_eq!(v.aliases, ["CVE-2099-0001"]);
        assert!(v.summary.starts_with("TEST ENTRY"), "{}", v.summary);
        let svc = "example.com/gofront/tests/vulncheck-service";
        let path: Vec<(&str, &str, Option<&str>)> = v
            .path
            .iter()
            .map(|f| {
                (
                    f.package.as_str(),
                    f.function.as_str(),
                    f.receiver.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            path,
            [
                (svc, "main", None),
                (svc, "run", None),
                ("net/http", "ListenAndServe", Some("*Server")),
                ("net/http", "Serve", Some("*Server")),
                ("net/http", "serve", Some("*conn")),
                ("net/http", "ServeHTTP", Some("serverHandler")),
                ("net/http", "ServeHTTP", Some("*ServeMux")),
                ("net/http", "ServeHTTP", Some("HandlerFunc")),
                (svc, "newMux$2", None),
                (svc, "greet", None),
                ("golang.org/x/text/language", "Parse", None),
            ]
        );
        assert_eq!(v.path[0].position.as_deref(), Some("main.go:31:15"));
        assert_eq!(v.path[0].module, svc);
        assert_eq!(v.path[2].module, "stdlib");
        assert_eq!(
            v.path[2].position.as_deref(),
            Some("src/net/http/server.go:3360:16")
        );
        let sink = v.path.last().unwrap();
        assert_eq!(sink.module, "golang.org/x/text");
        assert_eq!(sink.position.as_deref(), Some("language/parse.go:34:6"));
    }

    #[test]
    fn imported_not_reached() {
        let r = two();
        let v = &r.vulns[1];
        assert_eq!(v.id, "GO-2099-0002");
        assert_eq!(v.level, Level::Package);
        assert!(!v.reachable());
        assert!(v.path.is_empty());
        assert_eq!(v.module, "golang.org/x/text");
        assert_eq!(v.version, "v0.14.0");
        assert_eq!(v.fixed.as_deref(), Some("v0.16.0"));
        assert!(v.aliases.is_empty());
    }

    #[test]
    fn describe_lines() {
        let r = two();
        assert_eq!(
            r.vulns[0].describe(),
            "GO-2099-0001 in golang.org/x/text@v0.14.0 (fixed in v0.15.0): \
             main.main → main.run → … → main.newMux.func2 → main.greet → language.Parse"
        );
        assert_eq!(
            r.vulns[1].describe(),
            "GO-2099-0002 in golang.org/x/text@v0.14.0 (fixed in v0.16.0): \
             a vulnerable package is imported, its vulnerable code is not called"
        );
    }

    #[test]
    fn details_text() {
        let r = two();
        let d = r.vulns[0].details();
        let want = "\
GO-2099-0001: TEST ENTRY, not a real vulnerability: language.Parse (reachable) in golang.org/x/text
  aliases: CVE-2099-0001
  module:  golang.org/x/text
  found:   v0.14.0
  fixed:   v0.15.0 (go get golang.org/x/text@v0.15.0)
  reachable: the service calls the vulnerable code:
    main.main                     main.go:31:15
    main.run                      main.go:41:27
    http.Server.ListenAndServe    stdlib/src/net/http/server.go:3360:16
    http.Server.Serve             stdlib/src/net/http/server.go:3464:3
    http.conn.serve               stdlib/src/net/http/server.go:2067:36
    http.serverHandler.ServeHTTP  stdlib/src/net/http/server.go:3311:19
    http.ServeMux.ServeHTTP       stdlib/src/net/http/server.go:2828:13
    http.HandlerFunc.ServeHTTP    stdlib/src/net/http/server.go:2286:3
    main.newMux.func2             main.go:51:20
    main.greet                    main.go:66:28
    language.Parse                golang.org/x/text/language/parse.go:34:6";
        assert_eq!(d, want);
        let d = r.vulns[1].details();
        assert!(
            d.ends_with("no call path reaches its vulnerable code"),
            "{d}"
        );
        assert!(
            d.contains("  fixed:   v0.16.0 (go get golang.org/x/text@v0.16.0)\n"),
            "{d}"
        );
    }

    #[test]
    fn none_is_empty() {
        // The service at golang.org/x/text v0.16.0: both entries are sent
        // as osv messages (they are about a module of the build) but none
        // has a finding.
        assert!(NONE.contains("\"osv\": {"));
        let r = parse(NONE).unwrap();
        assert!(r.vulns.is_empty());
        assert_eq!(r.go_version.as_deref(), Some("go1.26.8"));
        let doc = openvex(&r, "pkg:oci/svc", "gofront", "2025-01-01T00:00:00Z");
        assert_eq!(doc["statements"], json!([]));
    }

    #[test]
    fn openvex_statuses() {
        let doc = openvex(
            &two(),
            "pkg:oci/vulncheck-service?tag=test",
            "ourorg",
            "2025-01-03T00:00:00Z",
        );
        assert_eq!(doc["@context"], OPENVEX_CONTEXT);
        assert_eq!(doc["author"], "ourorg");
        assert_eq!(doc["timestamp"], "2025-01-03T00:00:00Z");
        assert_eq!(doc["version"], 1);
        assert_eq!(
            doc["tooling"],
            "https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck@v1.9.0"
        );
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "@context",
                "@id",
                "author",
                "timestamp",
                "version",
                "tooling",
                "statements"
            ]
        );
        let id = doc["@id"].as_str().unwrap();
        let hex = id.strip_prefix("urn:gofront:vex:").unwrap();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));

        let s = doc["statements"].as_array().unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0]["vulnerability"],
            json!({
                "@id": "https://pkg.go.dev/vuln/GO-2099-0001",
                "name": "GO-2099-0001",
                "description": "TEST ENTRY, not a real vulnerability: language.Parse (reachable) in golang.org/x/text",
                "aliases": ["CVE-2099-0001"],
            })
        );
        assert_eq!(
            s[0]["products"],
            json!([{
                "@id": "pkg:oci/vulncheck-service?tag=test",
                "subcomponents": [{"@id": "pkg:golang/golang.org/x/text@v0.14.0"}],
            }])
        );
        assert_eq!(s[0]["status"], "affected");
        assert!(s[0].get("justification").is_none());
        let action = s[0]["action_statement"].as_str().unwrap();
        assert!(
            action.starts_with("Upgrade golang.org/x/text to v0.15.0 or later"),
            "{action}"
        );

        assert_eq!(s[1]["vulnerability"]["name"], "GO-2099-0002");
        assert!(s[1]["vulnerability"].get("aliases").is_none());
        assert_eq!(s[1]["status"], "not_affected");
        assert_eq!(s[1]["justification"], "vulnerable_code_not_in_execute_path");
        assert!(
            s[1]["impact_statement"]
                .as_str()
                .unwrap()
                .contains("imported")
        );
        assert!(s[1].get("action_statement").is_none());
    }

    #[test]
    fn openvex_deterministic() {
        let a = openvex(&two(), "img", "me", "2025-01-01T00:00:00Z");
        let b = openvex(&two(), "img", "me", "2025-01-01T00:00:00Z");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        // The time is not part of the id; the content is.
        let later = openvex(&two(), "img", "me", "2026-06-01T12:00:00Z");
        assert_eq!(later["@id"], a["@id"]);
        assert_ne!(later["timestamp"], a["timestamp"]);
        let other = openvex(&two(), "img2", "me", "2025-01-01T00:00:00Z");
        assert_ne!(other["@id"], a["@id"]);
        let mut fewer = two();
        fewer.vulns.pop();
        assert_ne!(
            openvex(&fewer, "img", "me", "2025-01-01T00:00:00Z")["@id"],
            a["@id"]
        );
    }

    /// A stream written by hand: a module-only finding, a stdlib finding
    /// with three call paths (`CALLS`: the shortest is kept, the first by
    /// text of the two shortest, whatever their order), and one without a fix.
    const HEAD: &str = r#"
{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","scan_level":"symbol","scan_mode":"source"}}
{"progress":{"message":"..."}}
{"osv":{"id":"GO-2099-0003","summary":"","details":"  Only details.\n","affected":[]}}
{"osv":{"id":"GO-2099-0004","summary":"std","affected":[]}}
{"osv":{"id":"GO-2099-0005","summary":"no fix","affected":[]}}
{"osv":{"id":"GO-2099-0006","summary":"not in the build at a vulnerable version","affected":[]}}
{"finding":{"osv":"GO-2099-0003","fixed_version":"v2.0.1","trace":[{"module":"example.com/m","version":"v2.0.0+incompatible"}]}}
{"finding":{"osv":"GO-2099-0004","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8"}]}}
{"finding":{"osv":"GO-2099-0005","trace":[{"module":"example.com/n","version":"v0.1.0"}]}}
{"finding":{"osv":"GO-2099-0004","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/url"}]}}
{"finding":{"osv":"GO-2099-0005","trace":[{"module":"example.com/n","version":"v0.1.0","package":"example.com/n/p"}]}}
"#;
    const CALLS: [&str; 3] = [
        r#"{"finding":{"osv":"GO-2099-0004","fixed_version":"v1.26.9","trace":[
  {"module":"stdlib","version":"v1.26.8","package":"net/url","function":"Parse","position":{"filename":"src/net/url/url.go","line":10,"column":6}},
  {"module":"example.com/svc","package":"example.com/svc/internal/h","function":"handle","position":{"filename":"internal/h/h.go","line":3,"column":2}},
  {"module":"example.com/svc","package":"example.com/svc","function":"main","position":{"filename":"main.go","line":5,"column":2}}]}}
"#,
        r#"{"finding":{"osv":"GO-2099-0004","fixed_version":"v1.26.9","trace":[
  {"module":"stdlib","version":"v1.26.8","package":"net/url","function":"Parse","position":{"filename":"src/net/url/url.go","line":10,"column":6}},
  {"module":"example.com/svc","package":"example.com/svc","function":"main","position":{"filename":"main.go","line":8,"column":1}}]}}
"#,
        r#"{"finding":{"osv":"GO-2099-0004","fixed_version":"v1.26.9","trace":[
  {"module":"stdlib","version":"v1.26.8","package":"net/url","function":"Parse","position":{"filename":"src/net/url/url.go","line":10,"column":6}},
  {"module":"example.com/svc","package":"example.com/svc","function":"main","position":{"filename":"main.go","line":7,"column":9}}]}}
"#,
    ];
    const TAIL: &str = r#"
{"finding":{"osv":"GO-2099-0005","trace":[
  {"module":"example.com/n","version":"v0.1.0","package":"example.com/n/p","function":"Do","receiver":"*T"},
  {"module":"example.com/svc","package":"example.com/svc","function":"main"}]}}
"#;

    fn hand(order: [usize; 3]) -> String {
        let calls: String = order.iter().map(|&i| CALLS[i]).collect();
        format!("{HEAD}{calls}{TAIL}")
    }

    #[test]
    fn hand_written_stream() {
        let r = parse(&hand([0, 1, 2])).unwrap();
        assert_eq!(r.go_version, None);
        assert_eq!(r.db, None);
        let ids: Vec<&str> = r.vulns.iter().map(|v| v.id.as_str()).collect();
        // GO-2099-0006 has no finding: not in the report.
        assert_eq!(ids, ["GO-2099-0003", "GO-2099-0004", "GO-2099-0005"]);

        let m = &r.vulns[0];
        assert_eq!(m.level, Level::Module);
        assert!(!m.reachable());
        assert_eq!(m.summary, "Only details.");
        assert_eq!(
            m.describe(),
            "GO-2099-0003 in example.com/m@v2.0.0+incompatible (fixed in v2.0.1): \
             the module is required at a vulnerable version, no vulnerable package is imported"
        );

        let s = &r.vulns[1];
        assert_eq!(s.level, Level::Symbol);
        assert_eq!(s.path.len(), 2, "the shorter path");
        assert_eq!(s.path[0].position.as_deref(), Some("main.go:7:9"));
        assert_eq!(
            s.describe(),
            "GO-2099-0004 in stdlib@go1.26.8 (fixed in go1.26.9): main.main → url.Parse"
        );
        // The order of the call findings does not matter.
        for order in [[2, 1, 0], [1, 0, 2], [0, 2, 1]] {
            assert_eq!(parse(&hand(order)).unwrap(), r, "{order:?}");
        }

        let n = &r.vulns[2];
        assert_eq!(n.fixed, None);
        assert_eq!(
            n.describe(),
            "GO-2099-0005 in example.com/n@v0.1.0 (no fixed version): main.main → p.T.Do"
        );
        assert!(n.details().contains("  fixed:   none known\n"));
        // No positions: the frames are the names alone.
        assert!(
            n.details().ends_with("    main.main\n    p.T.Do"),
            "{}",
            n.details()
        );

        let doc = openvex(&r, "img", "me", "2025-01-01T00:00:00Z");
        let st = doc["statements"].as_array().unwrap();
        assert_eq!(st[0]["status"], "not_affected");
        assert_eq!(st[0]["justification"], "vulnerable_code_not_present");
        assert_eq!(
            st[0]["products"][0]["subcomponents"][0]["@id"],
            "pkg:golang/example.com/m@v2.0.0%2Bincompatible"
        );
        assert_eq!(st[1]["status"], "affected");
        assert_eq!(
            st[1]["products"][0]["subcomponents"][0]["@id"],
            "pkg:golang/stdlib@v1.26.8"
        );
        assert!(
            st[1]["action_statement"]
                .as_str()
                .unwrap()
                .starts_with("Upgrade stdlib to go1.26.9 or later: url.Parse"),
            "{}",
            st[1]["action_statement"]
        );
        assert_eq!(st[2]["status"], "affected");
        assert!(
            st[2]["action_statement"]
                .as_str()
                .unwrap()
                .starts_with("No fixed version of example.com/n is known"),
        );
    }

    #[test]
    fn malformed_streams() {
        let cfg = r#"{"config":{"protocol_version":"v1.0.0"}}"#;
        for (stream, want) in [
            ("", "no config message"),
            ("   \n", "no config message"),
            ("{\"config\": {", "not a JSON stream (message 1)"),
            (&TWO[..TWO.len() / 2], "not a JSON stream"),
            ("[1, 2]", "message 1 is not a JSON object"),
            (
                r#"{"progress":{"message":"x"}}"#,
                "message 1 comes before the config message",
            ),
            (
                r#"{"config":{}}"#,
                "message 1 (config): missing field `protocol_version`",
            ),
            (
                r#"{"config":{"protocol_version":"v2.0.0"}}"#,
                "protocol version \"v2.0.0\"",
            ),
            (
                r#"{"config":{"protocol_version":"v1.0.0","scan_level":"package"}}"#,
                "-scan package",
            ),
            (&format!("{cfg}{cfg}"), "message 2 is a second config"),
            (
                &format!(r#"{cfg}{{"finding":{{"osv":"GO-1","trace":[]}}}}"#),
                "message 2: the finding for GO-1 has no trace",
            ),
            (
                &format!(r#"{cfg}{{"finding":{{"trace":[{{"module":"m"}}]}}}}"#),
                "message 2 (finding): missing field `osv`",
            ),
            (
                &format!(r#"{cfg}{{"finding":{{"osv":"GO-1","trace":[{{"module":"m"}}]}}}}"#),
                "findings for GO-1 but no osv message for it",
            ),
            (
                &format!(r#"{cfg}{{"osv":{{"id":7}}}}"#),
                "message 2 (osv): invalid type",
            ),
            (&format!("{cfg} 42"), "message 2 is not a JSON object: 42"),
        ] {
            let err = parse(stream).expect_err(stream);
            assert!(err.contains(want), "{stream:?}: {err}");
        }
    }

    #[test]
    fn versions_and_names() {
        for (v, want) in [
            ("v1.26.8", "go1.26.8"),
            ("v1.21.0", "go1.21.0"),
            ("v1.20.0", "go1.20"),
            ("v1.20.3", "go1.20.3"),
            ("v1.0.0", "go1"),
            ("v1.22.0-rc.2", "go1.22rc2"),
            ("v1.21.0-beta.1", "go1.21beta1"),
        ] {
            assert_eq!(display_version("stdlib", v), want, "{v}");
        }
        assert_eq!(display_version("golang.org/x/text", "v0.14.0"), "v0.14.0");
        for (p, want) in [
            ("golang.org/x/text/language", "language"),
            ("gopkg.in/yaml.v3", "yaml"),
            ("github.com/go-chi/chi/v5", "chi"),
            ("github.com/mattn/go-sqlite3", "sqlite3"),
            ("net/http", "http"),
            ("fmt", "fmt"),
        ] {
            assert_eq!(package_name(p), want, "{p}");
        }
        assert_eq!(
            purl("github.com/Foo/bar", "v1.0.0"),
            "pkg:golang/github.com/Foo/bar@v1.0.0"
        );
        assert_eq!(purl("example.com/m", ""), "pkg:golang/example.com/m");
    }
}
