//! The graphs behind the attestations: the Go build info of the binaries
//! (for the SBOM), govulncheck (for `vulncheck:`), and the files the
//! attestations point at. None of them reaches the image.

use crate::llb::{self, CacheSharing, OpOptions, State};
use crate::plan::{
    BUILD_INFO_BIN, BUILD_INFO_GO, BUILD_INFO_OUT, GOCACHE, GOMODCACHE, Plan, SRC, VULN_OUT,
    VULN_TOOLS,
};
use crate::platform::Platform;

use super::{
    GOCACHE_ID, GOMODCACHE_ID, Options, builder_exec, compiled_binary, precompiled_dependencies,
    toolchain, with_modules,
};

/// The graph that reads each binary's Go build info and SHA-256 (for the
/// SBOM): the same compile steps as the image's, so BuildKit answers them
/// from the solve that made the image.
pub fn build_info_llb(plan: &Plan, options: &Options) -> llb::Marshaled {
    let t = toolchain(plan, options);
    let precompiled = precompiled_dependencies(plan, options, &t);
    let mut exec = builder_exec(plan, options, &t.builder, &plan.build_info)
        .mount_output(BUILD_INFO_OUT, &State::scratch());
    // Each binary's state at a folder of its name: no copy of the binaries.
    for compile in &plan.compiles {
        let b = compiled_binary(plan, options, &t, compile, &precompiled);
        exec = exec
            .mount_readonly(&format!("{BUILD_INFO_GO}/{}", compile.binary), &b.built)
            .mount_readonly(&format!("{BUILD_INFO_BIN}/{}", compile.binary), &b.shipped);
    }
    let facts = exec
        .run()
        .mount(BUILD_INFO_OUT)
        .expect("the build info step has an output mount");
    options.marshal(&facts)
}

/// The graph of govulncheck (`vulncheck:`): installed once per builder,
/// then run over the source the binaries were compiled from. Its output
/// holds `report.json`, `stderr` and `status`.
pub fn vulncheck_llb(plan: &Plan, options: &Options) -> Option<llb::Marshaled> {
    let v = plan.vulncheck.as_ref()?;
    let t = toolchain(plan, options);
    let install = builder_exec(plan, options, &t.builder, &v.install)
        .mount_cache(GOMODCACHE, GOMODCACHE_ID, CacheSharing::Shared)
        .mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared)
        .mount_output(VULN_TOOLS, &State::scratch())
        .run()
        .mount(VULN_TOOLS)
        .expect("the install step has an output mount");
    let scan = builder_exec(plan, options, &t.ready, &v.scan)
        .mount_readonly(SRC, &t.source)
        .mount_readonly(VULN_TOOLS, &install)
        .mount_cache(GOCACHE, GOCACHE_ID, CacheSharing::Shared)
        .mount_output(VULN_OUT, &State::scratch());
    let report = with_modules(plan, scan)
        .run()
        .mount(VULN_OUT)
        .expect("the govulncheck step has an output mount");
    Some(options.marshal(&report))
}

/// Files as a graph of their own (the attestations' predicates): a ref
/// the result can point at.
pub fn files_llb(files: &[(String, Vec<u8>)], platform: &Platform) -> llb::Marshaled {
    let mut actions = State::scratch().file();
    for (path, data) in files {
        actions = actions.mkfile(path, 0o644, data.clone(), None, None);
    }
    let state = actions.finish(platform, OpOptions::named("[gofront] attestations"));
    llb::marshal(&state)
}
