//! An SPDX 2.3 JSON SBOM of a gofront image, made from the Go build info of
//! its binaries (the text of `go version -m <binary>`).
//!
//! Why build info and not go.mod/go.sum: the linker embeds exactly the
//! modules whose packages were compiled in, with the replacements that were
//! in force, and the toolchain and settings of that one build. go.mod lists
//! the requirement graph (test-only and unused modules included) and knows
//! nothing of `-tags`, GOARCH or the toolchain that ran. The text form is
//! read rather than `go version -m -json` because the text works with every
//! Go since 1.13, and its format is Go's `BuildInfo.String`
//! (`runtime/debug/mod.go`), which [`parse_go_version_m`] reverses as Go's
//! own `ParseBuildInfo` does.
//!
//! The module is pure: the caller runs `go version -m`, hashes the files and
//! picks the creation time; the same [`Document`] always gives the same JSON,
//! byte for byte.
//!
//! What the document says, and why it is shaped so:
//! - The image is a CONTAINER package the document DESCRIBES; it CONTAINS
//!   one APPLICATION package per binary and is a DESCENDANT_OF the runtime
//!   base image when one is given.
//! - A binary DEPENDS_ON one package per module that went into it and on
//!   the Go standard library (`stdlib`) of its toolchain. Module packages are
//!   shared by the binaries that hold the same module (same path, version
//!   and replacement).
//! - A replaced module is described as what was compiled in, the
//!   replacement; `sourceInfo` names the requirement it replaced.
//! - The only checksums are real hashes of real artifacts: each binary's
//!   SHA-256 and the base image's manifest digest. Go's `h1:` sums hash a
//!   module's file tree, not a file of this image, so they are an OTHER
//!   external reference of type `gomod-h1` and never a SHA256 checksum.
//! - Build settings are annotations on the binary, each the `build` line of
//!   `go version -m`, with secrets in `-ldflags` redacted (see
//!   [`redact_ldflags`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::golang::quote_ldflag_word;
use crate::imageref::ImageRef;

/// One binary's Go build info, as `go version -m` prints it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain, as the header line gives it: `go1.26.0`,
    /// `go1.22rc1`, `go1.26.0 X:boringcrypto`, `devel go1.27-…`.
    pub go_version: String,
    /// The main package (`example.com/app/cmd/server`); empty when the
    /// binary records none.
    pub path: String,
    /// The main module; all fields empty when the binary was built outside
    /// a module (`go build file.go`, GOPATH mode).
    pub main: Module,
    pub deps: Vec<Module>,
    /// `build` lines in Go's order, values unquoted.
    pub settings: Vec<(String, String)>,
}

/// A module as build info records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    /// `v1.2.3`, a pseudo-version, or `(devel)`; empty for a directory
    /// replacement written by an old Go.
    pub version: String,
    /// Go's `h1:` dirhash (go.sum), never a SHA-256 of a file.
    pub sum: Option<String>,
    pub replace: Option<Box<Module>>,
}

/// Parse `go version -m` output of ONE binary. Errors are a short sentence.
///
/// The body is read as Go's `debug.ParseBuildInfo` reads it (unknown lines
/// are skipped, as newer Go may add some; `build` values are unquoted with
/// Go's rules), with two leniencies for text that went through an editor or
/// a Windows pipe: a trailing `\r` is dropped, and a `=>` line may have lost
/// its trailing empty column.
pub fn parse_go_version_m(text: &str) -> Result<BuildInfo, String> {
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate();
    let header = loop {
        match lines.next() {
            None => return Err(EMPTY.to_string()),
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((_, l)) => break l,
        }
    };
    let go_version = parse_header(header)?;
    let mut info = BuildInfo {
        go_version,
        ..BuildInfo::default()
    };

    /// The module a `=>` line replaces: Go's `last`.
    enum Last {
        None,
        Main,
        Dep(usize),
    }
    let mut last = Last::None;
    let mut saw_path = false;
    let mut saw_mod = false;
    for (i, raw) in lines {
        let n = i + 1;
        let Some(line) = raw.strip_prefix('\t') else {
            if raw.trim().is_empty() {
                continue;
            }
            if header_version(raw).is_some() {
                return Err("the text holds `go version -m` output of more than one binary; parse one at a time".into());
            }
            return Err(format!(
                "line {n}: expected a tab-indented build info line, not {}",
                excerpt(raw)
            ));
        };
        if let Some(rest) = line.strip_prefix("path\t") {
            info.path = rest.to_string();
            saw_path = true;
        } else if let Some(rest) = line.strip_prefix("mod\t") {
            info.main = module_line(rest).map_err(|e| format!("line {n}: {e}"))?;
            last = Last::Main;
            saw_mod = true;
        } else if let Some(rest) = line.strip_prefix("dep\t") {
            let m = module_line(rest).map_err(|e| format!("line {n}: {e}"))?;
            info.deps.push(m);
            last = Last::Dep(info.deps.len() - 1);
        } else if let Some(rest) = line.strip_prefix("=>\t") {
            // Go writes three columns (path, version, sum); an editor that
            // strips trailing whitespace leaves two when the sum is empty.
            let m = module_line(rest).map_err(|e| format!("line {n}: {e}"))?;
            let target = match std::mem::replace(&mut last, Last::None) {
                Last::None => None,
                Last::Main => Some(&mut info.main),
                Last::Dep(d) => info.deps.get_mut(d),
            };
            let Some(target) = target else {
                return Err(format!(
                    "line {n}: a replacement (=>) with no module on the line before"
                ));
            };
            target.replace = Some(Box::new(m));
        } else if let Some(rest) = line.strip_prefix("build\t") {
            info.settings
                .push(build_line(rest).map_err(|e| format!("line {n}: {e}"))?);
        }
        // Any other line is skipped, as Go's ParseBuildInfo skips it: the
        // empty line Go prints after each replacement, and kinds of line a
        // newer Go may add.
    }
    if !saw_path && !saw_mod {
        return Err(NO_BUILD_INFO.to_string());
    }
    Ok(info)
}

const EMPTY: &str = "no `go version -m` output (the text is empty)";
const NO_BUILD_INFO: &str = "no Go build info (not a Go binary, or built without module support)";

/// The header is `<file>: <go version>`. A file name may hold `: `, a Go
/// version never does, so the version follows the last `: ` that is
/// followed by one.
fn header_version(line: &str) -> Option<&str> {
    line.match_indices(": ")
        .map(|(i, _)| &line[i + 2..])
        .filter(|v| v.starts_with("go") || v.starts_with("devel"))
        .last()
        .map(str::trim_end)
}

fn parse_header(line: &str) -> Result<String, String> {
    if line.starts_with('\t') {
        return Err(
            "not `go version -m` output: the first line should be \"<file>: go<version>\"".into(),
        );
    }
    if let Some(v) = header_version(line)
        && !v.is_empty()
    {
        return Ok(v.to_string());
    }
    // What go version -m prints (on stderr) for other files:
    // "<file>: could not read Go build info from <file>: not a Go executable".
    if line.contains("not a Go executable") || line.contains("could not read Go build info") {
        return Err(format!("{NO_BUILD_INFO}: {}", excerpt(line)));
    }
    Err(format!(
        "not `go version -m` output: the first line should be \"<file>: go<version>\", not {}",
        excerpt(line)
    ))
}

/// `path \t version [\t sum]`, Go's readModuleLine.
fn module_line(rest: &str) -> Result<Module, String> {
    let elem: Vec<&str> = rest.split('\t').collect();
    if !(2..=3).contains(&elem.len()) {
        return Err(format!(
            "expected 2 or 3 tab-separated columns, got {}",
            elem.len()
        ));
    }
    let path = elem.first().copied().unwrap_or_default();
    if path.is_empty() {
        return Err("a module line without a module path".into());
    }
    let sum = elem.get(2).copied().unwrap_or_default();
    Ok(Module {
        path: path.to_string(),
        version: elem.get(1).copied().unwrap_or_default().to_string(),
        sum: (!sum.is_empty()).then(|| sum.to_string()),
        replace: None,
    })
}

/// `key=value`, either side possibly quoted: Go's `build` line parser.
fn build_line(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'"' | b'`') => {
            let n = go_quoted_prefix(kv).ok_or("invalid quoted key in build line")?;
            let key = go_unquote(&kv[..n]).ok_or("invalid quoted key in build line")?;
            match kv[n..].strip_prefix('=') {
                Some(value) => (key, value),
                None if kv.len() == n => {
                    return Err("build line missing '=' after quoted key".into());
                }
                None => return Err("unexpected character after quoted key".into()),
            }
        }
        Some(_) => {
            let (key, value) = kv
                .split_once('=')
                .ok_or("build line missing '=' after key")?;
            if needs_quoted_key(key) {
                return Err(format!("unquoted key {} must be quoted", excerpt(key)));
            }
            (key.to_string(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => go_unquote(raw_value).ok_or("invalid quoted value in build line")?,
        _ => {
            if needs_quoted_value(raw_value) {
                return Err(format!(
                    "unquoted value {} must be quoted",
                    excerpt(raw_value)
                ));
            }
            raw_value.to_string()
        }
    };
    Ok((key, value))
}

/// Go's quoteKey.
fn needs_quoted_key(key: &str) -> bool {
    key.is_empty() || key.contains(['=', ' ', '\t', '\r', '\n', '"', '`'])
}

/// Go's quoteValue.
fn needs_quoted_value(value: &str) -> bool {
    value.contains([' ', '\t', '\r', '\n', '"', '`'])
}

/// The length of the Go string literal at the start of `s`
/// (`strconv.QuotedPrefix`), or None.
fn go_quoted_prefix(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let quote = *bytes.first()?;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b if b == quote => {
                let n = i + 1;
                return go_unquote(&s[..n]).map(|_| n);
            }
            b'\\' if quote == b'"' => i += 2,
            b'\n' if quote == b'"' => return None,
            _ => i += 1,
        }
    }
    None
}

/// Go's `strconv.Unquote` for `"…"` and `` `…` `` literals, the two forms a
/// build line uses. Bytes written as `\x` or octal escapes that are not
/// UTF-8 become U+FFFD (Go's strings hold any bytes, Rust's do not).
fn go_unquote(s: &str) -> Option<String> {
    let inner = s
        .strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'))
        .filter(|_| s.len() >= 2);
    if let Some(inner) = inner {
        if inner.contains('`') {
            return None;
        }
        // Go drops carriage returns from raw strings.
        return Some(inner.replace('\r', ""));
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| s.len() >= 2)?;
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {}
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
        }
        let esc = chars.next()?;
        let simple = match esc {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        match esc {
            'x' => out.push(u8::try_from(hex_digits(&mut chars, 2)?).ok()?),
            '0'..='7' => {
                let mut v = esc.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                out.push(u8::try_from(v).ok()?);
            }
            'u' | 'U' => {
                let n = if esc == 'u' { 4 } else { 8 };
                let c = char::from_u32(hex_digits(&mut chars, n)?)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex_digits(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let mut v: u32 = 0;
    for _ in 0..n {
        v = v.checked_mul(16)? + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// A `build` line's `key=value` as Go prints it (`BuildInfo.String`), so
/// that an annotation reads exactly as `go version -m` does.
fn build_setting_text(key: &str, value: &str) -> String {
    let key = if needs_quoted_key(key) {
        go_quote(key)
    } else {
        key.to_string()
    };
    let value = if needs_quoted_value(value) {
        go_quote(value)
    } else {
        value.to_string()
    };
    format!("{key}={value}")
}

/// Go's `strconv.Quote`, with Rust's `is_control` and `is_whitespace`
/// standing in for Go's `IsPrint` (they differ on rare format characters,
/// which Go escapes and this keeps; either form unquotes to the same
/// string).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || c.is_whitespace() && c != ' ' => {
                if (c as u32) < 0x1_0000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// At most 80 characters of a line, quoted, for an error message.
fn excerpt(s: &str) -> String {
    let mut cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

// ---------------------------------------------------------------------------
// Secrets in -ldflags

/// The value an `-X` assignment of a secret-looking name gets instead.
pub const REDACTED: &str = "<redacted>";

/// Words that make an `-X` variable look secret.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "apikey",
    "api_key",
    "key",
];

/// Whether an `-X importpath.name` looks like it holds a secret: its last
/// segment (the variable name, after the last `.` or `/`) contains, in any
/// case, one of [`SECRET_WORDS`]. Substrings and not words, because Go
/// names are camelCase (`apiToken`, `DBPassword`); a false positive costs
/// one redacted version string, a false negative leaks a secret.
fn secret_symbol(name: &str) -> bool {
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    let last = last.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| last.contains(w))
}

/// The `-ldflags` build setting without secrets.
///
/// Rule: every `-X name=value` (also `-X=name=value` and `--X`) whose name
/// looks secret ([`secret_symbol`]: the variable name contains, case
/// insensitively, token, secret, password, passwd, credential, apikey,
/// api_key or key) gets the value [`REDACTED`]; the rest of the flags are
/// kept byte for byte. The flags are split as the go command splits them
/// (`cmd/internal/quoted.Split`: whitespace, `'…'` or `"…"` with no
/// escapes), after a per-package pattern (`all=…`). Flags that cannot be
/// split (which the go command would have refused) are replaced whole: the
/// redaction fails closed. Other settings are kept as they are: the
/// `CGO_*FLAGS` carry paths (`-I`, `-L`), not credentials.
pub fn redact_ldflags(flags: &str) -> String {
    // `-ldflags=pattern=flags` applies flags to the packages matching
    // pattern; the go command records the flag's raw value.
    let (pattern, body) = if flags.trim_start().starts_with('-') {
        ("", flags)
    } else {
        match flags.find('=') {
            Some(i) => flags.split_at(i + 1),
            None => ("", flags),
        }
    };
    let Some(words) = split_flags(body) else {
        return format!("{REDACTED} (the flags could not be split)");
    };
    // (word index, offset of `name=value` in the word's text)
    let mut assignments = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let text = &body[w.text.0..w.text.1];
        if text == "-X" || text == "--X" {
            if i + 1 < words.len() {
                assignments.push((i + 1, 0));
            }
            i += 2;
            continue;
        }
        for prefix in ["-X=", "--X="] {
            if text.starts_with(prefix) {
                assignments.push((i, prefix.len()));
            }
        }
        i += 1;
    }
    let mut out = body.to_string();
    // From the end, so that earlier spans stay valid.
    for &(wi, offset) in assignments.iter().rev() {
        let Some(w) = words.get(wi) else { continue };
        let text = &body[w.text.0..w.text.1];
        let Some((name, _)) = text.get(offset..).and_then(|a| a.split_once('=')) else {
            continue;
        };
        if !secret_symbol(name) {
            continue;
        }
        let plain = format!("{}{name}={REDACTED}", &text[..offset]);
        // Keep the word's quote when it had one (the new text is a prefix of
        // the old plus quote-free `<redacted>`, so the same quote works).
        let word = match w.quote {
            Some(q) => format!("{q}{plain}{q}"),
            None => quote_ldflag_word(&plain).unwrap_or_else(|_| REDACTED.to_string()),
        };
        out.replace_range(w.span.0..w.span.1, &word);
    }
    format!("{pattern}{out}")
}

/// One word of a flags string: its span with quotes, its text's span
/// without, and the quote.
struct FlagWord {
    span: (usize, usize),
    text: (usize, usize),
    quote: Option<char>,
}

/// Go's `quoted.Split`, keeping where each word is.
fn split_flags(s: &str) -> Option<Vec<FlagWord>> {
    let b = s.as_bytes();
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return Some(words);
        }
        let start = i;
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let close = b[i + 1..].iter().position(|&c| c == q)? + i + 1;
            words.push(FlagWord {
                span: (start, close + 1),
                text: (start + 1, close),
                quote: Some(char::from(q)),
            });
            i = close + 1;
        } else {
            while i < b.len() && !space(b[i]) {
                i += 1;
            }
            words.push(FlagWord {
                span: (start, i),
                text: (start, i),
                quote: None,
            });
        }
    }
}

// ---------------------------------------------------------------------------
// The SPDX document

/// A Go binary of the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    /// Path in the image, e.g. `/usr/local/bin/server`.
    pub path: String,
    /// The file's SHA-256, hex.
    pub sha256: String,
    pub info: BuildInfo,
}

/// The runtime base the image was built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseImage {
    /// e.g. `gcr.io/distroless/static-debian12:nonroot`.
    pub reference: String,
    /// `sha256:…`, the manifest or index digest the build resolved.
    pub digest: Option<String>,
}

/// What one SBOM describes: the image of one platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The spec name or image name; may be empty.
    pub image_name: String,
    /// `linux/arm64`, `linux/arm/v7`.
    pub platform: String,
    pub binaries: Vec<Binary>,
    pub runtime: Option<BaseImage>,
    /// RFC 3339 UTC, given by the caller (SOURCE_DATE_EPOCH or now).
    pub created: String,
    /// e.g. `gofront-0.5.0`.
    pub creator_tool: String,
}

const NOASSERTION: &str = "NOASSERTION";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spdx {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_file_name: Option<String>,
    supplier: &'static str,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    license_concluded: &'static str,
    license_declared: &'static str,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

impl Package {
    /// A package with everything gofront cannot know (licenses, supplier,
    /// where to download it) stated as NOASSERTION.
    fn new(spdx_id: String, name: String, purpose: &'static str) -> Package {
        Package {
            name,
            spdx_id,
            version_info: None,
            package_file_name: None,
            supplier: NOASSERTION,
            download_location: NOASSERTION,
            files_analyzed: false,
            checksums: Vec::new(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION,
            copyright_text: NOASSERTION,
            source_info: None,
            comment: None,
            external_refs: Vec::new(),
            primary_package_purpose: purpose,
            annotations: Vec::new(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'static str>,
}

impl ExternalRef {
    fn purl(locator: String) -> ExternalRef {
        ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: locator,
            comment: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    annotation_date: String,
    annotation_type: &'static str,
    annotator: String,
    comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_string(),
        relationship_type: kind,
        related_spdx_element: to.to_string(),
    }
}

/// What makes two dependencies one package: the required module and what
/// replaced it (the sum is not part of it, as a vendored build records
/// none; differing sums are all listed).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ModKey {
    path: String,
    version: String,
    replace: Option<(String, String)>,
}

impl ModKey {
    fn of(m: &Module) -> ModKey {
        ModKey {
            path: m.path.clone(),
            version: m.version.clone(),
            replace: m
                .replace
                .as_ref()
                .map(|r| (r.path.clone(), r.version.clone())),
        }
    }
}

/// The SPDX 2.3 JSON document. Deterministic: the same Document gives
/// byte-identical JSON (binaries, modules and toolchains are sorted; IDs
/// are derived from names, not counters over input order). Secrets in
/// `-ldflags` are redacted on the way ([`redact_ldflags`]); the
/// [`BuildInfo`] itself keeps what the binary says.
pub fn spdx_json(doc: &Document) -> Value {
    let created = spdx_date(&doc.created);
    let tool = doc.creator_tool.trim();
    let annotator = format!("Tool: {}", if tool.is_empty() { "gofront" } else { tool });

    let mut binaries: Vec<&Binary> = doc.binaries.iter().collect();
    binaries.sort_by(|a, b| (&a.path, &a.sha256).cmp(&(&b.path, &b.sha256)));

    let mut ids = Ids::default();
    let image_id = ids.take("Image", "");
    let base_id = doc.runtime.as_ref().map(|_| ids.take("BaseImage", ""));
    let binary_ids: Vec<String> = binaries
        .iter()
        .map(|b| ids.take("Binary", &b.path))
        .collect();

    // The toolchains and modules of all binaries, each once, sorted.
    let mut toolchains: BTreeMap<&str, String> = BTreeMap::new();
    let mut modules: BTreeMap<ModKey, (&Module, BTreeSet<&str>)> = BTreeMap::new();
    for b in &binaries {
        toolchains.entry(b.info.go_version.as_str()).or_default();
        for dep in &b.info.deps {
            let (_, sums) = modules
                .entry(ModKey::of(dep))
                .or_insert((dep, BTreeSet::new()));
            let compiled = dep.replace.as_deref().unwrap_or(dep);
            sums.extend(compiled.sum.as_deref());
        }
    }
    for (go_version, id) in toolchains.iter_mut() {
        *id = ids.take("Stdlib", go_version);
    }
    let module_ids: BTreeMap<ModKey, String> = modules
        .iter()
        .map(|(key, (m, _))| (key.clone(), ids.take("Module", &module_id_text(m))))
        .collect();

    let name = image_display_name(doc, &binaries);
    let mut packages = Vec::new();
    let mut relationships = vec![relationship("SPDXRef-DOCUMENT", "DESCRIBES", &image_id)];

    let mut image = Package::new(image_id.clone(), name.clone(), "CONTAINER");
    image.comment = Some(format!(
        "The image gofront built{}, with {} Go binar{}.",
        if doc.platform.is_empty() {
            String::new()
        } else {
            format!(" for {}", doc.platform)
        },
        binaries.len(),
        if binaries.len() == 1 { "y" } else { "ies" }
    ));
    packages.push(image);

    if let (Some(base), Some(base_id)) = (&doc.runtime, &base_id) {
        packages.push(base_package(base, base_id.clone()));
        relationships.push(relationship(&image_id, "DESCENDANT_OF", base_id));
    }

    for (b, id) in binaries.iter().zip(&binary_ids) {
        packages.push(binary_package(b, id.clone(), &created, &annotator));
        relationships.push(relationship(&image_id, "CONTAINS", id));
        if let Some(stdlib) = toolchains.get(b.info.go_version.as_str()) {
            relationships.push(relationship(id, "DEPENDS_ON", stdlib));
        }
        // In the package order (sorted, deduplicated), not the binary's.
        let deps: BTreeSet<&String> = b
            .info
            .deps
            .iter()
            .filter_map(|d| module_ids.get(&ModKey::of(d)))
            .collect();
        for dep in deps {
            relationships.push(relationship(id, "DEPENDS_ON", dep));
        }
    }

    for (go_version, id) in &toolchains {
        packages.push(stdlib_package(go_version, id.clone()));
    }
    for (key, (m, sums)) in &modules {
        let Some(id) = module_ids.get(key) else {
            continue;
        };
        packages.push(module_package(m, sums, id.clone()));
    }

    let spdx = Spdx {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: if doc.platform.is_empty() {
            name.clone()
        } else {
            format!("{name} ({})", doc.platform)
        },
        document_namespace: namespace(doc, &name, &binaries),
        creation_info: CreationInfo {
            created,
            creators: vec![annotator],
        },
        packages,
        relationships,
    };
    // Cannot fail: every map in it has string keys.
    serde_json::to_value(spdx).unwrap_or(Value::Null)
}

fn image_display_name(doc: &Document, binaries: &[&Binary]) -> String {
    let name = doc.image_name.trim();
    if !name.is_empty() {
        return name.to_string();
    }
    let files: Vec<&str> = binaries.iter().map(|b| file_name(&b.path)).collect();
    if files.is_empty() {
        "image".to_string()
    } else {
        files.join(", ")
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path)
}

/// `https://gofront.dev/spdx/<name>-<platform>-<hash>`: readable, and
/// unique per content because the hash covers everything the document
/// describes (the binaries' hashes, the platform, the base), while the
/// creation time is left out so that a rebuild of the same image names
/// the same document.
fn namespace(doc: &Document, name: &str, binaries: &[&Binary]) -> String {
    let mut h = Sha256::new();
    for part in [name, doc.platform.as_str()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for b in binaries {
        h.update(b.path.as_bytes());
        h.update([0]);
        h.update(b.sha256.trim().to_ascii_lowercase().as_bytes());
        h.update([0]);
    }
    if let Some(base) = &doc.runtime {
        h.update(base.reference.as_bytes());
        h.update([0]);
        h.update(base.digest.as_deref().unwrap_or_default().as_bytes());
    }
    let hash = hex::encode(h.finalize());
    let short = hash.get(..16).unwrap_or(&hash);
    let name = if doc.image_name.trim().is_empty() {
        binaries.first().map_or("image", |b| file_name(&b.path))
    } else {
        name
    };
    format!(
        "https://gofront.dev/spdx/{}-{}-{short}",
        uri_part(name),
        uri_part(&doc.platform)
    )
}

/// Letters, digits, `.`, `_` and `-`, the rest as `-`: safe in a URI path
/// segment without encoding.
fn uri_part(s: &str) -> String {
    let out = squash(s, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
    });
    if out.is_empty() { "image".into() } else { out }
}

/// `s` with each run of characters that `keep` refuses as one `-`, and no
/// `-` at either end.
fn squash(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// SPDXIDs: `SPDXRef-<kind>-<readable>`, letters, digits, `.` and `-`
/// only, made unique with `-2`, `-3`… when two readable parts collide
/// (squashing is lossy: `a_b` and `a~b`). Taken in document order, so the
/// same Document always gets the same IDs.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    fn take(&mut self, kind: &str, text: &str) -> String {
        let part = squash(text, |c| c.is_ascii_alphanumeric() || c == '.');
        let base = if part.is_empty() {
            format!("SPDXRef-{kind}")
        } else {
            format!("SPDXRef-{kind}-{part}")
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// The readable part of a module's SPDXID: what was compiled in, and for a
/// replacement what it replaced, so that the ID does not depend on which
/// other modules the document holds.
fn module_id_text(m: &Module) -> String {
    match &m.replace {
        None => format!("{} {}", m.path, m.version),
        Some(r) if is_local_replacement(r) => format!("{} dir {}", m.path, r.path),
        Some(r) => format!("{} {} replaces {} {}", r.path, r.version, m.path, m.version),
    }
}

/// A replacement by a directory (`replace x => ../x`), which has no module
/// version: Go records its version as `(devel)` (empty before Go 1.18)
/// and the path as written in go.mod, which modfile takes as a directory
/// when it starts with `./`, `../` or is absolute.
fn is_local_replacement(r: &Module) -> bool {
    let p = r.path.as_str();
    r.version.is_empty()
        || p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p == "."
        || p == ".."
        || p.starts_with('/')
        || p.starts_with('\\')
        || p.as_bytes().get(1) == Some(&b':')
}

/// A version a scanner can compare: not `(devel)` (Go's placeholder for
/// "no version: built from a work tree") and not empty.
fn real_version(v: &str) -> Option<&str> {
    (!v.is_empty() && v != "(devel)").then_some(v)
}

fn binary_package(b: &Binary, id: String, created: &str, annotator: &str) -> Package {
    let info = &b.info;
    let name = [
        info.path.as_str(),
        info.main.path.as_str(),
        file_name(&b.path),
    ]
    .into_iter()
    .find(|s| !s.is_empty())
    .unwrap_or("binary")
    .to_string();
    let mut p = Package::new(id, name, "APPLICATION");
    // `(devel)` is left out rather than copied: it says "no version" (a
    // build from a work tree without a VCS tag), and a scanner that reads
    // it as a version compares nonsense. The comment keeps it.
    let version = real_version(&info.main.version);
    p.version_info = version.map(str::to_string);
    p.package_file_name = (!b.path.is_empty()).then(|| b.path.clone());
    match sha256_hex(&b.sha256) {
        Some(hex) => p.checksums.push(Checksum {
            algorithm: "SHA256",
            checksum_value: hex,
        }),
        None => {
            p.comment =
                Some("No checksum: the SHA-256 given for this file is not 64 hex digits.".into())
        }
    }
    let main = if info.main.path.is_empty() {
        "no main module (built in GOPATH mode or from .go files)".to_string()
    } else {
        format!(
            "main module {} {}",
            info.main.path,
            if info.main.version.is_empty() {
                "(no version)"
            } else {
                &info.main.version
            }
        )
    };
    p.source_info = Some(format!(
        "Built by {} from {main}; what it holds is read from its Go build info (go version -m).",
        if info.go_version.is_empty() {
            "an unknown Go"
        } else {
            &info.go_version
        }
    ));
    let settings_note = "Each annotation is one build setting, as go version -m prints it; -X values of secret-looking names in -ldflags are redacted.";
    p.comment = Some(match p.comment.take() {
        Some(c) => format!("{c} {settings_note}"),
        None => settings_note.to_string(),
    });
    if let Some(v) = version
        && let Some(purl) = golang_purl(&info.main.path, v)
    {
        p.external_refs.push(ExternalRef::purl(purl));
    }
    if let Some(sum) = &info.main.sum {
        p.external_refs.extend(h1_ref(sum));
    }
    p.annotations = info
        .settings
        .iter()
        .map(|(k, v)| {
            let v = if k == "-ldflags" {
                redact_ldflags(v)
            } else {
                v.clone()
            };
            Annotation {
                annotation_date: created.to_string(),
                annotation_type: "OTHER",
                annotator: annotator.to_string(),
                comment: format!("build {}", build_setting_text(k, &v)),
            }
        })
        .collect();
    p
}

/// The module as compiled in: a replacement's path and version, with the
/// requirement it replaced in `sourceInfo`.
fn module_package(m: &Module, sums: &BTreeSet<&str>, id: String) -> Package {
    let compiled = m.replace.as_deref().unwrap_or(m);
    let local = m.replace.as_deref().filter(|r| is_local_replacement(r));
    // A directory replacement keeps the module's path as its name (the
    // directory holds that module, and its packages are imported by that
    // path); the directory goes in packageFileName, which SPDX defines as
    // "the path of the directory being treated as a package".
    let name = if local.is_some() {
        &m.path
    } else {
        &compiled.path
    };
    let mut p = Package::new(id, name.clone(), "LIBRARY");
    let requirement = format!(
        "{} {}",
        m.path,
        if m.version.is_empty() {
            "(no version)"
        } else {
            &m.version
        }
    );
    if let Some(dir) = local {
        p.package_file_name = Some(dir.path.clone());
        // No version and no purl: the code came from a directory of the
        // build context, not from a published module version, and a purl
        // would name upstream code that was not compiled in.
        p.source_info = Some(format!(
            "Local directory {} (go.mod replace), which replaces the requirement {requirement}; it has no module version and so no purl.",
            dir.path
        ));
    } else {
        let version = real_version(&compiled.version);
        p.version_info = version.map(str::to_string);
        if let Some(v) = version
            && let Some(purl) = golang_purl(&compiled.path, v)
        {
            p.external_refs.push(ExternalRef::purl(purl));
        }
        if m.replace.is_some() {
            p.source_info = Some(format!(
                "go.mod replace: this module is the replacement that was compiled in; it replaces the requirement {requirement}."
            ));
        } else if version.is_none() {
            p.source_info = Some(
                "Version (devel): built from a local module (a go.work workspace), so there is no version and no purl.".to_string(),
            );
        }
    }
    for sum in sums {
        p.external_refs.extend(h1_ref(sum));
    }
    if p.external_refs
        .iter()
        .any(|r| r.reference_type == "gomod-h1")
    {
        p.comment = Some(
            "The gomod-h1 reference is Go's go.sum hash of the module (the h1 form: a SHA-256 over its file list, base64), checked by the Go checksum database; it is not a checksum of a file in the image.".to_string(),
        );
    }
    p
}

/// Go's `h1:` module hash as an OTHER reference; SPDX wants OTHER locators
/// without whitespace, which a sum from real build info never has.
fn h1_ref(sum: &str) -> Option<ExternalRef> {
    (!sum.is_empty() && !sum.chars().any(char::is_whitespace)).then(|| ExternalRef {
        reference_category: "OTHER",
        reference_type: "gomod-h1",
        reference_locator: sum.to_string(),
        comment: Some("Go module hash (go.sum), not a file checksum"),
    })
}

/// The Go standard library and runtime of one toolchain.
///
/// Its purl is `pkg:golang/stdlib@v1.26.0`: `stdlib` is the module name
/// Go's vulnerability database gives the standard library, and the `v`
/// version is the form Trivy writes (and every other golang purl in the
/// document has). Syft writes `pkg:golang/stdlib@1.26.0`; the versionInfo
/// here (`1.26.0`) is the plain release number both agree on. A toolchain
/// whose version is not a Go release (`devel …`, vendor builds) gets its
/// raw version and no purl, as no vulnerability data can match it.
fn stdlib_package(go_version: &str, id: String) -> Package {
    let mut p = Package::new(id, "stdlib".to_string(), "LIBRARY");
    let semver = go_semver(go_version);
    p.version_info = match &semver {
        Some(v) => Some(v.trim_start_matches('v').to_string()),
        None => real_version(go_version).map(str::to_string),
    };
    if let Some(v) = &semver {
        p.external_refs.push(ExternalRef::purl(format!(
            "pkg:golang/stdlib@{}",
            purl_encode(v)
        )));
    }
    p.comment = Some(format!(
        "The Go standard library and runtime of {}, compiled into each binary that depends on it.",
        if go_version.is_empty() {
            "an unknown Go"
        } else {
            go_version
        }
    ));
    p
}

/// A Go toolchain version as a module-style semantic version, as the Go
/// vulnerability tooling converts it: `go1.26.0` → `v1.26.0`, `go1.21` →
/// `v1.21.0`, `go1.22rc1` → `v1.22.0-rc.1`, `go1.26.0 X:boringcrypto` →
/// `v1.26.0` (experiments follow a space). None for anything else.
fn go_semver(go_version: &str) -> Option<String> {
    let tag = go_version.split_whitespace().next()?;
    let rest = tag.strip_prefix("go")?;
    if rest == "1" {
        return Some("v1.0.0".into());
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    // Release part and pre-release part: `1.22` + `rc1`.
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (release, pre) = rest.split_at(split);
    let parts: Vec<&str> = release.split('.').collect();
    if !(parts.len() == 2 || parts.len() == 3) || !parts.iter().all(|p| digits(p)) {
        return None;
    }
    let mut v = format!(
        "v{}.{}.{}",
        parts[0],
        parts[1],
        parts.get(2).unwrap_or(&"0")
    );
    if !pre.is_empty() {
        let (kind, n) = ["beta", "rc"]
            .iter()
            .find_map(|k| pre.strip_prefix(k).map(|n| (*k, n)))?;
        if !digits(n) {
            return None;
        }
        let _ = write!(v, "-{kind}.{n}");
    }
    Some(v)
}

fn base_package(base: &BaseImage, id: String) -> Package {
    let mut p = Package::new(id, base.reference.clone(), "CONTAINER");
    let parsed = ImageRef::parse(&base.reference).ok();
    // The digest the build resolved, else one pinned in the reference.
    let digest = base
        .digest
        .as_deref()
        .or_else(|| parsed.as_ref().and_then(|r| r.digest.as_deref()));
    let checksum = digest.and_then(digest_checksum);
    p.comment = Some(match (digest, &checksum) {
        (Some(d), Some(_)) => {
            if let Some(purl) = parsed.as_ref().and_then(|r| oci_purl(r, d)) {
                p.external_refs.push(ExternalRef::purl(purl));
            }
            format!(
                "The runtime base image, pulled by digest {d}; the checksum is that digest (of the image index, or of the manifest when the image has one platform)."
            )
        }
        (Some(d), None) => format!(
            "The runtime base image, named by reference only: its recorded digest {} is not a sha256, sha384 or sha512 digest.",
            excerpt(d)
        ),
        (None, _) => {
            "The runtime base image, named by reference only: its digest was not recorded."
                .to_string()
        }
    });
    p.checksums.extend(checksum);
    p
}

/// A digest (`sha256:<hex>`) as the SPDX checksum it is: the digest of the
/// image's manifest (or index).
fn digest_checksum(digest: &str) -> Option<Checksum> {
    let (alg, hex) = digest.split_once(':')?;
    let (algorithm, len) = match alg {
        "sha256" => ("SHA256", 64),
        "sha384" => ("SHA384", 96),
        "sha512" => ("SHA512", 128),
        _ => return None,
    };
    let ok = hex.len() == len && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    ok.then(|| Checksum {
        algorithm,
        checksum_value: hex.to_string(),
    })
}

/// A SHA-256 as SPDX wants it (64 lower-case hex digits), accepting
/// upper case and a `sha256:` prefix.
fn sha256_hex(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix("sha256:").unwrap_or(s).to_ascii_lowercase();
    (s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())).then_some(s)
}

/// `pkg:oci/<name>@<digest>?repository_url=<domain/path>[&tag=<tag>]`, per
/// the purl oci type: the name is the repository's last segment, lower
/// case; no arch qualifier, as the digest may be an index's.
fn oci_purl(r: &ImageRef, digest: &str) -> Option<String> {
    let name = file_name(&r.path).to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    // Qualifiers sorted by key, as a canonical purl has them.
    let mut q = format!(
        "repository_url={}",
        purl_encode(&format!("{}/{}", r.domain, r.path))
    );
    if let Some(tag) = &r.tag {
        let _ = write!(q, "&tag={}", purl_encode(tag));
    }
    Some(format!(
        "pkg:oci/{}@{}?{q}",
        purl_encode(&name),
        purl_encode(digest)
    ))
}

/// `pkg:golang/<module path>@<version>`: the path's segments are the
/// namespace and (the last one) the name, each percent-encoded.
///
/// The case is kept. The purl golang type asks for lower case, but it
/// predates modules: Go module paths are case-sensitive
/// (`github.com/Sirupsen/logrus` and `github.com/sirupsen/logrus` are two
/// modules; the proxy escapes capitals as `!s`), and syft, Trivy and
/// Go's vulnerability database keep the case.
fn golang_purl(path: &str, version: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let path: Vec<String> = segments.iter().map(|s| purl_encode(s)).collect();
    Some(format!(
        "pkg:golang/{}@{}",
        path.join("/"),
        purl_encode(version)
    ))
}

/// Percent-encoding as the purl specification (ECMA-427) defines it: every
/// byte but letters, digits, `.-_~` and the colon, which must never be
/// encoded (so a digest reads `sha256:…`; older type examples wrote
/// `%3A`, which decodes the same). `+` of `+incompatible` becomes `%2B`.
fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// SPDX dates are `YYYY-MM-DDThh:mm:ssZ`. RFC 3339 also allows fractional
/// seconds and `+00:00` for UTC; those are cut to SPDX's form. Anything
/// else is kept as given (the caller promised UTC).
fn spdx_date(s: &str) -> String {
    let s = s.trim();
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b.iter().take(19).enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T' || c == b't',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return s.to_string();
    }
    let (head, tail) = s.split_at(19);
    let tail = match tail.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => tail,
    };
    if matches!(tail, "Z" | "z" | "+00:00" | "-00:00") {
        format!("{}T{}Z", &head[..10], &head[11..])
    } else {
        s.to_string()
    }
}

#[cfg(test)]
#[path = "spdx_tests.rs"]
mod tests;
