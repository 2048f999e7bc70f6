//! Offline subcommands of the frontend binary.

mod check;
mod init;
mod op_json;
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
      --format text|json|llb           text (default): the plan, then each op;
                                       json: one document, {plan, ops};
                                       llb: the marshaled definition (binary), as
                                       `buildctl debug dump-llb` reads it on stdin
  gofront init [DIR] [--force]         write DIR/gofront.yaml (default DIR: .) from
                                       DIR/go.mod and the services under DIR (tools,
                                       examples, fixtures left out), with cgo, ports,
                                       a web UI and go generate where the code shows
                                       them; --force replaces an existing gofront.yaml
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
        "render" => render::run(rest, out, err),
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
            let _ = writeln!(out, "{}", version_line());
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

/// `gofront 1.2.3 (commit 0123abc…)`: the crate's version and the commit
/// the release scripts built (`GOFRONT_REVISION` at compile time; cargo
/// rebuilds when it changes), or `unknown` for a plain `cargo build`.
pub fn version_line() -> String {
    format!(
        "gofront {} (commit {})",
        env!("CARGO_PKG_VERSION"),
        option_env!("GOFRONT_REVISION")
            .filter(|r| !r.is_empty())
            .unwrap_or("unknown")
    )
}

/// A command line a subcommand cannot run with: exit status 2.
struct UsageError {
    message: String,
    /// Print the usage after the message: when the command line's shape is
    /// wrong (an unknown option, no spec), where the usage shows the right
    /// one; not when one value is (an unknown rule), where it would bury
    /// the message.
    show_usage: bool,
}

impl UsageError {
    /// The command line's shape is wrong.
    fn shape(message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
            show_usage: true,
        }
    }

    /// One value on the command line is wrong.
    fn value(message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
            show_usage: false,
        }
    }

    /// Tell the user (`gofront SUBCOMMAND: message`); the exit status.
    fn report(&self, subcommand: &str, err: &mut dyn Write) -> i32 {
        let _ = writeln!(err, "gofront {subcommand}: {}", self.message);
        if self.show_usage {
            let _ = write!(err, "{USAGE}");
        }
        2
    }
}

/// lexopt's errors, in gofront's words.
impl From<lexopt::Error> for UsageError {
    fn from(e: lexopt::Error) -> Self {
        match e {
            lexopt::Error::MissingValue {
                option: Some(option),
            } => UsageError::value(format!("{option} needs a value")),
            lexopt::Error::UnexpectedOption(option) => {
                UsageError::shape(format!("unknown option {option}"))
            }
            lexopt::Error::UnexpectedValue { option, .. } => {
                UsageError::shape(format!("{option} takes no value"))
            }
            other => UsageError::shape(other.to_string()),
        }
    }
}

/// Read and validate the spec at `path`; errors name the path as given.
fn read_spec(path: &Path) -> Result<spec::Spec, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    spec::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())
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
        let (code, out, _) = cli(&["version"]);
        assert_eq!(code, 0);
        assert!(
            out.starts_with(&format!("gofront {} (commit ", env!("CARGO_PKG_VERSION"))),
            "{out}"
        );
        assert_eq!(cli(&["help"]).0, 0);
        assert_eq!(cli(&[]).0, 2);
        assert_eq!(cli(&["frobnicate"]).0, 2);
        assert_eq!(cli(&["render"]).0, 2);
    }

    #[test]
    fn usage_errors_exit_2_and_name_the_subcommand() {
        // The shape of the command line is wrong: the message, then the usage.
        for (args, message) in [
            (&["check"][..], "gofront check: which spec?\n"),
            (
                &["check", "a.yaml", "b.yaml"],
                "gofront check: one spec at a time\n",
            ),
            (
                &["check", "a.yaml", "--frob"],
                "gofront check: unknown option --frob\n",
            ),
            (&["render"], "gofront render: which spec?\n"),
            (
                &["render", "a.yaml", "-x"],
                "gofront render: unknown option -x\n",
            ),
            (
                &["init", "--force=yes"],
                "gofront init: --force takes no value\n",
            ),
            (&["init", "a", "b"], "gofront init: one folder at a time\n"),
        ] {
            let (code, out, err) = cli(args);
            assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
            assert_eq!(err, format!("{message}{USAGE}"), "{args:?}");
        }
        // One value is wrong: the message alone.
        for (args, message) in [
            (
                &["check", "a.yaml", "--context"][..],
                "gofront check: --context needs a value\n",
            ),
            (
                &["render", "a.yaml", "--build-arg", "V"],
                "gofront render: --build-arg takes KEY=VALUE\n",
            ),
            (
                &["render", "a.yaml", "--platform=linux"],
                "gofront render: \"linux\" is not a platform (expected os/arch[/variant], e.g. linux/arm64)\n",
            ),
        ] {
            assert_eq!(
                cli(args),
                (2, String::new(), message.to_string()),
                "{args:?}"
            );
        }
    }
}
