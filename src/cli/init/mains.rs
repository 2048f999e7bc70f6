//! Which main packages are the services the image is for: not the
//! repository's tools, examples, plugins, test fixtures or scripts.

use super::walk::{Dir, Tree};

/// Folder names whose main packages are not services, and what they are.
/// A name matches anywhere in the path (`plugins/auth/example`,
/// `internal/testing/fakeserver`). Conservative: `demo`, `build` or `dev`
/// may hold the service itself.
const NOT_SERVICES: &[(&str, &str)] = &[
    ("examples", "an example"),
    ("example", "an example"),
    ("samples", "an example"),
    ("sample", "an example"),
    ("testing", "test support"),
    ("test", "test support"),
    ("tests", "test support"),
    ("e2e", "test support"),
    ("integration", "test support"),
    ("fixtures", "test support"),
    ("testutil", "test support"),
    ("testutils", "test support"),
    ("testhelpers", "test support"),
    ("mocks", "test support"),
    ("tools", "a dev tool"),
    ("tool", "a dev tool"),
    ("scripts", "a dev tool"),
    ("script", "a dev tool"),
    ("hack", "a dev tool"),
    ("mage", "a dev tool"),
    ("magefiles", "a dev tool"),
    ("bench", "a benchmark"),
    ("benchmark", "a benchmark"),
    ("benchmarks", "a benchmark"),
    ("docs", "documentation"),
];

/// What a folder of the module is, as far as `init` cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// A main package that looks like a service.
    Service,
    /// A main package that is not one, and why (`//go:build tools`, `an
    /// example (examples/)`).
    NotService(String),
    /// A library package, or no package at all.
    Other,
}

/// Why a path is not a service's, by its folder names.
pub(super) fn path_reason(rel: &str) -> Option<String> {
    rel.split('/').find_map(|segment| {
        NOT_SERVICES
            .iter()
            .find(|(name, _)| *name == segment)
            .map(|(name, what)| format!("{what} ({name}/)"))
    })
}

/// What `dir` is: a main package whose files all carry a constraint that
/// leaves them out (`//go:build tools`, `ignore`) is not built at all;
/// `package main` without `func main` is a plugin; then the path decides.
pub(super) fn role(dir: &Dir) -> Role {
    let built: Vec<_> = dir.built().collect();
    let built_main: Vec<_> = built
        .iter()
        .filter(|f| f.facts.package.as_deref() == Some("main"))
        .collect();
    if built_main.is_empty() {
        if built.is_empty()
            && let Some(f) = dir
                .go_files
                .iter()
                .find(|f| f.facts.package.as_deref() == Some("main"))
        {
            return Role::NotService(f.excluded.clone().unwrap_or_default());
        }
        return Role::Other;
    }
    if !built_main.iter().any(|f| f.facts.func_main) {
        return Role::NotService(
            "package main without func main (a plugin, built with -buildmode=plugin?)".into(),
        );
    }
    match path_reason(&dir.rel) {
        Some(why) => Role::NotService(why),
        None => Role::Service,
    }
}

/// The services and the main packages left out, with why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Mains {
    /// `.` or `./a/b`, sorted.
    pub services: Vec<String>,
    pub not_services: Vec<(String, String)>,
}

pub(super) fn classify(tree: &Tree) -> Mains {
    let mut mains = Mains::default();
    for dir in &tree.dirs {
        match role(dir) {
            Role::Service => mains.services.push(dir.package()),
            Role::NotService(why) => mains.not_services.push((dir.package(), why)),
            Role::Other => {}
        }
    }
    mains
}

/// `./cmd/NAME` or `./x/cmd/NAME`: the layout of a repository with
/// several commands.
fn in_cmd(package: &str) -> bool {
    let parts: Vec<&str> = package.split('/').collect();
    parts.len() >= 3 && parts[parts.len() - 2] == "cmd"
}

/// The binaries to build, entrypoint first, and the services left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Choice {
    pub binaries: Vec<String>,
    pub left_out: Vec<String>,
}

/// Several services: with a `cmd/NAME` layout, the commands there (and the
/// module's root package, if it is one) are the image's binaries; without
/// one, a single main package. The entrypoint goes first: the binary named
/// after the module, else `server`, else the shallowest (the first of
/// those in path order).
pub(super) fn choose(
    services: &[String],
    name_of: &dyn Fn(&str) -> String,
    module: &str,
) -> Choice {
    let has_cmd = services.iter().any(|s| in_cmd(s));
    let pool: Vec<&String> = services
        .iter()
        .filter(|s| !has_cmd || in_cmd(s) || s.as_str() == ".")
        .collect();
    // Among equals, the shallowest (then the first in path order).
    let shallowest = |keep: &dyn Fn(&str) -> bool| {
        pool.iter()
            .enumerate()
            .filter(|(_, m)| keep(m))
            .min_by_key(|(i, m)| (m.matches('/').count(), *i))
            .map(|(i, _)| i)
    };
    let preferred = shallowest(&|m| name_of(m) == module)
        .or_else(|| shallowest(&|m| name_of(m) == "server"))
        .or_else(|| shallowest(&|_| true))
        .unwrap_or(0);
    let mut binaries = Vec::new();
    if let Some(first) = pool.get(preferred) {
        binaries.push((*first).clone());
    }
    if has_cmd {
        binaries.extend(
            pool.iter()
                .enumerate()
                .filter(|(i, _)| *i != preferred)
                .map(|(_, s)| (*s).clone()),
        );
    }
    let left_out = services
        .iter()
        .filter(|s| !binaries.contains(s))
        .cloned()
        .collect();
    Choice { binaries, left_out }
}
