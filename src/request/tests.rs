use super::*;
use crate::spec;

fn opts(pairs: &[(&str, &str)]) -> Opts {
    Opts::from_pairs(
        pairs
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (format!("BUILDKIT_FRONTEND_OPT_{i}"), format!("{k}={v}"))),
    )
}

fn caps() -> Caps {
    Caps {
        worker_platforms: vec![Platform::new("linux", "amd64", "").to_pb()],
        ..Default::default()
    }
}

fn request(pairs: &[(&str, &str)]) -> Result<BuildRequest, String> {
    BuildRequest::parse(&opts(pairs), |_| None, &caps())
}

#[test]
fn every_opt_is_read_once_into_its_typed_field() {
    let r = BuildRequest::parse(
        &opts(&[
            ("filename", "deploy/gofront.yaml"),
            ("build-arg:VERSION", "1.2.3"),
            ("build-arg:BUILDKIT_MULTI_PLATFORM", "1"),
            ("label:team", "core"),
            ("target", "binary"),
            ("no-cache", ""),
            ("image-resolve-mode", "pull"),
            ("force-network-mode", "host"),
            ("add-hosts", "git.corp=127.42.0.1,db:127.0.0.2"),
            ("context:builder", "docker-image://mirror/golang:1.26"),
            ("vcs:revision", "abc123"),
            ("vcs:source", ""),
        ]),
        |name| match name {
            "BUILDKIT_SESSION_ID" => Some("s1".into()),
            _ => None,
        },
        &caps(),
    )
    .unwrap();
    assert_eq!(r.filename, "deploy/gofront.yaml");
    assert_eq!(
        (r.spec_local.as_str(), r.spec_local_forced),
        ("dockerfile", false)
    );
    assert_eq!(r.context, ContextSource::Local);
    assert_eq!(r.build_args["VERSION"], "1.2.3");
    assert_eq!(r.labels["team"], "core");
    assert_eq!(r.target, Target::Binary);
    assert!(r.multi_platform && r.no_cache);
    assert_eq!(r.resolve_mode, "pull");
    assert_eq!(r.network, Network::Host);
    assert_eq!(
        r.extra_hosts,
        [
            ("git.corp".to_string(), "127.42.0.1".to_string()),
            ("db".to_string(), "127.0.0.2".to_string())
        ]
    );
    assert_eq!(
        r.named_contexts["builder"],
        "docker-image://mirror/golang:1.26"
    );
    assert_eq!(r.vcs_revision.as_deref(), Some("abc123"));
    assert_eq!(r.vcs_source, None, "an empty vcs:source is none");
    assert_eq!(r.session_id, "s1");
    assert_eq!(r.build_platform, Platform::new("linux", "amd64", ""));

    let plain = request(&[]).unwrap();
    assert_eq!(plain.filename, "gofront.yaml");
    assert_eq!(plain.target, Target::Image);
    assert_eq!(plain.resolve_mode, "default");
    assert!(!plain.no_cache && !plain.multi_platform);
}

/// Docker's classic image store keeps one platform per image; its worker
/// is told apart by its labels (no executor) and its lack of MergeOp.
#[test]
fn the_classic_docker_store_is_known_by_its_worker() {
    let daemon = |llb: &[&str], labels: &[(&str, &str)]| {
        let caps = Caps {
            llb: llb.iter().map(|c| c.to_string()).collect(),
            worker_labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..caps()
        };
        BuildRequest::parse(&opts(&[]), |_| None, &caps)
            .unwrap()
            .daemon
    };
    const EXECUTOR: &str = "org.mobyproject.buildkit.worker.executor";
    const GATEWAY_IP: &str = "org.mobyproject.buildkit.worker.moby.host-gateway-ip";
    // Docker 20.10: no labels, no MergeOp.
    assert!(daemon(&[], &[]).classic_docker_store);
    // Docker 29, classic store: MergeOp disabled, only the gateway IP.
    assert!(daemon(&[], &[(GATEWAY_IP, "10.30.0.1")]).classic_docker_store);
    // Docker 29, containerd store: the containerd executor, MergeOp.
    let containerd = daemon(
        &["mergeop"],
        &[(EXECUTOR, "containerd"), (GATEWAY_IP, "10.29.0.1")],
    );
    assert!(!containerd.classic_docker_store && containerd.merge);
    // buildkitd (OCI worker).
    assert!(!daemon(&["mergeop"], &[(EXECUTOR, "oci")]).classic_docker_store);
    // A buildkitd older than MergeOp still names its executor.
    assert!(!daemon(&[], &[(EXECUTOR, "oci")]).classic_docker_store);
}

#[test]
fn the_context_opt_may_name_a_url_that_buildkit_fetches() {
    let git = request(&[
        ("context", "https://example.com/org/repo.git#main"),
        ("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR", "true"),
    ])
    .unwrap();
    match git.context {
        ContextSource::Git(g) => assert!(g.keep_git_dir && g.reference == "main"),
        other => panic!("{other:?}"),
    }
    let tarball = request(&[
        ("contextkey", "ctx"),
        ("ctx", "https://example.com/c.tar.gz"),
    ]);
    assert_eq!(
        tarball.unwrap().context,
        ContextSource::Tarball {
            url: "https://example.com/c.tar.gz".into()
        }
    );
    let forced = request(&[("dockerfilekey", "spec")]).unwrap();
    assert_eq!(
        (forced.spec_local.as_str(), forced.spec_local_forced),
        ("spec", true)
    );
}

#[test]
fn malformed_opts_are_refused_with_the_flag_the_user_wrote() {
    for (pairs, want) in [
        (
            &[("target", "nope")][..],
            "--target nope: gofront has the targets image, binary, test, debug",
        ),
        (&[("platform", "linux")][..], "--platform"),
        (&[("force-network-mode", "bridge")][..], "--network bridge"),
        (&[("add-hosts", "nohost")][..], "--add-host nohost"),
        (
            &[("add-hosts", "h=not-an-ip")][..],
            "--add-host h=not-an-ip",
        ),
        (
            &[("cache-imports", "{not json")][..],
            "--cache-from: cannot read",
        ),
    ] {
        let e = request(pairs).unwrap_err();
        assert!(e.starts_with(want), "{pairs:?}: {e}");
    }
}

#[test]
fn cache_imports_come_from_the_json_opt_and_the_legacy_list() {
    let imports = request(&[
        (
            "cache-imports",
            r#"[{"Type":"registry","Attrs":{"ref":"r.example/cache:main","mode":"max"}},{"Type":"gha"}]"#,
        ),
        ("cache-from", "r.example/a, r.example/b"),
    ])
    .unwrap()
    .cache_imports;
    let shown: Vec<(String, Option<String>)> = imports
        .iter()
        .map(|e| (e.r#type.clone(), e.attrs.get("ref").cloned()))
        .collect();
    assert_eq!(
        shown,
        [
            ("registry".into(), Some("r.example/cache:main".into())),
            ("gha".into(), None),
            ("registry".into(), Some("r.example/a".into())),
            ("registry".into(), Some("r.example/b".into())),
        ]
    );
    assert_eq!(
        imports[0].attrs.get("mode").map(String::as_str),
        Some("max")
    );
    // Docker 20.10 sends an empty list; nothing is imported.
    assert!(
        request(&[("cache-from", "")])
            .unwrap()
            .cache_imports
            .is_empty()
    );
}

#[test]
fn target_platforms_come_from_opts_then_spec_then_build() {
    let spec = spec::parse("gofront.yaml", "platforms: [linux/arm64, linux/s390x]\n").unwrap();
    let ids = |v: Vec<Platform>| v.iter().map(Platform::id).collect::<Vec<_>>();
    let r = request(&[("platform", "linux/arm/v7, linux/386,linux/arm/v7")]).unwrap();
    assert_eq!(
        ids(r.target_platforms(&spec)),
        ["linux/arm/v7", "linux/386"]
    );
    let r = request(&[]).unwrap();
    assert_eq!(
        ids(r.target_platforms(&spec)),
        ["linux/arm64", "linux/s390x"]
    );
    let plain = spec::parse("gofront.yaml", "main: .\n").unwrap();
    assert_eq!(ids(r.target_platforms(&plain)), ["linux/amd64"]);
    assert!(
        request(&[("multi-platform", "true")])
            .unwrap()
            .multi_platform
    );
}
