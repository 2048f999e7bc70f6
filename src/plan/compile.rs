//! The Go steps that make binaries: one `go build` per binary (and `upx`),
//! in layers mode the dependencies compiled ahead, and `go test`.

use std::collections::BTreeMap;

use crate::golang::binary_name;
use crate::spec::{Binary, Pos, Spec, values};

use super::ldflags::Linker;
use super::toolchain::Toolchain;
use super::{
    CacheMode, Compile, DEPS_DIR, DEPS_LIST, DEPS_TEMPLATE, Inputs, LIST_SCRIPT, OUT,
    PRECOMPILE_SCRIPT, PlanError, Precompile, Step, UPX_IN, spec_error,
};

/// The compile steps, and the precompiles they start from.
pub(super) struct Compiled {
    pub compiles: Vec<Compile>,
    pub precompiles: Vec<Precompile>,
}

/// The build tags of every binary and the tests.
pub(super) fn global_tags(spec: &Spec) -> Vec<String> {
    let mut global_tags = values(&spec.tags);
    if spec.tzdata.value {
        global_tags.push("timetzdata".into());
    }
    global_tags
}

/// Main packages with their spec lines.
type Mains = Vec<(String, Pos)>;

/// Where the compile steps run and with what.
pub(super) struct CompileContext<'a> {
    pub spec: &'a Spec,
    pub inputs: &'a Inputs,
    pub linker: &'a Linker,
    pub toolchain: &'a Toolchain,
    /// The module's folder in the mounted context.
    pub cwd: &'a str,
}

/// One `go build` per binary; in layers mode, binaries compiled with the
/// same flags share one precompile of their dependencies.
pub(super) fn compiles(cx: &CompileContext, cache: CacheMode) -> Result<Compiled, PlanError> {
    let spec = cx.spec;
    let global_tags = global_tags(spec);
    // The precompile groups: flags → the main packages, with their spec lines.
    let mut groups: Vec<(Vec<String>, Mains)> = Vec::new();
    let mut compiles: Vec<Compile> = Vec::new();
    for b in &spec.binaries {
        let name = match &b.name {
            Some(n) => n.value.clone(),
            None => binary_name(&b.main.value, &cx.inputs.gomod),
        };
        let pos = b.name.as_ref().map(|n| n.pos).unwrap_or(b.main.pos);
        if compiles.iter().any(|c| c.binary == name) {
            return Err(spec_error(
                spec,
                pos,
                format!("binaries: two binaries are named \"{name}\""),
                Some("give one of them a `name:`".into()),
            ));
        }
        let flags = compile_flags(spec, b, &global_tags);
        let step = go_build(cx, b, &name, &flags)?;
        let upx = cx.toolchain.upx.then(|| upx_step(cx, &name));
        let precompiled = match cache {
            CacheMode::Mounts => None,
            CacheMode::Layers => {
                let main = (b.main.value.clone(), b.main.pos);
                Some(match groups.iter().position(|(f, _)| *f == flags) {
                    Some(i) => {
                        groups[i].1.push(main);
                        i
                    }
                    None => {
                        groups.push((flags, vec![main]));
                        groups.len() - 1
                    }
                })
            }
        };
        compiles.push(Compile {
            binary: name,
            step,
            upx,
            precompiled,
        });
    }
    let precompiles = groups
        .into_iter()
        .map(|(flags, mains)| precompile(cx, flags, &mains))
        .collect();
    Ok(Compiled {
        compiles,
        precompiles,
    })
}

/// The flags that decide how packages compile (not -ldflags, which only
/// the link uses): the dependencies compiled ahead with the same flags are
/// the ones `go build` finds in its cache.
fn compile_flags(spec: &Spec, binary: &Binary, global_tags: &[String]) -> Vec<String> {
    let mut tags = global_tags.to_vec();
    for t in values(&binary.tags) {
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let mut flags: Vec<String> = Vec::new();
    if spec.trimpath.value {
        flags.push("-trimpath".into());
    }
    // The context rarely has .git, and the alpine builder has no git:
    // never let VCS stamping fail or vary the build ({{.Commit}} instead).
    flags.push("-buildvcs=false".into());
    if !tags.is_empty() {
        flags.push(format!("-tags={}", tags.join(",")));
    }
    flags.extend(values(&spec.goflags));
    flags
}

/// `go build` of one main package into `/out/<name>`.
fn go_build(
    cx: &CompileContext,
    binary: &Binary,
    name: &str,
    flags: &[String],
) -> Result<Step, PlanError> {
    let ldflags = cx.linker.flags_of(cx.spec, binary)?;
    let main = &binary.main.value;
    // List each package as it is compiled: the progress output then
    // shows that an edit recompiles only what it touched.
    let mut argv: Vec<String> = vec!["go".into(), "build".into(), "-v".into()];
    argv.extend(flags.iter().cloned());
    argv.push(format!("-ldflags={}", ldflags.join(" ")));
    argv.push("-o".into());
    argv.push(format!("{OUT}/{name}"));
    argv.push(main.clone());
    Ok(Step::new(
        format!("[gofront] go build {main} ({})", cx.inputs.target_platform),
        argv,
        cx.toolchain.compile_env.clone(),
        cx.cwd,
    )
    .at(binary.main.pos))
}

/// `upx` of one binary, from the compile step's output.
fn upx_step(cx: &CompileContext, name: &str) -> Step {
    Step::new(
        format!("[gofront] upx {name} ({})", cx.inputs.target_platform),
        vec![
            "upx".into(),
            "--best".into(),
            "--lzma".into(),
            "-q".into(),
            "-o".into(),
            format!("{OUT}/{name}"),
            format!("{UPX_IN}/{name}"),
        ],
        BTreeMap::new(),
        "/",
    )
    .at(cx.spec.upx.pos)
}

/// Layers mode: `go list -deps` of the main packages, then `go build` of
/// the listed dependencies with the binaries' compile flags.
fn precompile(cx: &CompileContext, flags: Vec<String>, mains: &[(String, Pos)]) -> Precompile {
    let platform = &cx.inputs.target_platform;
    let names: Vec<&str> = mains.iter().map(|m| m.0.as_str()).collect();
    let pos = mains[0].1;
    let mut list_argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        LIST_SCRIPT.into(),
        "gofront-list".into(),
        format!("{DEPS_DIR}/{DEPS_LIST}"),
        "list".into(),
        "-deps".into(),
        format!("-f={DEPS_TEMPLATE}"),
    ];
    list_argv.extend(flags.iter().cloned());
    list_argv.extend(names.iter().map(|n| n.to_string()));
    let list = Step::new(
        format!(
            "[gofront] list the packages {} imports ({platform})",
            names.join(" "),
        ),
        list_argv,
        cx.toolchain.compile_env.clone(),
        cx.cwd,
    )
    .at(pos);
    let mut build_argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        PRECOMPILE_SCRIPT.into(),
        "gofront-precompile".into(),
        format!("{DEPS_DIR}/{DEPS_LIST}"),
        "build".into(),
        "-v".into(),
    ];
    build_argv.extend(flags);
    // Everything it needs is in the module layer: never fetch.
    let mut env = cx.toolchain.compile_env.clone();
    env.insert("GOPROXY".into(), "off".into());
    let build = Step::new(
        format!(
            "[gofront] compile the dependencies of {} ({platform})",
            names.join(" "),
        ),
        build_argv,
        env,
        cx.cwd,
    )
    .at(pos);
    Precompile { list, build }
}

/// `go test`, natively on the build platform (no emulation), once for
/// every target platform.
pub(super) fn test_step(spec: &Spec, go_env: &BTreeMap<String, String>, cwd: &str) -> Option<Step> {
    let global_tags = global_tags(spec);
    spec.test.as_ref().map(|t| {
        // Tests run natively on the build platform (no emulation), once for
        // every target platform.
        let mut env = go_env.clone();
        env.insert(
            "CGO_ENABLED".to_string(),
            if spec.cgo.value || t.race() { "1" } else { "0" }.to_string(),
        );
        let mut argv: Vec<String> = vec!["go".into(), "test".into()];
        if !global_tags.is_empty() {
            argv.push(format!("-tags={}", global_tags.join(",")));
        }
        argv.extend(values(&spec.goflags));
        argv.extend(t.flags.iter().cloned());
        argv.extend(t.packages.iter().cloned());
        Step::new(
            format!("[gofront] go test {}", t.packages.join(" ")),
            argv,
            env,
            cwd,
        )
        .at(t.pos)
    })
}
