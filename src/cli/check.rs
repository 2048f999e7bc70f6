//! `gofront check`: validate a spec and lint it, as `--call check` does.

use std::io::Write;
use std::path::PathBuf;

use super::{UsageError, read_spec, spec_folder};
use crate::lint;

/// What `gofront check` is asked to do.
struct CheckArgs {
    spec_path: PathBuf,
    /// `--context` (default: the spec's folder).
    context: Option<PathBuf>,
    /// `--skip` rule names, as given.
    skip: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<CheckArgs, UsageError> {
    use lexopt::prelude::*;
    let mut spec_path = None;
    let mut context = None;
    let mut skip = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("context") => context = Some(PathBuf::from(parser.value()?)),
            Long("skip") => {
                let names = parser.value()?.string()?;
                skip.extend(names.split(',').map(|s| s.trim().to_string()));
            }
            Value(path) if spec_path.is_none() => spec_path = Some(PathBuf::from(path)),
            Value(_) => return Err(UsageError::shape("one spec at a time")),
            other => return Err(other.unexpected().into()),
        }
    }
    let spec_path = spec_path.ok_or_else(|| UsageError::shape("which spec?"))?;
    Ok(CheckArgs {
        spec_path,
        context,
        skip,
    })
}

pub(super) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let CheckArgs {
        spec_path,
        context,
        skip,
    } = match parse_args(args) {
        Ok(a) => a,
        Err(usage) => return usage.report("check", err),
    };
    let skipped_cli = match lint::Skips::parse(skip.iter().map(String::as_str)) {
        Ok(s) => s,
        Err(name) => {
            return UsageError::value(format!(
                "--skip: no rule is called \"{name}\" (see `gofront rules`)"
            ))
            .report("check", err);
        }
    };
    let spec = match read_spec(&spec_path) {
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
    // A `files:` source the context lacks fails the build before anything
    // runs; it fails the check the same way.
    let missing: Vec<usize> = spec
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| !context.join(&f.src).exists())
        .map(|(i, _)| i)
        .collect();
    if let Some(e) = crate::spec::missing_files_error(&spec, &missing) {
        let _ = writeln!(err, "{e}");
        return 1;
    }
    let ctx = lint::Context {
        has_dockerignore: context.join(".dockerignore").is_file(),
        // No go.mod, no finding about it: the build itself reports that.
        gomod: std::fs::read_to_string(
            context
                .join(spec.dir.value.trim_start_matches("./"))
                .join("go.mod"),
        )
        .ok(),
        missing_embeds: missing_embeds(&spec, &context),
    };
    // The spec's own `# check=skip=` and --skip, read the same way.
    let findings = match lint::check(&spec, &ctx, skipped_cli) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
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

/// The `//go:embed` patterns of the module's Go files (those a Linux build
/// compiles) whose path is not in `context`: the literal part of each
/// pattern, before any wildcard, must be there.
fn missing_embeds(spec: &crate::spec::Spec, context: &std::path::Path) -> Vec<lint::MissingEmbed> {
    let module_rel = spec
        .dir
        .value
        .trim_start_matches("./")
        .trim_start_matches('.');
    let module = context.join(module_rel);
    let Ok(tree) = super::init::walk::walk(&module) else {
        return Vec::new();
    };
    let in_context = |rel: &str| {
        [module_rel, rel]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut out = Vec::new();
    for dir in &tree.dirs {
        for go in dir.built() {
            for d in &go.facts.embeds {
                for pattern in crate::golang::source::embed_patterns(&d.text) {
                    let bare = pattern.strip_prefix("all:").unwrap_or(&pattern);
                    let literal = bare
                        .split(['*', '?', '['])
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches('/');
                    // A pattern that starts with a wildcard matches
                    // whatever is there.
                    if literal.is_empty() || bare.starts_with(['*', '?', '[']) {
                        continue;
                    }
                    // A partial name (`static/app-*.js`) needs its folder.
                    let needed = if literal.len() < bare.trim_end_matches('/').len()
                        && !bare[literal.len()..].starts_with('/')
                    {
                        literal.rsplit_once('/').map_or("", |(dir, _)| dir)
                    } else {
                        literal
                    };
                    if needed.is_empty() {
                        continue;
                    }
                    let rel = if dir.rel.is_empty() {
                        needed.to_string()
                    } else {
                        format!("{}/{needed}", dir.rel)
                    };
                    if !module.join(&rel).exists() {
                        out.push(lint::MissingEmbed {
                            file: in_context(&dir.file(&go.name)),
                            line: d.line,
                            pattern: pattern.clone(),
                            path: in_context(&rel),
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::test_support::*;
    use crate::spec;

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
                        ..Default::default()
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
    fn check_warns_on_a_cgo_only_module_with_cgo_off() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, ".dockerignore", ".git\n");
        write(
            d,
            "go.mod",
            "module example.com/notes\n\ngo 1.26\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.2.1\n\tgithub.com/mattn/go-sqlite3 v1.14.28\n)\n",
        );
        write(
            d,
            "off.yaml",
            "# syntax=ourorg/gofront\nmain: .\nports: [8080]\n",
        );
        write(d, "written.yaml", "main: .\ncgo: false\n");
        write(d, "on.yaml", "main: .\ncgo: true\n");
        let sqlite = "go.mod requires github.com/mattn/go-sqlite3, which needs cgo, and cgo is off: the binary builds and fails at start (hint: set cgo: true)";

        // cgo off by default: at line 1.
        let (code, out, err) = cli(&["check", p(&d.join("off.yaml"))]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            out,
            format!(
                "{}:1:1: warning: CgoOnlyModule: {sqlite}\n",
                d.join("off.yaml").display()
            )
        );
        assert!(err.contains("1 warning "), "{err}");
        // `cgo: false` written: at its value.
        let (code, out, _) = cli(&["check", p(&d.join("written.yaml"))]);
        assert_eq!(code, 1);
        assert_eq!(
            out,
            format!(
                "{}:2:6: warning: CgoOnlyModule: {sqlite}\n",
                d.join("written.yaml").display()
            )
        );
        // cgo on: quiet.
        let (code, out, _) = cli(&["check", p(&d.join("on.yaml"))]);
        assert_eq!((code, out.as_str()), (0, ""));

        // Skipped like any rule: --skip (any case), all, the spec's directive.
        for skip in ["CgoOnlyModule", "cgoonlymodule,UpxStartCost", "all"] {
            let (code, out, err) = cli(&["check", p(&d.join("off.yaml")), "--skip", skip]);
            assert_eq!((code, out.as_str()), (0, ""), "{skip}: {err}");
        }
        write(
            d,
            "skipped.yaml",
            "# check=skip=RootUser,CgoOnlyModule\nmain: .\nuser: root\n",
        );
        let (code, out, _) = cli(&["check", p(&d.join("skipped.yaml"))]);
        assert_eq!((code, out.as_str()), (0, ""));
        // Another rule still fires beside it, in line order.
        write(d, "upx.yaml", "main: .\nupx: true\n");
        let (code, out, _) = cli(&["check", p(&d.join("upx.yaml"))]);
        assert_eq!(code, 1);
        let rules: Vec<&str> = out.lines().map(|l| l.split(": ").nth(2).unwrap()).collect();
        assert_eq!(rules, ["CgoOnlyModule", "UpxStartCost"], "{out}");

        // The go.mod of the spec's `dir`; indirect requirements count, and
        // what cgo alone does not bring is said.
        write(
            d,
            "svc/go.mod",
            "module example.com/svc\ngo 1.26\nrequire (\n\tgithub.com/linxGnu/grocksdb v1.9.0 // indirect\n)\n",
        );
        write(d, "dir.yaml", "dir: svc\nmain: .\n");
        let (code, out, _) = cli(&["check", p(&d.join("dir.yaml"))]);
        assert_eq!(code, 1);
        assert!(
            out.ends_with(": warning: CgoOnlyModule: go.mod requires github.com/linxGnu/grocksdb (indirectly, for a module it uses), which needs cgo, and cgo is off: the build fails (build constraints exclude all Go files) (hint: set cgo: true; it also needs the RocksDB C library (librocksdb-dev) in the builder and the runtime)\n"),
            "{out}"
        );
        // No go.mod (or none of those modules): quiet.
        let bare = tempfile::tempdir().unwrap();
        write(bare.path(), ".dockerignore", ".git\n");
        let (code, out, _) = cli(&["check", p(&d.join("off.yaml")), "--context", p(bare.path())]);
        assert_eq!((code, out.as_str()), (0, ""));
        write(
            bare.path(),
            "go.mod",
            "module m\nrequire modernc.org/sqlite v1.38.0\n",
        );
        let (code, out, _) = cli(&["check", p(&d.join("off.yaml")), "--context", p(bare.path())]);
        assert_eq!((code, out.as_str()), (0, ""));
    }

    #[test]
    fn check_example_cgo_sqlite_is_clean_and_warns_with_cgo_off() {
        let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cgo-sqlite");
        let spec = read_spec(&d.join("gofront.yaml")).unwrap();
        assert!(spec.cgo.value);
        let ctx = lint::Context {
            has_dockerignore: true,
            gomod: Some(std::fs::read_to_string(d.join("go.mod")).unwrap()),
            ..Default::default()
        };
        let cgo_only = |s: &crate::spec::Spec| -> Vec<lint::Finding> {
            lint::lint(s, &ctx)
                .into_iter()
                .filter(|f| f.rule == "CgoOnlyModule")
                .collect()
        };
        assert!(cgo_only(&spec).is_empty());
        let off = crate::spec::parse("gofront.yaml", "main: .\n").unwrap();
        let found = cgo_only(&off);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "CgoOnlyModule");
        assert_eq!(found[0].url, format!("{}#cgoonlymodule", lint::RULES_URL));
    }
}

#[cfg(test)]
mod embed_tests {
    use crate::cli::test_support::*;

    /// A module whose web/embed.go embeds `dist` (and `static/*.css`,
    /// `all:templates`), none of which is in the context.
    fn module() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, ".dockerignore", ".git\n");
        write(d, "go.mod", "module example.com/m\n\ngo 1.26\n");
        write(
            d,
            "main.go",
            "package main\n\nimport _ \"example.com/m/web\"\n\nfunc main() {}\n",
        );
        write(
            d,
            "web/embed.go",
            "package web\n\nimport \"embed\"\n\n//go:embed all:dist\nvar Dist embed.FS\n\n//go:embed static/*.css \"all:templates\"\nvar Other embed.FS\n",
        );
        write(d, "web/static/site.css", "body {}\n");
        dir
    }

    fn check(d: &std::path::Path, spec: &str) -> (i32, String) {
        write(d, "gofront.yaml", spec);
        let (code, out, _) = cli(&["check", p(&d.join("gofront.yaml"))]);
        (code, out)
    }

    #[test]
    fn every_missing_file_source_fails_the_check_at_its_line() {
        let dir = module();
        let d = dir.path();
        write(d, "conf/a.yaml", "a: 1\n");
        write(
            d,
            "gofront.yaml",
            "main: .\nfiles:\n  - { src: conf/a.yaml, dst: /etc/a.yaml }\n  - { src: conf/b.yaml, dst: /etc/b.yaml }\n  - { src: nope, dst: /nope }\n",
        );
        let (code, out, err) = cli(&["check", p(&d.join("gofront.yaml"))]);
        assert_eq!((code, out.as_str()), (1, ""));
        assert_eq!(
            err,
            format!(
                "{}:4:5: files: conf/b.yaml (line 4), nope (line 5) are not in the build context (hint: `src` is relative to the build context's root; check the path and .dockerignore)\n",
                d.join("gofront.yaml").display()
            )
        );
    }

    #[test]
    fn an_embedded_path_the_context_lacks_is_named_unless_the_web_step_makes_it() {
        let dir = module();
        let d = dir.path();
        let (code, out) = check(d, "# syntax=ourorg/gofront\nmain: .\n");
        assert_eq!(code, 1);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].contains(":1:1: warning: EmbedWithoutSource: web/embed.go:5: //go:embed all:dist: web/dist is not in the build context"),
            "{out}"
        );
        assert!(
            lines[1].contains("web/embed.go:8: //go:embed all:templates: web/templates"),
            "{out}"
        );
        // The web step's output is where the package embeds it: only the
        // templates are missing, reported at `into`'s line (web.dir's).
        let (_, out) = check(d, "# syntax=ourorg/gofront\nmain: .\nweb:\n  dir: web\n");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        assert!(
            lines[0].contains(":4:8: warning: EmbedWithoutSource: web/embed.go:8:"),
            "{out}"
        );
        assert!(lines[0].contains("set `web.into: web/templates`"), "{out}");
        write(d, "web/templates/a.html", "<p>\n");
        let (code, out) = check(d, "# syntax=ourorg/gofront\nmain: .\nweb:\n  dir: web\n");
        assert_eq!((code, out.as_str()), (0, ""));
    }
}
