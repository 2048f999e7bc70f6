//! One build, driven over the gateway: read the spec and the few context
//! files the plan needs, plan, resolve images, solve the graph, and hand back
//! the result with its image config.

use crate::convert;
use crate::gateway::{self, Bridge, Caps, Failure, Opts, Refs, fsutil_stat};
use crate::golang::{self as gomod, context_dir, package_clause};
use crate::image;
use crate::introspect;
use crate::lint;
use crate::llb::{self, ForeignDefinition, LocalOptions, OpOptions};
use crate::plan::{self, ContextSource, Inputs};
use crate::platform::Platform;
use crate::spec::{self, SpecError};
use crate::subrequest::{self, Request};

/// LLB features every gofront graph needs, and the BuildKit that has them.
const REQUIRED_LLB_CAPS: &[&str] = &[
    "source.image",
    "source.local",
    "source.local.includepatterns",
    "source.local.excludepatterns",
    "source.local.followpaths",
    "exec.mount.bind",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.bind.readwrite-nooutput",
    "file.base",
];
const REQUIRED_GATEWAY_CAPS: &[&str] = &[
    "solve.base",
    "readfile",
    "readdir",
    "resolveimage",
    "return",
];

/// What the build hands back for `Return`.
pub struct Outcome {
    pub refs: Refs,
    pub metadata: Vec<(String, Vec<u8>)>,
}

/// The spec file as read, kept for error locations.
struct SpecFile {
    name: String,
    text: String,
}

impl SpecFile {
    fn source(&self) -> subrequest::SourceFile<'_> {
        subrequest::SourceFile {
            filename: &self.name,
            data: self.text.as_bytes(),
            language: "YAML",
        }
    }

    /// A failure that points at `pos` in the spec, with an `errdefs.Source`
    /// detail so that clients which render it show the YAML excerpt.
    fn failure(&self, err: &SpecError) -> Failure {
        let mut f = Failure::new(err.to_string());
        if err.pos.line > 0 {
            f.details
                .push(subrequest::source_detail(&self.source(), err.pos));
        }
        f
    }
}

fn check_caps(caps: &Caps) -> Result<(), Failure> {
    let missing: Vec<&str> = REQUIRED_LLB_CAPS
        .iter()
        .filter(|c| !caps.has_llb(c))
        .chain(
            REQUIRED_GATEWAY_CAPS
                .iter()
                .filter(|c| !caps.has_gateway(c)),
        )
        .copied()
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "this BuildKit lacks {}; gofront needs BuildKit v0.8 (Docker 20.10) or later",
            missing.join(", ")
        )))
    }
}

/// The platform the builder runs on: the worker's first, as the Dockerfile
/// frontend picks it.
fn build_platform(caps: &Caps) -> Platform {
    if let Some(p) = caps.worker_platforms.first() {
        return Platform::new(&p.os, &p.architecture, &p.variant);
    }
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    Platform::new("linux", arch, "")
}

/// The platforms to build: `--platform` (a comma list), else the spec's
/// `platforms:`, else the build platform.
fn target_platforms(
    opts: &Opts,
    spec: &spec::Spec,
    build: &Platform,
) -> Result<Vec<Platform>, Failure> {
    let mut out: Vec<Platform> = Vec::new();
    match opts.get("platform").filter(|p| !p.trim().is_empty()) {
        Some(list) => {
            for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let p = Platform::parse(p).map_err(|e| Failure::new(format!("--platform: {e}")))?;
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        None if !spec.platforms.is_empty() => {
            out = spec.platforms.iter().map(|p| p.value.clone()).collect()
        }
        None => out.push(build.clone()),
    }
    Ok(out)
}

/// Whether the client asked for an image index even for one platform.
fn multi_platform_requested(opts: &Opts) -> bool {
    let truthy = |v: Option<&str>| matches!(v, Some("1" | "true" | "True" | "TRUE"));
    truthy(opts.get("multi-platform")) || truthy(opts.get("build-arg:BUILDKIT_MULTI_PLATFORM"))
}

/// Solve a small local source and return its ref.
/// Solve a small local source; its ref and the digest of its vertex.
async fn solve_local(
    bridge: &mut Bridge,
    name: &str,
    local: LocalOptions,
    platform: &Platform,
    progress: &str,
) -> Result<(String, String), Failure> {
    let state = llb::local(
        name,
        &local,
        platform,
        OpOptions::named(progress.to_string(), false),
    );
    let marshaled = llb::marshal(&state);
    let digest = marshaled.head.clone().unwrap_or_default();
    let reference = bridge.solve(marshaled.definition, false, progress).await?;
    Ok((reference, digest))
}

/// Solve a state; its ref and the digest of its vertex.
async fn solve_state(
    bridge: &mut Bridge,
    state: &llb::State,
    progress: &str,
) -> Result<(String, String), Failure> {
    let marshaled = llb::marshal(state);
    let digest = marshaled.head.clone().unwrap_or_default();
    let reference = bridge.solve(marshaled.definition, false, progress).await?;
    Ok((reference, digest))
}

/// Where the build context and the spec come from, as the client said.
struct Sources {
    context: ContextSource,
    /// The state holding the spec; `None`: the client's `dockerfile` local.
    spec: Option<llb::State>,
}

impl Sources {
    /// Docker 20.10 serves a context from stdin (`http://build-context-…`)
    /// for one read, which its Dockerfile frontend spends on the `# syntax`
    /// line: say so rather than "context not found".
    fn explain(&self, failure: Failure) -> Failure {
        match &self.context {
            ContextSource::Tarball { url }
                if url.starts_with("http://build-context-")
                    && failure.message.contains("context not found") =>
            {
                Failure {
                    message: format!(
                        "{} (Docker 20.10 sends a context on stdin only once, to its own Dockerfile frontend, so a frontend image cannot read it; hint: build the directory, `docker build -f gofront.yaml DIR`, or use `docker buildx build`)",
                        failure.message
                    ),
                    details: failure.details,
                }
            }
            _ => failure,
        }
    }

    /// As BuildKit's Dockerfile frontend decides (`dockerui.initContext`):
    /// a git or http(s) URL in the `context` opt is fetched by BuildKit and
    /// holds the spec too; otherwise frontend inputs named `context` and
    /// `dockerfile` (cap `frontend.inputs`) win over the client's locals.
    /// `dockerfilekey` forces the spec from that local in every case.
    async fn from_client(bridge: &mut Bridge, opts: &Opts, caps: &Caps) -> Result<Self, Failure> {
        let context_key = opts
            .get("contextkey")
            .filter(|k| !k.is_empty())
            .unwrap_or(convert::CONTEXT_LOCAL);
        let named = opts.get(context_key).unwrap_or_default();
        let local_spec = opts.get("dockerfilekey").is_some_and(|k| !k.is_empty());
        let keep_git = opts
            .get("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR")
            .and_then(plan::context::parse_bool);
        let context = if let Some(mut git) = plan::context::parse_git_url(named)
            .map_err(|e| Failure::new(format!("build context: {e}")))?
        {
            if let Some(keep) = keep_git {
                git.keep_git_dir |= keep;
            }
            ContextSource::Git(git)
        } else if plan::context::is_http_url(named) {
            ContextSource::Tarball {
                url: named.to_string(),
            }
        } else {
            ContextSource::Local
        };
        if context != ContextSource::Local {
            let spec = (!local_spec)
                .then(|| convert::context_source(&context, &[], "", &build_platform(caps), false));
            return Ok(Sources { context, spec });
        }
        if !caps.has_gateway(gateway::CAP_INPUTS) {
            return Ok(Sources {
                context,
                spec: None,
            });
        }
        let inputs = bridge.inputs().await?;
        let parse = |name: &str| -> Result<Option<ForeignDefinition>, Failure> {
            inputs
                .get(name)
                .map(|def| {
                    ForeignDefinition::parse(def).map_err(|e| {
                        Failure::new(format!("the client's frontend input {name:?}: {e}"))
                    })
                })
                .transpose()
        };
        let spec = match parse("dockerfile")? {
            Some(def) if !local_spec => Some(llb::State::from_foreign(&def)),
            _ => None,
        };
        let context = match parse(convert::CONTEXT_LOCAL)? {
            Some(definition) => ContextSource::Input {
                name: convert::CONTEXT_LOCAL.to_string(),
                definition,
            },
            None => ContextSource::Local,
        };
        Ok(Sources { context, spec })
    }
}

/// The names in the root of a solved ref.
async fn root_names(bridge: &mut Bridge, reference: &str) -> Result<Vec<String>, Failure> {
    Ok(bridge
        .read_dir(reference, "/")
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.path)
        .collect())
}

/// Check that each main package exists and is `package main`, so that a
/// typo fails with the spec line rather than with `go build`'s exit code.
async fn check_main_packages(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    file: &SpecFile,
) -> Result<(), Failure> {
    for binary in &spec.binaries {
        check_main_package(bridge, context_ref, spec, &binary.main, file).await?;
    }
    Ok(())
}

async fn check_main_package(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    main: &spec::Located<String>,
    file: &SpecFile,
) -> Result<(), Failure> {
    let in_context = context_dir(&spec.dir.value, &main.value);
    let dir = if in_context.is_empty() {
        "/"
    } else {
        in_context.as_str()
    };
    let shown = if spec.dir.value == "." {
        main.value.clone()
    } else {
        format!("{} (in {})", main.value, spec.dir.value)
    };
    let fail = |message: String, hint: &str| {
        file.failure(&SpecError {
            file: spec.file.clone(),
            pos: main.pos,
            message,
            hint: Some(hint.to_string()),
        })
    };
    let Some(entries) = bridge.read_dir(context_ref, dir).await? else {
        return Err(fail(
            format!("main: {shown} does not exist in the build context"),
            "check the path, and that .dockerignore does not exclude it",
        ));
    };
    let mut go_files: Vec<String> = entries
        .iter()
        .filter(|e| e.mode & fsutil_stat::MODE_DIR == 0)
        .map(|e| e.path.clone())
        .filter(|p| p.ends_with(".go") && !p.ends_with("_test.go"))
        .collect();
    go_files.sort();
    if go_files.is_empty() {
        return Err(fail(
            format!("main: {shown} has no .go files"),
            "point `main` at the directory of your main package, e.g. ./cmd/server",
        ));
    }
    let mut packages = Vec::new();
    // A few files are enough: every non-test file of a directory is in one package.
    for name in go_files.iter().take(3) {
        let path = if dir == "/" {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        let text = bridge.read_file(context_ref, &path, 4 << 20).await?;
        if let Some(pkg) = package_clause(&String::from_utf8_lossy(&text)) {
            if pkg == "main" {
                return Ok(());
            }
            packages.push(pkg);
        }
    }
    match packages.first() {
        Some(pkg) => Err(fail(
            format!("main: {shown} is package {pkg}, not a main package"),
            "`main` must name a directory whose files say `package main`",
        )),
        None => Ok(()),
    }
}

/// `add-hosts` as Docker and buildx send it: `host=ip` or `host:ip`, comma separated.
fn parse_extra_hosts(value: &str) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (host, ip) = entry
            .split_once('=')
            .or_else(|| entry.split_once(':'))
            .ok_or_else(|| Failure::new(format!("--add-host {entry}: expected HOST:IP")))?;
        if ip.parse::<std::net::IpAddr>().is_err() || host.is_empty() {
            return Err(Failure::new(format!(
                "--add-host {entry}: expected HOST:IP with an IP address"
            )));
        }
        out.push((host.to_string(), ip.to_string()));
    }
    Ok(out)
}

/// `force-network-mode` (`docker build --network`).
fn network_mode(opts: &Opts) -> Result<llb::Network, Failure> {
    match opts.get("force-network-mode").unwrap_or_default() {
        "" | "default" | "sandbox" => Ok(llb::Network::Default),
        "host" => Ok(llb::Network::Host),
        "none" => Ok(llb::Network::None),
        other => Err(Failure::new(format!(
            "--network {other}: gofront supports default, host and none"
        ))),
    }
}

/// Run one build.
pub async fn build(mut bridge: Bridge, opts: Opts) -> Result<Outcome, Failure> {
    let caps = bridge.ping().await?;
    check_caps(&caps)?;
    // Subrequests (`docker buildx build --call outline|targets|check`).
    let request = Request::from_opt(opts.get(subrequest::REQUEST_ID_OPT));
    match &request {
        Some(Request::Describe) => {
            return Ok(Outcome {
                refs: Refs::None,
                metadata: subrequest::describe(),
            });
        }
        Some(Request::Unsupported(name)) => return Err(subrequest::unsupported(name)),
        _ => {}
    }
    let cache_imports = opts.cache_imports().map_err(Failure::new)?;
    let cache_imported = !cache_imports.is_empty();
    bridge.import_caches(cache_imports);
    let session_id = std::env::var("BUILDKIT_SESSION_ID").unwrap_or_default();
    let build_platform = build_platform(&caps);

    // 1. Where the context and the spec come from, then the spec.
    let filename = opts
        .get("filename")
        .filter(|f| !f.is_empty())
        .unwrap_or("gofront.yaml")
        .to_string();
    let sources = Sources::from_client(&mut bridge, &opts, &caps).await?;
    let (spec_ref, spec_digest) = match &sources.spec {
        Some(state) => {
            solve_state(
                &mut bridge,
                state,
                &format!("[gofront] load spec {filename}"),
            )
            .await?
        }
        None => {
            let spec_local = opts
                .get("dockerfilekey")
                .filter(|k| !k.is_empty())
                .unwrap_or("dockerfile")
                .to_string();
            solve_local(
                &mut bridge,
                &spec_local,
                LocalOptions {
                    session_id: session_id.clone(),
                    shared_key_hint: spec_local.clone(),
                    follow_paths: vec![filename.clone()],
                    ..Default::default()
                },
                &build_platform,
                &format!("[gofront] load spec {filename}"),
            )
            .await?
        }
    };
    let bytes = bridge
        .read_file(&spec_ref, &filename, spec::MAX_SPEC_BYTES + 1)
        .await
        .map_err(|f| sources.explain(f))?;
    let display_name = filename.rsplit('/').next().unwrap_or(&filename).to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(format!("{display_name}: the spec is not UTF-8 text")))?;
    let file = SpecFile {
        name: display_name.clone(),
        text,
    };
    let spec = match spec::parse(&display_name, &file.text) {
        Ok(spec) => spec,
        // `--call check` reports a broken spec as its build error.
        Err(e) if request == Some(Request::Lint) => {
            let at = (e.pos.line > 0).then_some(e.pos);
            return Ok(Outcome {
                refs: Refs::None,
                metadata: subrequest::lint(&[], &file.source(), Some((&e.to_string(), at))),
            });
        }
        Err(e) => return Err(file.failure(&e)),
    };
    match request {
        Some(Request::Outline) => {
            return Ok(Outcome {
                refs: Refs::None,
                metadata: subrequest::outline(&introspect::outline(&spec), &file.source()),
            });
        }
        Some(Request::Targets) => {
            return Ok(Outcome {
                refs: Refs::None,
                metadata: subrequest::targets(&introspect::targets(&spec), &file.source()),
            });
        }
        _ => {}
    }

    // 2. .dockerignore, go.mod (in `dir`) and go.work: from a local
    //    context, a tiny transfer of just those files; a fetched context is
    //    fetched whole once, and read in place.
    let module_dir = context_dir(&spec.dir.value, ".");
    let gomod_path = context_dir(&spec.dir.value, "./go.mod");
    let fetched_ref = match &sources.context {
        ContextSource::Local => None,
        other => {
            let state = convert::context_source(other, &[], &session_id, &build_platform, false);
            Some(
                solve_state(&mut bridge, &state, "[gofront] load build context")
                    .await?
                    .0,
            )
        }
    };
    let meta_ref = match &fetched_ref {
        Some(reference) => reference.clone(),
        None => {
            solve_local(
                &mut bridge,
                convert::CONTEXT_LOCAL,
                LocalOptions {
                    session_id: session_id.clone(),
                    shared_key_hint: format!("{}-meta", convert::CONTEXT_LOCAL),
                    include_patterns: vec![
                        ".dockerignore".into(),
                        "go.work".into(),
                        gomod_path.clone(),
                    ],
                    ..Default::default()
                },
                &build_platform,
                "[gofront] load .dockerignore, go.mod and go.work",
            )
            .await?
            .0
        }
    };
    let names = root_names(&mut bridge, &meta_ref).await?;
    // As in the Dockerfile frontend, `.dockerignore` filters what a client
    // sends; a fetched context is used as it is.
    let excludes = if fetched_ref.is_none() && names.iter().any(|n| n == ".dockerignore") {
        let raw = bridge
            .read_file(&meta_ref, ".dockerignore", 16 << 20)
            .await?;
        plan::parse_dockerignore(&String::from_utf8_lossy(&raw))
    } else {
        Vec::new()
    };
    // Lint: the answer to `--call check`, and warnings during a build where
    // the daemon takes them (BuildKit v0.10+). Informational findings (an
    // undigested base) would make every check fail, so they are left to
    // `gofront check`.
    let skipped = lint::skip_directive(&file.text);
    let findings: Vec<lint::Finding> = lint::lint(
        &spec,
        &lint::Context {
            has_dockerignore: names.iter().any(|n| n == ".dockerignore"),
            text: Some(file.text.clone()),
        },
    )
    .into_iter()
    // Informational findings are left out; so are rules the spec skips
    // (`# check=skip=Rule`, as in a Dockerfile).
    .filter(|f| !f.informational && !skipped.iter().any(|r| r == f.rule || r == "all"))
    .collect();
    let warnings = introspect::warnings(&findings);
    if request == Some(Request::Lint) {
        return Ok(Outcome {
            refs: Refs::None,
            metadata: subrequest::lint(&warnings, &file.source(), None),
        });
    }
    if caps.has_warnings() {
        for w in &warnings {
            let (short, warn_opts) = subrequest::warning_for_build(w, &file.source());
            // A warning that cannot be shown must not fail the build.
            let _ = bridge.warn(&spec_digest, &short, warn_opts).await;
        }
    }

    let has_gomod = if module_dir.is_empty() {
        names.iter().any(|n| n == "go.mod")
    } else {
        bridge
            .read_dir(&meta_ref, &module_dir)
            .await?
            .is_some_and(|entries| entries.iter().any(|e| e.path == "go.mod"))
    };
    if !has_gomod {
        let message = if module_dir.is_empty() {
            "there is no go.mod at the root of the build context (hint: pass the module's directory as the context, e.g. `docker build -f svc/gofront.yaml svc`, set `dir:` to the module's folder, or run `go mod init`)".to_string()
        } else {
            return Err(file.failure(&SpecError {
                file: spec.file.clone(),
                pos: spec.dir.pos,
                message: format!("dir: there is no go.mod in {}", spec.dir.value),
                hint: Some("`dir` names the folder of a Go module inside the build context".into()),
            }));
        };
        return Err(Failure::new(message));
    }
    let raw = bridge.read_file(&meta_ref, &gomod_path, 1 << 20).await?;
    let gomod = gomod::parse(&String::from_utf8_lossy(&raw)).map_err(Failure::new)?;
    let gowork = if names.iter().any(|n| n == "go.work") {
        let raw = bridge.read_file(&meta_ref, "go.work", 1 << 20).await?;
        Some(gomod::parse_work(&String::from_utf8_lossy(&raw)).map_err(Failure::new)?)
    } else {
        None
    };

    // 3. The main package must exist and be `package main`.
    let context_ref = match fetched_ref {
        Some(reference) => reference,
        None => {
            let context = convert::context_source(
                &ContextSource::Local,
                &excludes,
                &session_id,
                &build_platform,
                false,
            );
            bridge
                .solve(
                    llb::marshal(&context).definition,
                    false,
                    "load build context",
                )
                .await?
        }
    };

    // 4. One plan per target platform. The builder and the dependency
    //    step are the same for all of them (build platform, same inputs), so
    //    BuildKit runs them once; only `go build` and the final stage differ.
    let targets = target_platforms(&opts, &spec, &build_platform)?;
    let multi = targets.len() > 1 || multi_platform_requested(&opts);
    if multi
        && !caps.has_llb("mergeop")
        && std::env::var("BUILDKIT_EXPORTEDPRODUCT").as_deref() == Ok("docker")
    {
        return Err(Failure::new(format!(
            "building several platforms at once ({}) needs an image index exporter: Docker's built-in BuildKit (older than v0.10 here) stores one platform per image (hint: use `docker buildx build` with a BuildKit v0.10+ builder, e.g. `docker buildx create --driver docker-container`, or build one platform at a time)",
            targets
                .iter()
                .map(Platform::id)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let network = network_mode(&opts)?;
    let extra_hosts = parse_extra_hosts(opts.get("add-hosts").unwrap_or_default())?;
    let mut plans = Vec::new();
    for target in &targets {
        let inputs = Inputs {
            build_args: opts.build_args(),
            labels: opts.labels(),
            build_platform: build_platform.clone(),
            target_platform: target.clone(),
            // `no-cache=` (empty) means every step; gofront has one stage.
            no_cache: opts.get("no-cache").is_some(),
            resolve_mode: opts
                .get("image-resolve-mode")
                .unwrap_or("default")
                .to_string(),
            session_id: session_id.clone(),
            context: sources.context.clone(),
            excludes: excludes.clone(),
            gomod: gomod.clone(),
            gowork: gowork.clone(),
            merge: caps.has_llb("mergeop"),
            contexts: opts.with_prefix("context:"),
            target: opts.get("target").unwrap_or_default().to_string(),
            vcs_revision: opts
                .get("vcs:revision")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            vcs_source: opts
                .get("vcs:source")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            network,
            extra_hosts: extra_hosts.clone(),
            cache_imported,
        };
        plans.push(plan::build(&spec, &inputs).map_err(|e| match e {
            plan::PlanError::Spec(se) => file.failure(&se),
            plan::PlanError::Other(m) => Failure::new(m),
        })?);
    }

    // 5. Image configs: the builder's env for the execs, each runtime's as
    //    the base of that platform's final config.
    //    Both are resolved while the main packages are checked: three
    //    independent round trips at once rather than one after another.
    let first = &plans[0];
    let (mut for_builder, mut for_runtime) = (bridge.clone(), bridge.clone());
    let (checked, builder_cfg, first_runtime) = tokio::join!(
        check_main_packages(&mut bridge, &context_ref, &spec, &file),
        resolve_config(&mut for_builder, Some(&first.builder), &first.resolve_mode),
        resolve_config(
            &mut for_runtime,
            first.runtime.as_ref(),
            &first.resolve_mode
        ),
    );
    checked?;
    let builder_cfg = builder_cfg?.expect("the builder is always resolved");
    let mut first_runtime = Some(first_runtime?);
    let source = llb::SourceFile {
        filename: file.name.clone(),
        data: file.text.clone().into_bytes(),
        language: "YAML".into(),
    };

    // 6. The tests first (once, natively on the build platform): a failing
    //    test stops the build before any image is produced.
    if let Some(test) = convert::test_llb(&plans[0], &builder_cfg.config.env, Some(&source)) {
        let definition = test.definition.clone();
        bridge
            .solve(test.definition, true, BUILD)
            .await
            .map_err(|f| explain_step_failure(f, &definition, &file.name))?;
    }
    if plans[0].target == plan::Target::Test {
        // `--target test` has nothing to export: an empty result.
        return Ok(Outcome {
            refs: Refs::Single(String::new()),
            metadata: Vec::new(),
        });
    }

    // 7. Solve each platform's graph now (evaluate), so a failing step comes
    //    back here and is reported through Return rather than after it.
    //    Platforms are solved one after another: `go build` already uses
    //    every core, and BuildKit v0.8 can crash on concurrent solves that
    //    share vertices (moby/moby#42414).
    let mut refs = Vec::new();
    let mut metadata = Vec::new();
    let mut platforms_meta = Vec::new();
    for plan in &plans {
        let runtime_cfg = match first_runtime.take() {
            Some(cfg) => cfg,
            None => resolve_config(&mut bridge, plan.runtime.as_ref(), &plan.resolve_mode).await?,
        };
        let marshaled = convert::to_llb(plan, &builder_cfg.config.env, Some(&source));
        let definition = marshaled.definition.clone();
        let reference = bridge
            .solve(marshaled.definition, true, BUILD)
            .await
            .map_err(|f| explain_step_failure(f, &definition, &file.name))?;
        let config = image::finalize(runtime_cfg, &plan.image);
        let config =
            serde_json::to_vec(&config).map_err(|e| Failure::new(format!("image config: {e}")))?;
        let target = &plan
            .image
            .platform
            .clone()
            .unwrap_or_else(|| build_platform.clone());
        let id = target.id();
        let suffix = if multi {
            format!("/{id}")
        } else {
            String::new()
        };
        metadata.push((format!("containerimage.config{suffix}"), config));
        if let Some(epoch) = plan.final_stage.timestamp {
            metadata.push((
                format!("source.date.epoch{suffix}"),
                epoch.to_string().into_bytes(),
            ));
        }
        platforms_meta.push(serde_json::json!({"ID": id, "Platform": target}));
        refs.push((id, reference));
    }
    // The platform table; exptypes.Platforms has no json tags, hence the
    // capitalized keys.
    metadata.push((
        "refs.platforms".to_string(),
        serde_json::to_vec(&serde_json::json!({ "Platforms": platforms_meta }))
            .expect("json serializes"),
    ));
    let refs = if multi {
        Refs::PerPlatform(refs)
    } else {
        Refs::Single(refs.remove(0).1)
    };
    Ok(Outcome { refs, metadata })
}

/// The config of an image of the plan (`None` for none, e.g. `scratch`).
async fn resolve_config(
    bridge: &mut Bridge,
    image: Option<&plan::ImageRef>,
    resolve_mode: &str,
) -> Result<Option<image::ImageConfig>, Failure> {
    let Some(image) = image else {
        return Ok(None);
    };
    let raw = bridge
        .resolve_image_config(&image.reference, &image.platform.to_pb(), resolve_mode)
        .await?;
    image::parse_base(&raw).map(Some).map_err(Failure::new)
}

/// What the graph's solve is called in errors before `explain_step_failure`
/// replaces it with the failed step.
const BUILD: &str = "[gofront] build";

/// The digest of the failed vertex, from BuildKit's `errdefs.Vertex` detail.
fn failed_vertex(f: &Failure) -> Option<String> {
    f.details
        .iter()
        .filter(|d| d.type_url.ends_with("errdefs.Vertex+json"))
        .find_map(|d| {
            let v: serde_json::Value = serde_json::from_slice(&d.value).ok()?;
            v.get("digest")?.as_str().map(str::to_string)
        })
}

/// Say which gofront step failed and which spec line made it, in front of
/// the daemon's message (Docker 20.10 does not print source excerpts).
fn explain_step_failure(
    mut f: Failure,
    def: &bollard_buildkit_proto::pb::Definition,
    file: &str,
) -> Failure {
    let step = failed_vertex(&f).and_then(|digest| {
        let name = def
            .metadata
            .get(&digest)?
            .description
            .get("llb.customname")?
            .clone();
        let line = def
            .source
            .as_ref()
            .and_then(|s| s.locations.get(&digest))
            .and_then(|l| l.locations.first())
            .and_then(|l| l.ranges.first())
            .and_then(|r| r.start.as_ref())
            .map(|p| p.line);
        Some((name, line))
    });
    let daemon = f
        .message
        .strip_prefix(BUILD)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&f.message)
        .to_string();
    // A required secret the client did not send: say how to send it.
    let hint = match daemon
        .split("secret ")
        .nth(1)
        .and_then(|r| r.split(" not found").next())
    {
        Some(id) if daemon.contains(" not found") => format!(
            "pass it with --secret id={id},src=FILE, e.g. --secret id=netrc,src=$HOME/.netrc"
        ),
        _ => "the step's output above shows why".to_string(),
    };
    f.message = match step {
        Some((name, line)) => {
            let name = name.trim_start_matches("[gofront] ");
            let at = line.map(|l| format!("{file}:{l}: ")).unwrap_or_default();
            format!("{at}{name} failed: {daemon} (hint: {hint})")
        }
        None => {
            format!("{BUILD} failed: {daemon} (hint: the step's output above shows why)")
        }
    };
    f
}

#[cfg(test)]
mod tests {
    use bollard_buildkit_proto::google::protobuf::Any;

    use super::*;
    use crate::spec::Pos;

    #[test]
    fn source_detail_is_buildkit_json() {
        let file = SpecFile {
            name: "gofront.yaml".into(),
            text: "main: x\n".into(),
        };
        let any = subrequest::source_detail(&file.source(), Pos { line: 1, column: 7 });
        assert_eq!(any.type_url, "github.com/moby/buildkit/errdefs.Source+json");
        let v: serde_json::Value = serde_json::from_slice(&any.value).unwrap();
        assert_eq!(v["info"]["filename"], "gofront.yaml");
        assert_eq!(v["ranges"][0]["start"]["line"], 1);
        assert_eq!(v["info"]["data"], "bWFpbjogeAo=");
    }

    #[test]
    fn a_failed_step_is_named_with_its_spec_line() {
        use bollard_buildkit_proto::pb;
        let mut def = pb::Definition::default();
        let mut meta = pb::OpMetadata::default();
        meta.description.insert(
            "llb.customname".into(),
            "[gofront] go build ./cmd/x (linux/amd64)".into(),
        );
        def.metadata.insert("sha256:abc".into(), meta);
        let at = |line| pb::Position { line, character: 0 };
        def.source = Some(pb::Source {
            locations: [(
                "sha256:abc".to_string(),
                pb::Locations {
                    locations: vec![pb::Location {
                        source_index: 0,
                        ranges: vec![pb::Range {
                            start: Some(at(3)),
                            end: Some(at(3)),
                        }],
                    }],
                },
            )]
            .into(),
            infos: vec![],
        });
        let mut f =
            Failure::new("[gofront] build: executor failed running [go build]: exit code: 1");
        f.details.push(Any {
            type_url: "github.com/moby/buildkit/errdefs.Vertex+json".into(),
            value: br#"{"digest":"sha256:abc"}"#.to_vec(),
        });
        let f = explain_step_failure(f, &def, "gofront.yaml");
        assert_eq!(
            f.message,
            "gofront.yaml:3: go build ./cmd/x (linux/amd64) failed: executor failed running [go build]: exit code: 1 (hint: the step's output above shows why)"
        );
        assert_eq!(f.details.len(), 1, "details are forwarded");
        let f = explain_step_failure(Failure::new("[gofront] build: boom"), &def, "gofront.yaml");
        assert!(f.message.starts_with("[gofront] build failed: boom"));
    }

    #[test]
    fn target_platforms_come_from_opts_then_spec_then_build() {
        let build = Platform::new("linux", "amd64", "");
        let spec = spec::parse("gofront.yaml", "platforms: [linux/arm64, linux/s390x]\n").unwrap();
        let opts = |v: &str| {
            Opts::from_pairs(vec![(
                "BUILDKIT_FRONTEND_OPT_0".to_string(),
                format!("platform={v}"),
            )])
        };
        let ids = |v: Vec<Platform>| v.iter().map(Platform::id).collect::<Vec<_>>();
        assert_eq!(
            ids(
                target_platforms(&opts("linux/arm/v7, linux/386,linux/arm/v7"), &spec, &build)
                    .unwrap()
            ),
            ["linux/arm/v7", "linux/386"]
        );
        assert_eq!(
            ids(target_platforms(&Opts::default(), &spec, &build).unwrap()),
            ["linux/arm64", "linux/s390x"]
        );
        let plain = spec::parse("gofront.yaml", "main: .\n").unwrap();
        assert_eq!(
            ids(target_platforms(&Opts::default(), &plain, &build).unwrap()),
            ["linux/amd64"]
        );
        assert!(
            target_platforms(&opts("linux"), &plain, &build)
                .unwrap_err()
                .message
                .contains("--platform")
        );
        let multi = Opts::from_pairs(vec![(
            "BUILDKIT_FRONTEND_OPT_0".to_string(),
            "multi-platform=true".to_string(),
        )]);
        assert!(multi_platform_requested(&multi));
        assert!(!multi_platform_requested(&Opts::default()));
    }
}
