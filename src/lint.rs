//! Lint rules over a validated spec: things that build, but that are
//! probably not what the author wants (`gofront check`).
//!
//! Pure: no I/O. What the rules need to know beyond the spec (is there a
//! `.dockerignore`?) comes in a [`Context`]. Rule names are CamelCase like
//! BuildKit's Dockerfile checks, and each finding points at the spec line of
//! the value in question (line 0 when it has none).

use crate::imageref::ImageRef;
use crate::spec::{self, Pos, Runtime};

/// Where the rules are documented: `<RULES_URL>#<rule name in lower case>`.
pub const RULES_URL: &str = "https://github.com/ourorg/gofront/blob/main/README.md";

/// One lint rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub description: &'static str,
    /// Informational rules are printed but do not fail `gofront check`.
    pub informational: bool,
}

const fn rule(name: &'static str, description: &'static str) -> Rule {
    Rule {
        name,
        description,
        informational: false,
    }
}

pub const LATEST_TAG: Rule = rule(
    "LatestTag",
    "An image reference without a tag, or with :latest, changes under the build",
);
pub const UNDIGESTED_BASE: Rule = Rule {
    name: "UndigestedBase",
    description: "An image reference not pinned with @sha256: the same spec can give different images",
    informational: true,
};
pub const CGO_WITH_STATIC_BASE: Rule = rule(
    "CgoWithStaticBase",
    "A cgo binary needs glibc, which static, scratch-like and musl runtime images lack",
);
pub const MISSING_DOCKERIGNORE: Rule = rule(
    "MissingDockerignore",
    "Without .dockerignore, .git and build outputs are sent with the context and can bust caches",
);
pub const SSH_WITHOUT_KNOWN_HOSTS: Rule = rule(
    "SshWithoutKnownHosts",
    "With private.ssh and no known_hosts, git accepts any host key on first use",
);
pub const UPX_START_COST: Rule = rule(
    "UpxStartCost",
    "UPX-packed binaries start slower, use more memory and defeat some scanners",
);
pub const ROOT_USER: Rule = rule("RootUser", "The service should not run as root");
pub const SECRETS_USED_IN_ENV: Rule = rule(
    "SecretsUsedInEnv",
    "A secret in `env` is stored in the image config, readable by anyone who can pull the image",
);
pub const SECRETS_USED_IN_LDFLAGS: Rule = rule(
    "SecretsUsedInLdflags",
    "A secret passed to the linker is stored in the binary, the build cache and the build's provenance",
);
pub const HEALTHCHECK_NEEDS_SHELL: Rule = rule(
    "HealthcheckNeedsShell",
    "The health check runs a shell or tool that scratch and distroless images do not have",
);
pub const REDUNDANT_TZDATA: Rule = rule(
    "RedundantTzdata",
    "tzdata embeds 450 KB of time zone data that the distroless runtime already has",
);
pub const DEBUG_BUILD_FLAGS: Rule = rule(
    "DebugBuildFlags",
    "goflags turn off optimizations or inlining in the service binary",
);

pub const CGO_ONLY_MODULE: Rule = rule(
    "CgoOnlyModule",
    "A module that needs cgo, linked with cgo off, fails to build or fails at start",
);
pub const EMBED_WITHOUT_SOURCE: Rule = rule(
    "EmbedWithoutSource",
    "A //go:embed pattern names a path the build context lacks and no step makes: go build fails",
);
pub const PRIVILEGED_PORT: Rule = rule(
    "PrivilegedPort",
    "A port below 1024 needs privilege to bind, which a non-root user has only where the runtime grants it",
);

/// Every rule, in the order `gofront check` documents them.
/// Not a check of the spec: govulncheck's verdict (`vulncheck:`), reported
/// through the same channels as the rules.
pub const REACHABLE_VULNERABILITY: Rule = rule(
    "ReachableVulnerability",
    "govulncheck found a known vulnerability that the service's code calls",
);

/// A reachable vulnerability at the `vulncheck:` line.
pub fn reachable_vulnerability(pos: Pos, detail: String) -> Finding {
    Finding::new(REACHABLE_VULNERABILITY, pos, detail)
}

/// govulncheck did not finish under `vulncheck: warn`.
pub const VULNCHECK_FAILED: Rule = rule(
    "VulnCheckFailed",
    "govulncheck could not check the code; under `vulncheck: warn` the build goes on",
);

/// A failed govulncheck run at the `vulncheck:` line.
pub fn vulncheck_failed(pos: Pos, detail: String) -> Finding {
    Finding::new(VULNCHECK_FAILED, pos, detail)
}

pub const RULES: &[Rule] = &[
    LATEST_TAG,
    UNDIGESTED_BASE,
    CGO_WITH_STATIC_BASE,
    MISSING_DOCKERIGNORE,
    SSH_WITHOUT_KNOWN_HOSTS,
    UPX_START_COST,
    ROOT_USER,
    SECRETS_USED_IN_ENV,
    SECRETS_USED_IN_LDFLAGS,
    HEALTHCHECK_NEEDS_SHELL,
    REDUNDANT_TZDATA,
    DEBUG_BUILD_FLAGS,
    PRIVILEGED_PORT,
    CGO_ONLY_MODULE,
    EMBED_WITHOUT_SOURCE,
    REACHABLE_VULNERABILITY,
    VULNCHECK_FAILED,
];

/// The rule called `name` (case-insensitive).
pub fn rule_named(name: &str) -> Option<Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

/// What the rules know besides the spec.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The build context has a `.dockerignore`.
    pub has_dockerignore: bool,
    /// The module's `go.mod`, when it could be read.
    pub gomod: Option<String>,
    /// `//go:embed` patterns whose path the context lacks (`gofront
    /// check` reads the Go files; a build does not).
    pub missing_embeds: Vec<MissingEmbed>,
}

/// A `//go:embed` pattern whose path is not in the build context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MissingEmbed {
    /// The Go file, relative to the context (`web/embed.go`), and the line.
    pub file: String,
    pub line: u32,
    pub pattern: String,
    /// The path the pattern needs, relative to the context (`web/dist`).
    pub path: String,
}

/// One finding: what `gofront check` prints, `--call check` answers and
/// a build sends with `Warn`, as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub description: &'static str,
    /// The rule's documentation.
    pub url: String,
    /// What is wrong here, and what to do.
    pub detail: String,
    /// The offending value; line 0 when it has no place in the spec.
    pub pos: Pos,
    /// See [`Rule::informational`].
    pub informational: bool,
}

impl Finding {
    fn new(rule: Rule, pos: Pos, detail: String) -> Self {
        Finding {
            rule: rule.name,
            description: rule.description,
            url: format!("{RULES_URL}#{}", rule.name.to_ascii_lowercase()),
            detail,
            pos,
            informational: rule.informational,
        }
    }
}

/// Run every rule over `spec`. Findings come sorted by position, then rule.
pub fn lint(spec: &spec::Spec, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    image_rules(spec, &mut out);
    cgo_with_static_base(spec, &mut out);
    if !ctx.has_dockerignore {
        out.push(Finding::new(
            MISSING_DOCKERIGNORE,
            Pos::default(),
            "the build context has no .dockerignore: .git, binaries and other build outputs are sent to the builder, and any change to them busts the cache of the go build step; add one (e.g. `.git`, `bin/`, `*.test`)".into(),
        ));
    }
    if let Some(p) = spec
        .private
        .as_ref()
        .filter(|p| p.ssh && p.known_hosts.is_empty())
    {
        out.push(Finding::new(
            SSH_WITHOUT_KNOWN_HOSTS,
            p.pos,
            "private.ssh is on without known_hosts: the module download accepts whatever host key the git server presents; pin them with `known_hosts: [\"HOST ssh-ed25519 …\"]` (as `ssh-keyscan HOST` prints them)".into(),
        ));
    }
    if spec.upx.value {
        out.push(Finding::new(
            UPX_START_COST,
            spec.upx.pos,
            "upx: every start decompresses the whole binary into memory (slower start, no page sharing between containers), and some vulnerability scanners cannot read packed binaries; prefer the default strip for size".into(),
        ));
    }
    root_user(spec, &mut out);
    privileged_ports(spec, &mut out);
    if let Some(gomod) = &ctx.gomod {
        cgo_only_modules(spec, gomod, &mut out);
    }
    embeds_without_source(spec, &ctx.missing_embeds, &mut out);
    secrets(spec, &mut out);
    healthcheck_needs_shell(spec, &mut out);
    if spec.tzdata.value && runtime_is_distroless(spec) {
        out.push(Finding::new(
            REDUNDANT_TZDATA,
            spec.tzdata.pos,
            "tzdata: true embeds Go's time zone database (about 450 KB per binary), but the distroless runtime already ships /usr/share/zoneinfo; drop it, or keep it only for scratch".into(),
        ));
    }
    for f in &spec.goflags {
        if let Some(why) = debug_flag(&f.value) {
            out.push(Finding::new(
                DEBUG_BUILD_FLAGS,
                f.pos,
                format!(
                    "goflags: {} {why} in the image's binary; keep it for debug builds only",
                    f.value
                ),
            ));
        }
    }
    out.sort_by(|a, b| {
        (a.pos.line, a.pos.column, a.rule, &a.detail).cmp(&(
            b.pos.line,
            b.pos.column,
            b.rule,
            &b.detail,
        ))
    });
    out.dedup();
    out
}

/// The image references written in the spec: `runtime` (when it is one) and
/// every `images:` value, with where they are and how to name them.
fn written_images(spec: &spec::Spec) -> Vec<(String, &str, Pos)> {
    let mut out = Vec::new();
    if let Runtime::Image(r) = &spec.runtime.value {
        out.push(("runtime".to_string(), r.as_str(), spec.runtime.pos));
    }
    for (key, v) in &spec.images {
        out.push((format!("images.{key}"), v.value.as_str(), v.pos));
    }
    out
}

fn image_rules(spec: &spec::Spec, out: &mut Vec<Finding>) {
    for (key, r, pos) in written_images(spec) {
        // The spec refuses references that do not parse.
        let Ok(parts) = ImageRef::parse(r) else {
            continue;
        };
        if parts.digest.is_none() {
            match parts.tag.as_deref() {
                None => out.push(Finding::new(
                    LATEST_TAG,
                    pos,
                    format!("{key}: \"{r}\" has no tag, so it means :latest, which moves; name a version (e.g. {r}:1.2) or pin a digest"),
                )),
                Some("latest") => out.push(Finding::new(
                    LATEST_TAG,
                    pos,
                    format!("{key}: \"{r}\" uses :latest, which moves; name a version or pin a digest"),
                )),
                Some(_) => {}
            }
            out.push(Finding::new(
                UNDIGESTED_BASE,
                pos,
                format!("{key}: \"{r}\" is not pinned with @sha256:…; the tag can be moved to another image (append the digest `docker buildx imagetools inspect` shows)"),
            ));
        }
    }
}

fn cgo_with_static_base(spec: &spec::Spec, out: &mut Vec<Finding>) {
    if !spec.cgo.value {
        return;
    }
    let mut candidates = Vec::new();
    if let Runtime::Image(r) = &spec.runtime.value {
        candidates.push(("runtime".to_string(), r.as_str(), spec.runtime.pos));
    }
    if let Some(v) = spec.images.get("runtime") {
        candidates.push(("images.runtime".to_string(), v.value.as_str(), v.pos));
    }
    for (key, r, pos) in candidates {
        // The name without registry host and digest, lower case.
        let name = r.split('@').next().unwrap_or(r).to_ascii_lowercase();
        let why = if name.contains("static") || name.contains("scratch") {
            "looks like a static image without a C library"
        } else if name.contains("alpine") || name.contains("musl") {
            "looks like a musl image, but cgo binaries are linked against glibc"
        } else {
            continue;
        };
        out.push(Finding::new(
            CGO_WITH_STATIC_BASE,
            pos,
            format!("{key}: cgo is on and \"{r}\" {why}: the binary would fail to start (\"no such file or directory\"); use a glibc image such as gcr.io/distroless/base-debian12, or set `cgo: false`"),
        ));
    }
}

/// The service runs as root: uid 0, or the name root.
fn runs_as_root(user: &spec::User) -> bool {
    let uid_name = user.spec.split(':').next().unwrap_or_default();
    user.ids.is_some_and(|(uid, _)| uid == 0) || uid_name == "0" || uid_name == "root"
}

fn root_user(spec: &spec::Spec, out: &mut Vec<Finding>) {
    let user = &spec.user.value;
    if runs_as_root(user) {
        out.push(Finding::new(
            ROOT_USER,
            spec.user.pos,
            format!("user: \"{}\" is root: a compromised service owns the container; drop the key to run as 65532:65532 (nonroot)", user.spec),
        ));
    }
}

/// A non-root service that listens below 1024 starts under Docker (which
/// sets net.ipv4.ip_unprivileged_port_start=0 in the container) and fails
/// with `bind: permission denied` where the runtime does not (Kubernetes'
/// default, Podman before 4).
fn privileged_ports(spec: &spec::Spec, out: &mut Vec<Finding>) {
    let user = &spec.user.value;
    if runs_as_root(user) {
        return;
    }
    for p in spec.ports.iter().filter(|p| p.value.number < 1024) {
        out.push(Finding::new(
            PRIVILEGED_PORT,
            p.pos,
            format!(
                "ports: {} is below 1024 and the service runs as {}: Docker lets it bind, Kubernetes and other runtimes do not (bind: permission denied); listen on a port above 1023 (e.g. {}) and map it, or set the pod's sysctl net.ipv4.ip_unprivileged_port_start=0 (or give the container CAP_NET_BIND_SERVICE)",
                p.value,
                user.spec,
                8000 + p.value.number
            ),
        ));
    }
}

/// The module's `go.mod` requires a module that cannot work without cgo
/// (go-sqlite3 …), and cgo is off: the image builds and dies at start.
fn cgo_only_modules(spec: &spec::Spec, gomod: &str, out: &mut Vec<Finding>) {
    if spec.cgo.value {
        return;
    }
    // At `cgo: false` when it is written, else at the top of the spec.
    let pos = if spec.cgo.pos.line > 0 {
        spec.cgo.pos
    } else {
        Pos { line: 1, column: 1 }
    };
    let mut seen = Vec::new();
    for (req, module) in crate::golang::cgo_only_requirements(gomod) {
        if seen.contains(&module.module) {
            continue;
        }
        seen.push(module.module);
        let how = if req.indirect {
            " (indirectly, for a module it uses)"
        } else {
            ""
        };
        let also = module
            .also_needs
            .map(|a| format!("; it also needs {a}"))
            .unwrap_or_default();
        out.push(Finding::new(
            CGO_ONLY_MODULE,
            pos,
            format!(
                "go.mod requires {}{how}, which needs cgo, and cgo is off: {} (hint: set cgo: true{also})",
                req.path, module.without_cgo
            ),
        ));
    }
}

/// An embedded path the context lacks is an error of `go build` ("pattern
/// dist: no matching files found") unless the web UI step puts it there.
fn embeds_without_source(spec: &spec::Spec, missing: &[MissingEmbed], out: &mut Vec<Finding>) {
    let made = |path: &str| {
        spec.web.as_ref().is_some_and(|w| {
            path == w.into.value || path.starts_with(&format!("{}/", w.into.value))
        })
    };
    for m in missing.iter().filter(|m| !made(&m.path)) {
        let (pos, fix) = match &spec.web {
            Some(w) => (
                w.into.pos,
                format!(
                    "the web UI's output goes to {}: set `web.into: {}` if the UI makes it",
                    w.into.value, m.path
                ),
            ),
            None => (
                Pos { line: 1, column: 1 },
                "if a node build makes it, add `web: { dir: <the folder with package.json> }` (its output goes where `into` says); else commit it or let .dockerignore keep it".to_string(),
            ),
        };
        let generated = if spec.generate.is_some() {
            " (unless go generate writes it)"
        } else {
            ""
        };
        out.push(Finding::new(
            EMBED_WITHOUT_SOURCE,
            pos,
            format!(
                "{}:{}: //go:embed {}: {} is not in the build context and no step makes it{generated}, so go build fails; {fix}",
                m.file, m.line, m.pattern, m.path
            ),
        ));
    }
}

/// A name that looks like it holds a secret, as BuildKit's
/// SecretsUsedInArgOrEnv decides it: one of its `_`/`-`/`.`-separated
/// words is a secret word, and none is `public`.
fn secret_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let words: Vec<String> = name
        .split(['_', '-', '.'])
        .map(str::to_ascii_lowercase)
        .collect();
    !words.iter().any(|w| w == "public") && words.iter().any(|w| WORDS.contains(&w.as_str()))
}

fn secrets(spec: &spec::Spec, out: &mut Vec<Finding>) {
    for (name, value) in &spec.env {
        if secret_name(name) && !value.value.is_empty() {
            out.push(Finding::new(
                SECRETS_USED_IN_ENV,
                value.pos,
                format!("env: {name} looks like a secret, and its value is stored in the image config; pass it when the container starts (docker run -e {name}, a secret store) instead"),
            ));
        }
    }
    for flag in spec.all_ldflags() {
        for word in &flag.words {
            let Ok(keys) = spec::template::keys(word) else {
                continue;
            };
            for key in keys {
                if let spec::template::Key::Env(name) = &key
                    && secret_name(name)
                {
                    out.push(Finding::new(
                        SECRETS_USED_IN_LDFLAGS,
                        flag.pos,
                        format!("ldflags: {key} puts the build arg {name}, which looks like a secret, into the binary (and the build cache and provenance); read it at run time instead"),
                    ));
                }
            }
        }
    }
}

fn runtime_is_distroless(spec: &spec::Spec) -> bool {
    match &spec.runtime.value {
        Runtime::Distroless => true,
        Runtime::Image(r) => r.contains("distroless/"),
        Runtime::Scratch | Runtime::Alpine => false,
    }
}

fn healthcheck_needs_shell(spec: &spec::Spec, out: &mut Vec<Finding>) {
    let Some(h) = &spec.healthcheck else { return };
    let no_shell = matches!(spec.runtime.value, Runtime::Scratch) || runtime_is_distroless(spec);
    if !no_shell {
        return;
    }
    let program = h.cmd.first().map(String::as_str).unwrap_or_default();
    let base = program.rsplit('/').next().unwrap_or(program);
    const TOOLS: &[&str] = &[
        "sh", "bash", "ash", "dash", "curl", "wget", "nc", "netcat", "test", "[",
    ];
    if TOOLS.contains(&base) {
        let runtime = match &spec.runtime.value {
            Runtime::Scratch => "scratch".to_string(),
            Runtime::Image(r) => r.clone(),
            _ => "distroless".to_string(),
        };
        out.push(Finding::new(
            HEALTHCHECK_NEEDS_SHELL,
            h.pos,
            format!("healthcheck: {runtime} has no {base}, so every check fails and the container turns unhealthy; let the binary check itself (cmd: [/usr/local/bin/server, -healthcheck])"),
        ));
    }
}

/// Why a `go build` flag makes a debug binary, if it does.
fn debug_flag(flag: &str) -> Option<&'static str> {
    let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
    let name = name.trim_start_matches('-');
    match name {
        "gcflags" => {
            // `-gcflags=all=-N -l`: the flags after an optional pattern=.
            let args = value.rsplit_once('=').map(|(_, a)| a).unwrap_or(value);
            let words: Vec<&str> = args.split_whitespace().collect();
            if words.contains(&"-N") {
                Some("turns off the compiler's optimizations")
            } else if words.contains(&"-l") {
                Some("turns off inlining")
            } else {
                None
            }
        }
        "race" if value.is_empty() || value == "true" => {
            Some("builds with the race detector (several times slower, more memory)")
        }
        _ => None,
    }
}

/// What a check reports: every rule's findings, less the rules the spec's
/// `# check=skip=` and `also` (`gofront check --skip`) leave out; an error
/// when the directive names no rule.
pub fn check(
    spec: &spec::Spec,
    ctx: &Context,
    also: Skips,
) -> Result<Vec<Finding>, spec::SpecError> {
    let skips = Skips::of_spec(spec)?.and(also);
    Ok(lint(spec, ctx)
        .into_iter()
        .filter(|f| !skips.skips(f.rule))
        .collect())
}

/// The rules a check leaves out, from `# check=skip=A,B` at the top of the
/// spec (the Dockerfile frontend's directive) or `gofront check --skip`.
/// Names are matched in any case; `all` skips every rule; a name that is no
/// rule is an error in both places, so that a typo never silently keeps a
/// rule on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skips {
    all: bool,
    rules: std::collections::BTreeSet<&'static str>,
}

impl Skips {
    /// The rules `names` name; the first name that is no rule, if any.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Skips, String> {
        let mut skips = Skips::default();
        for name in names {
            if name.eq_ignore_ascii_case("all") {
                skips.all = true;
                continue;
            }
            let rule = rule_named(name).ok_or_else(|| name.to_string())?;
            skips.rules.insert(rule.name);
        }
        Ok(skips)
    }

    /// The spec's own directive; an unknown name is an error at its place.
    pub fn of_spec(spec: &spec::Spec) -> Result<Skips, spec::SpecError> {
        let mut skips = Skips::default();
        for name in &spec.check_skip {
            let one = Skips::parse([name.value.as_str()]).map_err(|name_| spec::SpecError {
                file: spec.file.clone(),
                pos: name.pos,
                message: format!("check=skip: no rule is called \"{}\"", spec::short(&name_)),
                hint: Some("`gofront rules` lists them".into()),
            })?;
            skips = skips.and(one);
        }
        Ok(skips)
    }

    /// Both sets of skipped rules.
    pub fn and(mut self, other: Skips) -> Skips {
        self.all |= other.all;
        self.rules.extend(other.rules);
        self
    }

    pub fn skips(&self, rule: &str) -> bool {
        self.all || self.rules.contains(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> spec::Spec {
        spec::parse("gofront.yaml", yaml).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The findings of `rule` for `yaml`, with a .dockerignore present.
    fn run(yaml: &str, rule: Rule) -> Vec<Finding> {
        let ctx = Context {
            has_dockerignore: true,
            ..Default::default()
        };
        lint(&spec(yaml), &ctx)
            .into_iter()
            .filter(|f| f.rule == rule.name)
            .collect()
    }

    fn fires(yaml: &str, rule: Rule, line: u32) -> Finding {
        let found = run(yaml, rule);
        assert_eq!(found.len(), 1, "{}: {found:#?}", rule.name);
        assert_eq!(found[0].pos.line, line, "{found:#?}");
        found[0].clone()
    }

    fn quiet(yaml: &str, rule: Rule) {
        let found = run(yaml, rule);
        assert!(found.is_empty(), "{} fired: {found:#?}", rule.name);
    }

    #[test]
    fn a_plain_spec_is_clean() {
        let yaml = "# syntax=ourorg/gofront\nmain: ./cmd/server\nports: [8080]\n";
        let ctx = Context {
            has_dockerignore: true,
            ..Default::default()
        };
        assert_eq!(lint(&spec(yaml), &ctx), vec![]);
    }

    #[test]
    fn latest_tag() {
        let f = fires("runtime: example.com/base\n", LATEST_TAG, 1);
        assert!(f.detail.contains("has no tag"), "{}", f.detail);
        assert_eq!(f.pos.column, 10);
        let f = fires("main: .\nruntime: example.com/base:latest\n", LATEST_TAG, 2);
        assert!(f.detail.contains(":latest"), "{}", f.detail);
        fires("images:\n  builder: mirror.corp/golang\n", LATEST_TAG, 2);
        // A registry port is not a tag.
        fires("runtime: registry:5000/base\n", LATEST_TAG, 1);
        quiet("runtime: registry:5000/base:1.2\n", LATEST_TAG);
        quiet("runtime: example.com/base:1.2\n", LATEST_TAG);
        quiet(
            "runtime: example.com/base@sha256:0123456789012345678901234567890123456789012345678901234567890123\n",
            LATEST_TAG,
        );
        // The named runtimes are gofront's choice, with a tag.
        quiet("runtime: alpine\n", LATEST_TAG);
        quiet("runtime: distroless\n", LATEST_TAG);
    }

    #[test]
    fn undigested_base_is_informational() {
        let f = fires("runtime: example.com/base:1.2\n", UNDIGESTED_BASE, 1);
        assert!(f.informational);
        assert!(f.url.ends_with("#undigestedbase"), "{}", f.url);
        fires(
            "images: { runtime: example.com/base:1.2 }\n",
            UNDIGESTED_BASE,
            1,
        );
        quiet(
            "runtime: example.com/base:1.2@sha256:0123456789012345678901234567890123456789012345678901234567890123\n",
            UNDIGESTED_BASE,
        );
        quiet("runtime: scratch\n", UNDIGESTED_BASE);
        quiet("main: .\n", UNDIGESTED_BASE);
    }

    #[test]
    fn cgo_with_static_base() {
        let f = fires(
            "cgo: true\nruntime: example.com/static-glibc-less:1\n",
            CGO_WITH_STATIC_BASE,
            2,
        );
        assert!(f.detail.contains("static"), "{}", f.detail);
        fires(
            "cgo: true\nruntime: example.com/my-scratch:1\n",
            CGO_WITH_STATIC_BASE,
            2,
        );
        let f = fires(
            "cgo: true\nruntime: example.com/alpine-base:3\n",
            CGO_WITH_STATIC_BASE,
            2,
        );
        assert!(f.detail.contains("musl"), "{}", f.detail);
        fires(
            "cgo: true\nimages:\n  runtime: mirror.corp/distroless/static-debian12:nonroot\n",
            CGO_WITH_STATIC_BASE,
            3,
        );
        quiet(
            "cgo: false\nruntime: example.com/static:1\n",
            CGO_WITH_STATIC_BASE,
        );
        quiet(
            "cgo: true\nruntime: gcr.io/distroless/base-debian12:nonroot\n",
            CGO_WITH_STATIC_BASE,
        );
        quiet("cgo: true\n", CGO_WITH_STATIC_BASE);
    }

    #[test]
    fn missing_dockerignore() {
        let s = spec("main: .\n");
        let found = lint(&s, &Context::default());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].rule, "MissingDockerignore");
        assert_eq!(found[0].pos, Pos::default());
        let ctx = Context {
            has_dockerignore: true,
            ..Default::default()
        };
        assert!(lint(&s, &ctx).is_empty());
    }

    #[test]
    fn ssh_without_known_hosts() {
        fires(
            "goprivate: git.corp\nprivate:\n  ssh: true\n",
            SSH_WITHOUT_KNOWN_HOSTS,
            3,
        );
        quiet(
            "goprivate: git.corp\nprivate:\n  ssh: true\n  known_hosts: [\"git.corp ssh-ed25519 AAAAC3Nza\"]\n",
            SSH_WITHOUT_KNOWN_HOSTS,
        );
        quiet(
            "goprivate: git.corp\nprivate: { netrc: true }\n",
            SSH_WITHOUT_KNOWN_HOSTS,
        );
    }

    #[test]
    fn upx_start_cost() {
        let f = fires("main: .\nupx: true\n", UPX_START_COST, 2);
        assert_eq!(f.pos.column, 6);
        quiet("upx: false\n", UPX_START_COST);
        quiet("main: .\n", UPX_START_COST);
    }

    #[test]
    fn root_user() {
        fires("user: 0\n", ROOT_USER, 1);
        fires("user: \"0:0\"\n", ROOT_USER, 1);
        fires("user: root\n", ROOT_USER, 1);
        fires("user: \"root:root\"\n", ROOT_USER, 1);
        fires("main: .\nuser: \"0:65532\"\n", ROOT_USER, 2);
        quiet("user: \"65532:0\"\n", ROOT_USER);
        quiet("user: nonroot\n", ROOT_USER);
        quiet("user: \"1000\"\n", ROOT_USER);
        quiet("main: .\n", ROOT_USER);
    }

    #[test]
    fn privileged_port() {
        let f = fires("main: .\nports: [8080, 80]\n", PRIVILEGED_PORT, 2);
        assert!(f.detail.contains("80/tcp"), "{}", f.detail);
        assert!(f.detail.contains("8080"), "{}", f.detail);
        fires(
            "ports: [\"53/udp\"]\nuser: \"1000:1000\"\n",
            PRIVILEGED_PORT,
            1,
        );
        quiet("ports: [8080, 1024]\n", PRIVILEGED_PORT);
        quiet("ports: [80]\nuser: \"0:0\"\n", PRIVILEGED_PORT);
    }

    #[test]
    fn secrets_used_in_env() {
        let f = fires(
            "main: .\nenv:\n  API_KEY: abc\n  GIN_MODE: release\n",
            SECRETS_USED_IN_ENV,
            3,
        );
        assert!(f.detail.contains("API_KEY"), "{}", f.detail);
        fires("env: { DB_PASSWORD: hunter2 }\n", SECRETS_USED_IN_ENV, 1);
        fires("env: { github-token: x }\n", SECRETS_USED_IN_ENV, 1);
        quiet("env: { PUBLIC_KEY: abc }\n", SECRETS_USED_IN_ENV);
        quiet("env: { TOKEN: \"\" }\n", SECRETS_USED_IN_ENV);
        quiet(
            "env: { MONKEY: x, TOKENS_PER_SEC: 3 }\n",
            SECRETS_USED_IN_ENV,
        );
        // The finding points at the value itself, not at the `env` key.
        let s = spec("env: { SECRET: x }\n");
        let ctx = Context {
            has_dockerignore: true,
            ..Default::default()
        };
        assert_eq!(
            lint(&s, &ctx)[0].pos,
            Pos {
                line: 1,
                column: 16
            }
        );
    }

    #[test]
    fn secrets_used_in_ldflags() {
        let f = fires(
            "main: .\nldflags:\n  - \"-X main.token={{.Env.API_TOKEN}}\"\n",
            SECRETS_USED_IN_LDFLAGS,
            3,
        );
        assert!(f.detail.contains("API_TOKEN"), "{}", f.detail);
        fires(
            "binaries:\n  - main: ./cmd/a\n    ldflags: [\"-X main.p={{.Env.PASSWORD}}\"]\n",
            SECRETS_USED_IN_LDFLAGS,
            3,
        );
        quiet(
            "ldflags: [\"-X main.b={{.Env.BUILDER}}\", \"-X main.c={{.Commit}}\"]\n",
            SECRETS_USED_IN_LDFLAGS,
        );
    }

    #[test]
    fn healthcheck_needs_shell() {
        fires(
            "runtime: scratch\nhealthcheck:\n  cmd: [curl, -f, http://127.0.0.1:8080/healthz]\n",
            HEALTHCHECK_NEEDS_SHELL,
            3,
        );
        fires(
            "healthcheck: { cmd: [/bin/sh, -c, \"wget -q localhost\"] }\n",
            HEALTHCHECK_NEEDS_SHELL,
            1,
        );
        quiet(
            "healthcheck: { cmd: [/usr/local/bin/server, -healthcheck] }\n",
            HEALTHCHECK_NEEDS_SHELL,
        );
        quiet(
            "runtime: alpine\nhealthcheck: { cmd: [wget, -q, localhost] }\n",
            HEALTHCHECK_NEEDS_SHELL,
        );
    }

    #[test]
    fn redundant_tzdata() {
        fires("main: .\ntzdata: true\n", REDUNDANT_TZDATA, 2);
        fires(
            "runtime: gcr.io/distroless/static-debian12:nonroot\ntzdata: true\n",
            REDUNDANT_TZDATA,
            2,
        );
        quiet("runtime: scratch\ntzdata: true\n", REDUNDANT_TZDATA);
        quiet("runtime: alpine\ntzdata: true\n", REDUNDANT_TZDATA);
        quiet("tzdata: false\n", REDUNDANT_TZDATA);
    }

    #[test]
    fn debug_build_flags() {
        let f = fires(
            "main: .\ngoflags: [\"-gcflags=all=-N -l\"]\n",
            DEBUG_BUILD_FLAGS,
            2,
        );
        assert!(f.detail.contains("optimizations"), "{}", f.detail);
        fires("goflags: [\"-gcflags=-l\"]\n", DEBUG_BUILD_FLAGS, 1);
        fires("goflags: [-race]\n", DEBUG_BUILD_FLAGS, 1);
        quiet(
            "goflags: [-mod=vendor, \"-gcflags=all=-B\"]\n",
            DEBUG_BUILD_FLAGS,
        );
        quiet("goflags: [-race=false]\n", DEBUG_BUILD_FLAGS);
    }

    #[test]
    fn findings_are_sorted_and_documented() {
        let yaml = "upx: true\nuser: root\nruntime: example.com/static\ncgo: true\n";
        let found = lint(&spec(yaml), &Context::default());
        let got: Vec<(u32, &str)> = found.iter().map(|f| (f.pos.line, f.rule)).collect();
        assert_eq!(
            got,
            [
                (0, "MissingDockerignore"),
                (1, "UpxStartCost"),
                (2, "RootUser"),
                (3, "CgoWithStaticBase"),
                (3, "LatestTag"),
                (3, "UndigestedBase"),
            ]
        );
        // The same input gives the same output.
        assert_eq!(found, lint(&spec(yaml), &Context::default()));
        for f in &found {
            assert!(f.url.starts_with(RULES_URL), "{}", f.url);
            assert_eq!(rule_named(f.rule).unwrap().description, f.description);
        }
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "rule names are unique");
    }

    #[test]
    fn skips_are_read_one_way_from_the_spec_and_the_command_line() {
        let s = spec("# check=skip=rootuser, UpxStartCost\nuser: \"0:0\"\nupx: true\n");
        let skips = Skips::of_spec(&s).unwrap();
        assert!(skips.skips("RootUser") && skips.skips("UpxStartCost"));
        assert!(!skips.skips("LatestTag"));
        assert!(Skips::parse(["ALL"]).unwrap().skips("LatestTag"));
        assert_eq!(Skips::parse(["LatestTag", "Nope"]).unwrap_err(), "Nope");
        // A name that is no rule is an error at its place in the spec.
        let e = Skips::of_spec(&spec("# check=skip=RootUsr\nmain: .\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gofront.yaml:1:14: check=skip: no rule is called \"RootUsr\" (hint: `gofront rules` lists them)"
        );
    }
}
