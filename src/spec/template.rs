//! Linker flag templates: `{{.Version}}`, `{{.Commit}}`, `{{.Source}}`,
//! `{{.Date}}`, `{{.GOOS}}`, `{{.GOARCH}}`, `{{.GOARM}}` and `{{.Env.NAME}}`.
//!
//! Deliberately not Go's text/template: a template is literal text with
//! `{{ .Key }}` holes and nothing else, so a spec (or a build arg's value)
//! cannot call functions or build pipelines. An unknown key is an error when
//! the spec is read; a value that is not available is an error when the
//! build is planned, never an empty string.

use std::collections::BTreeMap;

/// The keys a template may use (besides `Env.NAME`).
pub const KEYS: &[&str] = &[
    "Version", "Commit", "Source", "Date", "GOOS", "GOARCH", "GOARM",
];

/// A hole in a template.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Named(String),
    /// `{{.Env.NAME}}`: the build arg NAME.
    Env(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Named(k) => write!(f, "{{{{.{k}}}}}"),
            Key::Env(k) => write!(f, "{{{{.Env.{k}}}}}"),
        }
    }
}

enum Piece<'a> {
    Text(&'a str),
    Hole(Key),
}

fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("\"{text}\": a template opened with {{{{ is not closed"))?;
        out.push(Piece::Hole(parse_key(after[..end].trim(), text)?));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err(format!("\"{text}\": }}}} without {{{{"));
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

fn parse_key(inner: &str, text: &str) -> Result<Key, String> {
    let ident = |s: &str| {
        let mut c = s.chars();
        matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
            && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let Some(path) = inner.strip_prefix('.') else {
        return Err(format!(
            "\"{text}\": {{{{{inner}}}}} is not a template key; write {{{{.Version}}}}, {{{{.Env.NAME}}}} …"
        ));
    };
    if let Some(name) = path.strip_prefix("Env.") {
        if ident(name) {
            return Ok(Key::Env(name.to_string()));
        }
        return Err(format!(
            "\"{text}\": {{{{.Env.{name}}}}}: \"{name}\" is not a build arg name"
        ));
    }
    if KEYS.contains(&path) {
        return Ok(Key::Named(path.to_string()));
    }
    let known = KEYS
        .iter()
        .map(|k| format!("{{{{.{k}}}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(format!(
        "\"{text}\": {{{{{inner}}}}} is not a known template key (known: {known}, {{{{.Env.NAME}}}})"
    ))
}

/// The keys `text` uses, or why it is not a valid template.
pub fn keys(text: &str) -> Result<Vec<Key>, String> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Hole(k) => Some(k),
            Piece::Text(_) => None,
        })
        .collect())
}

/// The values templates are filled with.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub named: BTreeMap<String, String>,
    /// Build args, for `{{.Env.NAME}}`.
    pub env: BTreeMap<String, String>,
}

/// Fill in `text`. Values are inserted as they are: the caller quotes the
/// resulting word, so a value cannot add words or flags.
pub fn render(text: &str, values: &Values) -> Result<String, String> {
    let mut out = String::new();
    for piece in pieces(text)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole(Key::Named(k)) => match values.named.get(&k) {
                Some(v) => out.push_str(v),
                None => return Err(format!("{{{{.{k}}}}} has no value in this build")),
            },
            Piece::Hole(Key::Env(k)) => match values.env.get(&k) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(format!(
                        "{{{{.Env.{k}}}}}: the build arg {k} is not set (hint: --build-arg {k}=…)"
                    ));
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_parsed_strictly() {
        assert_eq!(
            keys("main.v={{.Version}}-{{ .Env.BUILD_ID }}").unwrap(),
            vec![Key::Named("Version".into()), Key::Env("BUILD_ID".into())]
        );
        assert!(
            keys("{{.Verison}}")
                .unwrap_err()
                .contains("not a known template key")
        );
        assert!(keys("{{printf \"%s\" .Version}}").is_err());
        assert!(keys("{{.Version | html}}").is_err());
        assert!(keys("{{.Env.A-B}}").is_err());
        assert!(keys("{{.Version").unwrap_err().contains("not closed"));
        assert!(keys("x}}").is_err());
        assert_eq!(keys("plain").unwrap(), vec![]);
    }

    #[test]
    fn render_fills_in_and_refuses_missing_values() {
        let mut v = Values::default();
        v.named.insert("Version".into(), "1.2.3".into());
        v.env.insert("ID".into(), "a b".into());
        assert_eq!(
            render("v={{.Version}} id={{.Env.ID}}", &v).unwrap(),
            "v=1.2.3 id=a b"
        );
        assert!(render("{{.Commit}}", &v).unwrap_err().contains("no value"));
        assert!(
            render("{{.Env.NOPE}}", &v)
                .unwrap_err()
                .contains("--build-arg NOPE")
        );
        // A value that looks like a template stays literal.
        v.env.insert("X".into(), "{{.Version}}".into());
        assert_eq!(render("{{.Env.X}}", &v).unwrap(), "{{.Version}}");
    }
}
