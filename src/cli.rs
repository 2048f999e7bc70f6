//! Offline subcommands of the frontend binary.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::convert;
use crate::golang as gomod;
use crate::lint;
use crate::plan::{self, Inputs};
use crate::platform::Platform;
use crate::schema;
use crate::spec;

const USAGE: &str = "\
gofront — a BuildKit frontend for Go services

Used by BuildKit through `# syntax=ourorg/gofront` on the first line of a spec.
Offline subcommands:
  gofront check SPEC [options]         validate a spec and lint it; prints
                                       `file:line:col: warning: Rule: detail`
      --context DIR                    build context (default: the spec's folder)
      --skip RULE[,RULE]               skip lint rules (or `all`); a comment line
                                       `# check=skip=RULE,RULE` in the spec does the same
    exit status: 0 when the spec is valid and no rule warns (informational
    findings are printed but do not count), 1 on errors or any warning (as
    `docker buildx build --call check` does), 2 on a usage error
  gofront rules                        list the lint rules
  gofront render SPEC [options]        print the plan and the LLB it compiles to
      --context DIR                    build context (default: the spec's folder)
      --platform OS/ARCH[/VARIANT]     target platform (default: linux/amd64)
      --build-arg KEY=VALUE            as docker build's (repeatable)
  gofront init [DIR] [--force]         write DIR/gofront.yaml (default DIR: .) from
                                       DIR/go.mod and the main packages under DIR;
                                       --force replaces an existing gofront.yaml
  gofront schema                       print the spec's JSON Schema
  gofront version
";

/// Run a subcommand; the exit status.
pub fn run(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(args, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run`], writing to `out` and `err` (tests pass buffers).
pub fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(command) = args.first() else {
        let _ = write!(err, "{USAGE}");
        return 2;
    };
    let rest = &args[1..];
    match command.as_str() {
        "check" => check(rest, out, err),
        "render" if !rest.is_empty() => render(rest, out, err),
        "init" => init(rest, out, err),
        "schema" if rest.is_empty() => {
            // Ignore a closed pipe (`gofront schema | head`).
            let _ = write!(out, "{}", schema::schema_text());
            0
        }
        "rules" if rest.is_empty() => {
            for r in lint::RULES {
                let kind = if r.informational {
                    " (informational)"
                } else {
                    ""
                };
                let _ = writeln!(out, "{}{kind}: {}", r.name, r.description);
            }
            0
        }
        "version" | "--version" => {
            let _ = writeln!(out, "gofront {}", env!("CARGO_PKG_VERSION"));
            0
        }
        "help" | "--help" | "-h" => {
            let _ = write!(out, "{USAGE}");
            0
        }
        _ => {
            let _ = write!(err, "{USAGE}");
            2
        }
    }
}

/// Read and validate the spec at `path`; errors name the path as given.
fn read_spec(path: &Path) -> Result<(spec::Spec, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec = spec::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())?;
    Ok((spec, text))
}

/// The spec's folder, `.` for a bare file name.
fn spec_folder(spec_path: &Path) -> PathBuf {
    match spec_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn check(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut spec_path = None;
    let mut context = None;
    let mut skip: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--context" | "--skip" => {
                let Some(value) = it.next() else {
                    let _ = writeln!(err, "gofront check: {arg} needs a value");
                    return 2;
                };
                if arg == "--context" {
                    context = Some(PathBuf::from(value));
                } else {
                    skip.extend(value.split(',').map(|s| s.trim().to_string()));
                }
            }
            a if a.starts_with('-') && a != "-" => {
                let _ = write!(err, "gofront check: unknown option {a}\n{USAGE}");
                return 2;
            }
            a if spec_path.is_none() => spec_path = Some(PathBuf::from(a)),
            _ => {
                let _ = write!(err, "gofront check: one spec at a time\n{USAGE}");
                return 2;
            }
        }
    }
    let Some(spec_path) = spec_path else {
        let _ = write!(err, "gofront check: which spec?\n{USAGE}");
        return 2;
    };
    let skipped_cli = match lint::Skips::parse(skip.iter().map(String::as_str)) {
        Ok(s) => s,
        Err(name) => {
            let _ = writeln!(
                err,
                "gofront check: --skip: no rule is called \"{name}\" (see `gofront rules`)"
            );
            return 2;
        }
    };
    let (spec, _) = match read_spec(&spec_path) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    let context = context.unwrap_or_else(|| spec_folder(&spec_path));
    if !context.is_dir() {
        let _ = writeln!(
            err,
            "gofront check: --context {}: not a folder",
            context.display()
        );
        return 1;
    }
    let skips = match lint::Skips::of_spec(&spec) {
        Ok(s) => s.and(skipped_cli),
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    let ctx = lint::Context {
        has_dockerignore: context.join(".dockerignore").is_file(),
    };
    let findings: Vec<lint::Finding> = lint::lint(&spec, &ctx)
        .into_iter()
        .filter(|f| !skips.skips(f.rule))
        .collect();
    let file = spec_path.display();
    let mut warnings = 0;
    for f in &findings {
        let level = if f.informational { "info" } else { "warning" };
        if !f.informational {
            warnings += 1;
        }
        let at = if f.pos.line > 0 {
            format!("{file}:{}:{}", f.pos.line, f.pos.column)
        } else {
            file.to_string()
        };
        let _ = writeln!(out, "{at}: {level}: {}: {}", f.rule, f.detail);
    }
    if warnings == 0 {
        let _ = writeln!(err, "{file}: ok");
        0
    } else {
        let s = if warnings == 1 { "" } else { "s" };
        let _ = writeln!(
            err,
            "{file}: {warnings} warning{s} (rules are described by `gofront rules`; skip one with `# check=skip=Rule` or --skip Rule)"
        );
        1
    }
}

fn render(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match render_inner(args) {
        Ok(text) => {
            // Ignore a closed pipe (`gofront render … | head`).
            let _ = writeln!(out, "{text}");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            1
        }
    }
}

fn render_inner(args: &[String]) -> Result<String, String> {
    let spec_path = PathBuf::from(&args[0]);
    let mut context = spec_folder(&spec_path);
    let mut platform = Platform::parse("linux/amd64")?;
    let mut build_args = std::collections::BTreeMap::new();
    let mut it = args[1..].iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--context" => context = PathBuf::from(value),
            "--platform" => platform = Platform::parse(value)?,
            "--build-arg" => {
                let (k, v) = value.split_once('=').ok_or("--build-arg takes KEY=VALUE")?;
                build_args.insert(k.to_string(), v.to_string());
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let (spec, _) = read_spec(&spec_path)?;
    let gomod_path = context
        .join(spec.dir.value.trim_start_matches("./"))
        .join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod_path)
        .map_err(|e| format!("{}: {e}", gomod_path.display()))?;
    let gowork = match std::fs::read_to_string(context.join("go.work")) {
        Ok(text) => Some(gomod::parse_work(&text)?),
        Err(_) => None,
    };
    let excludes = std::fs::read_to_string(context.join(".dockerignore"))
        .map(|t| crate::client::dockerignore::parse(&t))
        .unwrap_or_default();
    let inputs = Inputs {
        build_args,
        build_platform: Platform::parse("linux/amd64")?,
        target_platform: platform,
        gomod: gomod::parse(&gomod_text)?,
        gowork,
        ..Default::default()
    };
    let plan = plan::build(&spec, &inputs).map_err(|e| e.to_string())?;
    // The builder's env is unknown offline; the golang images' PATH stands in.
    let options = convert::Options {
        resolve_mode: "default".into(),
        excludes,
        builder_env: vec!["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()],
        ..Default::default()
    };
    let llb = convert::to_llb(&plan, &options);
    let plan_json = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
    Ok(format!("{plan_json}\n\n{}", convert::dump(&llb.definition)))
}

// ---------------------------------------------------------------------------
// init

/// The spec file `gofront init` writes.
pub const SPEC_FILE: &str = "gofront.yaml";

/// Folders `gofront init` looks into at most (a safety net for huge trees).
const MAX_DIRS: usize = 20_000;

fn init(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut dir = None;
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" | "-f" => force = true,
            a if a.starts_with('-') => {
                let _ = write!(err, "gofront init: unknown option {a}\n{USAGE}");
                return 2;
            }
            a if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => {
                let _ = write!(err, "gofront init: one folder at a time\n{USAGE}");
                return 2;
            }
        }
    }
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

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    /// Run the CLI; (exit status, stdout, stderr).
    fn cli(a: &[&str]) -> (i32, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = run_with(&args(a), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn p(path: &Path) -> &str {
        path.to_str().unwrap()
    }

    #[test]
    fn check_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, ".dockerignore", ".git\n");
        write(
            d,
            "clean.yaml",
            "# syntax=ourorg/gofront\nmain: ./cmd/server\n",
        );
        write(
            d,
            "bad.yaml",
            "# syntax=ourorg/gofront\nmian: ./cmd/server\n",
        );
        write(
            d,
            "warn.yaml",
            "# syntax=ourorg/gofront\nmain: .\nupx: true\n",
        );
        write(
            d,
            "info.yaml",
            "runtime: gcr.io/distroless/static-debian12:nonroot\n",
        );

        let (code, out, err) = cli(&["check", p(&d.join("clean.yaml"))]);
        assert_eq!((code, out.as_str()), (0, ""), "{err}");
        assert!(err.ends_with("clean.yaml: ok\n"), "{err}");

        let (code, out, err) = cli(&["check", p(&d.join("bad.yaml"))]);
        assert_eq!((code, out.as_str()), (1, ""));
        let want = format!("{}:2:1: unknown key \"mian\"", d.join("bad.yaml").display());
        assert!(err.starts_with(&want), "{err}");

        let (code, out, err) = cli(&["check", p(&d.join("warn.yaml"))]);
        assert_eq!(code, 1, "a warning fails the check: {out}{err}");
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            [format!(
                "{}:3:6: warning: UpxStartCost: {}",
                d.join("warn.yaml").display(),
                lint::lint(
                    &spec::parse("x", "upx: true\n").unwrap(),
                    &lint::Context {
                        has_dockerignore: true,
                    }
                )[0]
                .detail
            )]
        );
        assert!(err.contains("1 warning "), "{err}");

        // Informational findings are printed and do not fail.
        let (code, out, _) = cli(&["check", p(&d.join("info.yaml"))]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(": info: UndigestedBase: "), "{out}");

        // Skipping the rule makes the check pass.
        let (code, _, _) = cli(&["check", p(&d.join("warn.yaml")), "--skip", "UpxStartCost"]);
        assert_eq!(code, 0);
        let (code, _, _) = cli(&["check", "--skip", "all", p(&d.join("warn.yaml"))]);
        assert_eq!(code, 0);
        write(
            d,
            "skipped.yaml",
            "# syntax=ourorg/gofront\n# check=skip=UpxStartCost,RootUser\nupx: true\nuser: root\n",
        );
        let (code, out, _) = cli(&["check", p(&d.join("skipped.yaml"))]);
        assert_eq!((code, out.as_str()), (0, ""));

        // The context decides MissingDockerignore; it has no line.
        let bare = tempfile::tempdir().unwrap();
        let (code, out, _) = cli(&[
            "check",
            p(&d.join("clean.yaml")),
            "--context",
            p(bare.path()),
        ]);
        assert_eq!(code, 1);
        assert_eq!(
            out.lines().next().unwrap(),
            format!(
                "{}: warning: MissingDockerignore: {}",
                d.join("clean.yaml").display(),
                lint::lint(
                    &spec::parse("x", "main: .\n").unwrap(),
                    &lint::Context::default()
                )[0]
                .detail
            )
        );

        // Usage errors.
        assert_eq!(cli(&["check"]).0, 2);
        assert_eq!(cli(&["check", "a.yaml", "b.yaml"]).0, 2);
        assert_eq!(cli(&["check", p(&d.join("clean.yaml")), "--context"]).0, 2);
        assert_eq!(cli(&["check", p(&d.join("clean.yaml")), "--frob"]).0, 2);
        let (code, _, err) = cli(&["check", p(&d.join("warn.yaml")), "--skip", "Nope"]);
        assert_eq!(code, 2);
        assert!(err.contains("no rule is called \"Nope\""), "{err}");
        // A missing file or context is an error, not a usage error.
        assert_eq!(cli(&["check", p(&d.join("missing.yaml"))]).0, 1);
        assert_eq!(
            cli(&[
                "check",
                p(&d.join("clean.yaml")),
                "--context",
                p(&d.join("nope"))
            ])
            .0,
            1
        );
    }

    #[test]
    fn schema_rules_version_and_usage() {
        let (code, out, _) = cli(&["schema"]);
        assert_eq!(code, 0);
        assert_eq!(out, schema::schema_text());
        let (code, out, _) = cli(&["rules"]);
        assert_eq!(code, 0);
        assert_eq!(out.lines().count(), lint::RULES.len());
        assert!(out.contains("UndigestedBase (informational): "), "{out}");
        assert_eq!(cli(&["version"]).0, 0);
        assert_eq!(cli(&["help"]).0, 0);
        assert_eq!(cli(&[]).0, 2);
        assert_eq!(cli(&["frobnicate"]).0, 2);
        assert_eq!(cli(&["render"]).0, 2);
    }

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
        let (committed, _) = read_spec(&d.join("gofront.yaml")).unwrap();
        assert_eq!(
            made.binaries[0].main.value,
            committed.binaries[0].main.value
        );
    }
}
