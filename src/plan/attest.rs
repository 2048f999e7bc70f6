//! The steps behind the attestations: reading each binary's Go build info
//! for the SBOM, and govulncheck for `vulncheck:`. Both run in the builder
//! and write only into their own output; nothing of them reaches the image.

use std::collections::BTreeMap;

use crate::spec::{Located, Pos, Spec, VulnCheck};

use super::compile::global_tags;
use super::{Compile, Inputs, Step};

/// Where the build info step finds the binaries as `go build` made them
/// (before upx, which hides the build info), each compile's output at a
/// folder of the binary's name, so at `<dir>/<name>/<name>` …
pub const BUILD_INFO_GO: &str = "/gofront-go";
/// … and as they are shipped, for their SHA-256.
pub const BUILD_INFO_BIN: &str = "/gofront-bin";
/// The build info step's output: `<name>.buildinfo` (`go version -m`) and
/// `<name>.sha256` (`sha256sum`) per binary.
pub const BUILD_INFO_OUT: &str = "/gofront-buildinfo";

/// The text form of `go version -m` rather than `-json`: every Go since
/// 1.13 prints it, so any builder the spec names can read its binaries.
/// The names come as arguments, never inside the script.
pub const BUILD_INFO_SCRIPT: &str = r#"set -e
out=$1; shift
for name in "$@"; do
  go version -m "/gofront-go/$name/$name" > "$out/$name.buildinfo"
  sha256sum "/gofront-bin/$name/$name" > "$out/$name.sha256"
done"#;

/// govulncheck, pinned: the newest release on the module proxy. It needs
/// Go 1.26; an older builder fetches that toolchain through GOPROXY for
/// this one step (GOTOOLCHAIN=auto), the compile keeps its own.
pub const GOVULNCHECK_MODULE: &str = "golang.org/x/vuln";
pub const GOVULNCHECK_VERSION: &str = "v1.9.0";
/// The build arg naming the vulnerability database, like GOPROXY.
pub const GOVULNDB_ARG: &str = "GOVULNDB";
/// The public database, when the build names none.
pub const GOVULNDB_DEFAULT: &str = "https://vuln.go.dev";
/// Where the install step puts govulncheck (its output mount).
pub const VULN_TOOLS: &str = "/gofront-tools";
/// The scan step's output: `report.json`, `stderr`, `status`.
pub const VULN_OUT: &str = "/gofront-vulncheck";

/// Runs the scan and keeps its exit status, its JSON and its errors: the
/// step itself never fails, so that an unreachable database can be a
/// warning under `warn` and an error under `fail`, decided by the frontend
/// with govulncheck's own words.
pub const VULNCHECK_SCRIPT: &str = r#"out=$1; shift
"$@" > "$out/report.json" 2> "$out/stderr"
echo $? > "$out/status""#;

/// `vulncheck:` as steps.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VulnCheckPlan {
    pub mode: VulnCheck,
    /// The spec line of `vulncheck:`.
    pub pos: Pos,
    /// The database govulncheck reads (`-db`).
    pub db: String,
    /// `go install golang.org/x/vuln/cmd/govulncheck@<pin>`: keyed on the
    /// pin alone, so it runs once per builder.
    pub install: Step,
    /// govulncheck over the main packages, for the target platform.
    pub scan: Step,
}

/// The step that reads the Go build info and the SHA-256 of every binary.
pub(super) fn build_info_step(compiles: &[Compile], inputs: &Inputs) -> Step {
    let mut argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        BUILD_INFO_SCRIPT.into(),
        "gofront-build-info".into(),
        BUILD_INFO_OUT.into(),
    ];
    argv.extend(compiles.iter().map(|c| c.binary.clone()));
    Step::new(
        format!(
            "[gofront] read the Go build info of {} ({})",
            compiles
                .iter()
                .map(|c| c.binary.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            inputs.target_platform
        ),
        argv,
        BTreeMap::new(),
        "/",
    )
}

/// govulncheck's install and scan, when the spec asks for it.
pub(super) fn vulncheck(
    spec: &Spec,
    inputs: &Inputs,
    go_env: &BTreeMap<String, String>,
    compile_env: &BTreeMap<String, String>,
    cwd: &str,
) -> Option<VulnCheckPlan> {
    let Located { value: mode, pos } = spec.vulncheck.clone()?;
    let db = inputs
        .build_args
        .get(GOVULNDB_ARG)
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| GOVULNDB_DEFAULT.to_string());

    // Our tool, not the service: the user's GOFLAGS (-mod=vendor …) and
    // go.work are not for it, and its own go line may need a newer Go.
    let mut install_env = go_env.clone();
    install_env.remove("GOFLAGS");
    install_env.insert("GOWORK".into(), "off".into());
    install_env.insert("GOTOOLCHAIN".into(), "auto".into());
    install_env.insert("CGO_ENABLED".into(), "0".into());
    install_env.insert("GOBIN".into(), VULN_TOOLS.into());
    let install = Step::new(
        format!("[gofront] install govulncheck {GOVULNCHECK_VERSION}"),
        vec![
            "go".into(),
            "install".into(),
            format!("{GOVULNCHECK_MODULE}/cmd/govulncheck@{GOVULNCHECK_VERSION}"),
        ],
        install_env,
        "/",
    )
    .at(pos);

    let mut argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        VULNCHECK_SCRIPT.into(),
        "gofront-vulncheck".into(),
        VULN_OUT.into(),
        format!("{VULN_TOOLS}/govulncheck"),
        format!("-db={db}"),
        "-format=json".into(),
    ];
    let tags = global_tags(spec);
    if !tags.is_empty() {
        argv.push(format!("-tags={}", tags.join(",")));
    }
    let mut mains: Vec<String> = Vec::new();
    for b in &spec.binaries {
        if !mains.contains(&b.main.value) {
            mains.push(b.main.value.clone());
        }
    }
    argv.extend(mains);
    let scan = Step::new(
        format!(
            "[gofront] govulncheck ({}, database {})",
            inputs.target_platform,
            without_credentials(&db)
        ),
        argv,
        // The target's GOOS/GOARCH/cgo: the code govulncheck reads is the
        // code `go build` compiled.
        compile_env.clone(),
        cwd,
    )
    .at(pos);
    Some(VulnCheckPlan {
        mode,
        pos,
        db,
        install,
        scan,
    })
}

/// The database URL as progress may show it: without a user or password.
fn without_credentials(db: &str) -> String {
    match url::Url::parse(db) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => db.to_string(),
    }
}
