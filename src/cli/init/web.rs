//! A node UI the Go code embeds: a folder with a `package.json` whose build
//! output a `//go:embed` directive of the module names.

use super::walk::{Dir, Tree};
use crate::golang::source::embed_patterns;

/// The spec's `web:` block, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Web {
    /// The folder with `package.json`, relative to the context (`.` for
    /// the root).
    pub dir: String,
    /// The folder the build writes, relative to `dir`.
    pub output: String,
    /// The `package.json` script that builds it.
    pub script: String,
    /// Where the Go code embeds the output, when it is not `dir/output`.
    pub into: Option<String>,
    /// What was found, for a comment.
    pub why: String,
}

/// What init makes of the module's `package.json` folders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct WebFindings {
    pub web: Option<Web>,
    /// Comments on what it could not decide.
    pub notes: Vec<String>,
}

/// The usual output folders of front-end builds, when the build script
/// does not say.
const USUAL_OUTPUTS: &[&str] = &["dist", "build", "out"];

/// A `package.json` folder and what its build script tells.
struct Node {
    rel: String,
    /// The script's name (`build`) and command (`vite build`).
    script: Option<(String, String)>,
    /// The folder the build writes, as far as the script or the vite
    /// config say.
    output: Option<String>,
}

/// One `//go:embed` pattern: where it points, relative to the module.
struct Embed {
    target: String,
    /// `web/embed.go:8`.
    at: String,
    pattern: String,
}

pub(super) fn find(tree: &Tree, in_play: &dyn Fn(&Dir) -> bool) -> WebFindings {
    let nodes: Vec<Node> = tree
        .dirs
        .iter()
        .filter(|d| in_play(d))
        .filter_map(|d| {
            let node = d.node.as_ref()?;
            let script = build_script(&node.package_json);
            let output = script
                .as_ref()
                .and_then(|(_, cmd)| output_of(cmd, node.vite_config.as_deref()));
            Some(Node {
                rel: d.rel.clone(),
                script,
                output,
            })
        })
        .collect();
    let mut out = WebFindings::default();
    if nodes.is_empty() {
        return out;
    }
    let embeds: Vec<Embed> = tree
        .dirs
        .iter()
        .filter(|d| in_play(d))
        .flat_map(|d| {
            d.built().flat_map(move |f| {
                f.facts.embeds.iter().flat_map(move |e| {
                    embed_patterns(&e.text).into_iter().filter_map(move |p| {
                        Some(Embed {
                            target: embed_target(&d.rel, &p)?,
                            at: format!("{}:{}", d.file(&f.name), e.line),
                            pattern: p,
                        })
                    })
                })
            })
        })
        .collect();
    let mut matched: Vec<&str> = Vec::new();
    for e in &embeds {
        for n in &nodes {
            let Some(web) = match_embed(e, n, &nodes) else {
                continue;
            };
            if matched.contains(&n.rel.as_str()) {
                continue;
            }
            matched.push(&n.rel);
            if out.web.is_none() {
                out.web = Some(web);
            } else {
                out.notes.push(format!(
                    "{} is another UI ({}): the spec's web: builds one",
                    shown(&n.rel),
                    web.why
                ));
            }
        }
    }
    for n in &nodes {
        if matched.contains(&n.rel.as_str()) {
            continue;
        }
        if let Some((name, cmd)) = &n.script {
            let output = n.output.as_deref().unwrap_or("dist");
            out.notes.push(format!(
                "{} has a package.json with a \"{name}\" script ({cmd}), but no //go:embed of its output ({output}) was found: no web: step; add one if the Go code serves it",
                shown(&n.rel)
            ));
        }
    }
    out
}

/// `web/` or `the module's folder`.
fn shown(rel: &str) -> String {
    if rel.is_empty() {
        "the module's folder".into()
    } else {
        format!("{rel}/")
    }
}

/// Does embed `e` take the output of `n`'s build?
fn match_embed(e: &Embed, n: &Node, nodes: &[Node]) -> Option<Web> {
    let (script, cmd) = n.script.as_ref()?;
    let dir = if n.rel.is_empty() {
        ".".to_string()
    } else {
        n.rel.clone()
    };
    let inside = if n.rel.is_empty() {
        Some(e.target.as_str())
    } else {
        e.target
            .strip_prefix(&n.rel)
            .and_then(|t| t.strip_prefix('/'))
    };
    if let Some(inside) = inside {
        let first = inside.split('/').next().unwrap_or_default();
        let output = match &n.output {
            Some(o) if o.split('/').next() == Some(first) => o.clone(),
            Some(_) => return None,
            None if USUAL_OUTPUTS.contains(&first) => first.to_string(),
            None => return None,
        };
        let full = join(&n.rel, &output);
        // The embed is the output, inside it, or a folder around it.
        let into = (!(e.target == full
            || e.target.starts_with(&format!("{full}/"))
            || full.starts_with(&format!("{}/", e.target))))
        .then(|| e.target.clone());
        return Some(Web {
            dir,
            output,
            script: script.clone(),
            into,
            why: format!(
                "{} embeds {}, the output of `npm run {script}` ({cmd}) in {}",
                e.at,
                e.pattern,
                shown(&n.rel)
            ),
        });
    }
    // The embed is elsewhere: a copy of the only UI's output.
    let with_script = nodes.iter().filter(|n| n.script.is_some()).count();
    let output = n.output.clone().unwrap_or_else(|| "dist".into());
    let last = e.target.rsplit('/').next().unwrap_or_default();
    let fits = with_script == 1
        && !output.split('/').any(|c| c == "..")
        && output.rsplit('/').next() == Some(last);
    fits.then(|| Web {
        dir,
        output: output.clone(),
        script: script.clone(),
        into: Some(e.target.clone()),
        why: format!(
            "{} embeds {}: the output ({output}) of `npm run {script}` ({cmd}) in {} goes there",
            e.at,
            e.target,
            shown(&n.rel)
        ),
    })
}

fn join(rel: &str, path: &str) -> String {
    if rel.is_empty() {
        path.to_string()
    } else {
        format!("{rel}/{path}")
    }
}

/// Where a `//go:embed` pattern of a file in `dir` points, relative to the
/// module: its path up to the first glob (`all:dist` → `web/dist`).
fn embed_target(dir: &str, pattern: &str) -> Option<String> {
    let p = pattern.strip_prefix("all:").unwrap_or(pattern);
    let parts: Vec<&str> = p
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    (!parts.is_empty()).then(|| join(dir, &parts.join("/")))
}

/// The build script of a `package.json`: `build`, else the first
/// `build…` one.
fn build_script(package_json: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(package_json).ok()?;
    let scripts = v.get("scripts")?.as_object()?;
    let pick = scripts
        .get_key_value("build")
        .or_else(|| scripts.iter().find(|(k, _)| k.starts_with("build")))?;
    Some((pick.0.clone(), pick.1.as_str()?.to_string()))
}

/// The folder a build command writes, when the command (or the vite
/// config) says or the tool has a fixed default.
fn output_of(cmd: &str, vite_config: Option<&str>) -> Option<String> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let clean = |v: &str| {
        let v = v.trim_matches(|c| c == '"' || c == '\'');
        let v = v.strip_prefix("./").unwrap_or(v);
        v.trim_end_matches('/').to_string()
    };
    for (i, w) in words.iter().enumerate() {
        for flag in [
            "--outDir",
            "--out-dir",
            "--outdir",
            "--dist-dir",
            "--output-path",
        ] {
            if let Some(v) = w.strip_prefix(flag) {
                if let Some(v) = v.strip_prefix('=') {
                    return Some(clean(v));
                }
                if v.is_empty() {
                    return words.get(i + 1).map(|v| clean(v));
                }
            }
        }
    }
    let uses = |tool: &str| {
        words
            .iter()
            .any(|w| *w == tool || w.ends_with(&format!("/{tool}")))
    };
    if uses("vite") {
        return Some(
            vite_config
                .and_then(vite_out_dir)
                .map(|v| clean(&v))
                .unwrap_or_else(|| "dist".into()),
        );
    }
    let fixed = [
        ("react-scripts", "build"),
        ("next", "out"),
        ("ng", "dist"),
        ("webpack", "dist"),
        ("parcel", "dist"),
        ("rollup", "dist"),
        ("astro", "dist"),
    ];
    fixed
        .iter()
        .find(|(tool, _)| uses(tool))
        .map(|(_, out)| out.to_string())
}

/// `outDir: 'x'` in a vite config.
fn vite_out_dir(config: &str) -> Option<String> {
    let after = &config[config.find("outDir")? + "outDir".len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let q = after
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let body = &after[1..];
    Some(body[..body.find(q)?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_outputs() {
        assert_eq!(output_of("vite build", None).as_deref(), Some("dist"));
        assert_eq!(
            output_of(
                "tsc -b && vite build",
                Some("export default { build: { outDir: '../static/app', } }")
            )
            .as_deref(),
            Some("../static/app")
        );
        assert_eq!(
            output_of("vite build --outDir ./public/", None).as_deref(),
            Some("public")
        );
        assert_eq!(
            output_of("esbuild app.ts --bundle --outdir=out", None).as_deref(),
            Some("out")
        );
        assert_eq!(
            output_of("react-scripts build", None).as_deref(),
            Some("build")
        );
        assert_eq!(
            output_of("node_modules/.bin/webpack --mode production", None).as_deref(),
            Some("dist")
        );
        assert_eq!(output_of("tsc", None), None);
        assert_eq!(
            build_script(r#"{"scripts": {"dev": "vite", "build:prod": "vite build"}}"#),
            Some(("build:prod".into(), "vite build".into()))
        );
        assert_eq!(build_script(r#"{"scripts": {"lint": "eslint ."}}"#), None);
        assert_eq!(build_script("not json"), None);
        assert_eq!(embed_target("web", "all:dist").as_deref(), Some("web/dist"));
        assert_eq!(embed_target("", "web/dist/*").as_deref(), Some("web/dist"));
        assert_eq!(embed_target("ui", "*.html"), None);
    }
}
