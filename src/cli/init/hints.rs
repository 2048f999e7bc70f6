//! What the code says about ports, `go generate` and state, turned into
//! proposals with the line that says so.

use std::collections::BTreeMap;

use super::walk::Dir;
use crate::golang::source::{PathHint, PortHint};

/// The most ports init proposes; more is not "obvious".
const MAX_PORTS: usize = 3;
/// More packages with `//go:generate` lines than this: `./...`.
const MAX_GENERATE_PACKAGES: usize = 4;

/// A port found, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Port {
    pub port: u16,
    pub udp: bool,
    /// `cmd/api/main.go:12: http.ListenAndServe(":8080", mux)`.
    pub found: String,
}

impl Port {
    /// As the spec writes it: `8080` or `"53/udp"`.
    pub fn yaml(&self) -> String {
        if self.udp {
            format!("\"{}/udp\"", self.port)
        } else {
            self.port.to_string()
        }
    }
}

/// The ports of the first group of folders that names any (the binaries'
/// own packages, then the rest of the module), each once; none when more
/// than a few differ.
pub(super) fn ports(groups: &[Vec<&Dir>]) -> Result<Vec<Port>, Vec<Port>> {
    for group in groups {
        let mut found: Vec<Port> = Vec::new();
        for dir in group {
            for f in dir.built() {
                for PortHint {
                    line,
                    port,
                    udp,
                    code,
                } in &f.facts.ports
                {
                    if found.iter().any(|p| p.port == *port && p.udp == *udp) {
                        continue;
                    }
                    found.push(Port {
                        port: *port,
                        udp: *udp,
                        found: format!("{}:{line}: {code}", dir.file(&f.name)),
                    });
                }
            }
        }
        if found.len() > MAX_PORTS {
            return Err(found);
        }
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// A proposal for the folders a service writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct State {
    pub dirs: Vec<String>,
    pub workdir: Option<String>,
    pub found: String,
    /// The path as the code writes it.
    pub path: String,
}

/// The first path the code obviously writes, as `dirs:` (and `workdir:`
/// when it is relative to the working directory).
pub(super) fn state(groups: &[Vec<&Dir>]) -> Option<State> {
    for dir in groups.iter().flatten() {
        for f in dir.built() {
            for PathHint {
                line,
                path,
                dir: is_dir,
                code,
            } in &f.facts.writes
            {
                let found = format!("{}:{line}: {code}", dir.file(&f.name));
                let Some((dirs, workdir)) = folders(path, *is_dir) else {
                    continue;
                };
                return Some(State {
                    dirs,
                    workdir,
                    found,
                    path: path.clone(),
                });
            }
        }
    }
    None
}

/// `data/app.db` → `/data` with the working directory `/`; `app.db` →
/// `/data`, which becomes the working directory; `/var/lib/app/app.db` →
/// `/var/lib/app`.
fn folders(path: &str, is_dir: bool) -> Option<(Vec<String>, Option<String>)> {
    let p = path
        .strip_prefix("./")
        .unwrap_or(path)
        .trim_end_matches('/');
    if p.is_empty() || p == "." || p.split('/').any(|c| c == "..") {
        return None;
    }
    if p.starts_with('/') {
        let folder = if is_dir {
            p.to_string()
        } else {
            p.rsplit_once('/').map(|(d, _)| d.to_string())?
        };
        return (!folder.is_empty()).then(|| (vec![folder], None));
    }
    let parts: Vec<&str> = p.split('/').collect();
    if is_dir || parts.len() > 1 {
        Some((vec![format!("/{}", parts[0])], Some("/".into())))
    } else {
        Some((vec!["/data".into()], Some("/data".into())))
    }
}

/// The `//go:generate` lines of the module and what they run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Generate {
    /// `./internal/enum`, or `./...` for many.
    pub packages: Vec<String>,
    /// What the lines run (`go tool stringer`), once each, with their
    /// packages.
    pub tools: Vec<(String, Vec<String>)>,
    /// Commands the builder does not have (`stringer` on the PATH, a `go
    /// tool` with no `tool` line in go.mod).
    pub missing: Vec<String>,
    /// Packages whose generated code is committed too.
    pub committed: Vec<String>,
}

/// The tools of the go command itself (`go tool NAME` without a `tool`
/// line).
const GO_TOOLS: &[&str] = &[
    "addr2line",
    "asm",
    "buildid",
    "cgo",
    "compile",
    "covdata",
    "cover",
    "doc",
    "fix",
    "link",
    "nm",
    "objdump",
    "pack",
    "pprof",
    "test2json",
    "trace",
    "vet",
];

pub(super) fn generate(dirs: &[&Dir], gomod_tools: &[String]) -> Option<Generate> {
    let mut g = Generate::default();
    let mut tools: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for dir in dirs {
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut any = false;
        for f in dir.built() {
            for d in &f.facts.generates {
                let Some(mut words) = shlex::split(&d.text).filter(|w| !w.is_empty()) else {
                    continue;
                };
                if words[0] == "-command" {
                    if words.len() > 2 {
                        aliases.insert(words[1].clone(), words[2..].to_vec());
                    }
                    continue;
                }
                if let Some(cmd) = aliases.get(&words[0]) {
                    words.splice(0..1, cmd.iter().cloned());
                }
                any = true;
                let (label, ok) = tool_of(&words, gomod_tools);
                if !ok && !g.missing.contains(&label) {
                    g.missing.push(label.clone());
                }
                if !tools.contains_key(&label) {
                    order.push(label.clone());
                }
                let pkgs = tools.entry(label).or_default();
                if !pkgs.contains(&dir.package()) {
                    pkgs.push(dir.package());
                }
            }
        }
        if any {
            g.packages.push(dir.package());
            if dir.built().any(|f| f.facts.generated) {
                g.committed.push(dir.package());
            }
        }
    }
    if g.packages.is_empty() {
        return None;
    }
    if g.packages.len() > MAX_GENERATE_PACKAGES {
        g.packages = vec!["./...".into()];
    }
    g.tools = order
        .into_iter()
        .map(|label| {
            let pkgs = tools.remove(&label).unwrap_or_default();
            (label, pkgs)
        })
        .collect();
    Some(g)
}

/// What a `//go:generate` command runs, and whether the builder has it.
fn tool_of(words: &[String], gomod_tools: &[String]) -> (String, bool) {
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
    if w(0) != "go" {
        // A program on the PATH: the golang image has only go (and sh).
        return (w(0).to_string(), false);
    }
    match w(1) {
        "tool" => {
            let name = w(2);
            let declared = gomod_tools
                .iter()
                .any(|t| t == name || tool_name(t) == name);
            let ok = declared || GO_TOOLS.contains(&name);
            (format!("go tool {name}"), ok)
        }
        "run" => {
            let target = words[2..]
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(String::as_str)
                .unwrap_or_default();
            (format!("go run {target}"), true)
        }
        sub => (format!("go {sub}"), true),
    }
}

/// The name `go tool` knows a `tool` line's package by: its last element,
/// not a major version (`…/cmd/ogen`, `example.com/x/v2` → `x`).
fn tool_name(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or(path);
    let major =
        last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    if major {
        parts.next().unwrap_or(last)
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_folders() {
        let f = |p, d| folders(p, d);
        assert_eq!(
            f("data/app.db", false),
            Some((vec!["/data".into()], Some("/".into())))
        );
        assert_eq!(
            f("./state", true),
            Some((vec!["/state".into()], Some("/".into())))
        );
        assert_eq!(
            f("app.db", false),
            Some((vec!["/data".into()], Some("/data".into())))
        );
        assert_eq!(
            f("/var/lib/app/app.db", false),
            Some((vec!["/var/lib/app".into()], None))
        );
        assert_eq!(f("/data", true), Some((vec!["/data".into()], None)));
        assert_eq!(f("../x.db", false), None);
        assert_eq!(f("/x.db", false), None);
    }

    #[test]
    fn generate_tools() {
        let tools = [
            "golang.org/x/tools/cmd/stringer".to_string(),
            "example.com/gen/v2".to_string(),
        ];
        let t = |cmd: &str| tool_of(&shlex::split(cmd).unwrap(), &tools);
        assert_eq!(
            t("go tool stringer -type=Color"),
            ("go tool stringer".into(), true)
        );
        assert_eq!(t("go tool gen"), ("go tool gen".into(), true));
        assert_eq!(
            t("go tool mockgen -source=x.go"),
            ("go tool mockgen".into(), false)
        );
        assert_eq!(t("go tool cover"), ("go tool cover".into(), true));
        assert_eq!(
            t("go run -mod=mod github.com/a/b/cmd/c@v1.2.3 -o x"),
            ("go run github.com/a/b/cmd/c@v1.2.3".into(), true)
        );
        assert_eq!(t("go run gen.go"), ("go run gen.go".into(), true));
        assert_eq!(t("stringer -type=Color"), ("stringer".into(), false));
        assert_eq!(t("sh -c \"echo hi\""), ("sh".into(), false));
    }
}
