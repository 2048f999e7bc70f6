//! Supply chain: gofront's SBOM (SPDX from the Go build info), the daemon's
//! provenance of a gofront build, and `vulncheck:` against a vulnerability
//! database the test serves on loopback (tests/fixtures/vulndb).

use std::collections::BTreeSet;
use std::process::Command;

use crate::harness::*;

/// The attestation of `platform` with `predicate_type`: its predicate.
fn predicate(atts: &[Attested], platform: &str, predicate_type: &str) -> serde_json::Value {
    atts.iter()
        .find(|a| a.platform == platform && a.predicate_type == predicate_type)
        .unwrap_or_else(|| {
            panic!(
                "no {predicate_type} attestation for {platform} among {:?}",
                atts.iter()
                    .map(|a| (&a.platform, &a.predicate_type))
                    .collect::<Vec<_>>()
            )
        })
        .statement["predicate"]
        .clone()
}

/// (module path, version) of each dependency `go version -m` names in a
/// binary, replacements as replaced.
fn go_version_m_modules(binary: &std::path::Path) -> BTreeSet<(String, String)> {
    let out = Command::new("go")
        .args(["version", "-m"])
        .arg(binary)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut modules = BTreeSet::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.trim().split('\t').collect();
        match fields.as_slice() {
            ["dep", path, version, ..] => {
                modules.insert((path.to_string(), version.to_string()));
            }
            ["=>", path, version, ..] => {
                // The replacement is what went in.
                modules.pop_last();
                modules.insert((path.to_string(), version.to_string()));
            }
            _ => {}
        }
    }
    modules
}

/// `--sbom=true`: per platform, gofront's SPDX document, valid, naming
/// exactly the modules `go version -m` finds in the shipped binary with
/// its real SHA-256; BuildKit runs no scanner (it could not pull one here).
pub fn sbom_is_exact_valid_spdx_and_no_scanner_runs(d: Daemon) {
    let ctx = copy_example("api");
    let name = registry_name("sbom");
    let args = [
        "--sbom=true",
        "--platform=linux/amd64,linux/arm64",
        "--build-arg",
        "VERSION=1.2.3",
    ];
    let b = build_push(d, ctx.path(), "gofront.yaml", &name, &args);
    b.assert_ok();
    assert!(!b.log.contains("syft"), "no scanner runs:\n{}", b.log);
    b.assert_logged("read the Go build info of server");
    let (repo, tag) = registry_repo_tag(&name);
    let atts = registry_attestations(&repo, &tag);

    for platform in ["linux/amd64", "linux/arm64"] {
        let sbom = predicate(&atts, platform, "https://spdx.dev/Document");
        // Its subject is that platform's image manifest.
        let att = atts
            .iter()
            .find(|a| a.platform == platform && a.predicate_type == "https://spdx.dev/Document")
            .unwrap();
        assert_eq!(
            format!(
                "sha256:{}",
                att.statement["subject"][0]["digest"]["sha256"]
                    .as_str()
                    .unwrap()
            ),
            att.image_digest
        );
        let errors = spdx_validation_errors(&sbom);
        assert!(errors.is_empty(), "{platform}: not valid SPDX:\n{errors}");
        assert_eq!(sbom["spdxVersion"], "SPDX-2.3");

        // The binary the image ships, from the same build (cached).
        let out = tempfile::tempdir().unwrap();
        let platform_arg = format!("--platform={platform}");
        build_local(
            d,
            ctx.path(),
            "gofront.yaml",
            out.path(),
            &[platform_arg.as_str(), "--build-arg", "VERSION=1.2.3"],
        )
        .assert_ok();
        let binary = out.path().join("usr/local/bin/server");
        let data = std::fs::read(&binary).unwrap();
        let sha256 = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&data))
        };

        let packages = sbom["packages"].as_array().unwrap();
        let app = packages
            .iter()
            .find(|p| p["primaryPackagePurpose"] == "APPLICATION")
            .expect("the binary's package");
        assert_eq!(app["name"], "example.com/gofront/examples/api/cmd/server");
        assert_eq!(
            app["checksums"],
            serde_json::json!([{"algorithm": "SHA256", "checksumValue": sha256}])
        );
        // Every module of the binary, with its version and purl, and no other.
        let in_sbom: BTreeSet<(String, String)> = packages
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "LIBRARY" && p["name"] != "stdlib")
            .map(|p| {
                let purl = p["externalRefs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["referenceType"] == "purl")
                    .unwrap()["referenceLocator"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let (name, version) = (
                    p["name"].as_str().unwrap().to_string(),
                    p["versionInfo"].as_str().unwrap().to_string(),
                );
                assert_eq!(purl, format!("pkg:golang/{name}@{version}"));
                (name, version)
            })
            .collect();
        let in_binary = go_version_m_modules(&binary);
        assert!(in_binary.len() >= 8, "{in_binary:?}");
        assert_eq!(in_sbom, in_binary, "{platform}");
        // Go's h1: hashes are not called SHA-256; the only SHA-256 values
        // are the binary's and the base image's digest.
        let text = sbom.to_string();
        assert!(
            text.contains("\"gomod-h1\""),
            "h1 sums are kept as what they are"
        );
        let sha_values: Vec<&str> = packages
            .iter()
            .flat_map(|p| p["checksums"].as_array().cloned().unwrap_or_default())
            .map(|c| {
                assert_eq!(c["algorithm"], "SHA256");
                c["checksumValue"].as_str().unwrap().to_string()
            })
            .map(|s| if s == sha256 { "binary" } else { "other" })
            .collect();
        assert_eq!(sha_values.iter().filter(|s| **s == "binary").count(), 1);
        // The Go toolchain, the build settings and the runtime base by digest.
        let stdlib = packages.iter().find(|p| p["name"] == "stdlib").unwrap();
        assert!(stdlib["versionInfo"].as_str().unwrap().starts_with("1.26"));
        let arch = platform.rsplit('/').next().unwrap();
        assert!(text.contains(&format!("GOARCH={arch}")), "{text}");
        assert!(text.contains("CGO_ENABLED=0"));
        assert!(
            text.contains("version.Version=1.2.3"),
            "the -ldflags gofront linked with: {text}"
        );
        let base = packages
            .iter()
            .find(|p| {
                p["primaryPackagePurpose"] == "CONTAINER"
                    && p["name"].as_str().unwrap().contains("distroless")
            })
            .expect("the runtime base");
        assert!(
            base.to_string().contains("pkg:oci/static-debian12@sha256:"),
            "{base}"
        );
    }
}

/// `attest:sbom` parameters: `generator=` leaves the SBOM to BuildKit's
/// scanner (which here cannot be pulled, so the build fails naming it);
/// an unknown parameter is refused with what gofront takes.
pub fn sbom_parameters_are_honoured_or_refused(d: Daemon) {
    let ctx = copy_example("hello");
    let name = registry_name("sbom-params");
    let b = build_push(
        d,
        ctx.path(),
        "gofront.yaml",
        &name,
        &["--attest", "type=sbom,scan-stage=true"],
    );
    b.assert_failed_with(&["takes no parameter \"scan-stage\"", "generator=IMAGE"]);
    let b = build_push(
        d,
        ctx.path(),
        "gofront.yaml",
        &name,
        &[
            "--attest",
            "type=sbom,generator=127.0.0.1:5000/gofront-test/no-scanner:1",
        ],
    );
    b.assert_failed_with(&["gofront-test/no-scanner"]);
    assert!(
        !b.log.contains("read the Go build info"),
        "gofront writes no SBOM of its own then:\n{}",
        b.log
    );
}

/// Docker's classic image store keeps no attestations: buildx refuses
/// `--sbom` with its own message before the frontend runs.
pub fn attestations_on_a_classic_store_get_buildxs_message(d: Daemon) {
    let ctx = copy_example("hello");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("sbom"),
        &["--sbom=true"],
    );
    // buildx's own words, before any solve: no "failed to solve" error.
    assert!(!b.ok, "{}", b.log);
    b.assert_logged("Attestation is not supported for the docker driver");
    b.assert_logged("turn on the containerd image store");
}

/// `--provenance=mode=max` (made by the daemon): the frontend image and the
/// base images by digest, the build args, and source locations that point
/// at the spec's lines.
pub fn provenance_names_the_frontend_the_bases_the_args_and_the_spec_lines(d: Daemon) {
    let ctx = copy_example("api");
    let name = registry_name("provenance");
    let b = build_push(
        d,
        ctx.path(),
        "gofront.yaml",
        &name,
        &["--provenance=mode=max", "--build-arg", "VERSION=4.5.6"],
    );
    b.assert_ok();
    let (repo, tag) = registry_repo_tag(&name);
    let atts = registry_attestations(&repo, &tag);
    let prov = atts
        .iter()
        .find(|a| a.predicate_type.starts_with("https://slsa.dev/provenance/"))
        .expect("a provenance attestation")
        .statement["predicate"]
        .clone();
    // SLSA v1 (BuildKit's default): resolved dependencies, each image with
    // its digest, the frontend image among them.
    let deps = prov["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for image in ["ourorg/gofront", "golang", "static-debian12"] {
        assert!(
            deps.iter()
                .any(|m| m["uri"].as_str().unwrap_or_default().contains(image)
                    && m["digest"]["sha256"]
                        .as_str()
                        .is_some_and(|d| d.len() == 64)),
            "{image} by digest among {deps:#?}"
        );
    }
    let request = &prov["buildDefinition"]["externalParameters"]["request"];
    assert_eq!(request["args"]["build-arg:VERSION"], "4.5.6", "{request:#}");
    assert_eq!(request["args"]["source"], "ourorg/gofront");
    // Source maps: the spec itself, and the steps at the lines that made
    // them (`main:` is line 2 of examples/api's spec).
    let metadata = &prov["runDetails"]["metadata"]["buildkit_metadata"]["source"];
    let info = &metadata["infos"][0];
    assert_eq!(info["filename"], "gofront.yaml");
    let spec = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(info["data"].as_str().unwrap())
            .unwrap()
    };
    assert!(
        String::from_utf8(spec)
            .unwrap()
            .contains("main: ./cmd/server")
    );
    let steps = prov["buildDefinition"]["internalParameters"]["buildConfig"]["llbDefinition"]
        .as_array()
        .unwrap();
    let go_build = steps
        .iter()
        .find(|s| s["op"]["Op"]["exec"]["meta"]["args"][1] == "build")
        .expect("the go build step");
    let at = &metadata["locations"][go_build["id"].as_str().unwrap()]["locations"][0]["ranges"][0];
    assert_eq!(at["start"]["line"], 2, "{metadata:#}");
}

/// The service of tests/fixtures/vulncheck-service, with `vulncheck: mode`.
fn vulnerable_service(mode: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = repo_root().join("tests/fixtures/vulncheck-service");
    for f in ["go.mod", "go.sum", "main.go"] {
        std::fs::copy(from.join(f), dir.path().join(f)).unwrap();
    }
    write_spec(
        dir.path(),
        &format!("main: .\nports: [8080]\nvulncheck: {mode}\n"),
    );
    dir
}

/// Build steps must reach the database on loopback: buildkitd here runs
/// them on the host's network; Docker's builds ask for it.
fn db_args(d: Daemon, db: &str) -> Vec<String> {
    let mut args = vec!["--build-arg".to_string(), format!("GOVULNDB={db}")];
    if d != Daemon::Buildkit {
        args.extend(["--network".to_string(), "host".to_string()]);
    }
    args
}

/// `vulncheck: fail` stops the build on the reachable entry of the test
/// database with its ID, module, fixed version and call path, and says
/// nothing of the entry whose code is never called; `warn` builds, warns,
/// and attaches an OpenVEX document that marks the other entry not
/// affected; `--call check` reports the same.
pub fn vulncheck_fails_warns_and_attaches_openvex(d: Daemon) {
    let db = VulnDb::serve(&repo_root().join("tests/fixtures/vulndb"));
    let args = db_args(d, &db.url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let ctx = vulnerable_service("fail");
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("vuln"), &args);
    b.assert_failed_with(&[
        "gofront.yaml:4",
        "vulncheck: the code calls 1 known vulnerability",
        "GO-2099-0001",
        "module:  golang.org/x/text",
        "found:   v0.14.0",
        "go get golang.org/x/text@v0.15.0",
        "main.greet",
        "language.Parse",
    ]);
    assert!(!b.log.contains("GO-2099-0002"), "{}", b.log);

    let ctx = vulnerable_service("warn");
    let name = registry_name("vuln");
    let mut with_sbom = args.clone();
    with_sbom.push("--sbom=true");
    let b = build_push(d, ctx.path(), "gofront.yaml", &name, &with_sbom);
    b.assert_ok();
    b.assert_logged("ReachableVulnerability");
    b.assert_logged("GO-2099-0001");
    let (repo, tag) = registry_repo_tag(&name);
    let atts = registry_attestations(&repo, &tag);
    let vex = predicate(&atts, "linux/amd64", "https://openvex.dev/ns/v0.2.0");
    let statements = vex["statements"].as_array().unwrap();
    let status = |id: &str| {
        statements
            .iter()
            .find(|s| s["vulnerability"]["name"] == id)
            .unwrap_or_else(|| panic!("no statement of {id} in {vex:#}"))
            .clone()
    };
    assert_eq!(status("GO-2099-0001")["status"], "affected");
    let unreached = status("GO-2099-0002");
    assert_eq!(unreached["status"], "not_affected");
    assert_eq!(
        unreached["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    predicate(&atts, "linux/amd64", "https://spdx.dev/Document");

    let (code, stdout, stderr) = call(d, ctx.path(), "gofront.yaml", "check", &args);
    assert_ne!(code, 0, "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("ReachableVulnerability"), "{all}");
    assert!(all.contains("GO-2099-0001"), "{all}");
}

/// A database that cannot be read: a warning under `warn` (the image is
/// built), an error that names govulncheck's cause under `fail`; on every
/// daemon, Docker 20.10's BuildKit v0.8 included.
pub fn vulncheck_with_an_unreadable_database(d: Daemon) {
    // A port nothing listens on, and a database whose index is cut short.
    let broken = tempfile::tempdir().unwrap();
    let from = repo_root().join("tests/fixtures/vulndb");
    for sub in ["index", "ID"] {
        std::fs::create_dir_all(broken.path().join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), broken.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    let modules = broken.path().join("index/modules.json.gz");
    let data = std::fs::read(&modules).unwrap();
    std::fs::write(&modules, &data[..data.len() / 2]).unwrap();
    let db = VulnDb::serve(broken.path());

    let ctx = vulnerable_service("warn");
    let args = db_args(d, "http://127.43.0.1:9");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("vuln"), &args);
    b.assert_ok();
    b.assert_logged("[gofront] govulncheck");
    // Docker 20.10's BuildKit has no build warnings to show it in.
    if d != Daemon::Docker {
        b.assert_logged("VulnCheckFailed");
        b.assert_logged("govulncheck could not check the code");
    }

    let ctx = vulnerable_service("fail");
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("vuln"), &args);
    b.assert_failed_with(&[
        "gofront.yaml:4",
        "govulncheck could not check the code",
        "http://127.43.0.1:9",
        "GOVULNDB",
    ]);
    let args = db_args(d, &db.url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("vuln"), &args);
    b.assert_failed_with(&[
        "govulncheck could not check the code",
        "fetching vulnerabilities",
    ]);
}
