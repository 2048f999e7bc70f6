//! `.dockerignore`, read as BuildKit's Dockerfile frontend reads it.

/// Parse `.dockerignore` into exclude patterns, as BuildKit's dockerfile
/// frontend does: skip comments and blank lines, clean paths, keep `!`.
pub fn parse(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (neg, pat) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let cleaned = clean_path(pat);
        if cleaned == "." {
            continue;
        }
        out.push(if neg { format!("!{cleaned}") } else { cleaned });
    }
    out
}

/// Lexical path cleaning (Go's `filepath.Clean`), relative to the context root.
fn clean_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_parsing() {
        let got = parse("# comment\n\n*.md\n/bin/\n!keep.md\n ./a/../b \n.\n");
        assert_eq!(got, ["*.md", "bin", "!keep.md", "b"]);
    }
}
