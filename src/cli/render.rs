//! `gofront render`: the plan and the LLB a spec compiles to, offline.

use std::io::Write;
use std::path::PathBuf;

use super::{USAGE, read_spec, spec_folder};
use crate::convert;
use crate::gomod;
use crate::llb::Platform;
use crate::plan::{self, Inputs};

pub(super) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match render(args) {
        Ok(text) => {
            // Ignore a closed pipe (`gofront render … | head`).
            let _ = writeln!(out, "{text}");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            1
        }
    }
}

fn render(args: &[String]) -> Result<String, String> {
    let spec_path = PathBuf::from(&args[0]);
    let mut context = spec_folder(&spec_path);
    let mut platform = Platform::parse("linux/amd64")?;
    let mut build_args = std::collections::BTreeMap::new();
    let mut it = args[1..].iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--context" => context = PathBuf::from(value),
            "--platform" => platform = Platform::parse(value)?,
            "--build-arg" => {
                let (k, v) = value.split_once('=').ok_or("--build-arg takes KEY=VALUE")?;
                build_args.insert(k.to_string(), v.to_string());
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let (spec, _) = read_spec(&spec_path)?;
    let gomod_path = context
        .join(spec.dir.value.trim_start_matches("./"))
        .join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod_path)
        .map_err(|e| format!("{}: {e}", gomod_path.display()))?;
    let gowork = match std::fs::read_to_string(context.join("go.work")) {
        Ok(text) => Some(gomod::parse_work(&text)?),
        Err(_) => None,
    };
    let excludes = std::fs::read_to_string(context.join(".dockerignore"))
        .map(|t| plan::parse_dockerignore(&t))
        .unwrap_or_default();
    let inputs = Inputs {
        build_args,
        build_platform: Platform::parse("linux/amd64")?,
        target_platform: platform,
        resolve_mode: "default".into(),
        excludes,
        gomod: gomod::parse(&gomod_text)?,
        gowork,
        ..Default::default()
    };
    let plan = plan::build(&spec, &inputs).map_err(|e| e.to_string())?;
    // The builder's env is unknown offline; the golang images' PATH stands in.
    let env = vec!["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    let llb = convert::to_llb(&plan, &env, None);
    let plan_json = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
    Ok(format!("{plan_json}\n\n{}", convert::dump(&llb.definition)))
}
