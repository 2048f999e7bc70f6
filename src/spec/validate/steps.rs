//! The steps before `go build`: a web UI built with node (`web`) and
//! `go generate` (`generate`).

use serde_saphyr::Spanned;

use super::super::raw::{RawGenerate, RawWeb};
use super::{Errors, context_path, located, normalize_pattern};
use crate::spec::{GenerateSpec, Located, PackageManager, Pos, SpecError, WebSpec, short};

pub(super) fn web(e: &Errors, w: Spanned<RawWeb>) -> Result<WebSpec, SpecError> {
    let pos = Pos::from(&w);
    let raw = w.value;
    let dir = raw.dir.map(located).ok_or_else(|| {
        e.at(
            pos,
            "web: `dir` is missing",
            "the folder with package.json, relative to the build context, e.g. dir: web",
        )
    })?;
    // The UI may sit at the context's root, beside go.mod.
    let dir_value = if matches!(dir.value.as_str(), "." | "./") {
        String::new()
    } else {
        context_path(&dir.value).map_err(|why| {
            e.at(
                dir.pos,
                format!("web.dir: {why}"),
                "the folder with package.json, relative to the build context, e.g. web",
            )
        })?
    };
    let output = match raw.output.map(located) {
        Some(o) => context_path(&o.value).map_err(|why| {
            e.at(
                o.pos,
                format!("web.output: {why}"),
                "the folder the build writes, relative to `dir`, e.g. dist",
            )
        })?,
        None => "dist".to_string(),
    };
    let script = match raw.script.map(located) {
        Some(s) => {
            let ok = !s.value.is_empty()
                && s.value.len() <= 128
                && !s.value.starts_with('-')
                && !s.value.chars().any(|c| c.is_control() || c.is_whitespace());
            if !ok {
                return Err(e.at(
                    s.pos,
                    format!(
                        "web.script: \"{}\" is not a package.json script name",
                        short(&s.value)
                    ),
                    "the name of a script in package.json's \"scripts\", e.g. build",
                ));
            }
            s
        }
        None => Located {
            value: "build".into(),
            pos,
        },
    };
    let manager = match raw.manager.map(located) {
        Some(m) => Some(Located {
            value: PackageManager::parse(&m.value).ok_or_else(|| {
                e.at(
                    m.pos,
                    format!(
                        "web.manager: \"{}\" is not npm, yarn or pnpm",
                        short(&m.value)
                    ),
                    "leave it out to take it from the lockfile",
                )
            })?,
            pos: m.pos,
        }),
        None => None,
    };
    let built = join(&dir_value, &output);
    let into = match raw.into.map(located) {
        Some(i) => Located {
            value: context_path(&i.value).map_err(|why| {
                e.at(
                    i.pos,
                    format!("web.into: {why}"),
                    "where the Go package embeds the output, relative to the build context, e.g. internal/ui/dist",
                )
            })?,
            pos: i.pos,
        },
        None => Located {
            value: built,
            pos: dir.pos,
        },
    };
    Ok(WebSpec {
        dir: Located {
            value: dir_value,
            pos: dir.pos,
        },
        output,
        script,
        manager,
        into,
        pos,
    })
}

/// `dir` joined with a path relative to it (`dir` empty: the root).
fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

pub(super) fn generate(e: &Errors, g: Spanned<RawGenerate>) -> Result<GenerateSpec, SpecError> {
    let pos = Pos::from(&g);
    let mut packages = Vec::new();
    for p in g.value.packages.unwrap_or_default() {
        let p = located(p);
        let value = normalize_pattern(&p.value).map_err(|why| {
            e.at(
                p.pos,
                format!("generate.packages: {why}"),
                "e.g. ./... or ./internal/...",
            )
        })?;
        packages.push(value);
    }
    if packages.is_empty() {
        packages.push("./...".into());
    }
    Ok(GenerateSpec { packages, pos })
}
