//! The cache: what a rebuild after an edit runs again, layers mode,
//! `--no-cache`, a fresh runner importing `--cache-from`.

use crate::harness::*;

/// The edit loop: after a one-line edit, no module is downloaded and only
/// the edited package and its importers are compiled.
pub fn api_rebuild_after_an_edit_recompiles_only_what_changed(d: Daemon) {
    let ctx = copy_example("api");
    // A version unique to this run: the first build really compiles, so the
    // Go build cache mount holds this build's packages before the edit (a
    // `--no-cache` build elsewhere starts a fresh cache mount).
    let run_id = unique_tag("api").rsplit(':').next().unwrap().to_string();
    let version_value = format!("2.0.0-{run_id}");
    let version_arg = format!("VERSION={version_value}");
    let args = ["--build-arg", version_arg.as_str()];
    let img = Image::build(d, ctx.path(), "api", &args);
    let server = img.serve();
    let version: serde_json::Value = serde_json::from_str(&server.get("/version")).unwrap();
    assert_eq!(version["version"], version_value.as_str());
    let items: serde_json::Value = serde_json::from_str(&server.get("/items")).unwrap();
    assert_eq!(items["count"], 0);
    assert!(server.get("/metrics").contains("go_goroutines"));
    drop(server);

    // No change: everything is cached.
    let again = img.rebuild(&args);
    again.assert_ok();
    assert!(again.step("[gofront] go build").cached, "{}", again.log);

    // One-line edit in a leaf package.
    let greeting = edit_api_greeting(ctx.path());
    let b = img.rebuild(&args);
    b.assert_ok();
    assert!(
        b.step("[gofront] go mod download").cached,
        "go.mod did not change"
    );
    let compile = b.step("[gofront] go build");
    assert!(!compile.cached);
    assert!(
        !b.log.contains("go: downloading"),
        "no module is downloaded:\n{}",
        b.log
    );
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api"),
        "{compiled:?}"
    );
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/cmd/server"),
        "{compiled:?}"
    );
    assert!(
        !compiled
            .iter()
            .any(|p| p.starts_with("github.com/") || p.contains("internal/store")),
        "only the edited package and its importers: {compiled:?}"
    );
    assert!(img.serve().get("/").contains(&greeting));
}

/// Layers mode (what a build with `--cache-from` gets; forced here with
/// the build arg): after an edit the package list is made again, but it has
/// not changed, so BuildKit keys the precompile on the same content and
/// keeps it; `go build`'s cache mount, seeded from it, has every dependency
/// compiled. Also checks that both daemons take a seeded cache mount.
pub fn layers_mode_keeps_the_compiled_dependencies_through_an_edit(d: Daemon) {
    let ctx = copy_example("api");
    let args = ["--build-arg", "GOFRONT_CACHE=layers"];
    let img = Image::build(d, ctx.path(), "layers", &args);
    let precompiled = img
        .build
        .step("[gofront] compile the dependencies")
        .compiled_packages()
        .len();
    let greeting = edit_api_greeting(ctx.path());
    let b = img.rebuild(&args);
    b.assert_ok();
    assert!(!b.step("[gofront] list the packages").cached, "{}", b.log);
    assert!(
        b.step("[gofront] compile the dependencies").cached,
        "the same list keeps the precompile cached:\n{}",
        b.log
    );
    let compile = b.step("[gofront] go build");
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api")
            && compiled
                .iter()
                .all(|p| p.starts_with("example.com/gofront/examples/api")),
        "only the main module is compiled (of {precompiled} ahead): {compiled:?}\n{}",
        b.log
    );
    assert!(img.serve().get("/").contains(&greeting));
}

/// `--no-cache` re-runs the steps; without it a rebuild is fully cached.
pub fn no_cache_reruns_the_steps(d: Daemon) {
    let ctx = copy_example("hello");
    let img = Image::build(d, ctx.path(), "nocache", &[]);
    let cached = img.rebuild(&[]);
    assert!(cached.step("[gofront] go build").cached);
    let fresh = img.rebuild(&["--no-cache"]);
    fresh.assert_ok();
    assert!(!fresh.step("[gofront] go build").cached, "{}", fresh.log);
    assert!(!fresh.step("[gofront] go mod download").cached);
}

/// A fresh CI runner: the previous run exported its cache to the registry
/// (`--cache-to …,mode=max`), this one starts with an empty BuildKit and
/// imports it (`--cache-from`). A build that imports a cache keeps its
/// caches in layers: the module download keyed on go.mod/go.sum, and the
/// dependencies compiled ahead, keyed on the module files and the list of
/// imported packages. After an edit to a .go file both come from the
/// imported cache: no module is downloaded and only the main module is
/// compiled. (BuildKit imports a cache for a frontend's solves only when
/// the frontend names it in each.)
pub fn a_fresh_runner_takes_modules_and_compiled_dependencies_from_cache_from(d: Daemon) {
    let ctx = copy_example("api");
    let out = tempfile::tempdir().unwrap();
    let cache = format!("127.0.0.1:5000/e2e-cache/{}", unique_tag("ci"));
    // As CI configures it: every run imports the previous run's cache and
    // exports its own (the first finds none to import).
    let to = format!("--cache-to=type=registry,ref={cache},mode=max");
    let from = format!("--cache-from=type=registry,ref={cache}");
    prune_build_cache(d);
    let first = build_local(d, ctx.path(), "gofront.yaml", out.path(), &[&from, &to]);
    first.assert_ok();
    assert!(!first.step("[gofront] go mod download").cached);
    let precompile = first.step("[gofront] compile the dependencies");
    assert!(
        precompile.lines.iter().any(|l| l == "net/http"),
        "the standard library and the modules are compiled ahead:\n{}",
        first.log
    );
    // The next commit, on a runner whose BuildKit has no cache.
    let edited = edit_api_greeting(ctx.path());
    prune_build_cache(d);
    let second = build_local(d, ctx.path(), "gofront.yaml", out.path(), &[&from, &to]);
    second.assert_ok();
    for reused in [
        "[gofront] go mod download",
        "[gofront] compile the dependencies",
    ] {
        assert!(second.step(reused).reused(), "{reused}:\n{}", second.log);
    }
    // The edit itself is compiled, and only the main module's packages:
    // `go build -v` lists each package it compiles.
    let compile = second.step("[gofront] go build");
    assert!(!compile.reused(), "{}", second.log);
    let compiled = compile.compiled_packages();
    assert!(
        compiled.contains(&"example.com/gofront/examples/api/internal/api"),
        "{}",
        second.log
    );
    assert!(
        compiled
            .iter()
            .all(|p| p.starts_with("example.com/gofront/examples/api")),
        "only the main module is compiled: {compiled:?}"
    );
    let binary = std::fs::read(out.path().join("usr/local/bin/server")).unwrap();
    assert!(
        binary.windows(edited.len()).any(|w| w == edited.as_bytes()),
        "the binary lacks the edit"
    );
}
