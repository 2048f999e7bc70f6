//! Raw YAML values → the validated [`Spec`], with the position of every
//! value that is refused.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::raw::{RawBinary, RawFile, RawHealthcheck, RawPrivate, RawSpec, RawTest};
use super::template::{self, Key};
use super::*;
use crate::golang::is_go_version;

mod dirs;
mod steps;

/// Build a `SpecError` for the spec `file`.
struct Errors<'a> {
    file: &'a str,
}

impl Errors<'_> {
    fn at(&self, pos: Pos, message: impl Into<String>, hint: &str) -> SpecError {
        SpecError {
            file: self.file.to_string(),
            pos,
            message: message.into(),
            hint: (!hint.is_empty()).then(|| hint.to_string()),
        }
    }
}

fn located<T>(s: Spanned<T>) -> Located<T> {
    let pos = Pos::from(&s);
    Located {
        value: s.value,
        pos,
    }
}

fn flag_or(b: Option<Spanned<bool>>, default: bool) -> Located<bool> {
    b.map(located).unwrap_or(Located {
        value: default,
        pos: Pos::default(),
    })
}

/// Refuse NUL bytes (and oversize values) in free-text values: they cannot
/// be passed to a process or stored in an image config.
fn no_nul(e: &Errors, v: &Located<String>, key: &str) -> Result<(), SpecError> {
    if v.value.contains('\0') {
        return Err(e.at(v.pos, format!("{key}: the value contains a NUL byte"), ""));
    }
    if v.value.len() > 64 * 1024 {
        return Err(e.at(
            v.pos,
            format!(
                "{key}: the value is {} bytes; the limit is 65536",
                v.value.len()
            ),
            "",
        ));
    }
    Ok(())
}

/// Longest a single string value may be: far above any real use, far below
/// what would slow a build down.
const MAX_VALUE: usize = 4096;

pub(super) fn validate(file: &str, raw: RawSpec) -> Result<Spec, SpecError> {
    let e = Errors { file };

    let go = match raw.go {
        Some(g) => {
            let g = located(g);
            if !is_go_version(&g.value) {
                return Err(e.at(
                    g.pos,
                    format!("go: \"{}\" is not a Go version", short(&g.value)),
                    "write it as a quoted string such as \"1.26\" or \"1.26.3\"",
                ));
            }
            Some(g)
        }
        None => None,
    };

    let dir = match raw.dir {
        Some(d) => {
            let d = located(d);
            let value = normalize_package(&d.value).map_err(|why| {
                e.at(
                    d.pos,
                    format!("dir: {why}"),
                    "give the module's folder inside the build context, e.g. ./services/api",
                )
            })?;
            Located { value, pos: d.pos }
        }
        None => Located {
            value: ".".into(),
            pos: Pos::default(),
        },
    };

    // The version first: `{{.Version}}` in any ldflags needs it.
    let version = version(&e, raw.version)?;
    let has_version = version.is_some();
    let binaries = binaries(&e, raw.main, raw.binaries, has_version)?;
    let entrypoint = raw.entrypoint.map(located);
    if let Some(ep) = entrypoint.as_ref().filter(|ep| !is_file_name(&ep.value)) {
        return Err(e.at(
            ep.pos,
            format!("entrypoint: \"{}\" is not a binary name", short(&ep.value)),
            "name one of the binaries, e.g. server",
        ));
    }

    let cgo = flag_or(raw.cgo, false);
    let runtime = runtime(&e, raw.runtime, &cgo)?;
    let ldflags = split_ldflags(&e, raw.ldflags.unwrap_or_default(), has_version)?;
    let tags = tags(&e, raw.tags.unwrap_or_default())?;
    let goflags = goflags(&e, raw.goflags.unwrap_or_default())?;
    let mut goexperiment = Vec::new();
    for x in raw.goexperiment.unwrap_or_default() {
        let x = located(x);
        let name = x.value.strip_prefix("no").unwrap_or(&x.value);
        if !is_tag(name) || x.value.contains('.') {
            return Err(e.at(
                x.pos,
                format!(
                    "goexperiment: \"{}\" is not an experiment name",
                    short(&x.value)
                ),
                "e.g. greenteagc, or nofoo to turn one off",
            ));
        }
        goexperiment.push(x);
    }
    let trimpath = flag_or(raw.trimpath, true);
    let strip = flag_or(raw.strip, true);

    let mut go_settings = BTreeMap::new();
    for (key, value) in [
        ("GOPROXY", raw.goproxy),
        ("GOPRIVATE", raw.goprivate),
        ("GONOSUMDB", raw.gonosumdb),
        ("GOSUMDB", raw.gosumdb),
    ] {
        if let Some(v) = value {
            let pos = Pos::from(&v);
            let text = v.value.0;
            if text.is_empty()
                || text.len() > MAX_VALUE
                || text.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                return Err(e.at(
                    pos,
                    format!(
                        "{}: \"{}\" is not a valid {key} value",
                        key.to_lowercase(),
                        short(&text)
                    ),
                    "a comma-separated list without spaces, as `go env` shows it",
                ));
            }
            go_settings.insert(key.to_string(), Located { value: text, pos });
        }
    }

    let private = match raw.private {
        Some(p) => Some(private(&e, p, go_settings.contains_key("GOPRIVATE"))?),
        None => None,
    };
    let test = match raw.test {
        Some(t) => Some(test(&e, t)?),
        None => None,
    };
    let mut files = Vec::new();
    for f in raw.files.unwrap_or_default() {
        files.push(file_entry(&e, f)?);
    }
    let tzdata = flag_or(raw.tzdata, false);

    let workdir = match raw.workdir {
        Some(w) => {
            let w = located(w);
            let value = image_path(&w.value).map_err(|why| {
                e.at(
                    w.pos,
                    format!("workdir: {why}"),
                    "an absolute path such as /app",
                )
            })?;
            Some(Located { value, pos: w.pos })
        }
        None => None,
    };
    let stop_signal = match raw.stop_signal {
        Some(s) => {
            let pos = Pos::from(&s);
            let value = signal(&s.value.0).ok_or_else(|| {
                e.at(
                    pos,
                    format!("stop_signal: \"{}\" is not a signal", short(&s.value.0)),
                    "e.g. SIGTERM, SIGINT, SIGQUIT or a number from 1 to 64",
                )
            })?;
            Some(Located { value, pos })
        }
        None => None,
    };
    let healthcheck = match raw.healthcheck {
        Some(h) => Some(healthcheck(&e, h)?),
        None => None,
    };
    let upx = flag_or(raw.upx, false);
    let vulncheck = match raw.vulncheck {
        Some(v) => vulncheck(&e, located(v))?,
        None => None,
    };

    let mut images = BTreeMap::new();
    for (key, value) in raw.images.unwrap_or_default() {
        let value = located(value);
        let role_ok = ["builder", "runtime", "debug", "tools", "node"].contains(&key.as_str())
            || crate::imageref::ImageRef::parse(&key).is_ok();
        if !role_ok {
            return Err(e.at(
                value.pos,
                format!(
                    "images: \"{}\" is neither a role nor an image name",
                    short(&key)
                ),
                "use builder, runtime, debug, tools, node, or an image name such as golang:1.26-alpine",
            ));
        }
        if !is_image_ref(&value.value) {
            return Err(e.at(
                value.pos,
                format!(
                    "images.{}: \"{}\" is not an image reference",
                    short(&key),
                    short(&value.value)
                ),
                "e.g. mirror.example.com/library/golang:1.26-alpine",
            ));
        }
        images.insert(key, value);
    }

    let mut ports = Vec::new();
    for p in raw.ports.unwrap_or_default() {
        let pos = Pos::from(&p);
        let port = parse_port(&p.value.0).ok_or_else(|| {
            e.at(
                pos,
                format!("ports: \"{}\" is not a port", short(&p.value.0)),
                "write a number from 1 to 65535, optionally with /tcp or /udp, e.g. 8080 or \"53/udp\"",
            )
        })?;
        if !ports.iter().any(|q: &Located<Port>| q.value == port) {
            ports.push(Located { value: port, pos });
        }
    }
    ports.sort_by(|a, b| a.value.cmp(&b.value));

    let mut env = BTreeMap::new();
    for (k, v) in raw.env.unwrap_or_default() {
        if k.is_empty() || k.contains('=') || k.contains('\0') || k.chars().any(char::is_whitespace)
        {
            return Err(e.at(
                Pos::from(&v),
                format!("env: \"{}\" is not a valid variable name", short(&k)),
                "names cannot be empty or contain '=' or spaces",
            ));
        }
        let v = Located {
            pos: Pos::from(&v),
            value: v.value.0,
        };
        no_nul(&e, &v, "env")?;
        env.insert(k, v);
    }

    let mut args = Vec::new();
    for a in raw.args.unwrap_or_default() {
        let a = located(a);
        no_nul(&e, &a, "args")?;
        args.push(a);
    }

    let user = match raw.user {
        Some(u) => {
            let pos = Pos::from(&u);
            let spec = u.value.0;
            let parsed = parse_user(&spec).ok_or_else(|| {
                e.at(
                    pos,
                    format!("user: \"{}\" is not a user", short(&spec)),
                    "write uid:gid (e.g. 65532:65532), a uid, or a user name that exists in the runtime image",
                )
            })?;
            if matches!(runtime.value, Runtime::Scratch) && parsed.ids.is_none() {
                return Err(e.at(
                    pos,
                    format!(
                        "user: \"{spec}\" is a name, and scratch has no /etc/passwd to look it up in"
                    ),
                    "give numeric ids with scratch, e.g. 65532:65532",
                ));
            }
            Located { value: parsed, pos }
        }
        None => Located {
            value: parse_user(DEFAULT_USER).expect("the default user parses"),
            pos: Pos::default(),
        },
    };

    let mut labels = BTreeMap::new();
    for (k, v) in raw.labels.unwrap_or_default() {
        if k.is_empty() {
            return Err(e.at(Pos::from(&v), "labels: a label name is empty", ""));
        }
        if k.contains('\0') {
            return Err(e.at(
                Pos::from(&v),
                "labels: a label name contains a NUL byte",
                "",
            ));
        }
        let v = Located {
            pos: Pos::from(&v),
            value: v.value.0,
        };
        no_nul(&e, &v, "labels")?;
        labels.insert(k, v);
    }

    let dirs = dirs::state_dirs(&e, raw.dirs.unwrap_or_default(), &user)?;
    let web = raw.web.map(|w| steps::web(&e, w)).transpose()?;
    let generate = raw.generate.map(|g| steps::generate(&e, g)).transpose()?;

    let mut platforms: Vec<Located<Platform>> = Vec::new();
    for p in raw.platforms.unwrap_or_default() {
        let pos = Pos::from(&p);
        let value = Platform::parse(&p.value).map_err(|why| {
            e.at(
                pos,
                format!("platforms: {why}"),
                "e.g. platforms: [linux/amd64, linux/arm64, linux/arm/v7]",
            )
        })?;
        if value.os != "linux" {
            return Err(e.at(
                pos,
                format!("platforms: {value} is not supported; gofront builds Linux images"),
                "",
            ));
        }
        if !platforms.iter().any(|q| q.value == value) {
            platforms.push(Located { value, pos });
        }
    }

    Ok(Spec {
        file: file.to_string(),
        go,
        dir,
        binaries,
        entrypoint,
        runtime,
        cgo,
        version,
        ldflags,
        tags,
        goflags,
        goexperiment,
        trimpath,
        strip,
        go_settings,
        private,
        test,
        files,
        tzdata,
        workdir,
        dirs,
        web,
        generate,
        stop_signal,
        healthcheck,
        upx,
        vulncheck,
        images,
        ports,
        env,
        args,
        user,
        labels,
        platforms,
        check_skip: Vec::new(),
    })
}

fn binaries(
    e: &Errors,
    main: Option<Spanned<String>>,
    list: Option<Spanned<Vec<Spanned<RawBinary>>>>,
    has_version: bool,
) -> Result<Vec<Binary>, SpecError> {
    let package = |m: Located<String>, key: &str| -> Result<Located<String>, SpecError> {
        let value = normalize_package(&m.value).map_err(|why| {
            e.at(
                m.pos,
                format!("{key}: {why}"),
                "give the main package as a path inside the module, e.g. ./cmd/server",
            )
        })?;
        Ok(Located { value, pos: m.pos })
    };
    match (main, list) {
        (Some(_), Some(list)) => Err(e.at(
            Pos::from(&list),
            "`main` and `binaries` are both set",
            "list every main package under `binaries` and drop `main`",
        )),
        (main, None) => {
            let main = match main {
                Some(m) => package(located(m), "main")?,
                None => Located {
                    value: ".".into(),
                    pos: Pos::default(),
                },
            };
            Ok(vec![Binary {
                main,
                name: None,
                ldflags: Vec::new(),
                tags: Vec::new(),
            }])
        }
        (None, Some(list)) => {
            let list_pos = Pos::from(&list);
            if list.value.is_empty() {
                return Err(e.at(
                    list_pos,
                    "binaries: the list is empty",
                    "list at least one `- main: ./cmd/server`",
                ));
            }
            let mut out = Vec::new();
            for item in list.value {
                let pos = Pos::from(&item);
                let raw = item.value;
                let main = raw.main.ok_or_else(|| {
                    e.at(
                        pos,
                        "binaries: `main` is missing",
                        "each binary needs `main: ./cmd/name`",
                    )
                })?;
                let main = package(located(main), "binaries.main")?;
                let name = match raw.name {
                    Some(n) => {
                        let n = located(n);
                        if !is_file_name(&n.value) {
                            return Err(e.at(
                                n.pos,
                                format!(
                                    "binaries.name: \"{}\" is not a file name",
                                    short(&n.value)
                                ),
                                "letters, digits, . _ - only, not starting with . or -",
                            ));
                        }
                        Some(n)
                    }
                    None => None,
                };
                let ldflags = split_ldflags(e, raw.ldflags.unwrap_or_default(), has_version)?;
                let tags = tags(e, raw.tags.unwrap_or_default())?;
                out.push(Binary {
                    main,
                    name,
                    ldflags,
                    tags,
                });
            }
            Ok(out)
        }
    }
}

fn runtime(
    e: &Errors,
    raw: Option<Spanned<String>>,
    cgo: &Located<bool>,
) -> Result<Located<Runtime>, SpecError> {
    let runtime = match raw {
        Some(r) => {
            let pos = Pos::from(&r);
            let value = match r.value.as_str() {
                "scratch" => Runtime::Scratch,
                "distroless" => Runtime::Distroless,
                "alpine" => Runtime::Alpine,
                other => {
                    if !is_image_ref(other) {
                        return Err(e.at(
                            pos,
                            format!("runtime: \"{}\" is not an image reference", short(other)),
                            "use scratch, distroless, alpine or an image such as gcr.io/distroless/static-debian12",
                        ));
                    }
                    Runtime::Image(other.to_string())
                }
            };
            Located { value, pos }
        }
        None => Located {
            value: Runtime::Distroless,
            pos: Pos::default(),
        },
    };
    if cgo.value {
        let static_image =
            matches!(&runtime.value, Runtime::Image(i) if i.contains("distroless/static"));
        let refused = match &runtime.value {
            Runtime::Scratch => Some("scratch has no C library"),
            Runtime::Alpine => Some("alpine has musl, but cgo binaries are built against glibc"),
            _ if static_image => Some("distroless/static has no C library"),
            _ => None,
        };
        if let Some(why) = refused {
            return Err(e.at(
                runtime.pos,
                format!("runtime: cgo is on, and {why}"),
                "drop `runtime` to get gcr.io/distroless/base-debian12 (glibc), or set `cgo: false` for a static binary",
            ));
        }
    }
    Ok(runtime)
}

/// `vulncheck: off|warn|fail`.
fn vulncheck(e: &Errors, v: Located<String>) -> Result<Option<Located<VulnCheck>>, SpecError> {
    let mode = match v.value.as_str() {
        "off" => return Ok(None),
        "warn" => VulnCheck::Warn,
        "fail" => VulnCheck::Fail,
        other => {
            return Err(e.at(
                v.pos,
                format!("vulncheck: \"{}\" is not a mode", short(other)),
                "use warn (a build warning per reachable vulnerability), fail (the build stops on one) or off",
            ));
        }
    };
    Ok(Some(Located {
        value: mode,
        pos: v.pos,
    }))
}

fn version(
    e: &Errors,
    raw: Option<Spanned<raw::RawVersion>>,
) -> Result<Option<Located<VersionSpec>>, SpecError> {
    let Some(v) = raw else { return Ok(None) };
    let pos = Pos::from(&v);
    let raw_v = v.value;
    let arg = raw_v.arg.ok_or_else(|| {
        e.at(
            pos,
            "version: `arg` is missing",
            "e.g. `arg: VERSION` (the build arg that carries it)",
        )
    })?;
    if !is_arg_name(&arg.value) {
        return Err(e.at(
            Pos::from(&arg),
            format!(
                "version.arg: \"{}\" is not a valid build arg name",
                short(&arg.value)
            ),
            "use letters, digits and underscores, e.g. VERSION",
        ));
    }
    let var = raw_v.var.ok_or_else(|| {
        e.at(
            pos,
            "version: `var` is missing",
            "e.g. `var: main.version` (the Go variable set with -X)",
        )
    })?;
    if !is_go_var(&var.value) {
        return Err(e.at(
            Pos::from(&var),
            format!(
                "version.var: \"{}\" is not a Go variable",
                short(&var.value)
            ),
            "write importpath.name, e.g. main.version or example.com/app/internal/version.Version",
        ));
    }
    let default = match raw_v.default {
        Some(d) => {
            let pos = Pos::from(&d);
            if d.value.0.chars().any(char::is_control) || d.value.0.len() > 256 {
                return Err(e.at(
                    pos,
                    format!(
                        "version.default: \"{}\" is not a version",
                        short(&d.value.0)
                    ),
                    "one line of at most 256 characters, e.g. dev or 0.0.0",
                ));
            }
            d.value.0
        }
        None => "dev".into(),
    };
    Ok(Some(Located {
        value: VersionSpec {
            arg: arg.value,
            var: var.value,
            default,
        },
        pos,
    }))
}

/// Split each ldflags item into words as a shell would (`-extldflags "-static
/// -lm"` is two words); templates are filled in later, per word.
fn split_ldflags(
    e: &Errors,
    raw: Vec<Spanned<String>>,
    has_version: bool,
) -> Result<Vec<LdFlag>, SpecError> {
    let mut out = Vec::new();
    for item in raw {
        let item = located(item);
        if item.value.len() > MAX_VALUE || item.value.contains('\0') {
            return Err(e.at(
                item.pos,
                "ldflags: this flag is too long or contains a NUL byte",
                "",
            ));
        }
        // Templates are checked on the whole flag, before it is split into
        // words: a pipeline such as `{{.Version | x}}` is named as such, and
        // a valid whole leaves only valid holes in its words.
        let keys = template::keys(&item.value).map_err(|why| {
            e.at(
                item.pos,
                format!("ldflags: {why}"),
                "a template is a {{.Key}} hole and nothing else: no functions or pipelines",
            )
        })?;
        if !has_version && keys.contains(&Key::Named("Version".into())) {
            return Err(e.at(
                item.pos,
                "ldflags: {{.Version}} is used but `version` is not set",
                "add `version: { arg: VERSION, var: main.version }`",
            ));
        }
        let words = shlex::split(&item.value)
            .filter(|w| !w.is_empty())
            .ok_or_else(|| {
                e.at(
                    item.pos,
                    format!(
                        "ldflags: \"{}\" has an unclosed quote or is empty",
                        short(&item.value)
                    ),
                    "one flag per item, e.g. \"-X main.commit={{.Commit}}\"",
                )
            })?;
        if !words[0].starts_with('-') {
            return Err(e.at(
                item.pos,
                format!(
                    "ldflags: \"{}\" does not start with a flag",
                    short(&item.value)
                ),
                "one flag per item with its value, e.g. \"-X main.commit={{.Commit}}\"",
            ));
        }
        out.push(LdFlag {
            words,
            pos: item.pos,
        });
    }
    Ok(out)
}

fn is_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn tags(e: &Errors, raw: Vec<Spanned<String>>) -> Result<Vec<Located<String>>, SpecError> {
    let mut out = Vec::new();
    for t in raw {
        let t = located(t);
        if !is_tag(&t.value) {
            return Err(e.at(
                t.pos,
                format!("tags: \"{}\" is not a build tag", short(&t.value)),
                "one tag per item: letters, digits, _ and . (e.g. netgo)",
            ));
        }
        if !out.iter().any(|o: &Located<String>| o.value == t.value) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Flags gofront sets itself; each has its own spec key.
const OWN_FLAGS: &[(&str, &str)] = &[
    (
        "-o",
        "the binary's path is fixed; name it with `binaries[].name`",
    ),
    ("-ldflags", "use `ldflags`"),
    ("-tags", "use `tags`"),
    ("-trimpath", "use `trimpath`"),
    (
        "-buildvcs",
        "gofront passes -buildvcs=false; use {{.Commit}} in `ldflags`",
    ),
    (
        "-toolexec",
        "gofront does not run tools around the compiler",
    ),
    ("-exec", "gofront does not run tools around the compiler"),
];

fn goflags(e: &Errors, raw: Vec<Spanned<String>>) -> Result<Vec<Located<String>>, SpecError> {
    let mut out = Vec::new();
    for f in raw {
        let f = located(f);
        let name = f.value.split('=').next().unwrap_or_default();
        if !f.value.starts_with('-')
            || f.value.len() > MAX_VALUE
            || f.value.chars().any(char::is_control)
        {
            return Err(e.at(
                f.pos,
                format!("goflags: \"{}\" is not a flag", short(&f.value)),
                "one flag per item, with = for its value: -mod=vendor, -gcflags=all=-N",
            ));
        }
        if let Some((_, why)) = OWN_FLAGS
            .iter()
            .find(|(own, _)| *own == name || *own == name.replacen("--", "-", 1))
        {
            return Err(e.at(f.pos, format!("goflags: {name} is set by gofront"), why));
        }
        out.push(f);
    }
    Ok(out)
}

fn private(e: &Errors, p: Spanned<RawPrivate>, has_goprivate: bool) -> Result<Private, SpecError> {
    let pos = Pos::from(&p);
    let raw = p.value;
    let netrc = raw.netrc.map(|b| b.value).unwrap_or(false);
    let ssh = raw.ssh.map(|b| b.value).unwrap_or(false);
    if !netrc && !ssh {
        return Err(e.at(
            pos,
            "private: neither `netrc` nor `ssh` is on",
            "set `netrc: true` (with --secret id=netrc) or `ssh: true` (with --ssh default)",
        ));
    }
    if !has_goprivate {
        return Err(e.at(
            pos,
            "private: `goprivate` is not set, so Go would ask the public proxy and checksum database for private modules",
            "add e.g. `goprivate: git.example.com/*`",
        ));
    }
    let mut known_hosts = Vec::new();
    for line in raw.known_hosts.unwrap_or_default() {
        let line = located(line);
        if line.value.split_whitespace().count() < 3 || line.value.chars().any(char::is_control) {
            return Err(e.at(
                line.pos,
                "private.known_hosts: expected \"host key-type key\"",
                "as `ssh-keyscan HOST` prints it",
            ));
        }
        known_hosts.push(line.value);
    }
    if !known_hosts.is_empty() && !ssh {
        return Err(e.at(
            pos,
            "private: `known_hosts` is set but `ssh` is off",
            "set `ssh: true` or drop known_hosts",
        ));
    }
    Ok(Private {
        netrc,
        ssh,
        known_hosts,
        pos,
    })
}

fn test(e: &Errors, t: Spanned<RawTest>) -> Result<TestSpec, SpecError> {
    let pos = Pos::from(&t);
    let raw = t.value;
    let mut packages = Vec::new();
    for p in raw.packages.unwrap_or_default() {
        let p = located(p);
        let value = normalize_pattern(&p.value).map_err(|why| {
            e.at(
                p.pos,
                format!("test.packages: {why}"),
                "e.g. ./... or ./internal/...",
            )
        })?;
        packages.push(value);
    }
    if packages.is_empty() {
        packages.push("./...".into());
    }
    let mut flags = Vec::new();
    for f in raw.flags.unwrap_or_default() {
        let f = located(f);
        let name = f.value.split('=').next().unwrap_or_default();
        if !f.value.starts_with('-') || f.value.chars().any(char::is_control) {
            return Err(e.at(
                f.pos,
                format!("test.flags: \"{}\" is not a flag", short(&f.value)),
                "one flag per item, with = for its value: -run=TestX, -count=1",
            ));
        }
        if matches!(name, "-o" | "-c" | "-exec" | "-toolexec" | "-json") {
            return Err(e.at(
                f.pos,
                format!("test.flags: {name} is not allowed in the build"),
                "the tests run as part of the image build; their output is the build log",
            ));
        }
        flags.push(f.value);
    }
    Ok(TestSpec {
        packages,
        flags,
        pos,
    })
}

fn file_entry(e: &Errors, f: Spanned<RawFile>) -> Result<FileEntry, SpecError> {
    let pos = Pos::from(&f);
    let raw = f.value;
    let src = raw.src.ok_or_else(|| {
        e.at(
            pos,
            "files: `src` is missing",
            "the path in the build context",
        )
    })?;
    let src_pos = Pos::from(&src);
    let src = context_path(&src.value).map_err(|why| {
        e.at(
            src_pos,
            format!("files.src: {why}"),
            "a path inside the build context, e.g. config/app.yaml",
        )
    })?;
    let dst = raw.dst.ok_or_else(|| {
        e.at(
            pos,
            "files: `dst` is missing",
            "the absolute path in the image",
        )
    })?;
    let dst_pos = Pos::from(&dst);
    let dst = image_path(&dst.value).map_err(|why| {
        e.at(
            dst_pos,
            format!("files.dst: {why}"),
            "an absolute path in the image, e.g. /etc/app/app.yaml",
        )
    })?;
    if dst == "/" {
        return Err(e.at(
            dst_pos,
            "files.dst: \"/\" would replace the image's root",
            "",
        ));
    }
    let mode = match raw.mode {
        Some(m) => Some(octal_mode(e, m, "files.mode")?),
        None => None,
    };
    let owner = match raw.owner {
        Some(o) => owner_ids(e, o, "files.owner")?,
        None => (0, 0),
    };
    Ok(FileEntry {
        src,
        dst,
        mode,
        owner,
        own_dirs: raw.own_dirs.is_some_and(|o| o.value),
        pos,
    })
}

/// An octal mode written as a string ("0644").
fn octal_mode(e: &Errors, m: Spanned<super::raw::Scalar>, key: &str) -> Result<u32, SpecError> {
    let m_pos = Pos::from(&m);
    let text = m.value.0;
    let digits = text.strip_prefix("0o").unwrap_or(&text);
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| {
            e.at(
                m_pos,
                format!("{key}: \"{}\" is not an octal mode", short(&text)),
                "write it quoted, e.g. \"0644\" or \"0755\"",
            )
        })
}

/// Numeric "uid:gid" (or a uid, its own group).
fn owner_ids(
    e: &Errors,
    o: Spanned<super::raw::Scalar>,
    key: &str,
) -> Result<(u32, u32), SpecError> {
    let o_pos = Pos::from(&o);
    let text = o.value.0;
    parse_user(&text).and_then(|u| u.ids).ok_or_else(|| {
        e.at(
            o_pos,
            format!("{key}: \"{}\" is not uid:gid", short(&text)),
            "numeric ids, e.g. \"65532:65532\"",
        )
    })
}

fn healthcheck(e: &Errors, h: Spanned<RawHealthcheck>) -> Result<Healthcheck, SpecError> {
    let pos = Pos::from(&h);
    let raw = h.value;
    let cmd = raw.cmd.ok_or_else(|| {
        e.at(
            pos,
            "healthcheck: `cmd` is missing",
            "exec form, e.g. cmd: [/usr/local/bin/server, -healthcheck]",
        )
    })?;
    let cmd_pos = Pos::from(&cmd);
    let mut words = Vec::new();
    for c in cmd.value {
        let c = located(c);
        no_nul(e, &c, "healthcheck.cmd")?;
        words.push(c.value);
    }
    let cmd = words;
    if cmd.is_empty() || cmd[0].is_empty() {
        return Err(e.at(
            cmd_pos,
            "healthcheck.cmd: the command is empty",
            "e.g. [/usr/local/bin/server, -healthcheck]",
        ));
    }
    if matches!(cmd[0].as_str(), "CMD" | "CMD-SHELL" | "NONE") {
        return Err(e.at(
            cmd_pos,
            format!("healthcheck.cmd: start with the program, not {}", cmd[0]),
            "gofront writes the exec form itself: cmd: [/usr/local/bin/server, -healthcheck]",
        ));
    }
    let duration = |d: Option<Spanned<String>>, key: &str| -> Result<Option<u64>, SpecError> {
        let Some(d) = d else { return Ok(None) };
        let d_pos = Pos::from(&d);
        let parsed = humantime::parse_duration(d.value.trim()).map_err(|_| {
            e.at(
                d_pos,
                format!(
                    "healthcheck.{key}: \"{}\" is not a duration",
                    short(&d.value)
                ),
                "e.g. 30s, 1m30s, 500ms",
            )
        })?;
        if parsed.as_millis() < 1 || parsed.as_secs() > 24 * 3600 {
            return Err(e.at(
                d_pos,
                format!("healthcheck.{key}: {} is out of range", short(&d.value)),
                "between 1ms and 24h",
            ));
        }
        Ok(Some(parsed.as_nanos() as u64))
    };
    Ok(Healthcheck {
        cmd,
        interval: duration(raw.interval, "interval")?,
        timeout: duration(raw.timeout, "timeout")?,
        start_period: duration(raw.start_period, "start_period")?,
        retries: raw.retries.map(|r| r.value),
        pos,
    })
}

fn is_image_ref(s: &str) -> bool {
    crate::imageref::ImageRef::parse(s).is_ok()
}

/// A binary's file name.
fn is_file_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with('.')
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A package pattern for `go test`: `./...`, `./internal/...`, `./pkg`.
fn normalize_pattern(p: &str) -> Result<String, String> {
    match p
        .strip_suffix("/...")
        .or(if p == "..." { Some("") } else { None })
    {
        Some(prefix) => {
            let base = if prefix.is_empty() {
                ".".to_string()
            } else {
                normalize_package(prefix)?
            };
            Ok(format!("{base}/..."))
        }
        None => normalize_package(p),
    }
}

/// A path inside the build context: relative, cleaned, never leaving it.
fn context_path(p: &str) -> Result<String, String> {
    if p.is_empty() {
        return Err("the path is empty".into());
    }
    if p.starts_with('/') {
        return Err(format!(
            "\"{}\" is absolute; it must be relative to the build context",
            short(p)
        ));
    }
    if p.chars().any(|c| c.is_control()) || p.len() > MAX_VALUE {
        return Err("the path contains control characters or is too long".into());
    }
    let parts =
        path_parts(p).ok_or_else(|| format!("\"{}\" leaves the build context", short(p)))?;
    if parts.is_empty() {
        return Err("name a file or folder, not the whole context".into());
    }
    Ok(parts.join("/"))
}

/// An absolute path in the image, cleaned; `..` is refused rather than
/// resolved, as it is always a mistake here.
fn image_path(p: &str) -> Result<String, String> {
    if !p.starts_with('/') {
        return Err(format!("\"{}\" is not absolute", short(p)));
    }
    if p.chars().any(|c| c.is_control()) || p.len() > MAX_VALUE {
        return Err("the path contains control characters or is too long".into());
    }
    let parts = path_parts(p).ok_or_else(|| format!("\"{}\" contains ..", short(p)))?;
    Ok(format!("/{}", parts.join("/")))
}

/// Signal names as Docker takes them, normalized to `SIGTERM`; or a number.
fn signal(s: &str) -> Option<String> {
    const NAMES: &[&str] = &[
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    if let Ok(n) = s.parse::<u32>() {
        return (1..=64).contains(&n).then(|| n.to_string());
    }
    let upper = s.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    NAMES.contains(&name).then(|| format!("SIG{name}"))
}
