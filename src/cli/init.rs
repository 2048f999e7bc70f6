//! `gofront init`: write a first spec for a Go module from its `go.mod` and
//! the main packages found under it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::UsageError;
use crate::golang as gomod;
use crate::schema;
use crate::spec;

/// The spec file `gofront init` writes.
pub const SPEC_FILE: &str = "gofront.yaml";

/// Folders `gofront init` looks into at most (a safety net for huge trees).
const MAX_DIRS: usize = 20_000;

/// What `gofront init` is asked to do.
struct InitArgs {
    /// The module's folder (default: `.`).
    dir: Option<PathBuf>,
    /// `--force`: replace an existing spec.
    force: bool,
}

fn parse_args(args: &[String]) -> Result<InitArgs, UsageError> {
    use lexopt::prelude::*;
    let mut dir = None;
    let mut force = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("force") | Short('f') => force = true,
            Value(path) if dir.is_none() => dir = Some(PathBuf::from(path)),
            Value(_) => return Err(UsageError::shape("one folder at a time")),
            other => return Err(other.unexpected().into()),
        }
    }
    Ok(InitArgs { dir, force })
}

pub(super) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let InitArgs { dir, force } = match parse_args(args) {
        Ok(a) => a,
        Err(usage) => return usage.report("init", err),
    };
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    let target = dir.join(SPEC_FILE);
    if target.exists() && !force {
        let _ = writeln!(
            err,
            "gofront init: {} exists; use --force to replace it",
            target.display()
        );
        return 1;
    }
    let init = match init_spec(&dir) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "gofront init: {e}");
            return 1;
        }
    };
    for note in &init.notes {
        let _ = writeln!(err, "gofront init: {note}");
    }
    if let Err(e) = std::fs::write(&target, &init.text) {
        let _ = writeln!(err, "gofront init: {}: {e}", target.display());
        return 1;
    }
    let _ = writeln!(
        out,
        "wrote {} ({}); build with: docker build -f {} {}",
        target.display(),
        init.mains.join(", "),
        target.display(),
        dir.display()
    );
    0
}

/// What `gofront init` makes of a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init {
    /// The spec's text; it parses with [`spec::parse`].
    pub text: String,
    /// The main packages found, as `.` or `./path`.
    pub mains: Vec<String>,
    /// Things skipped, to tell the user.
    pub notes: Vec<String>,
}

/// Make a spec for the Go module in `dir`: its `go.mod` gives the Go
/// version, and every folder with a non-test `package main` file becomes a
/// binary (vendor/, testdata/, hidden and `_` folders and nested modules are
/// skipped, as `go build ./...` does). Reads files, writes nothing.
pub fn init_spec(dir: &Path) -> Result<Init, String> {
    let gomod_path = dir.join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod_path).map_err(|e| {
        format!(
            "{}: {e} (run gofront init in a Go module's folder)",
            gomod_path.display()
        )
    })?;
    let module = gomod::parse(&gomod_text).map_err(|e| format!("{}: {e}", gomod_path.display()))?;
    let mut notes = Vec::new();
    let mut mains = Vec::new();
    for rel in find_main_packages(dir)? {
        match spec::normalize_package(&rel) {
            Ok(m) => mains.push(m),
            Err(why) => notes.push(format!("skipped the main package {rel}: {why}")),
        }
    }
    if mains.is_empty() {
        return Err(format!(
            "no main package under {} (a folder with a non-test .go file in `package main`)",
            dir.display()
        ));
    }
    let name_of = |m: &str| match m {
        "." => module.short_name(),
        m => m.rsplit('/').next().unwrap_or_default().to_string(),
    };
    // The entrypoint: the binary named after the module, else `server`,
    // else the first; it goes first in the list.
    let preferred = mains
        .iter()
        .position(|m| name_of(m) == module.short_name())
        .or_else(|| mains.iter().position(|m| name_of(m) == "server"))
        .unwrap_or(0);
    let first = mains.remove(preferred);
    mains.insert(0, first);

    let mut text = String::new();
    text.push_str("# syntax=ourorg/gofront\n");
    text.push_str(&schema::modeline());
    text.push('\n');
    text.push_str(&format!(
        "# Made by `gofront init` for the module {}; `gofront check gofront.yaml` checks it.\n",
        module.module
    ));
    if let Some(go) = module.wanted_go() {
        text.push_str(&format!("go: \"{go}\"\n"));
    }
    if mains.len() == 1 {
        text.push_str(&format!("main: {}\n", mains[0]));
    } else {
        text.push_str("binaries:\n");
        let names: Vec<String> = mains.iter().map(|m| name_of(m)).collect();
        for (m, name) in mains.iter().zip(&names) {
            if names.iter().filter(|n| *n == name).count() > 1 {
                // Two packages with the same folder name: name them by path.
                let unique: String = m
                    .trim_start_matches("./")
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                text.push_str(&format!("  - {{ main: {m}, name: {unique} }}\n"));
            } else {
                text.push_str(&format!("  - main: {m}\n"));
            }
        }
        text.push_str("# The image's entrypoint: the first binary unless `entrypoint: NAME` says otherwise.\n");
    }
    text.push_str(
        "# Uncomment what applies (see the spec reference):\n\
         # ports: [8080]\n\
         # version: { arg: VERSION, var: main.version }\n",
    );
    spec::parse(SPEC_FILE, &text).map_err(|e| {
        format!(
            "the spec made for {} does not parse ({e}); this is a bug in gofront",
            dir.display()
        )
    })?;
    Ok(Init { text, mains, notes })
}

/// The folders under `root` that hold a main package, as `.` or `a/b`, sorted.
fn find_main_packages(root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    let mut seen = 0;
    while let Some((dir, rel)) = stack.pop() {
        seen += 1;
        if seen > MAX_DIRS {
            return Err(format!(
                "more than {MAX_DIRS} folders under {}; run gofront init in the module's folder",
                root.display()
            ));
        }
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        let mut is_main = false;
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            // Go ignores files and folders whose names start with . or _.
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            // Symbolic links are not followed (file_type does not follow).
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if name == "vendor" || name == "testdata" || path.join("go.mod").exists() {
                    continue;
                }
                let child = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((path, child));
            } else if kind.is_file()
                && !is_main
                && name.ends_with(".go")
                && !name.ends_with("_test.go")
            {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let src = String::from_utf8_lossy(&bytes);
                if !build_ignored(&src)
                    && crate::golang::package_clause(&src).as_deref() == Some("main")
                {
                    is_main = true;
                }
            }
        }
        if is_main {
            found.push(if rel.is_empty() { ".".to_string() } else { rel });
        }
    }
    found.sort();
    Ok(found)
}

/// A file excluded with `//go:build ignore` (or `// +build ignore`), as
/// generators beside a package often are.
fn build_ignored(src: &str) -> bool {
    for line in src.lines() {
        let l = line.trim();
        if l.starts_with("package ") {
            return false;
        }
        let constraint = l
            .strip_prefix("//go:build ")
            .or_else(|| l.strip_prefix("// +build "));
        if constraint.is_some_and(|c| c.split_whitespace().any(|w| w == "ignore")) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::read_spec;
    use crate::cli::test_support::*;

    const MAIN_GO: &str = "// Command x.\npackage main\n\nfunc main() {}\n";

    #[test]
    fn init_one_main_package() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "go.mod",
            "module example.com/svc\n\ngo 1.25.1\ntoolchain go1.26.2\n",
        );
        write(d, "cmd/server/main.go", MAIN_GO);
        write(d, "cmd/server/main_test.go", "package main\n");
        write(d, "internal/lib/lib.go", "package lib\n");
        // Skipped: tests only, vendor, testdata, hidden and _ folders,
        // nested modules, ignored generators.
        write(d, "cmd/onlytests/x_test.go", "package main\n");
        write(d, "vendor/example.com/dep/cmd/tool/main.go", MAIN_GO);
        write(d, "internal/lib/testdata/prog/main.go", MAIN_GO);
        write(d, ".git/hooks/main.go", MAIN_GO);
        write(d, "_old/main.go", MAIN_GO);
        write(d, "tools/go.mod", "module example.com/svc/tools\n");
        write(d, "tools/gen/main.go", MAIN_GO);
        write(
            d,
            "internal/lib/gen.go",
            "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
        );

        let (code, out, err) = cli(&["init", p(d)]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("wrote "), "{out}");
        let text = std::fs::read_to_string(d.join("gofront.yaml")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# syntax=ourorg/gofront");
        assert_eq!(lines[1], schema::modeline());
        assert!(
            text.contains("\ngo: \"1.26\"\nmain: ./cmd/server\n"),
            "{text}"
        );
        let s = spec::parse("gofront.yaml", &text).unwrap();
        assert_eq!(s.binaries.len(), 1);
        assert_eq!(s.binaries[0].main.value, "./cmd/server");
        assert_eq!(s.go.unwrap().value, "1.26");

        // No overwrite without --force.
        std::fs::write(d.join("gofront.yaml"), "main: ./mine\n").unwrap();
        let (code, _, err) = cli(&["init", p(d)]);
        assert_eq!(code, 1);
        assert!(err.contains("exists; use --force"), "{err}");
        assert_eq!(
            std::fs::read_to_string(d.join("gofront.yaml")).unwrap(),
            "main: ./mine\n"
        );
        let (code, _, err) = cli(&["init", "--force", p(d)]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            std::fs::read_to_string(d.join("gofront.yaml")).unwrap(),
            text
        );
    }

    #[test]
    fn init_several_main_packages() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module example.com/tool/v2\n");
        write(d, "main.go", "/* tool */\npackage main\nfunc main() {}\n");
        write(d, "cmd/ctl/main.go", MAIN_GO);
        write(d, "cmd/server/main.go", MAIN_GO);
        write(d, "a/server/main.go", MAIN_GO);
        let init = init_spec(d).unwrap();
        // The module's own binary (`tool`, from `.`) goes first: it is the
        // entrypoint.
        assert_eq!(init.mains, [".", "./a/server", "./cmd/ctl", "./cmd/server"]);
        assert!(
            !init.text.contains("\ngo:"),
            "no go line in go.mod: {}",
            init.text
        );
        assert!(!init.text.contains("\nmain:"), "{}", init.text);
        assert!(
            init.text.contains(
                "binaries:\n  - main: .\n  - { main: ./a/server, name: a-server }\n  - main: ./cmd/ctl\n  - { main: ./cmd/server, name: cmd-server }\n"
            ),
            "{}",
            init.text
        );
        let s = spec::parse("gofront.yaml", &init.text).unwrap();
        assert_eq!(s.binaries.len(), 4);
        assert!(s.go.is_none());
    }

    #[test]
    fn init_refuses_folders_without_a_module_or_a_main() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let (code, _, err) = cli(&["init", p(d)]);
        assert_eq!(code, 1);
        assert!(err.contains("go.mod"), "{err}");
        write(d, "go.mod", "module example.com/lib\ngo 1.26\n");
        write(d, "lib.go", "package lib\n");
        let (code, _, err) = cli(&["init", p(d)]);
        assert_eq!(code, 1);
        assert!(err.contains("no main package"), "{err}");
        assert!(!d.join("gofront.yaml").exists());
        assert_eq!(cli(&["init", p(d), "--frob"]).0, 2);
        assert_eq!(cli(&["init", p(d), p(d)]).0, 2);
    }

    #[test]
    fn init_skips_folders_a_spec_cannot_name() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module example.com/m\ngo 1.26\n");
        write(d, "cmd/ok/main.go", MAIN_GO);
        write(d, "cmd/with space/main.go", MAIN_GO);
        let init = init_spec(d).unwrap();
        assert_eq!(init.mains, ["./cmd/ok"]);
        assert_eq!(init.notes.len(), 1, "{:?}", init.notes);
        assert!(init.notes[0].contains("with space"), "{:?}", init.notes);
    }

    #[test]
    fn init_example_hello_matches_its_spec() {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello");
        let init = init_spec(&d).unwrap();
        assert_eq!(init.mains, ["."]);
        let made = spec::parse("gofront.yaml", &init.text).unwrap();
        let committed = read_spec(&d.join("gofront.yaml")).unwrap();
        assert_eq!(
            made.binaries[0].main.value,
            committed.binaries[0].main.value
        );
    }
}
