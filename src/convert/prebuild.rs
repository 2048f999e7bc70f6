//! The steps before `go build`, each changing the source the Go steps see:
//!
//! ```text
//! package.json + lockfile ──► npm ci ──► + UI sources ──► npm run build ──(dist)──┐
//!        (node image, build platform; download cache mounts)                      ▼
//! build context ────────────────────────────────────────────────► context + dist ──► go generate ──► source
//! ```
//! The install is keyed on the manifests only, the build on the UI's folder
//! only: an edit to a .go file reruns neither, and a UI edit never reaches
//! the module download. `go generate` writes into a writable copy of the
//! source that only the Go steps mount: nothing of it reaches the image.

use crate::image::DEFAULT_PATH;
use crate::llb::{CacheSharing, CopyOptions, OpOptions, State};
use crate::plan::{GOCACHE, Plan, SRC, WEB_ROOT};

use super::context::context_subset;
use super::{GOCACHE_ID, Options, builder_exec, line_of, source_image, step_exec, with_modules};

/// The context with the web UI's output where the Go package embeds it
/// (the context itself when the spec has no `web`).
pub(super) fn with_web_ui(plan: &Plan, options: &Options, context: &State) -> State {
    let Some(web) = &plan.web else {
        return context.clone();
    };
    let platform = &web.image.platform;
    let node = source_image(
        &web.image,
        options,
        OpOptions::named(format!("[gofront] node {}", web.image.reference))
            .at(line_of(web.install.pos)),
    );
    // The node image's env (a mirror's npm settings, its CA setup), as a
    // Dockerfile `RUN` would have it; without it, the default PATH.
    let default_env = [format!("PATH={DEFAULT_PATH}")];
    let env: &[String] = if options.node_env.is_empty() {
        &default_env
    } else {
        &options.node_env
    };
    let shown = if web.dir.is_empty() {
        "the context's root".to_string()
    } else {
        web.dir.clone()
    };
    let manifests = context_subset(
        options,
        context,
        &web.manifest_files,
        &[],
        platform,
        &format!("{shown}'s package.json and lockfile"),
    );
    // The install writes node_modules beside the manifests, so they are its
    // output mount; BuildKit before v0.1x keys such a mount on its input's
    // identity, which for the client's directory changes with every build,
    // and keys a copy on the content it copies.
    let manifests = keyed_on_content(&manifests, platform, "package.json and lockfile");
    let mut install =
        step_exec(options, &node, &web.install, platform, env).mount_output(WEB_ROOT, &manifests);
    for (path, id) in &web.caches {
        // npm's, yarn's and pnpm's caches are safe for concurrent use.
        install = install.mount_cache(path, id, CacheSharing::Shared);
    }
    let installed = install
        .run()
        .mount(WEB_ROOT)
        .expect("the install step has an output mount");
    // A UI at the context's root takes the whole context (less the Go
    // files' edits it cannot tell apart): better in a folder of its own.
    let folder = if web.dir.is_empty() {
        Vec::new()
    } else {
        vec![web.dir.clone()]
    };
    let sources = context_subset(
        options,
        context,
        &folder,
        &web.excludes,
        platform,
        &format!("the web UI {shown}"),
    );
    let at = format!("/{}", web.dir);
    let prepared = installed
        .file()
        .copy(&sources, &at, &at, CopyOptions::default())
        .finish(
            platform,
            OpOptions::named(format!(
                "[gofront] the web UI {shown} beside its node_modules"
            )),
        );
    let mut build =
        step_exec(options, &node, &web.build, platform, env).mount_output(WEB_ROOT, &prepared);
    for (path, id) in &web.caches {
        build = build.mount_cache(path, id, CacheSharing::Shared);
    }
    let built = build
        .run()
        .mount(WEB_ROOT)
        .expect("the build step has an output mount");
    let into = format!("/{}", web.into);
    // A stale local copy of the output (one .dockerignore let through)
    // must not mix with the fresh one.
    context
        .file()
        .rm(&into)
        .copy(
            &built,
            &format!("/{}", web.output),
            &into,
            CopyOptions::default(),
        )
        .finish(
            platform,
            OpOptions::named(format!(
                "[gofront] the web UI's {} into {} for go:embed",
                web.output, web.into
            ))
            .at(line_of(web.build.pos)),
        )
}

/// The source after `go generate`, or `source` itself without `generate`.
pub(super) fn generated(plan: &Plan, options: &Options, ready: &State, source: &State) -> State {
    let Some(step) = &plan.generate else {
        return source.clone();
    };
    // `go generate` writes into the source: an output mount, keyed on the
    // source's content only through a copy (see `keyed_on_content`), the
    // same copy a Dockerfile's `COPY . .` makes.
    let source = keyed_on_content(source, &plan.builder.platform, "the source for go generate");
    let exec = builder_exec(plan, options, ready, step)
        .mount_output(SRC, &source)
        .mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared);
    with_modules(plan, exec)
        .run()
        .mount(SRC)
        .expect("the generate step has an output mount")
}

/// `state` copied into an empty tree: the same files, with a cache key made
/// of their content, for a step that writes into them.
fn keyed_on_content(state: &State, platform: &crate::platform::Platform, what: &str) -> State {
    State::scratch()
        .file()
        .copy(state, "/", "/", CopyOptions::default())
        .finish(platform, OpOptions::named(format!("[gofront] copy {what}")))
}
