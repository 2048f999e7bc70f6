//! What `--call outline` and `--call targets` report about a spec: its
//! build args, secrets, SSH agents, cache mounts and targets, in the neutral
//! shapes of [`crate::subrequest`].

use crate::convert::{GOCACHE_ID, GOMODCACHE_ID};
use crate::golang::GO_SETTING_ARGS;
use crate::imageref::{familiar_name, normalize};
use crate::plan::{self, TARGETS, Target};
use crate::spec::{Pos, Spec, template};
use crate::subrequest::{Arg, CacheMount, Location, Outline, Secret, Ssh};

fn location(pos: Pos) -> Option<Location> {
    (pos.line > 0).then_some(pos)
}

/// The build args, secrets, SSH agents and cache mounts a spec uses.
pub fn outline(spec: &Spec) -> Outline {
    let mut args = Vec::new();
    if let Some(v) = &spec.version {
        args.push(Arg {
            name: v.value.arg.clone(),
            description: format!("the version, injected into {} with -X", v.value.var),
            value: Some(v.value.default.clone()),
            location: location(v.pos),
        });
    }
    // {{.Env.NAME}} in ldflags: required build args (no default).
    for flag in spec.all_ldflags() {
        for word in &flag.words {
            for key in template::keys(word).unwrap_or_default() {
                if let template::Key::Env(name) = key
                    && !args.iter().any(|a: &Arg| a.name == name)
                {
                    args.push(Arg {
                        name,
                        description: "used in ldflags as {{.Env.…}}; required".into(),
                        value: None,
                        location: location(flag.pos),
                    });
                }
            }
        }
    }
    for key in GO_SETTING_ARGS {
        let from_spec = spec.go_settings.get(*key);
        args.push(Arg {
            name: (*key).to_string(),
            description: format!("{key} for the Go steps (wins over the spec)"),
            value: from_spec.map(|v| v.value.clone()),
            location: from_spec.and_then(|v| location(v.pos)),
        });
    }
    if let Some(v) = &spec.vulncheck {
        args.push(Arg {
            name: plan::GOVULNDB_ARG.into(),
            description: "the vulnerability database govulncheck reads (https://… or file://…)"
                .into(),
            value: Some(plan::GOVULNDB_DEFAULT.into()),
            location: location(v.pos),
        });
    }
    args.push(Arg {
        name: plan::CACHE_ARG.into(),
        description: "where the Go caches live: mounts (kept by the daemon), layers (carried by --cache-to/--cache-from), or auto: layers when the build imports a cache".into(),
        value: Some("auto".into()),
        location: None,
    });
    args.push(Arg {
        name: "SOURCE_DATE_EPOCH".into(),
        description:
            "unix time for image dates and file times (reproducible images), and {{.Date}}".into(),
        value: None,
        location: None,
    });

    let mut secrets = Vec::new();
    let mut ssh = Vec::new();
    if let Some(p) = &spec.private {
        if p.netrc {
            secrets.push(Secret {
                name: "netrc".into(),
                required: true,
                location: location(p.pos),
            });
        }
        if p.ssh {
            ssh.push(Ssh {
                name: "default".into(),
                required: true,
                location: location(p.pos),
            });
        }
    }
    Outline {
        name: String::new(),
        description: format!(
            "gofront: {}",
            spec.binaries
                .iter()
                .map(|b| b.main.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        args,
        secrets,
        ssh,
        // The module cache is a mount only in mounts mode, and never with
        // private modules (see `Plan::modules_in_layer`).
        cache: std::iter::once(GOCACHE_ID)
            .chain(spec.private.is_none().then_some(GOMODCACHE_ID))
            .map(|id| CacheMount {
                id: id.into(),
                location: location(spec.main_pos()),
            })
            .collect(),
    }
}

/// The targets `--target` accepts; `test` only when the spec has tests.
pub fn targets(spec: &Spec) -> Vec<crate::subrequest::TargetEntry> {
    let runtime = plan::runtime_image(&spec.runtime.value, spec.cgo.value)
        .map(|r| familiar_name(&normalize(&r).unwrap_or(r)))
        .unwrap_or_else(|| "scratch".into());
    TARGETS
        .iter()
        .filter(|(t, ..)| *t != Target::Test || spec.test.is_some())
        .map(|(t, name, description)| {
            let (base, pos) = match t {
                Target::Image => (Some(runtime.clone()), spec.runtime.pos),
                Target::Binary => (Some("scratch".to_string()), spec.main_pos()),
                Target::Test => (None, spec.test.as_ref().map(|t| t.pos).unwrap_or_default()),
                Target::Debug => (Some(runtime.clone()), spec.runtime.pos),
            };
            crate::subrequest::TargetEntry {
                name: (*name).to_string(),
                description: (*description).to_string(),
                default: *t == Target::Image,
                base,
                platform: None,
                location: location(pos),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec;

    #[test]
    fn outline_lists_args_secrets_ssh_and_the_cache() {
        let s = spec::parse(
            "gofront.yaml",
            "version: { arg: VERSION, var: main.version, default: \"0.0.0\" }\nldflags: [\"-X main.b={{.Env.BUILDER}}\"]\ngoprivate: git.corp\nprivate: { netrc: true, ssh: true }\n",
        )
        .unwrap();
        let o = outline(&s);
        let version = &o.args[0];
        assert_eq!(
            (version.name.as_str(), version.value.as_deref()),
            ("VERSION", Some("0.0.0"))
        );
        assert_eq!(version.location.unwrap().line, 1);
        let builder = o.args.iter().find(|a| a.name == "BUILDER").unwrap();
        assert_eq!(
            (builder.value.as_ref(), builder.location.unwrap().line),
            (None, 2)
        );
        let private = o.args.iter().find(|a| a.name == "GOPRIVATE").unwrap();
        assert_eq!(private.value.as_deref(), Some("git.corp"));
        assert!(o.args.iter().any(|a| a.name == "SOURCE_DATE_EPOCH"));
        assert_eq!(o.secrets[0].name, "netrc");
        assert_eq!(o.ssh[0].name, "default");
        assert_eq!(o.cache[0].id, GOCACHE_ID);
        assert_eq!(
            o.cache.len(),
            1,
            "private modules stay in the download layer"
        );
        assert!(o.args.iter().any(|a| a.name == "GOFRONT_CACHE"));
        let public = outline(&spec::parse("gofront.yaml", "main: .\n").unwrap());
        let ids: Vec<&str> = public.cache.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [GOCACHE_ID, GOMODCACHE_ID]);
        assert!(!public.args.iter().any(|a| a.name == "GOVULNDB"));
        let checked = outline(&spec::parse("gofront.yaml", "main: .\nvulncheck: warn\n").unwrap());
        let db = checked.args.iter().find(|a| a.name == "GOVULNDB").unwrap();
        assert_eq!(
            (db.value.as_deref(), db.location.unwrap().line),
            (Some("https://vuln.go.dev"), 2)
        );
    }

    #[test]
    fn targets_follow_the_spec() {
        let plain = spec::parse("gofront.yaml", "main: .\n").unwrap();
        let names: Vec<String> = targets(&plain).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["image", "binary", "debug"]);
        let tested = spec::parse("gofront.yaml", "runtime: alpine\ntest: {}\n").unwrap();
        let t = targets(&tested);
        assert_eq!(t.len(), 4);
        assert!(t[0].default && !t[1].default);
        assert_eq!(t[0].base.as_deref(), Some("alpine:3.21"));
        assert_eq!(t[2].name, "test");
        assert_eq!(t[2].location.unwrap().line, 2);
    }
}
