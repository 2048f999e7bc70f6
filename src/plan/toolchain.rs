//! What the builder needs besides Go: the compile environment of the
//! target platform, a C cross compiler for cgo to another architecture
//! (never an emulated target toolchain), and upx; Debian packages installed
//! at the build platform.

use std::collections::BTreeMap;

use crate::golang::go_target_env;
use crate::platform::Platform;
use crate::spec::Spec;

use super::{BACKPORTS, Inputs, PlanError, Step, Target, spec_error};

/// The builder as the compile steps need it.
pub(super) struct Toolchain {
    /// The Go environment plus CGO_ENABLED, GOOS/GOARCH/… and CC.
    pub compile_env: BTreeMap<String, String>,
    /// GOOS, GOARCH and the variant's setting (GOARM, GOAMD64).
    pub target_env: BTreeMap<String, String>,
    /// Compress the binaries with upx.
    pub upx: bool,
    /// Debian packages installed in the builder.
    pub apt: Vec<Step>,
    /// Extra apt sources written into the builder first: (path, contents).
    pub apt_sources: Vec<(String, String)>,
}

pub(super) fn plan(
    spec: &Spec,
    inputs: &Inputs,
    go_env: &BTreeMap<String, String>,
) -> Result<Toolchain, PlanError> {
    let cgo = spec.cgo.value;
    let mut compile_env = go_env.clone();
    compile_env.insert(
        "CGO_ENABLED".to_string(),
        if cgo { "1" } else { "0" }.to_string(),
    );
    let target_env = go_target_env(&inputs.target_platform).map_err(PlanError::Other)?;
    compile_env.extend(target_env.clone());

    // Debian packages for the builder: a C cross compiler for cgo to another
    // architecture (never an emulated target toolchain), upx.
    let mut packages: Vec<String> = Vec::new();
    let mut apt_pos = spec.upx.pos;
    if cgo && inputs.target_platform.architecture != inputs.build_platform.architecture {
        let cross = cross_compiler(&inputs.target_platform).ok_or_else(|| {
            spec_error(
                spec,
                spec.cgo.pos,
                format!(
                    "cgo: cross-compiling with cgo from {} to {} is not supported yet (C cross compilers: {})",
                    inputs.build_platform,
                    inputs.target_platform,
                    CROSS_COMPILERS.iter().map(|c| c.platform).collect::<Vec<_>>().join(", ")
                ),
                Some("build that platform on a machine of its own, or set `cgo: false`".into()),
            )
        })?;
        packages.extend(cross.packages.iter().map(|s| s.to_string()));
        compile_env.insert("CC".to_string(), cross.cc.to_string());
        apt_pos = spec.cgo.pos;
    }
    let upx = spec.upx.value && matches!(inputs.target, Target::Image | Target::Binary);
    let mut apt_sources = Vec::new();
    if upx {
        // bookworm itself has no upx; its backports do (4.2), pinned to
        // this one package.
        packages.push(format!("upx-ucl/{BACKPORTS}"));
        apt_sources.push((
            "/etc/apt/sources.list.d/gofront-backports.sources".to_string(),
            format!(
                "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: {BACKPORTS}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            ),
        ));
    }
    let mut apt = Vec::new();
    if !packages.is_empty() {
        let mut apt_env = BTreeMap::new();
        apt_env.insert("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string());
        apt.push(
            Step::new(
                "[gofront] apt-get update".into(),
                vec!["apt-get".into(), "update".into()],
                apt_env.clone(),
                "/",
            )
            .at(apt_pos),
        );
        let mut install: Vec<String> = ["apt-get", "install", "-y", "--no-install-recommends"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        install.extend(packages.iter().cloned());
        apt.push(
            Step::new(
                format!("[gofront] apt-get install {}", packages.join(" ")),
                install,
                apt_env,
                "/",
            )
            .at(apt_pos),
        );
    }
    Ok(Toolchain {
        compile_env,
        target_env,
        upx,
        apt,
        apt_sources,
    })
}

/// A C cross compiler from Debian bookworm, for cgo to another architecture.
pub struct CrossCompiler {
    pub platform: &'static str,
    pub packages: &'static [&'static str],
    pub cc: &'static str,
}

/// The cgo targets gofront cross-compiles to from another architecture.
pub const CROSS_COMPILERS: &[CrossCompiler] = &[
    CrossCompiler {
        platform: "linux/amd64",
        packages: &["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"],
        cc: "x86_64-linux-gnu-gcc",
    },
    CrossCompiler {
        platform: "linux/arm64",
        packages: &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"],
        cc: "aarch64-linux-gnu-gcc",
    },
];

fn cross_compiler(target: &Platform) -> Option<&'static CrossCompiler> {
    let plain = Platform::new(&target.os, &target.architecture, "");
    CROSS_COMPILERS
        .iter()
        .find(|c| c.platform == plain.to_string())
}
