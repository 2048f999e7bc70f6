use bollard_buildkit_proto::pb;
use prost::Message;

use super::*;

fn amd64() -> Platform {
    Platform::new("linux", "amd64", "")
}

fn decode_all(def: &pb::Definition) -> Vec<pb::Op> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .collect()
}

fn sample() -> Marshaled {
    let img = image(
        "docker.io/library/golang:1.26-alpine",
        &amd64(),
        "default",
        OpOptions::default(),
    );
    let ctx = local(
        "context",
        &LocalOptions {
            session_id: "s".into(),
            exclude_patterns: vec!["*.md".into()],
            ..Default::default()
        },
        &amd64(),
        OpOptions::default(),
    );
    let run = Exec::new(
        img.clone(),
        vec!["go".into(), "build".into()],
        &amd64(),
        OpOptions::named("build"),
    )
    .env("B", "2")
    .env("A", "1")
    .mount_readonly("/src", &ctx)
    .mount_cache("/cache", "id", CacheSharing::Shared)
    .mount_output("/out", &State::scratch())
    .run();
    let out = run.mount("/out").unwrap();
    let fin = State::scratch()
        .file()
        .copy(
            &img,
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/ssl/certs/ca-certificates.crt",
            CopyOptions::default(),
        )
        .mkfile(
            "/etc/passwd",
            0o644,
            b"root:x:0:0::/:/x\n".to_vec(),
            None,
            None,
        )
        .copy(
            &out,
            "/app",
            "/usr/local/bin/app",
            CopyOptions {
                mode: Some(0o755),
                owner: Some(Owner { uid: 0, gid: 0 }),
                timestamp: Some(10),
                ..Default::default()
            },
        )
        .finish(&amd64(), OpOptions::default());
    marshal(&fin)
}

#[test]
fn marshaling_is_byte_identical_across_runs() {
    let a = sample().definition.encode_to_vec();
    let b = sample().definition.encode_to_vec();
    assert_eq!(a, b);
}

#[test]
fn terminal_op_is_last_and_points_at_the_head() {
    let m = sample();
    let ops = decode_all(&m.definition);
    let last = ops.last().unwrap();
    assert!(last.op.is_none());
    assert_eq!(last.inputs.len(), 1);
    assert_eq!(Some(&last.inputs[0].digest), m.head.as_ref());
    // Every input refers to an op that comes earlier.
    let digests: Vec<String> = m.definition.def.iter().map(|b| digest_of(b)).collect();
    for (i, op) in ops.iter().enumerate() {
        for input in &op.inputs {
            let at = digests
                .iter()
                .position(|d| d == &input.digest)
                .expect("input is in the definition");
            assert!(at < i);
        }
    }
}

#[test]
fn op_bytes_put_the_oneof_last_like_go() {
    let m = sample();
    for bytes in &m.definition.def {
        let op = pb::Op::decode(bytes.as_slice()).unwrap();
        // Re-encode with prost (tag order) and ours; ours must put the
        // oneof after platform (10) and constraints (11).
        let ours = marshal::encode_op(&op);
        assert_eq!(&ours, bytes);
        if op.op.is_some() && op.platform.is_some() {
            // First field tag: inputs (1) if any, else platform (10 → 0x52).
            let first = if op.inputs.is_empty() { 0x52 } else { 0x0a };
            assert_eq!(ours[0], first);
            assert_ne!(op.encode_to_vec(), ours, "prost's own order differs");
        }
    }
}

#[test]
fn file_actions_use_minus_one_sentinels_and_chain() {
    let ops = decode_all(&sample().definition);
    let file = ops
        .iter()
        .find_map(|o| match &o.op {
            Some(pb::op::Op::File(f)) => Some((o, f)),
            _ => None,
        })
        .unwrap();
    let (op, f) = file;
    assert_eq!(f.actions.len(), 3);
    let n = op.inputs.len() as i64;
    assert_eq!(f.actions[0].input, -1, "scratch base");
    assert_eq!(f.actions[1].input, n, "chained to action 0");
    assert_eq!(f.actions[2].input, n + 1);
    assert_eq!(f.actions[0].output, -1);
    assert_eq!(f.actions[2].output, 0);
    match &f.actions[0].action {
        Some(pb::file_action::Action::Copy(c)) => {
            assert_eq!(c.mode, -1);
            assert_eq!(c.timestamp, -1);
        }
        other => panic!("{other:?}"),
    }
    match &f.actions[1].action {
        Some(pb::file_action::Action::Mkfile(m)) => {
            assert_eq!(m.mode, 0o644);
            assert_eq!(m.timestamp, -1);
        }
        other => panic!("{other:?}"),
    }
    match &f.actions[2].action {
        Some(pb::file_action::Action::Copy(c)) => {
            assert_eq!(c.mode, 0o755);
            assert_eq!(c.timestamp, 10_000_000_000, "seconds become nanoseconds");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn exec_mounts_and_env_are_ordered_and_typed() {
    let m = sample();
    let ops = decode_all(&m.definition);
    let exec = ops
        .iter()
        .find_map(|o| match &o.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .unwrap();
    let meta = exec.meta.as_ref().unwrap();
    assert_eq!(meta.env, ["A=1", "B=2"]);
    assert_eq!(meta.args, ["go", "build"]);
    let dests: Vec<&str> = exec.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(dests, ["/", "/cache", "/out", "/src"]);
    let by = |d: &str| exec.mounts.iter().find(|m| m.dest == d).unwrap();
    assert_eq!(by("/").output, 0);
    assert_eq!(by("/cache").mount_type, pb::MountType::Cache as i32);
    assert_eq!((by("/cache").input, by("/cache").output), (-1, -1));
    assert_eq!((by("/out").input, by("/out").output), (-1, 1));
    assert!(by("/src").readonly);
    assert_eq!(by("/src").output, -1);
}

#[test]
fn metadata_lists_caps_and_names() {
    let m = sample();
    let caps: std::collections::BTreeSet<&str> = m
        .definition
        .metadata
        .values()
        .flat_map(|meta| meta.caps.keys().map(String::as_str))
        .collect();
    for cap in [
        "source.image",
        "source.local",
        "source.local.sessionid",
        "source.local.excludepatterns",
        "exec.meta.base",
        "exec.mount.bind",
        "exec.mount.cache",
        "exec.mount.cache.sharing",
        "file.base",
        "meta.description",
        "platform",
    ] {
        assert!(caps.contains(cap), "missing {cap}");
    }
    assert!(
        m.definition.metadata.values().any(|meta| meta
            .description
            .get("llb.customname")
            .map(String::as_str)
            == Some("build"))
    );
}

#[test]
fn identical_ops_are_one_vertex() {
    let a = image(
        "docker.io/library/alpine:3.21",
        &amd64(),
        "default",
        OpOptions::default(),
    );
    let b = image(
        "docker.io/library/alpine:3.21",
        &amd64(),
        "default",
        OpOptions::default(),
    );
    let s = State::scratch()
        .file()
        .copy(&a, "/a", "/a", CopyOptions::default())
        .copy(&b, "/b", "/b", CopyOptions::default())
        .finish(&amd64(), OpOptions::default());
    // One image source, one file op, one terminal.
    assert_eq!(marshal(&s).definition.def.len(), 3);
}

#[test]
fn scratch_marshals_to_an_empty_definition() {
    let m = marshal(&State::scratch());
    assert!(m.definition.def.is_empty());
    assert!(m.head.is_none());
}

#[test]
fn source_map_points_located_ops_at_spec_lines() {
    let img = image(
        "docker.io/library/alpine:3.21",
        &amd64(),
        "default",
        OpOptions::default(),
    );
    let run = Exec::new(
        img,
        vec!["go".into()],
        &amd64(),
        OpOptions::named("build").at(Some(SourceRange {
            start_line: 3,
            end_line: 3,
        })),
    )
    .run();
    let options = MarshalOptions {
        source: Some(pb::SourceInfo {
            filename: "gofront.yaml".into(),
            data: b"a\nb\nmain: .\n".to_vec(),
            language: "YAML".into(),
            definition: None,
        }),
        ..Default::default()
    };
    let m = marshal_with(&run.root, &options);
    let source = m.definition.source.expect("a source map");
    assert_eq!(source.infos[0].filename, "gofront.yaml");
    assert_eq!(source.locations.len(), 1);
    let (digest, locs) = source.locations.iter().next().unwrap();
    assert_eq!(
        Some(digest),
        m.head.as_ref(),
        "the exec carries the location"
    );
    assert_eq!(locs.locations[0].ranges[0].start.as_ref().unwrap().line, 3);
    // Without located ops there is no source map at all.
    assert!(
        marshal_with(&State::scratch(), &options)
            .definition
            .source
            .is_none()
    );
}

#[test]
fn git_source_names_the_repository_and_asks_for_credentials_by_secret() {
    let st = git(
        &GitSource {
            remote: "https://git.example.com/org/repo.git".into(),
            host_path: "git.example.com/org/repo.git".into(),
            reference: "v1.2.0".into(),
            checksum: "0123abcd".into(),
            keep_git_dir: true,
            skip_submodules: true,
            ssh: false,
        },
        &amd64(),
        OpOptions::default(),
    );
    let m = marshal(&st);
    let ops = decode_all(&m.definition);
    let Some(pb::op::Op::Source(src)) = &ops[0].op else {
        panic!("not a source: {:?}", ops[0]);
    };
    assert_eq!(src.identifier, "git://git.example.com/org/repo.git#v1.2.0");
    let attr = |k: &str| src.attrs.get(k).map(String::as_str);
    assert_eq!(
        attr("git.fullurl"),
        Some("https://git.example.com/org/repo.git")
    );
    assert_eq!(attr("git.keepgitdir"), Some("true"));
    assert_eq!(attr("git.checksum"), Some("0123abcd"));
    assert_eq!(attr("git.skipsubmodules"), Some("true"));
    assert_eq!(attr("git.authtokensecret"), Some("GIT_AUTH_TOKEN"));
    assert_eq!(attr("git.authheadersecret"), Some("GIT_AUTH_HEADER"));
    assert_eq!(attr("git.mountsshsock"), None);
    let caps = &m.definition.metadata[m.head.as_ref().unwrap()].caps;
    for cap in [
        "source.git",
        "source.git.fullurl",
        "source.git.keepgitdir",
        "source.git.checksum",
        "source.git.skipsubmodules",
    ] {
        assert!(caps.contains_key(cap), "{cap} missing: {caps:?}");
    }
}

#[test]
fn a_foreign_definition_is_kept_byte_for_byte_under_new_ops() {
    let theirs = sample();
    let foreign = ForeignDefinition::parse(&theirs.definition).unwrap();
    let base = State::from_foreign(&foreign);
    // Marshaled alone, it is the client's definition again.
    let again = marshal(&base);
    assert_eq!(again.head, theirs.head);
    let mut a = again.definition.def.clone();
    let mut b = theirs.definition.def.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(again.definition.metadata, theirs.definition.metadata);
    // Built upon, its ops are inputs of ours, unchanged.
    let ours = Exec::new(
        base,
        vec!["go".into(), "vet".into()],
        &amd64(),
        OpOptions::named("vet"),
    )
    .run()
    .root;
    let m = marshal(&ours);
    for op in &theirs.definition.def[..theirs.definition.def.len() - 1] {
        assert!(m.definition.def.contains(op), "a client op was changed");
    }
    let ops = decode_all(&m.definition);
    let vet = ops
        .iter()
        .find(|o| matches!(&o.op, Some(pb::op::Op::Exec(e)) if e.meta.as_ref().unwrap().args == ["go", "vet"]))
        .unwrap();
    assert_eq!(Some(&vet.inputs[0].digest), theirs.head.as_ref());
    assert_eq!(marshal(&ours).definition, m.definition, "deterministic");
}

#[test]
fn no_cache_is_applied_to_every_own_op_when_marshaled() {
    let theirs = sample();
    let foreign = ForeignDefinition::parse(&theirs.definition).unwrap();
    let ours = Exec::new(
        State::from_foreign(&foreign),
        vec!["go".into(), "vet".into()],
        &amd64(),
        OpOptions::named("vet"),
    )
    .run()
    .root;
    let plain = marshal(&ours).definition;
    assert!(plain.metadata.values().all(|m| !m.ignore_cache));
    let no_cache = marshal_with(
        &ours,
        &MarshalOptions {
            ignore_cache: true,
            ..Default::default()
        },
    )
    .definition;
    // The ops themselves (and so their digests) do not change: only the
    // metadata BuildKit keeps beside them.
    assert_eq!(no_cache.def, plain.def);
    for (digest, meta) in &no_cache.metadata {
        let client_op = theirs.definition.metadata.contains_key(digest);
        assert_eq!(meta.ignore_cache, !client_op, "{digest}");
        assert_eq!(meta.caps.contains_key("meta.ignorecache"), !client_op);
    }
}

#[test]
fn hostile_foreign_definitions_are_refused() {
    let good = sample().definition;
    // An op naming an input the definition does not have.
    let mut missing = good.clone();
    missing.def.remove(0);
    assert!(
        ForeignDefinition::parse(&missing)
            .unwrap_err()
            .contains("has no op sha256:")
    );
    let garbage = pb::Definition {
        def: vec![vec![0xff, 0xff, 0xff]],
        ..Default::default()
    };
    assert!(
        ForeignDefinition::parse(&garbage)
            .unwrap_err()
            .contains("does not decode")
    );
    // A terminal op with nothing to return.
    let empty_terminal = pb::Definition {
        def: vec![pb::Op::default().encode_to_vec()],
        ..Default::default()
    };
    assert!(ForeignDefinition::parse(&empty_terminal).is_err());
    // No terminal op at all: scratch, as BuildKit reads it.
    let none = ForeignDefinition::parse(&pb::Definition::default()).unwrap();
    assert!(State::from_foreign(&none).is_scratch());
}

#[test]
fn an_optional_copy_is_a_pattern_matching_only_its_path() {
    let from = local(
        "context",
        &LocalOptions::default(),
        &amd64(),
        OpOptions::default(),
    );
    let st = State::scratch()
        .file()
        .copy(
            &from,
            "/svc/go.sum",
            "/svc/go.sum",
            CopyOptions {
                optional: true,
                ..Default::default()
            },
        )
        .copy(&from, "/go.mod", "/go.mod", CopyOptions::default())
        .finish(&amd64(), OpOptions::default());
    let ops = decode_all(&marshal(&st).definition);
    let Some(pb::op::Op::File(f)) = &ops[1].op else {
        panic!("{:?}", ops[1]);
    };
    let copies: Vec<(&str, bool, bool)> = f
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Some(pb::file_action::Action::Copy(c)) => {
                Some((c.src.as_str(), c.allow_wildcard, c.allow_empty_wildcard))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        copies,
        [("/svc/go.su[m]", true, true), ("/go.mod", false, false)]
    );
}
