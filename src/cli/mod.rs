//! Offline subcommands of the frontend binary.

mod check;
mod init;
mod render;
#[cfg(test)]
mod test_support;

pub use init::{Init, SPEC_FILE, init_spec};

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::lint;
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
        "check" => check::run(rest, out, err),
        "render" if !rest.is_empty() => render::run(rest, out, err),
        "init" => init::run(rest, out, err),
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

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

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
}
