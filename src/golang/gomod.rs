//! The few facts gofront needs from `go.mod` (module path, `go` and
//! `toolchain` lines) and `go.work` (`go` line, `use` directories). A full
//! go.mod grammar is not needed for this.

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GoMod {
    pub module: String,
    pub go: Option<String>,
    pub toolchain: Option<String>,
}

/// A `go.work` at the context root.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GoWork {
    pub go: Option<String>,
    /// The `use` directories, as written (relative to the context root).
    pub uses: Vec<String>,
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

/// Parse the directives gofront reads. Comments and blocks are skipped.
pub fn parse(text: &str) -> Result<GoMod, String> {
    let mut m = GoMod::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or_default().trim();
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("module"), Some(path)) => m.module = path.trim_matches('"').to_string(),
            (Some("go"), Some(v)) => {
                if !is_go_version(v) {
                    return Err(format!("go.mod:{}: \"{v}\" is not a Go version", i + 1));
                }
                m.go = Some(v.to_string());
            }
            (Some("toolchain"), Some(v)) => {
                m.toolchain = v.strip_prefix("go").map(str::to_string);
            }
            _ => {}
        }
    }
    if m.module.is_empty() {
        return Err("go.mod has no module line".into());
    }
    Ok(m)
}

/// The `go` line and the `use` directories of a `go.work`.
pub fn parse_work(text: &str) -> Result<GoWork, String> {
    let mut work = GoWork::default();
    let mut in_use_block = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or_default().trim();
        if in_use_block {
            if line == ")" {
                in_use_block = false;
            } else if !line.is_empty() {
                work.uses.push(line.trim_matches('"').to_string());
            }
            continue;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("go"), Some(v)) => {
                if !is_go_version(v) {
                    return Err(format!("go.work:{}: \"{v}\" is not a Go version", i + 1));
                }
                work.go = Some(v.to_string());
            }
            (Some("use"), Some("(")) => in_use_block = true,
            (Some("use"), Some(dir)) => work.uses.push(dir.trim_matches('"').to_string()),
            _ => {}
        }
    }
    Ok(work)
}

/// The `major.minor` of a Go version: the builder image tag that satisfies it
/// (the `go` line is a minimum, and `golang:1.26-*` carries the newest 1.26.x).
pub fn minor(v: &str) -> String {
    let v = v.split("rc").next().unwrap_or(v);
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn version_key(v: &str) -> Vec<u32> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or(0))
        .collect()
}

impl GoMod {
    /// The Go version the module asks for: the newer of `go` and `toolchain`.
    pub fn wanted_go(&self) -> Option<String> {
        let candidates = [self.go.clone(), self.toolchain.clone()];
        candidates
            .into_iter()
            .flatten()
            .max_by_key(|v| version_key(v))
            .map(|v| minor(&v))
    }

    /// The last element of the module path: a good default binary name.
    pub fn short_name(&self) -> String {
        let last = self.module.rsplit('/').next().unwrap_or("app");
        // Major-version suffixes (`example.com/tool/v2`) are not names.
        if last.len() >= 2 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit())
        {
            let parts: Vec<&str> = self.module.rsplit('/').collect();
            if parts.len() > 1 {
                return parts[1].to_string();
            }
        }
        last.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_module_go_and_toolchain() {
        let m = parse(
            "module example.com/a/b // c\n\ngo 1.26.2\ntoolchain go1.26.4\nrequire (\n x v1\n)\n",
        )
        .unwrap();
        assert_eq!(m.module, "example.com/a/b");
        assert_eq!(m.go.as_deref(), Some("1.26.2"));
        assert_eq!(m.toolchain.as_deref(), Some("1.26.4"));
        assert_eq!(m.wanted_go().as_deref(), Some("1.26"));
        assert_eq!(m.short_name(), "b");
    }

    #[test]
    fn major_version_suffix_is_not_the_name() {
        let m = parse("module example.com/tool/v2\ngo 1.26\n").unwrap();
        assert_eq!(m.short_name(), "tool");
    }

    #[test]
    fn toolchain_newer_minor_wins() {
        let m = parse("module m\ngo 1.25\ntoolchain go1.26.1\n").unwrap();
        assert_eq!(m.wanted_go().as_deref(), Some("1.26"));
    }

    #[test]
    fn errors() {
        assert!(parse("go 1.26\n").unwrap_err().contains("no module line"));
        assert!(
            parse("module m\ngo banana\n")
                .unwrap_err()
                .contains("go.mod:2")
        );
    }
}
