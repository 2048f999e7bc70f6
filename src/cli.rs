//! Offline subcommands of the frontend binary.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::convert;
use crate::gomod;
use crate::llb::Platform;
use crate::plan::{self, Inputs};
use crate::spec;

const USAGE: &str = "\
gofront — a BuildKit frontend for Go services

Used by BuildKit through `# syntax=ourorg/gofront` on the first line of a spec.
Offline subcommands:
  gofront check  SPEC                  validate a spec (exit 1 on errors)
  gofront render SPEC [options]        print the plan and the LLB it compiles to
      --context DIR                    build context (default: the spec's folder)
      --platform OS/ARCH[/VARIANT]     target platform (default: linux/amd64)
      --build-arg KEY=VALUE            as docker build's (repeatable)
  gofront version
";

pub fn run(args: &[String]) -> i32 {
    match args[0].as_str() {
        "check" if args.len() == 2 => check(Path::new(&args[1])),
        "render" if args.len() >= 2 => render(&args[1..]),
        "version" | "--version" => {
            println!("gofront {}", env!("CARGO_PKG_VERSION"));
            0
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            0
        }
        _ => {
            eprint!("{USAGE}");
            2
        }
    }
}

fn read_spec(path: &Path) -> Result<spec::Spec, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    spec::parse(&name, &text).map_err(|e| e.to_string())
}

fn check(path: &Path) -> i32 {
    match read_spec(path) {
        Ok(_) => {
            println!("{}: ok", path.display());
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn render(args: &[String]) -> i32 {
    match render_inner(args) {
        Ok(out) => {
            // Ignore a closed pipe (`gofront render … | head`).
            let _ = writeln!(std::io::stdout(), "{out}");
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn render_inner(args: &[String]) -> Result<String, String> {
    let spec_path = PathBuf::from(&args[0]);
    let mut context = spec_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if context.as_os_str().is_empty() {
        context = PathBuf::from(".");
    }
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
    let spec = read_spec(&spec_path)?;
    let gomod_text = std::fs::read_to_string(context.join("go.mod"))
        .map_err(|e| format!("{}: {e}", context.join("go.mod").display()))?;
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
        ..Default::default()
    };
    let plan = plan::build(&spec, &inputs).map_err(|e| e.to_string())?;
    // The builder's env is unknown offline; the golang images' PATH stands in.
    let env = vec!["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    let llb = convert::to_llb(&plan, &env, None);
    let plan_json = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
    Ok(format!("{plan_json}\n\n{}", convert::dump(&llb.definition)))
}
