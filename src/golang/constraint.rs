//! Whether the go command compiles a file for a Linux image: its
//! `//go:build` line (or the older `// +build` lines) and its name's
//! `_GOOS`/`_GOARCH` suffixes, as `go/build` reads them.
//!
//! A file counts when some Linux target gofront builds for (amd64, arm64,
//! arm; cgo on or off) selects it without extra `-tags`: so
//! `//go:build tools`, `ignore`, `integration` or `windows` leave it out.

/// The operating systems and architectures Go knows (`go tool dist list`,
/// plus the names `go/build` reserves), for file name suffixes.
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// The Linux architectures gofront builds images for.
const LINUX_ARCHES: &[&str] = &["amd64", "arm64", "arm"];

/// Why the file `name` with source `src` is not compiled for any Linux
/// target without extra tags (`//go:build tools`, `its name says windows`),
/// or `None` when it is. An expression that does not parse counts as
/// satisfied: when in doubt, the file is in.
pub fn linux_exclusion(name: &str, src: &str) -> Option<String> {
    if let Some(why) = name_exclusion(name) {
        return Some(why);
    }
    let line = header_constraint(src)?;
    let expr = match &line {
        Constraint::GoBuild(text) => parse_expr(text)?,
        Constraint::PlusBuild(lines) => plus_build_expr(lines),
    };
    let selected = LINUX_ARCHES.iter().any(|arch| {
        [true, false].iter().any(|&cgo| {
            expr.eval(&|tag| match tag {
                "linux" | "unix" | "gc" => true,
                "cgo" => cgo,
                t if t == *arch => true,
                t => t.strip_prefix("go1.").is_some_and(|minor| {
                    !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())
                }),
            })
        })
    });
    (!selected).then(|| line.to_string())
}

/// The `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` suffix of a file name, when it
/// rules Linux out.
fn name_exclusion(name: &str) -> Option<String> {
    let stem = name.strip_suffix(".go").unwrap_or(name);
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    // go/build ignores everything up to the first `_`: `linux.go` is no
    // constraint, `x_linux.go` is.
    let (_, tail) = stem.split_once('_')?;
    let parts: Vec<&str> = tail.split('_').collect();
    let n = parts.len();
    let (os, arch) =
        if n >= 2 && KNOWN_OS.contains(&parts[n - 2]) && KNOWN_ARCH.contains(&parts[n - 1]) {
            (Some(parts[n - 2]), Some(parts[n - 1]))
        } else if KNOWN_OS.contains(&parts[n - 1]) {
            (Some(parts[n - 1]), None)
        } else if KNOWN_ARCH.contains(&parts[n - 1]) {
            (None, Some(parts[n - 1]))
        } else {
            return None;
        };
    let os_ok = os.is_none_or(|o| o == "linux");
    let arch_ok = arch.is_none_or(|a| LINUX_ARCHES.contains(&a));
    (!(os_ok && arch_ok)).then(|| format!("its name ({name}) selects {}", tail.replace('_', "/")))
}

/// A file's build constraint as written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Constraint {
    /// The expression of `//go:build EXPR`.
    GoBuild(String),
    /// The options of each `// +build A,B C` line.
    PlusBuild(Vec<String>),
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Constraint::GoBuild(e) => write!(f, "//go:build {e}"),
            Constraint::PlusBuild(lines) => {
                let joined: Vec<String> = lines.iter().map(|l| format!("// +build {l}")).collect();
                write!(f, "{}", joined.join("; "))
            }
        }
    }
}

/// The constraint in the comments before the package clause: the
/// `//go:build` line, else every `// +build` line.
fn header_constraint(src: &str) -> Option<Constraint> {
    let mut plus = Vec::new();
    let mut in_block = false;
    for line in src.lines() {
        let l = line.trim();
        if in_block {
            if l.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if l.starts_with("/*") {
            in_block = !l.contains("*/");
            continue;
        }
        if l.is_empty() {
            continue;
        }
        let Some(comment) = l.strip_prefix("//") else {
            // The package clause (or anything else) ends the header.
            break;
        };
        if let Some(expr) = comment.strip_prefix("go:build") {
            if expr.is_empty() || expr.starts_with([' ', '\t']) {
                return Some(Constraint::GoBuild(expr.trim().to_string()));
            }
        } else if let Some(opts) = comment.trim_start().strip_prefix("+build")
            && (opts.is_empty() || opts.starts_with([' ', '\t']))
        {
            plus.push(opts.trim().to_string());
        }
    }
    (!plus.is_empty()).then_some(Constraint::PlusBuild(plus))
}

/// A build constraint expression.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    Tag(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn eval(&self, tag: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Expr::Tag(t) => tag(t),
            Expr::Not(e) => !e.eval(tag),
            Expr::And(a, b) => a.eval(tag) && b.eval(tag),
            Expr::Or(a, b) => a.eval(tag) || b.eval(tag),
        }
    }
}

/// `// +build` lines: each line ANDs, spaces OR, commas AND, `!` negates.
fn plus_build_expr(lines: &[String]) -> Expr {
    let mut all: Option<Expr> = None;
    for line in lines {
        let mut any: Option<Expr> = None;
        for option in line.split_whitespace() {
            let mut every: Option<Expr> = None;
            for term in option.split(',') {
                let e = match term.strip_prefix('!') {
                    Some(t) => Expr::Not(Box::new(Expr::Tag(t.to_string()))),
                    None => Expr::Tag(term.to_string()),
                };
                every = Some(match every {
                    Some(prev) => Expr::And(Box::new(prev), Box::new(e)),
                    None => e,
                });
            }
            if let Some(e) = every {
                any = Some(match any {
                    Some(prev) => Expr::Or(Box::new(prev), Box::new(e)),
                    None => e,
                });
            }
        }
        if let Some(e) = any {
            all = Some(match all {
                Some(prev) => Expr::And(Box::new(prev), Box::new(e)),
                None => e,
            });
        }
    }
    // No option at all: always true (a tag that is always set).
    all.unwrap_or_else(|| Expr::Tag("linux".into()))
}

/// `//go:build` grammar: `||` of `&&` of `!`-unary, parentheses, tags.
fn parse_expr(text: &str) -> Option<Expr> {
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, at: 0 };
    let e = p.or()?;
    (p.at == p.tokens.len()).then_some(e)
}

fn tokenize(text: &str) -> Option<Vec<String>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' || c == '!' {
            tokens.push(c.to_string());
            chars.next();
        } else if c == '&' || c == '|' {
            chars.next();
            if chars.next() != Some(c) {
                return None;
            }
            tokens.push(format!("{c}{c}"));
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let mut tag = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '.' {
                    tag.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(tag);
        } else {
            return None;
        }
    }
    Some(tokens)
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn or(&mut self) -> Option<Expr> {
        let mut e = self.and()?;
        while self.peek() == Some("||") {
            self.at += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Some(e)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut e = self.unary()?;
        while self.peek() == Some("&&") {
            self.at += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Some(e)
    }

    fn unary(&mut self) -> Option<Expr> {
        let t = self.peek()?.to_string();
        self.at += 1;
        match t.as_str() {
            "!" => Some(Expr::Not(Box::new(self.unary()?))),
            "(" => {
                let e = self.or()?;
                (self.peek() == Some(")")).then(|| {
                    self.at += 1;
                    e
                })
            }
            ")" | "&&" | "||" => None,
            _ => Some(Expr::Tag(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_build_lines() {
        let main = "package main\n";
        assert_eq!(linux_exclusion("main.go", main), None);
        for (header, out) in [
            ("//go:build tools", Some("//go:build tools")),
            ("//go:build ignore", Some("//go:build ignore")),
            ("// Copyright\n\n//go:build !windows", None),
            ("//go:build windows", Some("//go:build windows")),
            ("//go:build linux && cgo", None),
            ("//go:build linux && !cgo", None),
            ("//go:build darwin || (linux && amd64)", None),
            (
                "//go:build (darwin || freebsd) && !linux",
                Some("//go:build (darwin || freebsd) && !linux"),
            ),
            ("//go:build go1.21 && !integration", None),
            ("//go:build integration", Some("//go:build integration")),
            ("//go:build mage", Some("//go:build mage")),
            ("//go:build riscv64", Some("//go:build riscv64")),
            // Not parsed: the file is in.
            ("//go:build linux &&", None),
            ("// +build ignore\n", Some("// +build ignore")),
            ("// +build linux,!cgo darwin\n", None),
            (
                "// +build tools\n// +build linux\n",
                Some("// +build tools; // +build linux"),
            ),
            // After the package clause, a comment is no constraint.
            ("package main\n//go:build ignore", None),
            // `//go:builds` is no directive.
            ("//go:builds ignore", None),
            ("/* x\n//go:build ignore\n*/", None),
        ] {
            let src = format!("{header}\n\npackage main\n");
            assert_eq!(
                linux_exclusion("main.go", &src).as_deref(),
                out,
                "{header:?}"
            );
        }
    }

    #[test]
    fn file_name_suffixes() {
        let src = "package main\n";
        assert_eq!(linux_exclusion("main_linux.go", src), None);
        assert_eq!(linux_exclusion("main_linux_arm64.go", src), None);
        assert_eq!(linux_exclusion("main_amd64.go", src), None);
        assert_eq!(linux_exclusion("linux.go", src), None);
        assert_eq!(linux_exclusion("windows.go", src), None);
        assert_eq!(linux_exclusion("service_manager.go", src), None);
        assert_eq!(
            linux_exclusion("main_windows.go", src).as_deref(),
            Some("its name (main_windows.go) selects windows")
        );
        assert_eq!(
            linux_exclusion("main_linux_s390x.go", src).as_deref(),
            Some("its name (main_linux_s390x.go) selects linux/s390x")
        );
        assert!(linux_exclusion("x_darwin_arm64.go", src).is_some());
    }
}
