//! Which package a Go file belongs to, read from its `package` clause the
//! way the go command finds it: after comments and blank lines.

/// The package name of a Go file: the first `package` clause outside comments.
pub fn package_clause(src: &str) -> Option<String> {
    let mut in_block = false;
    for line in src.lines() {
        let mut l = line.trim();
        if in_block {
            match l.find("*/") {
                Some(i) => {
                    in_block = false;
                    l = l[i + 2..].trim();
                }
                None => continue,
            }
        }
        if l.starts_with("/*") {
            match l.find("*/") {
                Some(i) => l = l[i + 2..].trim(),
                None => {
                    in_block = true;
                    continue;
                }
            }
        }
        if l.is_empty() || l.starts_with("//") {
            continue;
        }
        if let Some(rest) = l.strip_prefix("package") {
            let name: String = rest
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_clause_skips_comments_and_build_tags() {
        let src = "// Copyright\n//go:build linux\n\n/* block\n comment */\npackage main // x\n";
        assert_eq!(package_clause(src).as_deref(), Some("main"));
        assert_eq!(
            package_clause("/* a */ package api\n").as_deref(),
            Some("api")
        );
        assert_eq!(package_clause("import \"x\"\n"), None);
    }
}
