//! `gofront init`: write a first spec for a Go module, reading the
//! repository as a person would: which main packages are services (not
//! tools, examples, plugins, test fixtures or scripts), whether a
//! requirement needs cgo, a node UI the code embeds, `//go:generate` lines,
//! the port the code listens on, the folder it writes; and a comment for
//! each thing it decided or could not decide. Reads files, runs nothing, no
//! network.

mod hints;
mod mains;
#[cfg(test)]
mod tests;
pub(super) mod walk;
mod web;

use std::io::Write;
use std::path::{Path, PathBuf};

use super::UsageError;
use crate::golang::{self as gomod, GoMod};
use crate::schema;
use crate::spec;

/// The spec file `gofront init` writes.
pub const SPEC_FILE: &str = "gofront.yaml";

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
    /// The main packages the image builds, as `.` or `./path`, the
    /// entrypoint first.
    pub mains: Vec<String>,
    /// Things left out or undecided, to tell the user (the spec's comments
    /// say them too).
    pub notes: Vec<String>,
}

/// Make a spec for the Go module in `dir`. Its `go.mod` gives the Go
/// version and the requirements that need cgo; the main packages are
/// found as `go build ./...` would (no vendor/, testdata/, hidden or `_`
/// folders, nested modules or files a Linux build leaves out), and those
/// that are not services are left out. Reads files, writes nothing.
pub fn init_spec(dir: &Path) -> Result<Init, String> {
    let gomod_path = dir.join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod_path).map_err(|e| {
        format!(
            "{}: {e} (run gofront init in a Go module's folder)",
            gomod_path.display()
        )
    })?;
    let module = gomod::parse(&gomod_text).map_err(|e| format!("{}: {e}", gomod_path.display()))?;
    let tree = walk::walk(dir)?;
    let found = mains::classify(&tree);
    let mut notes = Vec::new();
    let mut services = Vec::new();
    for rel in &found.services {
        match spec::normalize_package(rel) {
            Ok(m) => services.push(m),
            Err(why) => notes.push(format!("skipped the main package {rel}: {why}")),
        }
    }
    if services.is_empty() {
        if found.not_services.is_empty() {
            return Err(format!(
                "no main package under {} (a folder with a non-test .go file in `package main`)",
                dir.display()
            ));
        }
        let left: Vec<String> = found
            .not_services
            .iter()
            .map(|(m, why)| format!("{m}: {why}"))
            .collect();
        return Err(format!(
            "no main package under {} looks like a service (left out: {}); write a spec with `main: ./path` yourself",
            dir.display(),
            left.join("; ")
        ));
    }
    let name_of = |m: &str| gomod::binary_name(m, &module);
    let choice = mains::choose(&services, &name_of, &module.short_name());

    // Where to look for hints: the binaries' own packages first, then the
    // module's other packages that are not tools, examples or tests.
    let not_service: Vec<&str> = found.not_services.iter().map(|(m, _)| m.as_str()).collect();
    let in_play = |d: &walk::Dir| {
        let p = d.package();
        !not_service.contains(&p.as_str())
            && !choice.left_out.contains(&p)
            && mains::path_reason(&d.rel).is_none()
    };
    let binary_dirs: Vec<&walk::Dir> = choice
        .binaries
        .iter()
        .filter_map(|b| tree.dirs.iter().find(|d| &d.package() == b))
        .collect();
    let other_dirs: Vec<&walk::Dir> = tree
        .dirs
        .iter()
        .filter(|d| in_play(d) && !choice.binaries.contains(&d.package()))
        .collect();
    let groups = [binary_dirs, other_dirs];
    let all_dirs: Vec<&walk::Dir> = tree.dirs.iter().filter(|d| in_play(d)).collect();

    let proposal = Proposal {
        module: &module,
        gomod_text: &gomod_text,
        choice: &choice,
        not_services: &found.not_services,
        nested_modules: &tree.nested_modules,
        ports: hints::ports(&groups),
        state: hints::state(&groups),
        generate: hints::generate(&all_dirs, &gomod::tools(&gomod_text)),
        web: web::find(&tree, &in_play),
    };
    for (m, why) in &found.not_services {
        notes.push(format!("left out {m}: {why}"));
    }
    if tree.partly_read > 0 {
        notes.push(format!(
            "the module has more Go code than init reads: {} files were read only in part",
            tree.partly_read
        ));
    }
    let text = proposal.write();
    parses(&text).map_err(|e| {
        format!(
            "the spec made for {} does not parse ({e}); this is a bug in gofront",
            dir.display()
        )
    })?;
    Ok(Init {
        text,
        mains: choice.binaries,
        notes,
    })
}

/// The most main packages a comment lists.
const MAX_LISTED: usize = 10;

/// Does `text` parse as a spec?
fn parses(text: &str) -> Result<spec::Spec, spec::SpecError> {
    spec::parse(SPEC_FILE, text)
}

/// Everything `init` decided, ready to be written.
struct Proposal<'a> {
    module: &'a GoMod,
    gomod_text: &'a str,
    choice: &'a mains::Choice,
    not_services: &'a [(String, String)],
    nested_modules: &'a [String],
    ports: Result<Vec<hints::Port>, Vec<hints::Port>>,
    state: Option<hints::State>,
    generate: Option<hints::Generate>,
    web: web::WebFindings,
}

/// A YAML scalar: plain when it is a simple path or name, else quoted.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+' | '~'))
        && !s.starts_with(['-', '~'])
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "on" | "off");
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

impl Proposal<'_> {
    fn write(&self) -> String {
        let mut t = String::new();
        let mut line = |s: &str| {
            t.push_str(s);
            t.push('\n');
        };
        line("# syntax=ourorg/gofront");
        line(&schema::modeline());
        line("");
        line(&format!(
            "# Made by `gofront init` for the module {}; `gofront check gofront.yaml` checks it.",
            self.module.module
        ));
        if let Some(go) = self.module.wanted_go() {
            line(&format!("go: \"{go}\""));
        }
        self.write_binaries(&mut line);
        self.write_cgo(&mut line);
        self.write_ports(&mut line);
        self.write_web(&mut line);
        self.write_generate(&mut line);
        self.write_state(&mut line);
        line("# Uncomment what applies (see the spec reference):");
        line("# version: { arg: VERSION, var: main.version }");
        t
    }

    fn write_binaries(&self, line: &mut dyn FnMut(&str)) {
        let mains = &self.choice.binaries;
        if mains.len() == 1 {
            line(&format!("main: {}", mains[0]));
        } else {
            line("binaries:");
            let names: Vec<String> = mains
                .iter()
                .map(|m| gomod::binary_name(m, self.module))
                .collect();
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
                    line(&format!("  - {{ main: {m}, name: {unique} }}"));
                } else {
                    line(&format!("  - main: {m}"));
                }
            }
            line(
                "# The image's entrypoint: the first binary unless `entrypoint: NAME` says otherwise.",
            );
        }
        let left_out = &self.choice.left_out;
        if !left_out.is_empty() {
            let why = if mains.len() > 1 {
                "not under cmd/; add them to binaries: to build them too"
            } else {
                "one binary was picked; list several under binaries: to build them too"
            };
            let mut shown = left_out[..left_out.len().min(MAX_LISTED)].join(", ");
            if left_out.len() > MAX_LISTED {
                shown.push_str(&format!(", … ({} more)", left_out.len() - MAX_LISTED));
            }
            line(&format!(
                "# Other main packages, not built ({why}): {shown}"
            ));
        }
        if !self.not_services.is_empty() {
            line("# Left out, not services:");
            for (m, why) in self.not_services.iter().take(MAX_LISTED) {
                line(&format!("#   {m}: {why}"));
            }
            if self.not_services.len() > MAX_LISTED {
                line(&format!(
                    "#   … and {} more (gofront init lists them all on stderr)",
                    self.not_services.len() - MAX_LISTED
                ));
            }
        }
        if !self.nested_modules.is_empty() {
            let shown: Vec<String> = self
                .nested_modules
                .iter()
                .map(|m| format!("./{m}"))
                .collect();
            line(&format!(
                "# Other modules (their own go.mod), not part of this build: {}",
                shown.join(", ")
            ));
        }
    }

    fn write_cgo(&self, line: &mut dyn FnMut(&str)) {
        let found = gomod::cgo_only_requirements(self.gomod_text);
        if found.is_empty() {
            return;
        }
        let mut seen = Vec::new();
        for (req, module) in &found {
            if seen.contains(&module.module) {
                continue;
            }
            seen.push(module.module);
            let how = if req.indirect {
                " (indirectly, for a module it uses)"
            } else {
                ""
            };
            line(&format!(
                "# go.mod:{} requires {}{how}, which needs cgo: with cgo off, {}.",
                req.line, req.path, module.without_cgo
            ));
            if let Some(also) = module.also_needs {
                line(&format!(
                    "# It also needs {also}, which gofront's images do not have."
                ));
            }
        }
        line("cgo: true");
    }

    fn write_ports(&self, line: &mut dyn FnMut(&str)) {
        match &self.ports {
            Ok(ports) if ports.is_empty() => {
                line(
                    "# ports: [8080]    # no port found in the code: write the one the service listens on",
                );
            }
            Ok(ports) => {
                for p in ports {
                    if ports.len() == 1 {
                        line(&format!("# Found in {}", p.found));
                    } else {
                        line(&format!("# {}: found in {}", p.yaml(), p.found));
                    }
                }
                let list: Vec<String> = ports.iter().map(hints::Port::yaml).collect();
                line(&format!("ports: [{}]", list.join(", ")));
            }
            Err(many) => {
                line("# Several ports in the code, so none is obvious:");
                for p in many {
                    line(&format!("#   {}: {}", p.yaml(), p.found));
                }
                line("# ports: [8080]");
            }
        }
    }

    fn write_web(&self, line: &mut dyn FnMut(&str)) {
        if let Some(w) = &self.web.web {
            line(&format!("# {}.", w.why));
            line("web:");
            line(&format!("  dir: {}", scalar(&w.dir)));
            line(&format!("  output: {}", scalar(&w.output)));
            line(&format!("  script: {}", scalar(&w.script)));
            if let Some(into) = &w.into {
                line(&format!("  into: {}", scalar(into)));
            }
        }
        for n in &self.web.notes {
            line(&format!("# {n}."));
        }
    }

    fn write_generate(&self, line: &mut dyn FnMut(&str)) {
        let Some(g) = &self.generate else {
            return;
        };
        let tools: Vec<String> = g
            .tools
            .iter()
            .map(|(tool, pkgs)| format!("{tool} ({})", pkgs.join(", ")))
            .collect();
        line(&format!("# //go:generate lines run: {}.", tools.join(", ")));
        let declared = gomod::tools(self.gomod_text);
        if !declared.is_empty() {
            line(&format!("# go.mod's tool lines: {}.", declared.join(", ")));
        }
        for p in &g.committed {
            line(&format!(
                "# {p} has its generated code committed too: the step may be unneeded."
            ));
        }
        let packages: Vec<String> = g.packages.iter().map(|p| scalar(p)).collect();
        if g.missing.is_empty() {
            line("generate:");
            line(&format!("  packages: [{}]", packages.join(", ")));
        } else {
            line(&format!(
                "# The builder has the go command only, not {}: make each a go.mod tool",
                g.missing.join(", ")
            ));
            line(
                "# (`go get -tool PACKAGE`, then `//go:generate go tool NAME`) or commit the generated code;",
            );
            line("# then uncomment:");
            line("# generate:");
            line(&format!("#   packages: [{}]", packages.join(", ")));
        }
    }

    fn write_state(&self, line: &mut dyn FnMut(&str)) {
        let Some(s) = &self.state else {
            return;
        };
        let relative = if s.workdir.is_some() {
            ", relative to its working directory"
        } else {
            ""
        };
        line(&format!(
            "# The service writes {}{relative} ({}):",
            s.path, s.found
        ));
        line("# dirs:            # folders the service writes, owned by its user");
        for d in &s.dirs {
            line(&format!("#   - {d}"));
        }
        if let Some(w) = &s.workdir {
            line(&format!("# workdir: {w}"));
        }
    }
}
