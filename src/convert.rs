//! Plan → LLB: the optimized multi-stage graph.
//!
//! ```text
//! builder image ──► go mod download ──► go build ──(/out)──► stage ──► onto the runtime base
//!    (build platform)   ▲ go.mod/go.sum    ▲ context (read-only bind)
//!                                          └ GOCACHE cache mount
//! ```
//! The dependency step sees only go.mod/go.sum, so an edit to a .go file
//! does not re-run it; the compile step bind-mounts the context instead of
//! copying it into a layer and keeps Go's build cache in a cache mount, so
//! an edit recompiles only what changed. The final stage is file operations
//! only, so no step ever runs for the target platform (no emulation).
//!
//! Where the caches live depends on [`CacheMode`]: with mounts, the modules
//! are a cache mount too; with layers (a build that imports a cache), they
//! are the download step's layer, and the graph gains a precompile:
//!
//! ```text
//! go mod download ──► go list -deps ──(package list)──► go build <list> ──(GOCACHE layer)
//!   (modules: layer)     ▲ context                        ▲ go.mod/go.sum       │ seeds
//!                                                                          go build's GOCACHE
//! ```

use bollard_buildkit_proto::pb;

use crate::llb::{
    self, CacheSharing, CopyOptions, Exec, GitSource, LocalOptions, OpOptions, Owner, SourceFile,
    SourceRange, State,
};
use crate::plan::{
    BIN_DIR, CA_BUNDLE, ContextSource, DEPS_DIR, GOCACHE, GOMODCACHE, OUT, Plan, SRC,
    SSH_AGENT_SOCK, Step, TOOLBOX_DIR, Target, UPX_IN,
};
use crate::platform::Platform;
use crate::spec::Pos;

/// The build cache mount's id. Go's build cache is content-addressed and
/// safe to share between projects, platforms and concurrent builds.
pub const GOCACHE_ID: &str = "gofront-gocache";
/// The module cache mount's id (mounts mode); Go locks it for concurrent use.
pub const GOMODCACHE_ID: &str = "gofront-gomodcache";

/// The local name BuildKit clients use for the build context.
pub const CONTEXT_LOCAL: &str = "context";

/// The build context as a state: the client's directory minus
/// `.dockerignore` excludes, a git repository or tarball BuildKit fetches,
/// or a definition the client handed over.
pub fn context_source(
    context: &ContextSource,
    plan_excludes: &[String],
    session_id: &str,
    platform: &Platform,
    no_cache: bool,
) -> State {
    match context {
        ContextSource::Local => llb::local(
            CONTEXT_LOCAL,
            &LocalOptions {
                session_id: session_id.to_string(),
                shared_key_hint: CONTEXT_LOCAL.to_string(),
                exclude_patterns: plan_excludes.to_vec(),
                ..Default::default()
            },
            platform,
            OpOptions::named("[gofront] load build context", no_cache),
        ),
        ContextSource::Git(git) => {
            let host_path = format!("{}{}", git.host, git.path);
            let shown = if git.reference.is_empty() {
                host_path.clone()
            } else {
                format!("{host_path}#{}", git.reference)
            };
            let repo = llb::git(
                &GitSource {
                    remote: git.remote.clone(),
                    host_path,
                    reference: git.reference.clone(),
                    checksum: git.checksum.clone(),
                    keep_git_dir: git.keep_git_dir,
                    skip_submodules: !git.submodules,
                    ssh: git.scheme == "ssh",
                },
                platform,
                OpOptions::named(format!("[gofront] load git context {shown}"), no_cache),
            );
            if git.subdir.is_empty() {
                return repo;
            }
            // A copy rather than the source's `#ref:subdir`, which BuildKit
            // v0.8 refuses ("subdir not supported yet").
            State::scratch()
                .file()
                .copy(
                    &repo,
                    &format!("/{}/", git.subdir),
                    "/",
                    CopyOptions::default(),
                )
                .finish(
                    platform,
                    OpOptions::named(
                        format!("[gofront] git context folder {}", git.subdir),
                        no_cache,
                    ),
                )
        }
        ContextSource::Tarball { url } => {
            // Clients serve a context on stdin under these names.
            let shown = if url.starts_with("http://buildkit-session/")
                || url.starts_with("http://build-context-")
            {
                "the tarball the client sends"
            } else {
                url.as_str()
            };
            let archive = llb::http(
                url,
                TARBALL_FILE,
                platform,
                OpOptions::named(format!("[gofront] download context {shown}"), no_cache),
            );
            State::scratch()
                .file()
                .copy(
                    &archive,
                    &format!("/{TARBALL_FILE}"),
                    "/",
                    CopyOptions {
                        unpack: true,
                        ..Default::default()
                    },
                )
                .finish(
                    platform,
                    OpOptions::named("[gofront] unpack the context", no_cache),
                )
        }
        ContextSource::Input { definition, .. } => State::from_foreign(definition),
    }
}

/// The name the http source gives a downloaded context tarball.
const TARBALL_FILE: &str = "context";

/// Only the module files (go.mod, go.sum, go.work …): the input of the
/// dependency step, so that it re-runs only when they change.
fn gomod_source(plan: &Plan, context: &State) -> State {
    if plan.context != ContextSource::Local {
        // From a fetched context: a copy of each file. BuildKit keys a copy
        // on the content it copies, so an edit elsewhere keeps this cached.
        let mut files = State::scratch().file();
        for path in &plan.module_files {
            files = files.copy(
                context,
                &format!("/{path}"),
                &format!("/{path}"),
                CopyOptions {
                    optional: true,
                    ..Default::default()
                },
            );
        }
        return files.finish(
            &plan.builder.platform,
            OpOptions::named("[gofront] go.mod and go.sum", plan.no_cache),
        );
    }
    llb::local(
        CONTEXT_LOCAL,
        &LocalOptions {
            session_id: plan.session_id.clone(),
            shared_key_hint: format!("{CONTEXT_LOCAL}-gomod"),
            include_patterns: plan.module_files.clone(),
            exclude_patterns: plan.excludes.clone(),
            ..Default::default()
        },
        &plan.builder.platform,
        OpOptions::named("[gofront] load go.mod and go.sum", plan.no_cache),
    )
}

/// A plan step (go, apt or upx) as an exec in the builder, at the build
/// platform, with the builder image's env, the step's mounts for
/// credentials, and the build's network settings.
fn builder_exec(plan: &Plan, rootfs: &State, step: &Step, builder_env: &[String]) -> Exec {
    let mut exec = Exec::new(
        rootfs.clone(),
        step.argv.clone(),
        &plan.builder.platform,
        OpOptions::named(step.name.clone(), plan.no_cache).at(line_of(step.pos)),
    )
    .cwd(&step.cwd)
    .network(plan.network);
    for (host, ip) in &plan.extra_hosts {
        exec = exec.extra_host(host, ip);
    }
    for entry in builder_env {
        if let Some((k, v)) = entry.split_once('=') {
            exec = exec.env(k, v);
        }
    }
    for (k, v) in &step.env {
        exec = exec.env(k, v);
    }
    // Credentials are mounts: they never reach a layer or the cache key.
    for secret in &step.secrets {
        exec = exec.mount_secret(&secret.target, &secret.id, 0o400, false);
    }
    if step.ssh {
        exec = exec.mount_ssh(SSH_AGENT_SOCK, "default", false);
    }
    if let Some(known_hosts) = &step.known_hosts {
        let dir = State::scratch()
            .file()
            .mkfile(
                "/known_hosts",
                0o644,
                known_hosts.clone().into_bytes(),
                None,
                None,
            )
            .finish(
                &plan.builder.platform,
                OpOptions::named("[gofront] ssh known_hosts", plan.no_cache),
            );
        exec = exec.mount_readonly("/root/.ssh", &dir);
    }
    exec
}

/// The parts of the graph every target shares.
struct Toolchain {
    builder: State,
    /// The builder with the Debian packages added and the modules
    /// downloaded (into the layer, or in mounts mode into the cache mount).
    ready: State,
    context: State,
    /// go.mod, go.sum (and go.work …) alone.
    gomod: State,
}

/// The module cache mount on a Go step, unless the modules are a layer.
fn with_modules(plan: &Plan, exec: Exec) -> Exec {
    if plan.modules_in_layer {
        exec
    } else {
        exec.mount_cache(GOMODCACHE, GOMODCACHE_ID, CacheSharing::Shared)
    }
}

fn toolchain(plan: &Plan, builder_env: &[String]) -> Toolchain {
    let builder = llb::image(
        &plan.builder.reference,
        &plan.builder.platform,
        &plan.resolve_mode,
        OpOptions::named(
            format!("[gofront] builder {}", plan.builder.reference),
            plan.no_cache,
        ),
    );
    // Debian packages (C cross compiler, upx) first, at the build platform:
    // they do not change when the dependencies do.
    let mut ready = builder.clone();
    if !plan.apt_sources.is_empty() {
        let mut files = ready.file();
        for (path, contents) in &plan.apt_sources {
            files = files.mkfile(path, 0o644, contents.clone().into_bytes(), None, None);
        }
        ready = files.finish(
            &plan.builder.platform,
            OpOptions::named("[gofront] apt sources", plan.no_cache),
        );
    }
    for step in &plan.apt {
        ready = builder_exec(plan, &ready, step, builder_env).run().root;
    }
    // Dependencies: keyed on the module files only. In layers mode they
    // are downloaded into the step's own layer (GOMODCACHE is then in the
    // root filesystem): whenever this step is cached its modules are there
    // too, and the layer travels with `--cache-to`/`--cache-from` to CI
    // runners. The source is mounted writable-but-discarded so that `go
    // mod download` may touch go.sum without failing or reaching any layer.
    let context = context_source(
        &plan.context,
        &plan.excludes,
        &plan.session_id,
        &plan.builder.platform,
        plan.no_cache,
    );
    let gomod = gomod_source(plan, &context);
    let download = builder_exec(plan, &ready, &plan.download, builder_env)
        .mount_writable_discarded(SRC, &gomod);
    let ready = with_modules(plan, download).run().root;
    Toolchain {
        builder,
        ready,
        context,
        gomod,
    }
}

/// The graph of `go test`, or `None` when the spec has no tests. It is
/// solved before the image graph, so a failing test stops the build.
pub fn test_llb(
    plan: &Plan,
    builder_env: &[String],
    source: Option<&SourceFile>,
) -> Option<llb::Marshaled> {
    let step = plan.test.as_ref()?;
    let t = toolchain(plan, builder_env);
    let tested = builder_exec(plan, &t.ready, step, builder_env)
        .mount_readonly(SRC, &t.context)
        .mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared);
    let tested = with_modules(plan, tested).run();
    Some(llb::marshal_with_source(&tested.root, source))
}

/// Build the graph of the image (or of the `binary`/`debug` target).
/// `builder_env` is the builder image's `Env`, which the execs inherit as a
/// Dockerfile `RUN` would. `source` is the spec file: a failing step is then
/// reported by BuildKit with the spec lines that made it (`main:` for
/// `go build`).
pub fn to_llb(plan: &Plan, builder_env: &[String], source: Option<&SourceFile>) -> llb::Marshaled {
    let t = toolchain(plan, builder_env);
    let f = &plan.final_stage;
    let root = Owner { uid: 0, gid: 0 };
    let target_platform = plan
        .runtime
        .as_ref()
        .map(|r| r.platform.clone())
        .or_else(|| plan.image.platform.clone())
        .unwrap_or_else(|| plan.builder.platform.clone());

    // Everything gofront adds is first laid out in a staging tree, then
    // copied onto the base in one copy. A copy sets the mtime of every file
    // *and directory* it writes, so with SOURCE_DATE_EPOCH the layer is
    // byte-identical from build to build (writing files straight into the
    // base would leave their parent directories with the current time).
    let mut staging = State::scratch().file();
    if plan.target != Target::Binary {
        staging = staging.mkdir(BIN_DIR, 0o755, Some(root), f.timestamp);
    }
    if f.ca_certificates || f.passwd.is_some() {
        staging = staging.mkdir("/etc/ssl/certs", 0o755, Some(root), f.timestamp);
    }
    if f.ca_certificates {
        staging = staging.copy(
            &t.builder,
            CA_BUNDLE,
            CA_BUNDLE,
            CopyOptions {
                mode: Some(0o644),
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    if let Some((passwd, group)) = &f.passwd {
        staging = staging
            .mkfile(
                "/etc/passwd",
                0o644,
                passwd.clone().into_bytes(),
                Some(root),
                f.timestamp,
            )
            .mkfile(
                "/etc/group",
                0o644,
                group.clone().into_bytes(),
                Some(root),
                f.timestamp,
            );
    }
    if let Some(dir) = &f.workdir {
        staging = staging.mkdir(dir, 0o755, Some(root), f.timestamp);
    }
    for file in &f.files {
        // The parent is made first, 0755 root: a copy that creates it would
        // give it the file's mode (BuildKit ≥ v0.1x), and a 0444 directory
        // cannot be entered.
        if let Some((parent, _)) = file.dst.rsplit_once('/').filter(|(p, _)| !p.is_empty()) {
            staging = staging.mkdir(parent, 0o755, Some(root), f.timestamp);
        }
        staging = staging.copy(
            &t.context,
            &format!("/{}", file.src),
            &file.dst,
            CopyOptions {
                mode: file.mode.map(|m| m as i32),
                owner: Some(Owner {
                    uid: file.owner.0,
                    gid: file.owner.1,
                }),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    if let Some(toolbox) = &f.toolbox {
        let image = llb::image(
            &toolbox.reference,
            &toolbox.platform,
            &plan.resolve_mode,
            OpOptions::named(
                format!("[gofront] debug toolbox {}", toolbox.reference),
                plan.no_cache,
            ),
        );
        staging = staging.copy(
            &image,
            "/bin",
            TOOLBOX_DIR,
            CopyOptions {
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    // Layers mode: the dependencies compiled ahead, each into a GOCACHE
    // layer. Only the package list (read-only, so BuildKit keys it on its
    // content) and the module files feed the compile, so it stays cached
    // through every edit that keeps the imports.
    let precompiled: Vec<State> = plan
        .precompiles
        .iter()
        .map(|p| {
            let list = builder_exec(plan, &t.ready, &p.list, builder_env)
                .mount_readonly(SRC, &t.context)
                .mount_output(DEPS_DIR, &State::scratch())
                .run()
                .mount(DEPS_DIR)
                .expect("the list step has an output mount");
            builder_exec(plan, &t.ready, &p.build, builder_env)
                .mount_writable_discarded(SRC, &t.gomod)
                .mount_readonly(DEPS_DIR, &list)
                .mount_output(GOCACHE, &State::scratch())
                .run()
                .mount(GOCACHE)
                .expect("the precompile step has an output mount")
        })
        .collect();
    for (compile, (name, path)) in plan.compiles.iter().zip(&f.binaries) {
        let exec = builder_exec(plan, &t.ready, &compile.step, builder_env)
            .mount_readonly(SRC, &t.context)
            .mount_output(OUT, &State::scratch());
        let exec = match compile.precompiled {
            // The build cache starts from the precompiled layer: one cache
            // directory per such layer, shared by the builds that use it.
            Some(i) => {
                exec.mount_cache_seeded(GOCACHE, GOCACHE_ID, CacheSharing::Shared, &precompiled[i])
            }
            None => exec.mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared),
        };
        let compiled = with_modules(plan, exec).run();
        let mut out = compiled
            .mount(OUT)
            .expect("the compile step has an output mount");
        if let Some(upx) = &compile.upx {
            out = builder_exec(plan, &t.ready, upx, builder_env)
                .mount_readonly(UPX_IN, &out)
                .mount_output(OUT, &State::scratch())
                .run()
                .mount(OUT)
                .expect("the upx step has an output mount");
        }
        staging = staging.copy(
            &out,
            &format!("/{name}"),
            path,
            CopyOptions {
                mode: Some(0o755),
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    let staged = staging.finish(
        &target_platform,
        OpOptions::named("[gofront] stage the image files", plan.no_cache),
    );
    // Copy the whole staged tree onto `onto`. A copy sets the mtime of every
    // file *and directory* it writes (to SOURCE_DATE_EPOCH when set), which
    // writing into a directory does not.
    let copy_tree = |onto: &State, name: String| {
        onto.file()
            .copy(
                &staged,
                "/",
                "/",
                CopyOptions {
                    timestamp: f.timestamp,
                    ..Default::default()
                },
            )
            .finish(&target_platform, OpOptions::named(name, plan.no_cache))
    };
    let layer = match f.timestamp {
        Some(_) => copy_tree(
            &State::scratch(),
            "[gofront] stamp the files with SOURCE_DATE_EPOCH".into(),
        ),
        None => staged.clone(),
    };
    let image = match (&plan.runtime, plan.merge) {
        // Scratch (and the binary target): the staged tree is the image.
        (None, _) => layer,
        (Some(r), merge) => {
            let base = llb::image(
                &r.reference,
                &r.platform,
                &plan.resolve_mode,
                OpOptions::named(
                    format!("[gofront] runtime {} ({})", r.reference, r.platform),
                    plan.no_cache,
                )
                .at(line_of(f.pos)),
            );
            if merge {
                // The binaries' layer does not depend on the base: a new
                // base reuses it, and a new binary reuses the base's layers.
                State::merge(
                    &[base, layer],
                    &target_platform,
                    OpOptions::named(
                        "[gofront] layer the files onto the runtime image",
                        plan.no_cache,
                    ),
                )
            } else {
                // BuildKit before v0.10 has no MergeOp: copy the tree onto the base.
                copy_tree(&base, f.name.clone())
            }
        }
    };
    llb::marshal_with_source(&image, source)
}

fn line_of(pos: Option<Pos>) -> Option<SourceRange> {
    pos.map(|p| SourceRange {
        start_line: p.line,
        end_line: p.line,
    })
}

/// A readable dump of a definition for golden tests and `gofront render`:
/// one block per op in graph order, with its digest, progress name and caps.
pub fn dump(def: &pb::Definition) -> String {
    use prost::Message;
    let mut out = String::new();
    for bytes in &def.def {
        let digest = llb::digest_of(bytes);
        let op = match pb::Op::decode(bytes.as_slice()) {
            Ok(op) => op,
            Err(e) => {
                out.push_str(&format!("{digest}: undecodable op: {e}\n"));
                continue;
            }
        };
        out.push_str(&format!("# {digest}\n"));
        if let Some(meta) = def.metadata.get(&digest) {
            if let Some(name) = meta.description.get("llb.customname") {
                out.push_str(&format!("# name: {name}\n"));
            }
            let caps: Vec<&str> = meta.caps.keys().map(String::as_str).collect();
            out.push_str(&format!("# caps: {}\n", caps.join(", ")));
            if meta.ignore_cache {
                out.push_str("# ignore_cache\n");
            }
        }
        out.push_str(&format!("{op:#?}\n\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::plan::{GOMODCACHE, Inputs, build};
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
            resolve_mode: "default".into(),
            session_id: "session".into(),
            excludes: vec!["*.md".into()],
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

    fn env() -> Vec<String> {
        ENV.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn two_compiles_give_byte_identical_definitions() {
        let yaml = include_str!("../examples/api/gofront.yaml");
        let a = to_llb(&plan(yaml, "1.0"), &env(), None)
            .definition
            .encode_to_vec();
        let b = to_llb(&plan(yaml, "1.0"), &env(), None)
            .definition
            .encode_to_vec();
        assert_eq!(a, b);
        let c = to_llb(&plan(yaml, "1.1"), &env(), None)
            .definition
            .encode_to_vec();
        assert_ne!(a, c, "the version is part of the graph");
    }

    #[test]
    fn no_exec_runs_for_the_target_platform_and_shells_run_only_fixed_scripts() {
        for cache_imported in [false, true] {
            let mut p = plan_in("main: ./cmd/server\n", "1", cache_imported);
            p.runtime.as_mut().unwrap().platform =
                crate::platform::Platform::new("linux", "arm64", "");
            let def = to_llb(&p, &env(), None).definition;
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
        let def = to_llb(&plan("main: .\n", "1"), &env(), None).definition;
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
        assert!(locals.iter().all(
            |s| s.attrs.get("local.excludepatterns").map(String::as_str) == Some(r#"["*.md"]"#)
        ));
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
        let mut p = plan("main: .\n", "1");
        p.context = ContextSource::Git(
            crate::plan::context::parse_git_url(
                "https://git.example.com/org/mono.git#main:services/api",
            )
            .unwrap()
            .unwrap(),
        );
        let def = to_llb(&p, &env(), None).definition;
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
                Some(pb::file_action::Action::Copy(c)) => {
                    Some((c.src.clone(), c.allow_empty_wildcard))
                }
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
        let mut p = plan("main: .\n", "1");
        p.context = ContextSource::Input {
            name: "context".into(),
            definition: llb::ForeignDefinition::parse(&theirs.definition).unwrap(),
        };
        let def = to_llb(&p, &env(), None).definition;
        assert!(def.def.contains(&theirs.definition.def[0]));
        assert_eq!(Some(mount_input(&def, ["go", "build"], SRC)), theirs.head);
    }

    #[test]
    fn golden_llb_api() {
        let def = to_llb(
            &plan(include_str!("../examples/api/gofront.yaml"), "1.2.3"),
            &env(),
            None,
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
            &env(),
            None,
        )
        .definition;
        insta::assert_snapshot!(dump(&def));
    }

    fn final_op(p: &Plan) -> pb::Op {
        let marshaled = to_llb(p, &env(), None);
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
        let mut p = plan("main: .\n", "1");
        p.merge = true;
        let op = final_op(&p);
        match &op.op {
            Some(pb::op::Op::Merge(m)) => assert_eq!(m.inputs.len(), 2),
            other => panic!("expected a merge, got {other:?}"),
        }
        p.merge = false;
        assert!(
            matches!(final_op(&p).op, Some(pb::op::Op::File(_))),
            "a copy without MergeOp"
        );
        // On scratch the staged files are the image, on any daemon.
        let mut s = plan("runtime: scratch\n", "1");
        s.merge = true;
        assert!(matches!(final_op(&s).op, Some(pb::op::Op::File(_))));
        let def = to_llb(&p, &env(), None).definition;
        assert!(
            !def.metadata
                .values()
                .any(|m| m.caps.contains_key("mergeop"))
        );
        p.merge = true;
        let def = to_llb(&p, &env(), None).definition;
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
                    Some(pb::op::Op::Exec(e))
                        if e.meta.as_ref().unwrap().args.starts_with(&args) =>
                    {
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
        let def = to_llb(&plan("main: .\n", "1"), &env(), None).definition;
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
        let def = to_llb(&plan_in("main: .\n", "1", true), &env(), None).definition;
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
        let (pre_op, pre, pre_digest) =
            exec_op(&def, &["sh", "-c", crate::plan::PRECOMPILE_SCRIPT]);
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
            &plan_in(include_str!("../examples/api/gofront.yaml"), "1.2.3", true),
            &env(),
            None,
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
        let mut p = plan(FULL, "1");
        p.network = crate::llb::Network::Host;
        p.extra_hosts = vec![("git.corp.example".into(), "127.0.0.1".into())];
        insta::assert_snapshot!(dump(&to_llb(&p, &env(), None).definition));
        insta::assert_snapshot!(
            "golden_llb_full_featured_test",
            dump(&test_llb(&p, &env(), None).unwrap().definition)
        );
    }

    #[test]
    fn credentials_are_mounts_of_the_download_step_only() {
        let mut p = plan(FULL, "1");
        p.network = crate::llb::Network::Host;
        let def = to_llb(&p, &env(), None).definition;
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
        let op = final_op(&p);
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
}
