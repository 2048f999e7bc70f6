//! The steps before `go build`: the web UI built with node, and `go
//! generate`. Both change the source the Go steps see, never the image.

use std::collections::BTreeMap;

use crate::spec::{PackageManager, Spec};

use super::{Inputs, PlanError, SourceImage, Step, WebBuild, spec_error};

/// The web UI's steps see the context's UI folder under this root, at its
/// context path (`/ui/web`), so that the output is at a known place.
pub const WEB_ROOT: &str = "/ui";

/// Files beside package.json that change what an install does.
const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "pnpm-workspace.yaml",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pnpmfile.cjs",
];

/// The web UI build, when the spec has `web:`.
pub(super) fn web(
    spec: &Spec,
    inputs: &Inputs,
    image: Option<SourceImage>,
) -> Result<Option<WebBuild>, PlanError> {
    let (Some(web), Some(image)) = (&spec.web, image) else {
        return Ok(None);
    };
    let facts = inputs.web.clone().unwrap_or_default();
    let in_dir = |name: &str| {
        if web.dir.value.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", web.dir.value)
        }
    };
    let shown = if web.dir.value.is_empty() {
        "the context's root".to_string()
    } else {
        web.dir.value.clone()
    };
    if !facts.files.iter().any(|f| f == "package.json") {
        return Err(spec_error(
            spec,
            web.dir.pos,
            format!("web.dir: {shown} has no package.json"),
            Some("`dir` names the folder of the UI's package.json, relative to the build context; check .dockerignore too".into()),
        ));
    }
    let from_lockfile = PackageManager::LOCKFILES
        .iter()
        .find(|(name, _)| facts.files.iter().any(|f| f == name))
        .map(|(_, m)| *m);
    let manager = match (&web.manager, from_lockfile) {
        (Some(m), _) => m.value,
        (None, Some(m)) => m,
        (None, None) => {
            return Err(spec_error(
                spec,
                web.dir.pos,
                format!("web.dir: {shown} has no lockfile (package-lock.json, yarn.lock or pnpm-lock.yaml)"),
                Some("commit the lockfile your package manager writes, so that the build installs what you tested; or name the manager with `manager: npm`".into()),
            ));
        }
    };
    let locked = from_lockfile == Some(manager);
    // `packageManager: "yarn@4.5.0"` pins a yarn or pnpm release: corepack
    // fetches and runs that one. yarn 1 is in the image itself.
    let pinned = facts
        .package_manager
        .as_deref()
        .is_some_and(|p| p.starts_with(&format!("{}@", manager.name())));
    let berry = manager == PackageManager::Yarn
        && (facts.files.iter().any(|f| f == ".yarnrc.yml")
            || facts
                .package_manager
                .as_deref()
                .is_some_and(|p| p.starts_with("yarn@") && !p.starts_with("yarn@1.")));
    let run = |args: &[&str]| -> Vec<String> {
        let mut argv: Vec<String> = Vec::new();
        if manager == PackageManager::Pnpm || (manager == PackageManager::Yarn && (pinned || berry))
        {
            argv.push("corepack".into());
        }
        argv.push(manager.name().into());
        argv.extend(args.iter().map(|a| a.to_string()));
        argv
    };
    let install_args: &[&str] = match (manager, locked, berry) {
        (PackageManager::Npm, true, _) => &["ci", "--no-audit", "--no-fund"],
        (PackageManager::Npm, false, _) => &["install", "--no-audit", "--no-fund"],
        (PackageManager::Yarn, true, true) => &["install", "--immutable"],
        (PackageManager::Yarn, true, false) => {
            &["install", "--frozen-lockfile", "--non-interactive"]
        }
        (PackageManager::Yarn, false, _) => &["install", "--non-interactive"],
        (PackageManager::Pnpm, true, _) => &["install", "--frozen-lockfile"],
        (PackageManager::Pnpm, false, _) => &["install"],
    };
    let cwd = format!("{WEB_ROOT}/{}", web.dir.value);
    let cwd = cwd.trim_end_matches('/').to_string();
    let mut env = BTreeMap::new();
    // Tools print for a log rather than a terminal, and never prompt;
    // corepack fetches the release package.json pins without asking.
    env.insert("CI".to_string(), "true".to_string());
    env.insert(
        "COREPACK_ENABLE_DOWNLOAD_PROMPT".to_string(),
        "0".to_string(),
    );
    let platform = &inputs.build_platform;
    let install = Step::new(
        format!(
            "[gofront] {} (web UI {shown}, {platform})",
            run(install_args).join(" ")
        ),
        run(install_args),
        env.clone(),
        &cwd,
    )
    .at(web.dir.pos);
    let build = Step::new(
        format!(
            "[gofront] {} (web UI {shown}, {platform})",
            run(&["run", &web.script.value]).join(" ")
        ),
        run(&["run", &web.script.value]),
        env,
        &cwd,
    )
    .at(web.script.pos);
    let mut caches = vec![(
        "/root/.cache/node/corepack".to_string(),
        "gofront-corepack".to_string(),
    )];
    caches.push(match (manager, berry) {
        (PackageManager::Npm, _) => ("/root/.npm".into(), "gofront-npm".into()),
        (PackageManager::Yarn, false) => {
            ("/usr/local/share/.cache/yarn".into(), "gofront-yarn".into())
        }
        (PackageManager::Yarn, true) => (
            "/root/.yarn/berry/cache".into(),
            "gofront-yarn-berry".into(),
        ),
        (PackageManager::Pnpm, _) => (
            "/root/.local/share/pnpm/store".into(),
            "gofront-pnpm-store".into(),
        ),
    });
    let mut manifest_files: Vec<String> = MANIFESTS
        .iter()
        .filter(|m| facts.files.iter().any(|f| f == *m))
        .map(|m| in_dir(m))
        .collect();
    if berry {
        // Yarn's own release and plugins, when the project commits them.
        manifest_files.push(in_dir(".yarn/releases"));
        manifest_files.push(in_dir(".yarn/plugins"));
        manifest_files.push(in_dir(".yarn/patches"));
    }
    Ok(Some(WebBuild {
        image,
        manager,
        dir: web.dir.value.clone(),
        manifest_files,
        excludes: vec![in_dir("node_modules"), in_dir(&web.output)],
        install,
        build,
        caches,
        output: in_dir(&web.output),
        into: web.into.value.clone(),
    }))
}

/// `go generate` over the spec's packages, natively on the build platform.
pub(super) fn generate_step(
    spec: &Spec,
    go_env: &BTreeMap<String, String>,
    cwd: &str,
) -> Option<Step> {
    let generate = spec.generate.as_ref()?;
    let mut env = go_env.clone();
    // The generators run here, on the build platform: a C toolchain only
    // where the builder has one.
    env.insert(
        "CGO_ENABLED".to_string(),
        if spec.cgo.value { "1" } else { "0" }.to_string(),
    );
    let mut argv: Vec<String> = vec!["go".into(), "generate".into()];
    let tags = super::compile::global_tags(spec);
    if !tags.is_empty() {
        argv.push(format!("-tags={}", tags.join(",")));
    }
    argv.extend(generate.packages.iter().cloned());
    Some(
        Step::new(
            format!("[gofront] go generate {}", generate.packages.join(" ")),
            argv,
            env,
            cwd,
        )
        .at(generate.pos),
    )
}

#[cfg(test)]
pub(super) fn facts(files: &[&str]) -> super::WebFacts {
    super::WebFacts {
        files: files.iter().map(|f| f.to_string()).collect(),
        package_manager: None,
    }
}
