//! An LLB op as JSON, the way BuildKit's own Go types marshal it: the
//! `json` tags of `solver/pb/ops.pb.go` and the `MarshalJSON` methods of
//! `solver/pb/json.go`. It is what `buildctl debug dump-llb` prints under
//! `"Op"`, so tools written against one read the other, and BuildKit's
//! `pb.Op.UnmarshalJSON` reads it back.
//!
//! That means Go's `encoding/json` rules: fields in declaration order,
//! `omitempty` fields left out when zero, enums and integers as numbers,
//! bytes as base64, map keys sorted; the oneofs as `"Op": {"exec": …}`,
//! `"Action": {"copy": …}` and `"User": {"byName": …}` (`"User": {}` for
//! uid 0, which BuildKit reads back as uid 0). One departure: BuildKit's
//! `FileAction.MarshalJSON` has no case for a symlink action and drops it;
//! here it is written as `"symlink"`, so that no action goes missing.

use std::collections::BTreeMap;

use base64::Engine;
use bollard_buildkit_proto::pb;
use bollard_buildkit_proto::pb::{file_action::Action, op::Op, user_opt::User};
use serde_json::{Map, Value};

/// `pb.Op`, as `Op.MarshalJSON` writes it.
pub fn op(o: &pb::Op) -> Value {
    let kind = match &o.op {
        Some(Op::Exec(e)) => GoStruct::default().field("exec", exec(e)),
        Some(Op::Source(s)) => GoStruct::default().field("source", source(s)),
        Some(Op::File(f)) => GoStruct::default().field("file", file(f)),
        Some(Op::Build(b)) => GoStruct::default().field("build", build(b)),
        Some(Op::Merge(m)) => GoStruct::default().field("merge", merge(m)),
        Some(Op::Diff(d)) => GoStruct::default().field("diff", diff(d)),
        // The terminal op, which only names the result.
        None => GoStruct::default(),
    };
    GoStruct::default()
        .omitempty("inputs", list(&o.inputs, input))
        .field("Op", kind)
        .omitempty("platform", optional(o.platform.as_ref(), platform))
        .omitempty("constraints", optional(o.constraints.as_ref(), constraints))
        .into()
}

/// A Go struct as `encoding/json` writes it, built field by field in
/// declaration order.
#[derive(Default)]
struct GoStruct(Map<String, Value>);

impl GoStruct {
    /// A field without `omitempty`: always written.
    fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.to_string(), value.into());
        self
    }

    /// A field tagged `omitempty`: left out when false, 0, "", a nil
    /// pointer or an empty slice or map. A pointer to an empty struct is
    /// not empty (`{}`).
    fn omitempty(self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        let empty = match &value {
            Value::Null => true,
            Value::Bool(b) => !b,
            Value::Number(n) => n.as_f64() == Some(0.0),
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(_) => false,
        };
        if empty { self } else { self.field(name, value) }
    }
}

impl From<GoStruct> for Value {
    fn from(s: GoStruct) -> Value {
        Value::Object(s.0)
    }
}

/// A nil pointer is `null`.
fn optional<T>(value: Option<&T>, to_json: impl Fn(&T) -> Value) -> Value {
    value.map_or(Value::Null, to_json)
}

fn list<T>(items: &[T], to_json: impl Fn(&T) -> Value) -> Value {
    Value::Array(items.iter().map(to_json).collect())
}

/// A map, or `null` when it is empty: decoding gives a nil map then, and
/// every map field is `omitempty`.
fn map<T>(entries: &BTreeMap<String, T>, to_json: impl Fn(&T) -> Value) -> Value {
    if entries.is_empty() {
        return Value::Null;
    }
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect(),
    )
}

fn string_map(entries: &BTreeMap<String, String>) -> Value {
    map(entries, |v| Value::from(v.as_str()))
}

fn base64(bytes: &[u8]) -> Value {
    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn platform(p: &pb::Platform) -> Value {
    GoStruct::default()
        .omitempty("Architecture", p.architecture.as_str())
        .omitempty("OS", p.os.as_str())
        .omitempty("Variant", p.variant.as_str())
        .omitempty("OSVersion", p.os_version.as_str())
        .omitempty("OSFeatures", p.os_features.clone())
        .into()
}

fn constraints(c: &pb::WorkerConstraints) -> Value {
    GoStruct::default()
        .omitempty("filter", c.filter.clone())
        .into()
}

fn input(i: &pb::Input) -> Value {
    GoStruct::default()
        .omitempty("digest", i.digest.as_str())
        .omitempty("index", i.index)
        .into()
}

fn exec(e: &pb::ExecOp) -> Value {
    GoStruct::default()
        .omitempty("meta", optional(e.meta.as_ref(), meta))
        .omitempty("mounts", list(&e.mounts, mount))
        .omitempty("network", e.network)
        .omitempty("security", e.security)
        .omitempty("secretenv", list(&e.secretenv, secret_env))
        .omitempty("cdiDevices", list(&e.cdi_devices, cdi_device))
        .into()
}

fn meta(m: &pb::Meta) -> Value {
    GoStruct::default()
        .omitempty("args", m.args.clone())
        .omitempty("env", m.env.clone())
        .omitempty("cwd", m.cwd.as_str())
        .omitempty("user", m.user.as_str())
        .omitempty("proxy_env", optional(m.proxy_env.as_ref(), proxy_env))
        .omitempty("extraHosts", list(&m.extra_hosts, host_ip))
        .omitempty("hostname", m.hostname.as_str())
        .omitempty("ulimit", list(&m.ulimit, ulimit))
        .omitempty("cgroupParent", m.cgroup_parent.as_str())
        .omitempty("removeMountStubsRecursive", m.remove_mount_stubs_recursive)
        .omitempty("validExitCodes", m.valid_exit_codes.clone())
        .into()
}

fn proxy_env(p: &pb::ProxyEnv) -> Value {
    GoStruct::default()
        .omitempty("http_proxy", p.http_proxy.as_str())
        .omitempty("https_proxy", p.https_proxy.as_str())
        .omitempty("ftp_proxy", p.ftp_proxy.as_str())
        .omitempty("no_proxy", p.no_proxy.as_str())
        .omitempty("all_proxy", p.all_proxy.as_str())
        .into()
}

fn host_ip(h: &pb::HostIp) -> Value {
    GoStruct::default()
        .omitempty("Host", h.host.as_str())
        .omitempty("IP", h.ip.as_str())
        .into()
}

fn ulimit(u: &pb::Ulimit) -> Value {
    GoStruct::default()
        .omitempty("Name", u.name.as_str())
        .omitempty("Soft", u.soft)
        .omitempty("Hard", u.hard)
        .into()
}

fn secret_env(s: &pb::SecretEnv) -> Value {
    GoStruct::default()
        .omitempty("ID", s.id.as_str())
        .omitempty("name", s.name.as_str())
        .omitempty("optional", s.optional)
        .into()
}

fn cdi_device(d: &pb::CdiDevice) -> Value {
    GoStruct::default()
        .omitempty("name", d.name.as_str())
        .omitempty("optional", d.optional)
        .into()
}

fn mount(m: &pb::Mount) -> Value {
    GoStruct::default()
        .omitempty("input", m.input)
        .omitempty("selector", m.selector.as_str())
        .omitempty("dest", m.dest.as_str())
        .omitempty("output", m.output)
        .omitempty("readonly", m.readonly)
        .omitempty("mountType", m.mount_type)
        .omitempty("TmpfsOpt", optional(m.tmpfs_opt.as_ref(), tmpfs_opt))
        .omitempty("cacheOpt", optional(m.cache_opt.as_ref(), cache_opt))
        .omitempty("secretOpt", optional(m.secret_opt.as_ref(), secret_opt))
        .omitempty("SSHOpt", optional(m.ssh_opt.as_ref(), ssh_opt))
        .omitempty("resultID", m.result_id.as_str())
        .omitempty("contentCache", m.content_cache)
        .into()
}

fn tmpfs_opt(t: &pb::TmpfsOpt) -> Value {
    GoStruct::default().omitempty("size", t.size).into()
}

fn cache_opt(c: &pb::CacheOpt) -> Value {
    GoStruct::default()
        .omitempty("ID", c.id.as_str())
        .omitempty("sharing", c.sharing)
        .into()
}

fn secret_opt(s: &pb::SecretOpt) -> Value {
    GoStruct::default()
        .omitempty("ID", s.id.as_str())
        .omitempty("uid", s.uid)
        .omitempty("gid", s.gid)
        .omitempty("mode", s.mode)
        .omitempty("optional", s.optional)
        .into()
}

fn ssh_opt(s: &pb::SshOpt) -> Value {
    GoStruct::default()
        .omitempty("ID", s.id.as_str())
        .omitempty("uid", s.uid)
        .omitempty("gid", s.gid)
        .omitempty("mode", s.mode)
        .omitempty("optional", s.optional)
        .into()
}

fn source(s: &pb::SourceOp) -> Value {
    GoStruct::default()
        .omitempty("identifier", s.identifier.as_str())
        .omitempty("attrs", string_map(&s.attrs))
        .into()
}

fn file(f: &pb::FileOp) -> Value {
    GoStruct::default()
        .omitempty("actions", list(&f.actions, file_action))
        .into()
}

/// `FileAction.MarshalJSON`: the indexes are always written.
fn file_action(a: &pb::FileAction) -> Value {
    let action = match &a.action {
        Some(Action::Copy(c)) => GoStruct::default().field("copy", copy(c)),
        Some(Action::Mkfile(m)) => GoStruct::default().field("mkfile", mkfile(m)),
        Some(Action::Mkdir(m)) => GoStruct::default().field("mkdir", mkdir(m)),
        Some(Action::Rm(r)) => GoStruct::default().field("rm", rm(r)),
        Some(Action::Symlink(s)) => GoStruct::default().field("symlink", symlink(s)),
        None => GoStruct::default(),
    };
    GoStruct::default()
        .field("input", a.input)
        .field("secondaryInput", a.secondary_input)
        .field("output", a.output)
        .field("Action", action)
        .into()
}

fn copy(c: &pb::FileActionCopy) -> Value {
    GoStruct::default()
        .omitempty("src", c.src.as_str())
        .omitempty("dest", c.dest.as_str())
        .omitempty("owner", optional(c.owner.as_ref(), chown))
        .omitempty("mode", c.mode)
        .omitempty("followSymlink", c.follow_symlink)
        .omitempty("dirCopyContents", c.dir_copy_contents)
        .omitempty(
            "attemptUnpackDockerCompatibility",
            c.attempt_unpack_docker_compatibility,
        )
        .omitempty("createDestPath", c.create_dest_path)
        .omitempty("allowWildcard", c.allow_wildcard)
        .omitempty("allowEmptyWildcard", c.allow_empty_wildcard)
        .omitempty("timestamp", c.timestamp)
        .omitempty("include_patterns", c.include_patterns.clone())
        .omitempty("exclude_patterns", c.exclude_patterns.clone())
        .omitempty(
            "alwaysReplaceExistingDestPaths",
            c.always_replace_existing_dest_paths,
        )
        .omitempty("modeStr", c.mode_str.as_str())
        .omitempty("required_paths", c.required_paths.clone())
        .into()
}

fn mkfile(m: &pb::FileActionMkFile) -> Value {
    GoStruct::default()
        .omitempty("path", m.path.as_str())
        .omitempty("mode", m.mode)
        .omitempty("data", base64(&m.data))
        .omitempty("owner", optional(m.owner.as_ref(), chown))
        .omitempty("timestamp", m.timestamp)
        .into()
}

fn mkdir(m: &pb::FileActionMkDir) -> Value {
    GoStruct::default()
        .omitempty("path", m.path.as_str())
        .omitempty("mode", m.mode)
        .omitempty("makeParents", m.make_parents)
        .omitempty("owner", optional(m.owner.as_ref(), chown))
        .omitempty("timestamp", m.timestamp)
        .into()
}

fn rm(r: &pb::FileActionRm) -> Value {
    GoStruct::default()
        .omitempty("path", r.path.as_str())
        .omitempty("allowNotFound", r.allow_not_found)
        .omitempty("allowWildcard", r.allow_wildcard)
        .into()
}

fn symlink(s: &pb::FileActionSymlink) -> Value {
    GoStruct::default()
        .omitempty("oldpath", s.oldpath.as_str())
        .omitempty("newpath", s.newpath.as_str())
        .omitempty("owner", optional(s.owner.as_ref(), chown))
        .omitempty("timestamp", s.timestamp)
        .into()
}

fn chown(c: &pb::ChownOpt) -> Value {
    GoStruct::default()
        .omitempty("user", optional(c.user.as_ref(), user))
        .omitempty("group", optional(c.group.as_ref(), user))
        .into()
}

/// `UserOpt.MarshalJSON`: `byId` is `omitempty`, so uid 0 is `{}`.
fn user(u: &pb::UserOpt) -> Value {
    let by = match &u.user {
        Some(User::ByName(n)) => GoStruct::default().field(
            "byName",
            GoStruct::default()
                .omitempty("name", n.name.as_str())
                .omitempty("input", n.input),
        ),
        Some(User::ById(id)) => GoStruct::default().omitempty("byId", *id),
        None => GoStruct::default(),
    };
    GoStruct::default().field("User", by).into()
}

fn merge(m: &pb::MergeOp) -> Value {
    let merge_input =
        |i: &pb::MergeInput| Value::from(GoStruct::default().omitempty("input", i.input));
    GoStruct::default()
        .omitempty("inputs", list(&m.inputs, merge_input))
        .into()
}

fn diff(d: &pb::DiffOp) -> Value {
    GoStruct::default()
        .omitempty(
            "lower",
            optional(d.lower.as_ref(), |l| {
                GoStruct::default().omitempty("input", l.input).into()
            }),
        )
        .omitempty(
            "upper",
            optional(d.upper.as_ref(), |u| {
                GoStruct::default().omitempty("input", u.input).into()
            }),
        )
        .into()
}

fn build(b: &pb::BuildOp) -> Value {
    GoStruct::default()
        .omitempty("builder", b.builder)
        .omitempty(
            "inputs",
            map(&b.inputs, |i| {
                GoStruct::default().omitempty("input", i.input).into()
            }),
        )
        .omitempty("def", optional(b.def.as_ref(), definition))
        .omitempty("attrs", string_map(&b.attrs))
        .into()
}

/// `pb.Definition`: only a build op holds one.
fn definition(d: &pb::Definition) -> Value {
    GoStruct::default()
        .omitempty("def", list(&d.def, |op| base64(op)))
        .omitempty("metadata", map(&d.metadata, op_metadata))
        .omitempty("Source", optional(d.source.as_ref(), source_map))
        .into()
}

fn op_metadata(m: &pb::OpMetadata) -> Value {
    GoStruct::default()
        .omitempty("ignore_cache", m.ignore_cache)
        .omitempty("description", string_map(&m.description))
        .omitempty(
            "export_cache",
            optional(m.export_cache.as_ref(), |e| {
                GoStruct::default().omitempty("Value", e.value).into()
            }),
        )
        .omitempty("caps", map(&m.caps, |on| Value::Bool(*on)))
        .omitempty(
            "progress_group",
            optional(m.progress_group.as_ref(), |g| {
                GoStruct::default()
                    .omitempty("id", g.id.as_str())
                    .omitempty("name", g.name.as_str())
                    .omitempty("weak", g.weak)
                    .into()
            }),
        )
        .into()
}

fn source_map(s: &pb::Source) -> Value {
    let locations = |l: &pb::Locations| {
        Value::from(GoStruct::default().omitempty("locations", list(&l.locations, location)))
    };
    GoStruct::default()
        .omitempty("locations", map(&s.locations, locations))
        .omitempty("infos", list(&s.infos, source_info))
        .into()
}

fn source_info(i: &pb::SourceInfo) -> Value {
    GoStruct::default()
        .omitempty("filename", i.filename.as_str())
        .omitempty("data", base64(&i.data))
        .omitempty("definition", optional(i.definition.as_ref(), definition))
        .omitempty("language", i.language.as_str())
        .into()
}

fn location(l: &pb::Location) -> Value {
    let position = |p: &pb::Position| {
        Value::from(
            GoStruct::default()
                .omitempty("line", p.line)
                .omitempty("character", p.character),
        )
    };
    let range = |r: &pb::Range| {
        Value::from(
            GoStruct::default()
                .omitempty("start", optional(r.start.as_ref(), position))
                .omitempty("end", optional(r.end.as_ref(), position)),
        )
    };
    GoStruct::default()
        .omitempty("sourceIndex", l.source_index)
        .omitempty("ranges", list(&l.ranges, range))
        .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn owner(user: User) -> Option<pb::ChownOpt> {
        Some(pb::ChownOpt {
            user: Some(pb::UserOpt { user: Some(user) }),
            group: None,
        })
    }

    #[test]
    fn the_terminal_op_has_an_empty_op() {
        let terminal = pb::Op {
            inputs: vec![pb::Input {
                digest: "sha256:abc".into(),
                index: 0,
            }],
            ..Default::default()
        };
        assert_eq!(
            op(&terminal),
            json!({"inputs": [{"digest": "sha256:abc"}], "Op": {}})
        );
    }

    #[test]
    fn an_exec_op_leaves_zero_fields_out_and_keeps_empty_structs() {
        let exec = pb::Op {
            inputs: vec![],
            platform: Some(pb::Platform {
                architecture: "arm".into(),
                os: "linux".into(),
                variant: "v7".into(),
                ..Default::default()
            }),
            constraints: Some(pb::WorkerConstraints::default()),
            op: Some(Op::Exec(pb::ExecOp {
                meta: Some(pb::Meta {
                    args: vec!["go".into(), "build".into()],
                    cwd: "/src".into(),
                    ..Default::default()
                }),
                mounts: vec![
                    pb::Mount {
                        input: 0,
                        dest: "/".into(),
                        output: 0,
                        ..Default::default()
                    },
                    pb::Mount {
                        input: -1,
                        dest: "/root/.cache/go-build".into(),
                        output: -1,
                        mount_type: pb::MountType::Cache as i32,
                        cache_opt: Some(pb::CacheOpt {
                            id: "gofront-gocache".into(),
                            sharing: pb::CacheSharingOpt::Shared as i32,
                        }),
                        ..Default::default()
                    },
                ],
                network: pb::NetMode::None as i32,
                ..Default::default()
            })),
        };
        assert_eq!(
            op(&exec),
            json!({
                "Op": {"exec": {
                    "meta": {"args": ["go", "build"], "cwd": "/src"},
                    "mounts": [
                        {"dest": "/"},
                        {"input": -1, "dest": "/root/.cache/go-build", "output": -1,
                         "mountType": 3, "cacheOpt": {"ID": "gofront-gocache"}}
                    ],
                    "network": 2
                }},
                "platform": {"Architecture": "arm", "OS": "linux", "Variant": "v7"},
                "constraints": {}
            })
        );
        // Field order is Go's declaration order, not alphabetical.
        let text = op(&exec).to_string();
        assert!(text.starts_with(r#"{"Op":{"exec":{"meta":"#), "{text}");
        assert!(
            text.ends_with(
                r#""platform":{"Architecture":"arm","OS":"linux","Variant":"v7"},"constraints":{}}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn file_actions_write_their_indexes_and_every_kind() {
        let file = pb::Op {
            op: Some(Op::File(pb::FileOp {
                actions: vec![
                    pb::FileAction {
                        input: 0,
                        secondary_input: -1,
                        output: 0,
                        action: Some(Action::Mkfile(pb::FileActionMkFile {
                            path: "/etc/passwd".into(),
                            mode: 0o644,
                            data: b"root".to_vec(),
                            owner: owner(User::ById(0)),
                            timestamp: 0,
                        })),
                    },
                    pb::FileAction {
                        input: -2,
                        secondary_input: 1,
                        output: -1,
                        action: Some(Action::Copy(pb::FileActionCopy {
                            src: "/out".into(),
                            dest: "/usr/local/bin".into(),
                            owner: owner(User::ByName(pb::NamedUserOpt {
                                name: "app".into(),
                                input: 0,
                            })),
                            mode: -1,
                            timestamp: 1_700_000_000_000_000_000,
                            ..Default::default()
                        })),
                    },
                    pb::FileAction {
                        input: -2,
                        secondary_input: -1,
                        output: 1,
                        action: Some(Action::Symlink(pb::FileActionSymlink {
                            oldpath: "/busybox/sh".into(),
                            newpath: "/bin/sh".into(),
                            ..Default::default()
                        })),
                    },
                ],
            })),
            ..Default::default()
        };
        assert_eq!(
            op(&file),
            json!({"Op": {"file": {"actions": [
                {"input": 0, "secondaryInput": -1, "output": 0, "Action": {"mkfile": {
                    "path": "/etc/passwd", "mode": 420, "data": "cm9vdA==",
                    "owner": {"user": {"User": {}}}
                }}},
                {"input": -2, "secondaryInput": 1, "output": -1, "Action": {"copy": {
                    "src": "/out", "dest": "/usr/local/bin",
                    "owner": {"user": {"User": {"byName": {"name": "app"}}}},
                    "mode": -1, "timestamp": 1_700_000_000_000_000_000_i64
                }}},
                {"input": -2, "secondaryInput": -1, "output": 1, "Action": {"symlink": {
                    "oldpath": "/busybox/sh", "newpath": "/bin/sh"
                }}}
            ]}}})
        );
    }

    #[test]
    fn source_attrs_and_merge_inputs() {
        let source = pb::Op {
            op: Some(Op::Source(pb::SourceOp {
                identifier: "local://context".into(),
                attrs: BTreeMap::from([
                    ("local.sharedkeyhint".to_string(), "context".to_string()),
                    ("local.excludepatterns".to_string(), "[]".to_string()),
                ]),
            })),
            ..Default::default()
        };
        assert_eq!(
            op(&source).to_string(),
            r#"{"Op":{"source":{"identifier":"local://context","attrs":{"local.excludepatterns":"[]","local.sharedkeyhint":"context"}}}}"#
        );
        let merge = pb::Op {
            op: Some(Op::Merge(pb::MergeOp {
                inputs: vec![pb::MergeInput { input: 0 }, pb::MergeInput { input: 1 }],
            })),
            ..Default::default()
        };
        assert_eq!(
            op(&merge),
            json!({"Op": {"merge": {"inputs": [{}, {"input": 1}]}}})
        );
    }
}
