use prost::Message;

use super::*;
use crate::llb::{LocalOptions, OpOptions};
use crate::plan::{GOMODCACHE, Inputs, Target, build};
use crate::{golang as gomod, spec};

fn plan(yaml: &str, version: &str) -> Plan {
    plan_in(yaml, version, false)
}

/// The plan of a build that imports a cache (`--cache-from`), or not.
fn plan_in(yaml: &str, version: &str, cache_imported: bool) -> Plan {
    let mut build_args = std::collections::BTreeMap::new();
    build_args.insert("VERSION".to_string(), version.to_string());
    let inputs = Inputs {
        build_args,
        build_platform: crate::platform::Platform::new("linux", "amd64", ""),
        target_platform: crate::platform::Platform::new("linux", "amd64", ""),
        gomod: gomod::parse("module example.com/gofront/examples/api\ngo 1.26\n").unwrap(),
        cache_imported,
        ..Default::default()
    };
    build(&spec::parse("gofront.yaml", yaml).unwrap(), &inputs).unwrap()
}

fn ops(def: &pb::Definition) -> Vec<pb::Op> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .collect()
}

fn execs(def: &pb::Definition) -> Vec<pb::ExecOp> {
    ops(def)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .collect()
}

const ENV: &[&str] = &["PATH=/go/bin:/usr/local/go/bin:/usr/bin:/bin", "GOPATH=/go"];

/// How the tests' graphs are run: a local context, Docker 20.10's caps.
fn options() -> Options {
    Options {
        resolve_mode: "default".into(),
        session_id: "session".into(),
        excludes: vec!["*.md".into()],
        builder_env: ENV.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn two_compiles_give_byte_identical_definitions() {
    let yaml = include_str!("../../examples/api/gofront.yaml");
    let a = to_llb(&plan(yaml, "1.0"), &options())
        .definition
        .encode_to_vec();
    let b = to_llb(&plan(yaml, "1.0"), &options())
        .definition
        .encode_to_vec();
    assert_eq!(a, b);
    let c = to_llb(&plan(yaml, "1.1"), &options())
        .definition
        .encode_to_vec();
    assert_ne!(a, c, "the version is part of the graph");
}

#[test]
fn no_exec_runs_for_the_target_platform_and_shells_run_only_fixed_scripts() {
    for cache_imported in [false, true] {
        let mut p = plan_in("main: ./cmd/server\n", "1", cache_imported);
        p.runtime.as_mut().unwrap().platform = crate::platform::Platform::new("linux", "arm64", "");
        let def = to_llb(&p, &options()).definition;
        let mut scripts = Vec::new();
        for op in ops(&def) {
            if let Some(pb::op::Op::Exec(e)) = &op.op {
                assert_eq!(op.platform.as_ref().unwrap().architecture, "amd64");
                let args = &e.meta.as_ref().unwrap().args;
                if args[0] == "sh" {
                    assert_eq!(args[1], "-c");
                    scripts.push(args[2].clone());
                } else {
                    assert_eq!(args[0], "go");
                    assert!(!args.iter().any(|a| a == "-c" || a.ends_with("sh")));
                }
            }
        }
        let expected: &[&str] = if cache_imported {
            &[crate::plan::LIST_SCRIPT, crate::plan::PRECOMPILE_SCRIPT]
        } else {
            &[]
        };
        scripts.sort();
        let mut expected = expected.to_vec();
        expected.sort();
        assert_eq!(scripts, expected);
    }
}

#[test]
fn only_go_mod_and_go_sum_feed_the_download_step() {
    let def = to_llb(&plan("main: .\n", "1"), &options()).definition;
    let locals: Vec<pb::SourceOp> = ops(&def)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Source(s)) if s.identifier.starts_with("local://") => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(locals.len(), 2);
    assert!(
        locals
            .iter()
            .any(|s| s.attrs.get("local.includepattern").map(String::as_str)
                == Some(r#"["go.mod","go.sum"]"#))
    );
    assert!(
        locals.iter().all(
            |s| s.attrs.get("local.excludepatterns").map(String::as_str) == Some(r#"["*.md"]"#)
        )
    );
}

/// The input of the mount at `dest` of the exec running `arg0 arg1`.
fn mount_input(def: &pb::Definition, args: [&str; 2], dest: &str) -> String {
    let all = ops(def);
    let exec = all
        .iter()
        .find(|o| matches!(&o.op, Some(pb::op::Op::Exec(e)) if e.meta.as_ref().unwrap().args[..2] == args))
        .unwrap();
    let Some(pb::op::Op::Exec(e)) = &exec.op else {
        unreachable!()
    };
    let m = e.mounts.iter().find(|m| m.dest == dest).unwrap();
    exec.inputs[m.input as usize].digest.clone()
}

fn op_by_digest(def: &pb::Definition, digest: &str) -> pb::Op {
    let bytes = def
        .def
        .iter()
        .find(|b| llb::digest_of(b) == digest)
        .unwrap();
    pb::Op::decode(bytes.as_slice()).unwrap()
}

#[test]
fn a_git_context_is_fetched_by_buildkit_and_only_its_module_files_feed_the_download() {
    let p = plan("main: .\n", "1");
    let o = Options {
        context: crate::request::context::from_opt(
            "https://git.example.com/org/mono.git#main:services/api",
            None,
        )
        .unwrap(),
        ..options()
    };
    let def = to_llb(&p, &o).definition;
    let sources: Vec<pb::SourceOp> = ops(&def)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Source(s)) => Some(s),
            _ => None,
        })
        .collect();
    assert!(!sources.iter().any(|s| s.identifier.starts_with("local://")));
    let git: Vec<_> = sources
        .iter()
        .filter(|s| s.identifier.starts_with("git://"))
        .collect();
    assert_eq!(git.len(), 1, "one fetch serves every step");
    assert_eq!(git[0].identifier, "git://git.example.com/org/mono.git#main");
    // The compile mounts the subfolder, copied to the root.
    let src = op_by_digest(&def, &mount_input(&def, ["go", "build"], SRC));
    let Some(pb::op::Op::File(f)) = &src.op else {
        panic!("{src:?}")
    };
    let Some(pb::file_action::Action::Copy(c)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!((c.src.as_str(), c.dest.as_str()), ("/services/api/", "/"));
    // The download sees go.mod and go.sum only (optional: a module
    // without dependencies has no go.sum), copied from that folder.
    let gomod = op_by_digest(&def, &mount_input(&def, ["go", "mod"], SRC));
    let Some(pb::op::Op::File(f)) = &gomod.op else {
        panic!("{gomod:?}")
    };
    let copies: Vec<(String, bool)> = f
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Some(pb::file_action::Action::Copy(c)) => Some((c.src.clone(), c.allow_empty_wildcard)),
            _ => None,
        })
        .collect();
    assert_eq!(
        copies,
        [
            ("/go.mo[d]".to_string(), true),
            ("/go.su[m]".to_string(), true)
        ]
    );
    assert_eq!(
        gomod.inputs[0].digest,
        mount_input(&def, ["go", "build"], SRC)
    );
}

#[test]
fn an_input_context_is_built_upon_byte_for_byte() {
    let theirs = llb::marshal(&llb::local(
        "elsewhere",
        &LocalOptions::default(),
        &crate::platform::Platform::new("linux", "amd64", ""),
        OpOptions::default(),
    ));
    let p = plan("main: .\n", "1");
    let o = Options {
        context: ContextSource::Input {
            name: "context".into(),
            definition: llb::ForeignDefinition::parse(&theirs.definition).unwrap(),
        },
        ..options()
    };
    let def = to_llb(&p, &o).definition;
    assert!(def.def.contains(&theirs.definition.def[0]));
    assert_eq!(Some(mount_input(&def, ["go", "build"], SRC)), theirs.head);
}

#[test]
fn an_image_that_is_another_builds_result_is_its_definition_byte_for_byte() {
    let theirs = llb::marshal(&llb::image(
        "docker.io/library/alpine:3.21",
        &crate::platform::Platform::new("linux", "amd64", ""),
        "default",
        OpOptions::named("their base"),
    ));
    let mut p = plan("main: .\n", "1");
    let runtime = p.runtime.as_mut().unwrap();
    runtime.input = Some("base".into());
    runtime.reference = "input:base".into();
    let o = Options {
        merge: true,
        inputs: [(
            "base".to_string(),
            llb::ForeignDefinition::parse(&theirs.definition).unwrap(),
        )]
        .into(),
        ..options()
    };
    let def = to_llb(&p, &o).definition;
    assert!(def.def.contains(&theirs.definition.def[0]));
    let Some(pb::op::Op::Merge(m)) = final_op(&p, &o).op else {
        panic!("a merge onto their image")
    };
    assert_eq!(Some(&m.inputs[0].input), Some(&0));
    let merge = ops(&def)
        .into_iter()
        .find(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
        .unwrap();
    assert_eq!(Some(&merge.inputs[0].digest), theirs.head.as_ref());
    // Nothing is pulled for it.
    assert!(!def.def.iter().any(|b| {
        matches!(pb::Op::decode(b.as_slice()).unwrap().op,
            Some(pb::op::Op::Source(s)) if s.identifier.contains("distroless"))
    }));
}

#[test]
fn golden_llb_api() {
    let def = to_llb(
        &plan(include_str!("../../examples/api/gofront.yaml"), "1.2.3"),
        &options(),
    )
    .definition;
    insta::assert_snapshot!(dump(&def));
}

#[test]
fn golden_llb_scratch() {
    let def = to_llb(
        &plan(
            "main: ./cmd/server\nruntime: scratch\nuser: \"1000:1000\"\n",
            "1",
        ),
        &options(),
    )
    .definition;
    insta::assert_snapshot!(dump(&def));
}

fn final_op(p: &Plan, o: &Options) -> pb::Op {
    let marshaled = to_llb(p, o);
    let (def, head) = (marshaled.definition, marshaled.head.unwrap());
    let at = def
        .def
        .iter()
        .position(|b| llb::digest_of(b) == head)
        .unwrap();
    ops(&def).swap_remove(at)
}

#[test]
fn the_binary_is_merged_onto_the_base_where_mergeop_exists() {
    let p = plan("main: .\n", "1");
    let merge = Options {
        merge: true,
        ..options()
    };
    let op = final_op(&p, &merge);
    match &op.op {
        Some(pb::op::Op::Merge(m)) => assert_eq!(m.inputs.len(), 2),
        other => panic!("expected a merge, got {other:?}"),
    }
    assert!(
        matches!(final_op(&p, &options()).op, Some(pb::op::Op::File(_))),
        "a copy without MergeOp"
    );
    // On scratch the staged files are the image, on any daemon.
    let s = plan("runtime: scratch\n", "1");
    assert!(matches!(final_op(&s, &merge).op, Some(pb::op::Op::File(_))));
    let def = to_llb(&p, &options()).definition;
    assert!(
        !def.metadata
            .values()
            .any(|m| m.caps.contains_key("mergeop"))
    );
    let def = to_llb(&p, &merge).definition;
    assert!(
        def.metadata
            .values()
            .any(|m| m.caps.contains_key("mergeop")),
        "the merge lists its cap"
    );
}

fn caches(e: &pb::ExecOp) -> Vec<(String, String, i64)> {
    e.mounts
        .iter()
        .filter(|m| m.mount_type == pb::MountType::Cache as i32)
        .map(|m| (m.dest.clone(), m.cache_opt.clone().unwrap().id, m.input))
        .collect()
}

/// The exec whose argv starts with `args`: its op, the exec, and the
/// op's digest (what the inputs of other ops name).
fn exec_op(def: &pb::Definition, args: &[&str]) -> (pb::Op, pb::ExecOp, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    def.def
        .iter()
        .find_map(|bytes| {
            let op = pb::Op::decode(bytes.as_slice()).unwrap();
            match &op.op {
                Some(pb::op::Op::Exec(e)) if e.meta.as_ref().unwrap().args.starts_with(&args) => {
                    let e = e.clone();
                    Some((op, e, llb::digest_of(bytes)))
                }
                _ => None,
            }
        })
        .unwrap_or_else(|| panic!("no exec {args:?}"))
}

#[test]
fn locally_modules_and_build_cache_are_cache_mounts() {
    let def = to_llb(&plan("main: .\n", "1"), &options()).definition;
    assert_eq!(execs(&def).len(), 2);
    let modules = (GOMODCACHE.to_string(), GOMODCACHE_ID.to_string(), -1);
    let build_cache = (GOCACHE.to_string(), GOCACHE_ID.to_string(), -1);
    let (_, download, _) = exec_op(&def, &["go", "mod", "download"]);
    assert_eq!(caches(&download), std::slice::from_ref(&modules));
    let (_, compile, _) = exec_op(&def, &["go", "build"]);
    assert_eq!(caches(&compile), [modules, build_cache]);
}

#[test]
fn with_a_cache_import_modules_and_precompiled_dependencies_are_layers() {
    let def = to_llb(&plan_in("main: .\n", "1", true), &options()).definition;
    assert_eq!(execs(&def).len(), 4);
    let (download_op, download, modules) = exec_op(&def, &["go", "mod", "download"]);
    assert!(
        caches(&download).is_empty(),
        "modules go into the step's layer"
    );
    let env_of = |e: &pb::ExecOp| e.meta.as_ref().unwrap().env.clone();
    assert!(env_of(&download).contains(&format!("GOMODCACHE={GOMODCACHE}")));
    let input_of = |op: &pb::Op, e: &pb::ExecOp, dest: &str| {
        let m = e.mounts.iter().find(|m| m.dest == dest).unwrap();
        let input = usize::try_from(m.input).map(|i| op.inputs[i].clone());
        (input.unwrap_or_default(), m.readonly, m.output)
    };

    // The list sees the context and writes the list into its output.
    let (list_op, list, list_digest) = exec_op(&def, &["sh", "-c", crate::plan::LIST_SCRIPT]);
    let (ctx, readonly, _) = input_of(&list_op, &list, SRC);
    assert!(readonly);
    assert_eq!(input_of(&list_op, &list, "/").0.digest, modules);
    let (_, _, list_out) = input_of(&list_op, &list, DEPS_DIR);
    assert_eq!(list_out, 1);

    // The precompile sees go.mod/go.sum and the list (read-only: keyed
    // on its content), never the context, and its GOCACHE is a layer.
    let (pre_op, pre, pre_digest) = exec_op(&def, &["sh", "-c", crate::plan::PRECOMPILE_SCRIPT]);
    let (gomod, _, _) = input_of(&pre_op, &pre, SRC);
    assert_eq!(gomod, input_of(&download_op, &download, SRC).0);
    assert_ne!(gomod.digest, ctx.digest);
    let (list_in, readonly, _) = input_of(&pre_op, &pre, DEPS_DIR);
    assert!(readonly);
    assert_eq!(list_in.digest, list_digest);
    assert_eq!(list_in.index, list_out);
    let (_, readonly, cache_out) = input_of(&pre_op, &pre, GOCACHE);
    assert!(!readonly && cache_out == 1);
    assert!(caches(&pre).is_empty());

    // go build's build cache is a cache mount seeded with that layer.
    let (compile_op, compile, _) = exec_op(&def, &["go", "build"]);
    let seeded = caches(&compile);
    assert_eq!(seeded.len(), 1, "no module cache mount: {seeded:?}");
    assert_eq!(
        (seeded[0].0.as_str(), seeded[0].1.as_str()),
        (GOCACHE, GOCACHE_ID)
    );
    let seed = &compile_op.inputs[seeded[0].2 as usize];
    assert_eq!(seed.digest, pre_digest);
    assert_eq!(seed.index, cache_out);
}

#[test]
fn golden_llb_api_with_cache_import() {
    let def = to_llb(
        &plan_in(
            include_str!("../../examples/api/gofront.yaml"),
            "1.2.3",
            true,
        ),
        &options(),
    )
    .definition;
    insta::assert_snapshot!(dump(&def));
}

const FULL: &str = r#"
binaries:
  - main: ./cmd/server
  - main: ./cmd/migrate
    tags: [postgres]
goprivate: git.corp.example
private: { netrc: true, ssh: true }
test: { flags: [-short] }
files: [{ src: config/app.yaml, dst: /etc/app/app.yaml, mode: "0640" }]
workdir: /app
upx: true
"#;

#[test]
fn golden_llb_full_featured() {
    let p = plan(FULL, "1");
    let o = Options {
        network: Network::Host,
        extra_hosts: vec![("git.corp.example".into(), "127.0.0.1".into())],
        ..options()
    };
    insta::assert_snapshot!(dump(&to_llb(&p, &o).definition));
    insta::assert_snapshot!(
        "golden_llb_full_featured_test",
        dump(&test_llb(&p, &o).unwrap().definition)
    );
}

#[test]
fn credentials_are_mounts_of_the_download_step_only() {
    let p = plan(FULL, "1");
    let o = Options {
        network: Network::Host,
        ..options()
    };
    let def = to_llb(&p, &o).definition;
    for e in execs(&def) {
        let args = &e.meta.as_ref().unwrap().args;
        let kinds: Vec<i32> = e.mounts.iter().map(|m| m.mount_type).collect();
        let has_secret = kinds.contains(&(pb::MountType::Secret as i32));
        let has_ssh = kinds.contains(&(pb::MountType::Ssh as i32));
        let download = args.len() >= 3 && args[..3] == ["go", "mod", "download"];
        assert_eq!(has_secret, download, "{args:?}");
        assert_eq!(has_ssh, download, "{args:?}");
        assert_eq!(e.network, pb::NetMode::Host as i32);
        if download {
            let secret = e
                .mounts
                .iter()
                .find(|m| m.mount_type == pb::MountType::Secret as i32)
                .unwrap();
            assert_eq!(secret.dest, "/root/.netrc");
            assert_eq!(secret.secret_opt.as_ref().unwrap().id, "netrc");
            assert_eq!(secret.output, -1);
        }
    }
    assert!(
        def.metadata
            .values()
            .any(|m| m.caps.contains_key("exec.mount.secret"))
    );
}

#[test]
fn the_binary_target_is_the_binaries_alone() {
    let mut p = plan("binaries: [{main: ./cmd/a}, {main: ./cmd/b}]\n", "1");
    p.target = Target::Binary;
    p.runtime = None;
    p.final_stage.binaries = vec![("a".into(), "/a".into()), ("b".into(), "/b".into())];
    let op = final_op(&p, &options());
    let Some(pb::op::Op::File(f)) = op.op else {
        panic!("a file op")
    };
    let dests: Vec<String> = f
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Some(pb::file_action::Action::Copy(c)) => Some(c.dest.clone()),
            Some(pb::file_action::Action::Mkdir(m)) => Some(m.path.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(dests, ["/a", "/b"]);
}

#[test]
fn no_cache_marks_every_op_of_the_graph_and_changes_no_op() {
    let p = plan(FULL, "1");
    let o = Options {
        no_cache: true,
        ..options()
    };
    for (cached, uncached) in [
        (to_llb(&p, &options()), to_llb(&p, &o)),
        (test_llb(&p, &options()).unwrap(), test_llb(&p, &o).unwrap()),
    ] {
        assert!(
            uncached
                .definition
                .metadata
                .values()
                .all(|m| m.ignore_cache)
        );
        assert!(cached.definition.metadata.values().all(|m| !m.ignore_cache));
        assert_eq!(uncached.definition.def, cached.definition.def);
    }
}

const SERVICE: &str = "main: .\nruntime: distroless\ndirs:\n  - { path: /var/lib/app, mode: \"0700\", volume: true }\nworkdir: /var/lib/app\nweb:\n  dir: web\ngenerate:\n  packages: [./internal/...]\n";

/// The plan of SERVICE: a web UI with npm's lockfile, `go generate`, a
/// state folder.
fn service_plan() -> Plan {
    let inputs = Inputs {
        build_platform: crate::platform::Platform::new("linux", "amd64", ""),
        target_platform: crate::platform::Platform::new("linux", "arm64", ""),
        gomod: gomod::parse("module example.com/svc\ngo 1.26\n").unwrap(),
        web: Some(crate::plan::WebFacts {
            files: vec![
                "package.json".into(),
                "package-lock.json".into(),
                "src".into(),
            ],
            package_manager: None,
        }),
        ..Default::default()
    };
    build(&spec::parse("gofront.yaml", SERVICE).unwrap(), &inputs).unwrap()
}

#[test]
fn golden_llb_web_generate_and_state() {
    insta::assert_snapshot!(dump(&to_llb(&service_plan(), &options()).definition));
}

#[test]
fn the_web_ui_and_go_generate_feed_go_build_only() {
    let def = to_llb(&service_plan(), &options()).definition;
    let all = ops(&def);
    let exec_of = |arg0: &str, arg1: &str| -> (pb::Op, pb::ExecOp) {
        all.iter()
            .find_map(|o| match &o.op {
                Some(pb::op::Op::Exec(e)) if e.meta.as_ref().unwrap().args[..2] == [arg0, arg1] => {
                    Some((o.clone(), e.clone()))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no exec {arg0} {arg1}"))
    };
    let input_of = |(op, e): &(pb::Op, pb::ExecOp), dest: &str| -> pb::Op {
        let m = e.mounts.iter().find(|m| m.dest == dest).unwrap();
        op_by_digest(&def, &op.inputs[m.input as usize].digest)
    };
    let local_attrs = |op: &pb::Op| -> std::collections::HashMap<String, String> {
        match &op.op {
            Some(pb::op::Op::Source(s)) => s.attrs.clone().into_iter().collect(),
            other => panic!("not a source: {other:?}"),
        }
    };
    // npm ci: on the build platform, its manifests through a copy (keyed on
    // content) of a transfer of package.json and the lockfile alone.
    let install = exec_of("npm", "ci");
    assert_eq!(install.0.platform.as_ref().unwrap().architecture, "amd64");
    let manifests = input_of(&install, "/ui");
    let Some(pb::op::Op::File(copy)) = &manifests.op else {
        panic!("the manifests are a copy")
    };
    assert_eq!(copy.actions.len(), 1);
    let transfer = op_by_digest(&def, &manifests.inputs[0].digest);
    assert_eq!(
        local_attrs(&transfer)["local.includepattern"],
        r#"["web/package.json","web/package-lock.json"]"#
    );
    assert!(
        install
            .1
            .mounts
            .iter()
            .any(|m| m.dest == "/root/.npm" && m.cache_opt.as_ref().unwrap().id == "gofront-npm")
    );
    // npm run build: the UI's folder alone, without node_modules and dist.
    let built = exec_of("npm", "run");
    let prepared = input_of(&built, "/ui");
    let sources = prepared
        .inputs
        .iter()
        .map(|i| op_by_digest(&def, &i.digest))
        .find(|op| matches!(&op.op, Some(pb::op::Op::Source(s)) if s.identifier.starts_with("local://")))
        .expect("the UI's sources are a transfer");
    let attrs = local_attrs(&sources);
    assert_eq!(attrs["local.includepattern"], r#"["web"]"#);
    assert_eq!(
        attrs["local.excludepatterns"],
        r#"["*.md","web/node_modules","web/dist"]"#
    );
    // go generate writes into a copy of the context with the UI's output;
    // go build mounts what it wrote, read-only.
    let generate = exec_of("go", "generate");
    assert_eq!(
        generate.1.meta.as_ref().unwrap().args,
        ["go", "generate", "./internal/..."]
    );
    let compile = exec_of("go", "build");
    let src = compile.1.mounts.iter().find(|m| m.dest == SRC).unwrap();
    assert!(src.readonly);
    let gen_digest = def
        .def
        .iter()
        .map(|b| llb::digest_of(b))
        .find(|d| {
            matches!(&op_by_digest(&def, d).op, Some(pb::op::Op::Exec(e)) if e.meta.as_ref().unwrap().args[..2] == ["go", "generate"])
        })
        .unwrap();
    assert_eq!(
        compile.0.inputs[src.input as usize].digest, gen_digest,
        "go build sees what go generate wrote"
    );
    // The generate exec's output is its /src mount.
    let Some(pb::op::Op::Exec(g)) = &op_by_digest(&def, &gen_digest).op else {
        unreachable!()
    };
    let out = g.mounts.iter().find(|m| m.dest == SRC).unwrap();
    assert!(!out.readonly && out.output >= 0);
    assert_eq!(compile.0.inputs[src.input as usize].index, out.output);
}

#[test]
fn golden_llb_build_info_and_vulncheck() {
    let p = plan("main: ./cmd/server\nupx: true\nvulncheck: fail\n", "1.2.3");
    insta::assert_snapshot!(
        "build_info",
        dump(&build_info_llb(&p, &options()).definition)
    );
    insta::assert_snapshot!(
        "vulncheck",
        dump(&vulncheck_llb(&p, &options()).unwrap().definition)
    );
}

/// The build info step reads the binary as `go build` made it (upx hides
/// the build info) and hashes the one the image ships; both are the very
/// steps of the image's graph, so the SBOM describes that image's bytes.
#[test]
fn the_sbom_reads_the_compiled_binary_and_hashes_the_shipped_one() {
    let p = plan("main: ./cmd/server\nupx: true\n", "1");
    let image = to_llb(&p, &options()).definition;
    let facts = build_info_llb(&p, &options()).definition;
    let (_, compile, compile_digest) = exec_op(&facts, &["go", "build"]);
    let (_, upx, upx_digest) = exec_op(&facts, &["upx"]);
    let (op, info, _) = exec_op(&facts, &["sh", "-c", crate::plan::BUILD_INFO_SCRIPT]);
    // The same compile and upx ops as the image's.
    assert!(
        image
            .def
            .iter()
            .any(|b| llb::digest_of(b) == compile_digest)
    );
    assert!(image.def.iter().any(|b| llb::digest_of(b) == upx_digest));
    let mount_from = |dest: &str| {
        let m = info.mounts.iter().find(|m| m.dest == dest).unwrap();
        op.inputs[m.input as usize].digest.clone()
    };
    assert_eq!(mount_from("/gofront-go/server"), compile_digest);
    assert_eq!(mount_from("/gofront-bin/server"), upx_digest);
    assert!(compile.meta.is_some() && upx.meta.is_some());
    // Nothing else is mounted writable but its own output.
    let outputs: Vec<&str> = info
        .mounts
        .iter()
        .filter(|m| m.output >= 0 && m.dest != "/")
        .map(|m| m.dest.as_str())
        .collect();
    assert_eq!(outputs, ["/gofront-buildinfo"]);
}

/// govulncheck is installed at its pin in a step of its own (cached once
/// per builder) and reads the source `go build` compiled, with the target's
/// GOOS/GOARCH and the database as one argv word, never in a shell string.
#[test]
fn vulncheck_runs_the_pinned_govulncheck_over_the_compiled_source() {
    let mut p = plan("main: ./cmd/server\nvulncheck: warn\n", "1");
    assert!(vulncheck_llb(&plan("main: ./cmd/server\n", "1"), &options()).is_none());
    let hostile = "https://db.example/$(id)';x";
    p.vulncheck.as_mut().unwrap().scan.argv[6] = format!("-db={hostile}");
    let def = vulncheck_llb(&p, &options()).unwrap().definition;
    let (_, install, _) = exec_op(&def, &["go", "install"]);
    let args = &install.meta.as_ref().unwrap().args;
    assert_eq!(
        args[2],
        format!(
            "golang.org/x/vuln/cmd/govulncheck@{}",
            crate::plan::GOVULNCHECK_VERSION
        )
    );
    let (op, scan, _) = exec_op(&def, &["sh", "-c", crate::plan::VULNCHECK_SCRIPT]);
    let meta = scan.meta.as_ref().unwrap();
    assert!(meta.args.contains(&format!("-db={hostile}")));
    assert!(!meta.args[2].contains(hostile));
    assert!(meta.env.iter().any(|e| e == "GOOS=linux"));
    assert_eq!(meta.args.last().unwrap(), "./cmd/server");
    // The source is the compile's, read-only.
    let image = to_llb(&p, &options()).definition;
    let (compile_op, compile, _) = exec_op(&image, &["go", "build"]);
    let src_of = |op: &pb::Op, e: &pb::ExecOp| {
        let m = e.mounts.iter().find(|m| m.dest == "/src").unwrap();
        (op.inputs[m.input as usize].digest.clone(), m.readonly)
    };
    assert_eq!(src_of(&op, &scan), src_of(&compile_op, &compile));
}
