//! What a person sees at a glance in a Go file, for `gofront init`: is it a
//! command (`func main`), generated code, which `//go:embed` and
//! `//go:generate` directives it has, which port it obviously listens on
//! and which relative path it obviously writes. Line-based and cheap: the
//! hints are proposals that a comment explains, never facts the build relies
//! on.

/// A directive's line and its text after the directive name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub line: u32,
    pub text: String,
}

/// A port the code obviously listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortHint {
    pub line: u32,
    pub port: u16,
    pub udp: bool,
    /// The code that says so, trimmed and shortened.
    pub code: String,
}

/// A path the code obviously writes (a SQLite file, a data folder flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathHint {
    pub line: u32,
    /// As written, without `file:` and `?options`.
    pub path: String,
    /// A folder (a `-data-dir` flag), not a file.
    pub dir: bool,
    pub code: String,
}

/// What [`scan`] finds in one Go file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFacts {
    /// The package clause.
    pub package: Option<String>,
    /// It declares `func main()`.
    pub func_main: bool,
    /// It starts with `// Code generated … DO NOT EDIT.`
    pub generated: bool,
    pub embeds: Vec<Directive>,
    pub generates: Vec<Directive>,
    pub ports: Vec<PortHint>,
    pub writes: Vec<PathHint>,
}

/// Read one Go file.
pub fn scan(src: &str) -> SourceFacts {
    let mut facts = SourceFacts {
        package: super::package_clause(src),
        ..SourceFacts::default()
    };
    let mut in_header = true;
    let mut in_block = false;
    // `port := os.Getenv("PORT")` waits a few lines for `port = "8080"`.
    let mut pending_env: Option<(String, u32, String, u32)> = None;
    for (i, raw) in src.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = raw.trim();
        if in_block {
            in_block = !t.contains("*/");
            continue;
        }
        if t.starts_with("/*") && !t.contains("*/") {
            in_block = true;
            continue;
        }
        if in_header {
            if t.starts_with("// Code generated ") && t.ends_with(" DO NOT EDIT.") {
                facts.generated = true;
            }
            if t.starts_with("package ") {
                in_header = false;
            }
        }
        if let Some(rest) = t.strip_prefix("//go:embed") {
            if rest.starts_with([' ', '\t']) {
                facts.embeds.push(Directive {
                    line,
                    text: rest.trim().to_string(),
                });
            }
            continue;
        }
        // go generate reads only lines that start with the directive.
        if let Some(rest) = raw.strip_prefix("//go:generate")
            && rest.starts_with([' ', '\t'])
        {
            facts.generates.push(Directive {
                line,
                text: rest.trim().to_string(),
            });
            continue;
        }
        if t.starts_with("//") || t.is_empty() {
            continue;
        }
        if t.starts_with("func main()") {
            facts.func_main = true;
        }
        let (code, lits) = lex(t);
        if let Some((var, at, first, left)) = pending_env.take() {
            match assigned_digits(code, &var) {
                Some(port) => facts.ports.push(PortHint {
                    line: at,
                    port,
                    udp: false,
                    code: format!("{first} (default {port})"),
                }),
                None if left > 1 => pending_env = Some((var, at, first, left - 1)),
                None => {}
            }
        }
        port_hints(line, t, code, &lits, &mut facts.ports, &mut pending_env);
        path_hints(line, t, code, &lits, &mut facts.writes);
    }
    facts
}

/// The patterns of a `//go:embed` directive (quoted ones unquoted).
pub fn embed_patterns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '`') {
            let body = &rest[1..];
            let end = body.find(q).unwrap_or(body.len());
            out.push(body[..end].to_string());
            rest = body.get(end + 1..).unwrap_or_default().trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// A string literal on a line: its content and where it ends in the code.
#[derive(Clone, Debug)]
struct Lit {
    text: String,
    raw: bool,
    end: usize,
}

/// The line up to a `//` comment, and its string literals (interpreted
/// literals are kept as written between the quotes).
fn lex(line: &str) -> (&str, Vec<Lit>) {
    let bytes = line.as_bytes();
    let mut lits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => return (&line[..i], lits),
            b'\'' => {
                // A rune literal: skip it (it may be '"').
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'\'' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
            }
            q @ (b'"' | b'`') => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != q {
                    j += if q == b'"' && bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                lits.push(Lit {
                    text: line[i + 1..end].to_string(),
                    raw: q == b'`',
                    end: (end + 1).min(bytes.len()),
                });
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    (line, lits)
}

/// `:8080`, `0.0.0.0:8080`, `[::]:8080`: an address that listens on every
/// interface, and its port.
fn listen_address(s: &str) -> Option<u16> {
    let (host, port) = s.rsplit_once(':')?;
    matches!(host, "" | "0.0.0.0" | "[::]")
        .then(|| port_number(port))
        .flatten()
}

fn port_number(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|p| *p > 0)
}

/// A name for the service's own port: `PORT`, `HTTP_PORT`, `listen-port`,
/// `server.port`. Not `DB_PORT` or `REDIS_PORT`: those are ports the
/// service connects to.
fn port_key(s: &str) -> bool {
    const OWN: &[&str] = &[
        "http", "https", "listen", "server", "app", "grpc", "metrics", "admin", "web", "api",
        "service", "public", "health",
    ];
    if s.is_empty() || s.len() > 40 {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-', '.']).collect();
    words.last() == Some(&"port") && words[..words.len() - 1].iter().all(|w| OWN.contains(w))
}

/// Some code for a comment: one space between words, not too long.
fn short(code: &str) -> String {
    let clean = code
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match clean.char_indices().nth(72) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

fn port_hints(
    line: u32,
    t: &str,
    code: &str,
    lits: &[Lit],
    out: &mut Vec<PortHint>,
    pending_env: &mut Option<(String, u32, String, u32)>,
) {
    const KEYWORDS: &[&str] = &[
        "Listen", "listen", "Serve", "Addr", "addr", "Port", "port", "Bind", "bind", ".Run(",
        ".Start(", "flag.", "Flags()",
    ];
    let udp = code.contains("\"udp");
    let mut push = |port: u16, udp: bool| {
        out.push(PortHint {
            line,
            port,
            udp,
            code: short(t),
        })
    };
    // An address literal where something listens or is configured.
    if KEYWORDS.iter().any(|k| code.contains(k)) {
        for lit in lits.iter().filter(|l| !l.raw) {
            if let Some(port) = listen_address(&lit.text) {
                push(port, udp);
                return;
            }
        }
    }
    // A struct tag: `env:"PORT" envDefault:"8080"`.
    for lit in lits.iter().filter(|l| l.raw) {
        let tag = |key: &str| {
            lit.text.split_whitespace().find_map(|kv| {
                kv.strip_prefix(key)
                    .and_then(|v| v.strip_prefix(":\""))
                    .and_then(|v| v.strip_suffix('"'))
            })
        };
        let named = ["env", "envconfig", "mapstructure", "yaml", "json", "koanf"]
            .iter()
            .any(|k| tag(k).is_some_and(|v| port_key(v.split(',').next().unwrap_or(v))));
        if let Some(port) = ["envDefault", "default"]
            .iter()
            .find_map(|k| tag(k))
            .and_then(|v| port_number(v).or_else(|| listen_address(v)))
            && named
        {
            push(port, false);
            return;
        }
    }
    // A port name, then its default among the next two arguments:
    // `flag.Int("port", 8080, …)`, `getenv("PORT", "8080")`,
    // `cmp.Or(os.Getenv("PORT"), "8080")`.
    for (k, lit) in lits.iter().enumerate() {
        if lit.raw || !port_key(&lit.text) {
            continue;
        }
        let mut rest = code[lit.end..].trim_start();
        rest = rest.strip_prefix(')').unwrap_or(rest).trim_start();
        let mut next_lit = k + 1;
        for _ in 0..2 {
            let Some(after) = rest.strip_prefix(',') else {
                break;
            };
            rest = after.trim_start();
            if rest.starts_with('"') {
                let Some(l) = lits.get(next_lit) else {
                    break;
                };
                next_lit += 1;
                if let Some(port) = port_number(&l.text).or_else(|| listen_address(&l.text)) {
                    push(port, udp);
                    return;
                }
                rest = code[l.end..].trim_start();
            } else {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let after = rest[digits.len()..].trim_start();
                if let Some(port) = port_number(&digits)
                    && (after.starts_with(',') || after.starts_with(')'))
                {
                    push(port, udp);
                    return;
                }
                break;
            }
        }
        // `port := os.Getenv("PORT")`, the default on a later line.
        if code.contains("Getenv(") || code.contains("LookupEnv(") {
            let lhs = code.split(":=").next().unwrap_or_default();
            let var = lhs.split(',').next().unwrap_or_default().trim().to_string();
            if !var.is_empty()
                && code.contains(":=")
                && var.chars().all(|c| c.is_alphanumeric() || c == '_')
            {
                *pending_env = Some((var, line, short(t), 5));
            }
        }
        return;
    }
}

/// `port = "8080"` (or `port = ":8080"`) for `var`.
fn assigned_digits(code: &str, var: &str) -> Option<u16> {
    let rest = code.trim().strip_prefix(var)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let value = rest.strip_prefix('"')?.strip_suffix('"')?;
    port_number(value).or_else(|| listen_address(value))
}

/// A path a program writes to: relative or absolute, no URL, no spaces.
fn written_path(s: &str) -> Option<String> {
    let s = s.strip_prefix("file:").unwrap_or(s);
    let s = s.split('?').next().unwrap_or(s);
    let plausible = !s.is_empty()
        && s != ":memory:"
        && !s.starts_with(':')
        && !s.contains("://")
        && !s.contains(['%', '$', '{', ' ', '\t', ':', '*'])
        && s.chars().any(|c| c.is_alphanumeric());
    plausible.then(|| s.to_string())
}

fn path_hints(line: u32, t: &str, code: &str, lits: &[Lit], out: &mut Vec<PathHint>) {
    let lower = code.to_ascii_lowercase();
    // `sql.Open("sqlite3", "data/app.db")`, `sqlite.Open("file:app.db?…")`.
    if lower.contains("sqlite") && code.contains("Open(") {
        for lit in lits.iter().filter(|l| !l.raw) {
            if lit.text.starts_with("sqlite") {
                continue;
            }
            if let Some(path) = written_path(&lit.text).filter(|p| p.contains(['.', '/'])) {
                out.push(PathHint {
                    line,
                    path,
                    dir: false,
                    code: short(t),
                });
                return;
            }
        }
    }
    // `flag.String("data-dir", "./data", …)`, `flag.String("db", "app.db", …)`.
    if (code.contains("flag.") || code.contains("Flags()")) && code.contains("String") {
        const WORDS: &[&str] = &[
            "data", "datadir", "db", "dbpath", "database", "storage", "state", "statedir", "sqlite",
        ];
        let mut it = lits.iter().filter(|l| !l.raw);
        let (Some(name), Some(default)) = (it.next(), it.next()) else {
            return;
        };
        let lower_name = name.text.to_ascii_lowercase();
        let words: Vec<&str> = lower_name.split(['-', '_', '.']).collect();
        if !words.iter().any(|w| WORDS.contains(w)) {
            return;
        }
        if let Some(path) = written_path(&default.text) {
            let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            let dir = words.iter().any(|w| w.ends_with("dir")) || !last.contains('.');
            out.push(PathHint {
                line,
                path,
                dir,
                code: short(t),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(src: &str) -> Vec<(u32, u16, bool)> {
        scan(src)
            .ports
            .iter()
            .map(|p| (p.line, p.port, p.udp))
            .collect()
    }

    #[test]
    fn main_generated_and_directives() {
        let src = "// Code generated by stringer; DO NOT EDIT.\n\n//go:build linux\n\npackage main\n\n\
                   import _ \"embed\"\n\n//go:generate go tool stringer -type=Color\n\
                   \t//go:generate not-at-line-start\n\
                   //go:embed all:dist \"my file.txt\" static/*\nvar ui embed.FS\n\n\
                   /*\nfunc main() {}\n*/\nfunc mainly() {}\nfunc main() {\n}\n";
        let f = scan(src);
        assert_eq!(f.package.as_deref(), Some("main"));
        assert!(f.func_main);
        assert!(f.generated);
        assert_eq!(
            f.generates,
            [Directive {
                line: 9,
                text: "go tool stringer -type=Color".into()
            }]
        );
        assert_eq!(f.embeds.len(), 1);
        assert_eq!(
            embed_patterns(&f.embeds[0].text),
            ["all:dist", "my file.txt", "static/*"]
        );
        let lib = scan("package lib\n// Code generated by x. DO NOT EDIT.\nfunc mainx() {}\n");
        assert!(!lib.func_main && !lib.generated);
        assert!(!scan("package main\n/*\nfunc main() {}\n*/\n").func_main);
    }

    #[test]
    fn obvious_ports() {
        assert_eq!(
            ports("log.Fatal(http.ListenAndServe(\":8080\", nil))\n"),
            [(1, 8080, false)]
        );
        assert_eq!(
            ports("ln, err := net.Listen(\"tcp\", \"0.0.0.0:9090\")\n"),
            [(1, 9090, false)]
        );
        assert_eq!(
            ports("pc, _ := net.ListenPacket(\"udp\", \":53\")\n"),
            [(1, 53, true)]
        );
        assert_eq!(
            ports("srv := &http.Server{\n\tAddr:    \"[::]:8443\",\n}\n"),
            [(2, 8443, false)]
        );
        assert_eq!(
            ports("addr := flag.String(\"addr\", \":8081\", \"listen address\")\n"),
            [(1, 8081, false)]
        );
        assert_eq!(
            ports("port := flag.Int(\"port\", 3000, \"port\")\n"),
            [(1, 3000, false)]
        );
        assert_eq!(
            ports("pflag.IntVarP(&port, \"http-port\", \"p\", 8000, \"\")\n"),
            [(1, 8000, false)]
        );
        assert_eq!(
            ports("p := cmp.Or(os.Getenv(\"PORT\"), \"5000\")\n"),
            [(1, 5000, false)]
        );
        assert_eq!(
            ports("c := config{Port: getenv(\"PORT\", \"8080\")}\n"),
            [(1, 8080, false)]
        );
        assert_eq!(
            ports("type C struct {\n\tPort int `env:\"HTTP_PORT\" envDefault:\"7070\"`\n}\n"),
            [(2, 7070, false)]
        );
        assert_eq!(
            ports("\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"8088\"\n\t}\n"),
            [(1, 8088, false)]
        );
        let hint =
            &scan("\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"8088\"\n\t}\n")
                .ports[0];
        assert_eq!(hint.code, "port := os.Getenv(\"PORT\") (default 8088)");
        // Nothing obvious: a client, another service's port, a computed
        // address, a comment, a host-only bind.
        for src in [
            "resp, err := http.Get(\"http://localhost:8080/\")\n",
            "dbPort := getenv(\"DB_PORT\", \"5432\")\n",
            "rdb := redis.NewClient(&redis.Options{Addr: \"localhost:6379\"})\n",
            "srv.Addr = \":\" + port\n",
            "// http.ListenAndServe(\":8080\", nil)\n",
            "if strings.HasSuffix(host, \":443\") {\n",
            "port := os.Getenv(\"PORT\")\nif port == \"\" {\n\tlog.Fatal(\"PORT\")\n}\nx = \"9\"\n",
        ] {
            assert_eq!(ports(src), [], "{src}");
        }
    }

    #[test]
    fn obvious_written_paths() {
        let writes = |src: &str| -> Vec<(String, bool)> {
            scan(src)
                .writes
                .into_iter()
                .map(|w| (w.path, w.dir))
                .collect()
        };
        assert_eq!(
            writes("db, err := sql.Open(\"sqlite3\", \"data/app.db\")\n"),
            [("data/app.db".to_string(), false)]
        );
        assert_eq!(
            writes("db, err := sql.Open(\"sqlite\", \"file:app.db?_pragma=busy_timeout(5000)\")\n"),
            [("app.db".to_string(), false)]
        );
        assert_eq!(
            writes("dir := flag.String(\"data-dir\", \"./data\", \"where state lives\")\n"),
            [("./data".to_string(), true)]
        );
        assert_eq!(
            writes("fs.StringVar(&c.DB, \"db\", \"/var/lib/app/app.db\", \"\")\n"),
            []
        );
        assert_eq!(
            writes("flag.StringVar(&c.DB, \"db\", \"/var/lib/app/app.db\", \"\")\n"),
            [("/var/lib/app/app.db".to_string(), false)]
        );
        for src in [
            "db, err := sql.Open(\"sqlite3\", \":memory:\")\n",
            "db, err := sql.Open(\"sqlite3\", dsn)\n",
            "db, err := sql.Open(\"postgres\", \"postgres://u@h/db\")\n",
            "dsn := flag.String(\"db\", \"postgres://u@h/db\", \"\")\n",
            "name := flag.String(\"name\", \"app.db\", \"\")\n",
        ] {
            assert_eq!(writes(src), [], "{src}");
        }
    }
}
