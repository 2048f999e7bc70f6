//! The Go steps that make binaries: one `go build` per binary (and `upx`),
//! in layers mode the dependencies compiled ahead, and `go test`.

use std::collections::BTreeMap;

use crate::golang::binary_name;
use crate::spec::{Pos, Spec, values};

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

pub(super) fn compiles(
    spec: &Spec,
    inputs: &Inputs,
    linker: &Linker,
    toolchain: &Toolchain,
    cwd: &str,
    cache: CacheMode,
) -> Result<Compiled, PlanError> {
    let global_tags = global_tags(spec);
    // Layers mode: binaries compiled with the same flags share one
    // precompile (flags → the main packages, with their spec lines).
    type Mains = Vec<(String, Pos)>;
    let mut groups: Vec<(Vec<String>, Mains)> = Vec::new();
    let mut compiles: Vec<Compile> = Vec::new();
    for b in &spec.binaries {
        let name = match &b.name {
            Some(n) => n.value.clone(),
            None => binary_name(&b.main.value, &inputs.gomod),
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
        let ldflags = linker.flags_of(spec, b)?;
        let mut tags = global_tags.clone();
        for t in values(&b.tags).iter() {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        let main = &b.main.value;
        // The flags that decide how packages compile (not -ldflags, which
        // only the link uses): the dependencies compiled ahead with the
        // same flags are the ones `go build` finds in its cache.
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
        // List each package as it is compiled: the progress output then
        // shows that an edit recompiles only what it touched.
        let mut argv: Vec<String> = vec!["go".into(), "build".into(), "-v".into()];
        argv.extend(flags.iter().cloned());
        argv.push(format!("-ldflags={}", ldflags.join(" ")));
        argv.push("-o".into());
        argv.push(format!("{OUT}/{name}"));
        argv.push(main.clone());
        let step = Step::new(
            format!("[gofront] go build {main} ({})", inputs.target_platform),
            argv,
            toolchain.compile_env.clone(),
            cwd,
        )
        .at(b.main.pos);
        let upx_step = toolchain.upx.then(|| {
            Step::new(
                format!("[gofront] upx {name} ({})", inputs.target_platform),
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
            .at(spec.upx.pos)
        });
        let precompiled = match cache {
            CacheMode::Mounts => None,
            CacheMode::Layers => Some(match groups.iter().position(|(f, _)| *f == flags) {
                Some(i) => {
                    groups[i].1.push((main.clone(), b.main.pos));
                    i
                }
                None => {
                    groups.push((flags, vec![(main.clone(), b.main.pos)]));
                    groups.len() - 1
                }
            }),
        };
        compiles.push(Compile {
            binary: name,
            step,
            upx: upx_step,
            precompiled,
        });
    }
    let precompiles: Vec<Precompile> = groups
        .into_iter()
        .map(|(flags, mains)| {
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
                    "[gofront] list the packages {} imports ({})",
                    names.join(" "),
                    inputs.target_platform
                ),
                list_argv,
                toolchain.compile_env.clone(),
                cwd,
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
            let mut env = toolchain.compile_env.clone();
            env.insert("GOPROXY".into(), "off".into());
            let build = Step::new(
                format!(
                    "[gofront] compile the dependencies of {} ({})",
                    names.join(" "),
                    inputs.target_platform
                ),
                build_argv,
                env,
                cwd,
            )
            .at(pos);
            Precompile { list, build }
        })
        .collect();
    Ok(Compiled {
        compiles,
        precompiles,
    })
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
