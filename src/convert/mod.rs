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
//! Where the caches live depends on [`crate::plan::CacheMode`]: with mounts, the modules
//! are a cache mount too; with layers (a build that imports a cache), they
//! are the download step's layer, and the graph gains a precompile:
//!
//! ```text
//! go mod download ──► go list -deps ──(package list)──► go build <list> ──(GOCACHE layer)
//!   (modules: layer)     ▲ context                        ▲ go.mod/go.sum       │ seeds
//!                                                                          go build's GOCACHE
//! ```

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use crate::llb::{
    self, CacheSharing, Exec, ForeignDefinition, MarshalOptions, Network, OpOptions, SourceRange,
    State,
};
use crate::plan::{
    DEPS_DIR, GOCACHE, GOMODCACHE, OUT, Plan, SRC, SSH_AGENT_SOCK, SourceImage, Step, UPX_IN,
};
use crate::request::{BuildRequest, ContextSource};
use crate::spec::Pos;

mod attest;
mod context;
mod dump;
mod image;
mod prebuild;

pub use attest::{build_info_llb, files_llb, vulncheck_llb};
pub use context::context_source;
pub use dump::{dump, ops};

/// The build cache mount's id. Go's build cache is content-addressed and
/// safe to share between projects, platforms and concurrent builds.
pub const GOCACHE_ID: &str = "gofront-gocache";
/// The module cache mount's id (mounts mode); Go locks it for concurrent use.
pub const GOMODCACHE_ID: &str = "gofront-gomodcache";

/// How the plan is to be run, beside the plan itself (railpack's
/// `ConvertPlanOptions`): what the request and the daemon say, never
/// what the build is. The client assembles it once per build.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Where the build context comes from.
    pub context: ContextSource,
    /// `.dockerignore` patterns for a context the client sends.
    pub excludes: Vec<String>,
    pub session_id: String,
    /// BuildKit's `image-resolve-mode` (`default`, `pull`, `local`).
    pub resolve_mode: String,
    /// `--no-cache`: applied to every op when the graph is marshaled.
    pub no_cache: bool,
    /// Layer the binaries onto the base with MergeOp (else a copy).
    pub merge: bool,
    pub network: Network,
    pub extra_hosts: Vec<(String, String)>,
    /// The builder image's `Env`, which the execs inherit as a Dockerfile
    /// `RUN` would.
    pub builder_env: Vec<String>,
    /// The node image's `Env`, for the web UI's steps (empty: the default
    /// PATH).
    pub node_env: Vec<String>,
    /// The spec file: a failing step is then reported by BuildKit with the
    /// spec lines that made it (`main:` for `go build`).
    pub source: Option<pb::SourceInfo>,
    /// Frontend inputs the plan's images name (other builds' results), by
    /// name.
    pub inputs: BTreeMap<String, ForeignDefinition>,
}

impl Options {
    /// How the plans of `request` run: `excludes` are the context's
    /// `.dockerignore` patterns, `builder_env` the builder image's `Env`,
    /// `source` the spec for the source map.
    pub fn for_request(
        request: &BuildRequest,
        excludes: Vec<String>,
        builder_env: Vec<String>,
        source: Option<pb::SourceInfo>,
    ) -> Options {
        Options {
            context: request.context.clone(),
            excludes,
            session_id: request.session_id.clone(),
            resolve_mode: request.resolve_mode.clone(),
            no_cache: request.no_cache,
            merge: request.daemon.merge,
            network: request.network,
            extra_hosts: request.extra_hosts.clone(),
            builder_env,
            node_env: Vec::new(),
            source,
            inputs: BTreeMap::new(),
        }
    }

    fn marshal(&self, state: &State) -> llb::Marshaled {
        llb::marshal_with(
            state,
            &MarshalOptions {
                ignore_cache: self.no_cache,
                source: self.source.clone(),
            },
        )
    }
}

/// The graph of `go test`, or `None` when the spec has no tests. It is
/// solved before the image graph, so a failing test stops the build.
pub fn test_llb(plan: &Plan, options: &Options) -> Option<llb::Marshaled> {
    let step = plan.test.as_ref()?;
    let t = toolchain(plan, options);
    let tested = builder_exec(plan, options, &t.ready, step)
        .mount_readonly(SRC, &t.source)
        .mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared);
    let tested = with_modules(plan, tested).run();
    Some(options.marshal(&tested.root))
}

/// Build the graph of the image (or of the `binary`/`debug` target).
pub fn to_llb(plan: &Plan, options: &Options) -> llb::Marshaled {
    let t = toolchain(plan, options);
    let precompiled = precompiled_dependencies(plan, options, &t);
    let binaries: Vec<State> = plan
        .compiles
        .iter()
        .map(|compile| compiled_binary(plan, options, &t, compile, &precompiled).shipped)
        .collect();
    let image = image::final_image(plan, options, &t, &binaries);
    options.marshal(&image)
}

/// The parts of the graph every target shares.
struct Toolchain {
    builder: State,
    /// The builder with the Debian packages added and the modules
    /// downloaded (into the layer, or in mounts mode into the cache mount).
    ready: State,
    /// The build context as the client sent it: what `files:` copies.
    context: State,
    /// The context the Go steps compile: with the web UI's output and
    /// what `go generate` wrote.
    source: State,
    /// go.mod, go.sum (and go.work …) alone.
    gomod: State,
}

fn toolchain(plan: &Plan, options: &Options) -> Toolchain {
    let builder = source_image(
        &plan.builder,
        options,
        OpOptions::named(format!("[gofront] builder {}", plan.builder.reference)),
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
            OpOptions::named("[gofront] apt sources"),
        );
    }
    for step in &plan.apt {
        ready = builder_exec(plan, options, &ready, step).run().root;
    }
    // Dependencies: keyed on the module files only. In layers mode they
    // are downloaded into the step's own layer (GOMODCACHE is then in the
    // root filesystem): whenever this step is cached its modules are there
    // too, and the layer travels with `--cache-to`/`--cache-from` to CI
    // runners. The source is mounted writable-but-discarded so that `go
    // mod download` may touch go.sum without failing or reaching any layer.
    let context = context_source(
        &options.context,
        &options.excludes,
        &options.session_id,
        &plan.builder.platform,
    );
    let gomod = context::gomod_source(plan, options, &context);
    let download =
        builder_exec(plan, options, &ready, &plan.download).mount_writable_discarded(SRC, &gomod);
    let ready = with_modules(plan, download).run().root;
    let source = prebuild::with_web_ui(plan, options, &context);
    let source = prebuild::generated(plan, options, &ready, &source);
    Toolchain {
        builder,
        ready,
        context,
        source,
        gomod,
    }
}

/// An image of the graph: pulled, or another build's result that the client
/// handed over (kept byte for byte).
fn source_image(image: &SourceImage, options: &Options, op: OpOptions) -> State {
    match &image.input {
        // The client checks that every input the plan names was sent.
        Some(name) => options
            .inputs
            .get(name)
            .map(State::from_foreign)
            .unwrap_or_else(State::scratch),
        None => llb::image(&image.reference, &image.platform, &options.resolve_mode, op),
    }
}

/// A plan step (go, apt or upx) as an exec in the builder, at the build
/// platform, with the builder image's env, the step's mounts for
/// credentials, and the build's network settings.
fn builder_exec(plan: &Plan, options: &Options, rootfs: &State, step: &Step) -> Exec {
    step_exec(
        options,
        rootfs,
        step,
        &plan.builder.platform,
        &options.builder_env,
    )
}

/// A plan step as an exec on `rootfs` (an image of the build platform)
/// whose env starts from `image_env`.
fn step_exec(
    options: &Options,
    rootfs: &State,
    step: &Step,
    platform: &crate::platform::Platform,
    image_env: &[String],
) -> Exec {
    let mut exec = Exec::new(
        rootfs.clone(),
        step.argv.clone(),
        platform,
        OpOptions::named(step.name.clone()).at(line_of(step.pos)),
    )
    .cwd(&step.cwd)
    .network(options.network);
    for (host, ip) in &options.extra_hosts {
        exec = exec.extra_host(host, ip);
    }
    for entry in image_env {
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
            .finish(platform, OpOptions::named("[gofront] ssh known_hosts"));
        exec = exec.mount_readonly("/root/.ssh", &dir);
    }
    exec
}

/// The module cache mount on a Go step, unless the modules are a layer.
fn with_modules(plan: &Plan, exec: Exec) -> Exec {
    if plan.modules_in_layer {
        exec
    } else {
        exec.mount_cache(GOMODCACHE, GOMODCACHE_ID, CacheSharing::Shared)
    }
}

/// Layers mode: the dependencies compiled ahead, each into a GOCACHE
/// layer. Only the package list (read-only, so BuildKit keys it on its
/// content) and the module files feed the compile, so it stays cached
/// through every edit that keeps the imports.
fn precompiled_dependencies(plan: &Plan, options: &Options, t: &Toolchain) -> Vec<State> {
    plan.precompiles
        .iter()
        .map(|p| {
            let list = builder_exec(plan, options, &t.ready, &p.list)
                .mount_readonly(SRC, &t.source)
                .mount_output(DEPS_DIR, &State::scratch())
                .run()
                .mount(DEPS_DIR)
                .expect("the list step has an output mount");
            builder_exec(plan, options, &t.ready, &p.build)
                .mount_writable_discarded(SRC, &t.gomod)
                .mount_readonly(DEPS_DIR, &list)
                .mount_output(GOCACHE, &State::scratch())
                .run()
                .mount(GOCACHE)
                .expect("the precompile step has an output mount")
        })
        .collect()
}

/// One binary: each state holds it alone, at `/<name>`.
struct Binary {
    /// As `go build` made it, with its Go build info.
    built: State,
    /// As the image ships it: after `upx`, when asked for.
    shipped: State,
}

/// One `go build` (and `upx`, when asked for).
fn compiled_binary(
    plan: &Plan,
    options: &Options,
    t: &Toolchain,
    compile: &crate::plan::Compile,
    precompiled: &[State],
) -> Binary {
    let exec = builder_exec(plan, options, &t.ready, &compile.step)
        .mount_readonly(SRC, &t.source)
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
    let built = compiled
        .mount(OUT)
        .expect("the compile step has an output mount");
    let shipped = match &compile.upx {
        Some(upx) => builder_exec(plan, options, &t.ready, upx)
            .mount_readonly(UPX_IN, &built)
            .mount_output(OUT, &State::scratch())
            .run()
            .mount(OUT)
            .expect("the upx step has an output mount"),
        None => built.clone(),
    };
    Binary { built, shipped }
}

fn line_of(pos: Option<Pos>) -> Option<SourceRange> {
    pos.map(|p| SourceRange {
        start_line: p.line,
        end_line: p.line,
    })
}

#[cfg(test)]
mod tests;
