//! End-to-end tests: real builds with the `ourorg/gofront` frontend image on
//! Docker 20.10 (BuildKit v0.8), buildkitd and Docker 29 (BuildKit v0.33;
//! its containerd image store, and its classic store for the tests that
//! inspect images), and the images they produce are run and inspected.
//!
//! They need the engine, the stand-in images and the frontend image, which
//! `scripts/test.sh` sets up; hence `#[ignore]` here and `--include-ignored`
//! there. Each test works on its own copy of an example in a temp dir.
//!
//! This file lists every test and the daemons it runs on; the tests
//! themselves are in one module per area, their helpers in `harness`.

mod harness;

mod attest;
mod cache;
mod calls;
mod caps;
mod cgo;
mod compose;
mod contexts;
mod errors;
mod frontend_image;
mod image;
mod platforms;
mod private;
mod services;
mod switches;
mod tests_gate;

use harness::Daemon;

/// The tests of `everywhere` run on three daemons: Docker 20.10's built-in
/// BuildKit (v0.8) through `docker build`, a current buildkitd through
/// buildx (`scripts/buildkit-up.sh`), and Docker 29's built-in BuildKit
/// (v0.33, containerd image store) through plain `docker build`
/// (`scripts/docker29-up.sh`). `area::name` is the test's function; the
/// tests are `docker20::name`, `buildkit::name` and `docker29::name`.
///
/// The tests of `current_buildkit` need a current BuildKit: they are `name`
/// on buildkitd and `docker29::name` on Docker 29.
///
/// The tests of `classic_store` (of `everywhere`, the ones that inspect an
/// image: config, files, layers, sizes, reproducible digests) run once more
/// on Docker 29 with the classic image store (`scripts/docker29-up.sh
/// --store classic`), as `docker29_classic::name`: that store is in wide
/// use (Docker 23-28's default, kept by Docker 29 upgrades).
macro_rules! on_the_daemons {
    (
        everywhere: [$($area:ident::$name:ident),* $(,)?],
        current_buildkit: [$($c_area:ident::$c_name:ident),* $(,)?],
        classic_store: [$($s_area:ident::$s_name:ident),* $(,)?] $(,)?
    ) => {
        mod docker20 {
            $(
                #[test]
                #[ignore = "needs Docker and the frontend image: run scripts/test.sh"]
                fn $name() {
                    super::$area::$name(super::Daemon::Docker)
                }
            )*
        }
        mod buildkit {
            $(
                #[test]
                #[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
                fn $name() {
                    super::$area::$name(super::Daemon::Buildkit)
                }
            )*
        }
        mod docker29 {
            $(
                #[test]
                #[ignore = "needs Docker 29 and the registry: run scripts/test.sh"]
                fn $name() {
                    super::$area::$name(super::Daemon::Docker29)
                }
            )*
            $(
                #[test]
                #[ignore = "needs Docker 29 and the registry: run scripts/test.sh"]
                fn $c_name() {
                    super::$c_area::$c_name(super::Daemon::Docker29)
                }
            )*
        }
        mod docker29_classic {
            $(
                #[test]
                #[ignore = "needs Docker 29 with the classic store and the registry: run scripts/test.sh"]
                fn $s_name() {
                    super::$s_area::$s_name(super::Daemon::Docker29Classic)
                }
            )*
        }
        $(
            #[test]
            #[ignore = "needs buildkitd, buildx and the registry: run scripts/test.sh"]
            fn $c_name() {
                $c_area::$c_name(Daemon::Buildkit)
            }
        )*
    };
}

/// Tests of what only Docker's classic image store does (Docker 20.10,
/// Docker 29 with `--store classic`): `name::docker20`,
/// `name::docker29_classic`.
macro_rules! on_the_classic_stores {
    ($($area:ident::$name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                #[ignore = "needs Docker and the frontend image: run scripts/test.sh"]
                fn docker20() {
                    super::$area::$name(super::Daemon::Docker)
                }
                #[test]
                #[ignore = "needs Docker 29 (classic store): run scripts/test.sh"]
                fn docker29_classic() {
                    super::$area::$name(super::Daemon::Docker29Classic)
                }
            }
        )*
    };
}

on_the_daemons!(
    everywhere: [
        image::hello_builds_runs_and_is_configured,
        image::scratch_image_is_binary_certs_and_passwd,
        image::multi_binaries_templates_and_a_healthcheck_without_a_shell,
        image::files_tzdata_and_workdir_on_scratch,
        image::monorepo_module_in_a_workspace,
        image::debug_target_adds_a_shell_toolbox,
        switches::source_date_epoch_gives_the_same_image,
        switches::upx_compresses_the_binary,
        switches::binary_target_exports_only_the_binaries,
        switches::images_in_the_spec_replace_the_builder_and_the_runtime,
        switches::build_switches_reach_go_build,
        cache::api_rebuild_after_an_edit_recompiles_only_what_changed,
        cache::layers_mode_keeps_the_compiled_dependencies_through_an_edit,
        cache::no_cache_reruns_the_steps,
        errors::hostile_build_arg_is_data,
        errors::bad_specs_fail_with_file_and_line,
        errors::failing_go_build_is_reported,
        caps::missing_caps_are_named_with_the_buildkit_that_has_them,
        caps::the_cap_filter_is_transparent_otherwise,
        platforms::foreign_platform_cross_compiles,
        cgo::cgo_builds_on_bookworm_and_runs_on_distroless_base,
        cgo::cgo_sqlite_runs_on_distroless_base,
        contexts::dockerignore_is_honoured,
        contexts::git_url_context_is_fetched_by_buildkit,
        contexts::tarball_context_on_stdin,
        private::private_module_over_a_git_server_with_a_netrc_secret,
        private::private_module_over_ssh_with_the_agent_forwarded,
        tests_gate::tests_gate_the_image,
        tests_gate::race_detector_tests_run_with_cgo_on_bookworm,
        services::state_folder_is_written_by_the_non_root_user,
        services::workdir_keeps_the_base_folder_and_files_own_theirs,
        services::generated_code_is_compiled_and_not_shipped,
        services::web_ui_is_built_embedded_and_rebuilt_by_part,
        services::web_ui_with_pnpm_through_corepack,
        attest::vulncheck_with_an_unreadable_database,
    ],
    current_buildkit: [
        cache::a_fresh_runner_takes_modules_and_compiled_dependencies_from_cache_from,
        platforms::seven_platforms_in_one_build,
        platforms::spec_platforms_are_the_default,
        platforms::several_platforms_push_one_index,
        cgo::cgo_cross_compiles_to_arm64,
        contexts::build_contexts_replace_the_frontend_and_the_images,
        contexts::bake_target_context_replaces_the_runtime,
        compose::bake_group_builds_and_runs_several_services,
        contexts::git_query_contexts_as_opt_and_as_frontend_input,
        calls::calls_outline_targets_and_check_through_buildx,
        frontend_image::the_frontend_is_pinned_by_tag_and_digest_and_mirrored,
        attest::sbom_is_exact_valid_spdx_and_no_scanner_runs,
        attest::sbom_parameters_are_honoured_or_refused,
        attest::provenance_names_the_frontend_the_bases_the_args_and_the_spec_lines,
        attest::vulncheck_fails_warns_and_attaches_openvex,
    ],
    classic_store: [
        image::hello_builds_runs_and_is_configured,
        image::scratch_image_is_binary_certs_and_passwd,
        image::multi_binaries_templates_and_a_healthcheck_without_a_shell,
        image::files_tzdata_and_workdir_on_scratch,
        image::monorepo_module_in_a_workspace,
        image::debug_target_adds_a_shell_toolbox,
        switches::source_date_epoch_gives_the_same_image,
        platforms::foreign_platform_cross_compiles,
        services::workdir_keeps_the_base_folder_and_files_own_theirs,
    ],
);

on_the_classic_stores!(platforms::several_platforms_on_a_classic_store_fail_clearly);

/// Tests of Docker 29's classic store alone: `docker29_classic_only::name`.
mod docker29_classic_only {
    #[test]
    #[ignore = "needs Docker 29 (classic store): run scripts/test.sh"]
    fn attestations_on_a_classic_store_get_buildxs_message() {
        super::attest::attestations_on_a_classic_store_get_buildxs_message(
            super::Daemon::Docker29Classic,
        )
    }
}

/// Docker Compose v2 (v5.5.1) on Docker 29, building with the engine's
/// BuildKit and with buildkitd; the test is `name`.
macro_rules! on_docker29_with_compose {
    ($($area:ident::$name:ident),* $(,)?) => {
        $(
            #[test]
            #[ignore = "needs Docker 29, compose and buildkitd: run scripts/test.sh"]
            fn $name() {
                $area::$name()
            }
        )*
    };
}

on_docker29_with_compose!(
    compose::compose_builds_on_docker29,
    compose::compose_builds_on_buildkitd,
);
