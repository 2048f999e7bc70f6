use super::*;
use serde_json::json;

// Real `go version -m` outputs (Go 1.26.8) of three builds of one module,
// see tests/fixtures/sbom: `server` (linux/arm64, -ldflags with -X secrets,
// -tags, VCS stamping), `worker` (linux/arm64, -trimpath, a subset of the
// server's modules) and `worker-cgo` (linux/amd64, cgo, -buildmode=pie,
// GOAMD64=v3, quoted CGO_CFLAGS, per-package -ldflags, main module (devel)).
const SERVER: &str = include_str!("../../tests/fixtures/sbom/server-arm64.txt");
const WORKER: &str = include_str!("../../tests/fixtures/sbom/worker-arm64.txt");
const WORKER_CGO: &str = include_str!("../../tests/fixtures/sbom/worker-cgo-amd64.txt");

// The files' real SHA-256s.
const SERVER_SHA: &str = "87e43520e36b593939c3f87a0df18586946c86a10251bcbb3cfc0b6723ad0b2e";
const WORKER_SHA: &str = "dcfccdfea1b1488c3905c0d089e77c23d346cc140bb0c25efdf520ec45494804";
const CGO_SHA: &str = "d1300009a13fef313d2a8015be32799966ec20a82bb613f4287675dfe0819ac3";

const BASE_DIGEST: &str = "sha256:6ec5aa99dc335666e79dc64e4a6c8b89c33a543a1967f20d360922a80dd21f02";

fn parse(text: &str) -> BuildInfo {
    match parse_go_version_m(text) {
        Ok(info) => info,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn module(path: &str, version: &str, sum: Option<&str>) -> Module {
    Module {
        path: path.into(),
        version: version.into(),
        sum: sum.map(str::to_string),
        replace: None,
    }
}

fn replaced(mut m: Module, by: Module) -> Module {
    m.replace = Some(Box::new(by));
    m
}

fn binary(path: &str, sha256: &str, text: &str) -> Binary {
    Binary {
        path: path.into(),
        sha256: sha256.into(),
        info: parse(text),
    }
}

fn image_doc(binaries: Vec<Binary>, runtime: Option<BaseImage>) -> Document {
    Document {
        image_name: "ghcr.io/example/app:1.2.3".into(),
        platform: "linux/arm64".into(),
        binaries,
        runtime,
        created: "2026-11-29T22:20:54Z".into(),
        creator_tool: "gofront-0.5.0".into(),
    }
}

fn distroless() -> Option<BaseImage> {
    Some(BaseImage {
        reference: "gcr.io/distroless/static-debian12:nonroot".into(),
        digest: Some(BASE_DIGEST.into()),
    })
}

fn server_and_worker() -> Document {
    image_doc(
        vec![
            binary("/usr/local/bin/server", SERVER_SHA, SERVER),
            binary("/usr/local/bin/worker", WORKER_SHA, WORKER),
        ],
        distroless(),
    )
}

fn packages(v: &Value) -> &Vec<Value> {
    v["packages"].as_array().expect("packages")
}

fn package<'a>(v: &'a Value, id: &str) -> &'a Value {
    packages(v)
        .iter()
        .find(|p| p["SPDXID"] == id)
        .unwrap_or_else(|| panic!("no package {id}"))
}

fn packages_named<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    packages(v).iter().filter(|p| p["name"] == name).collect()
}

fn purls(p: &Value) -> Vec<String> {
    refs(p, "purl")
}

fn refs(p: &Value, kind: &str) -> Vec<String> {
    p["externalRefs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["referenceType"] == kind)
                .map(|r| {
                    r["referenceLocator"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn relationships(v: &Value) -> Vec<(String, String, String)> {
    v["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .map(|r| {
            (
                r["spdxElementId"].as_str().unwrap_or_default().to_string(),
                r["relationshipType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                r["relatedSpdxElement"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn depends_on(v: &Value, from: &str) -> Vec<String> {
    relationships(v)
        .into_iter()
        .filter(|(f, t, _)| f == from && t == "DEPENDS_ON")
        .map(|(_, _, to)| to)
        .collect()
}

// ---------------------------------------------------------------------------
// Parsing

#[test]
fn parses_the_real_server_build_info() {
    let info = parse(SERVER);
    assert_eq!(info.go_version, "go1.26.8");
    assert_eq!(info.path, "example.com/app/cmd/server");
    assert_eq!(
        info.main,
        module(
            "example.com/app",
            "v0.0.0-20261129222054-6add431cc3b1",
            None
        )
    );
    assert_eq!(
        info.deps,
        vec![
            replaced(
                module("example.com/local", "v0.0.0", None),
                module("../local", "(devel)", None)
            ),
            module(
                "github.com/BurntSushi/toml",
                "v1.4.0",
                Some("h1:kuoIxZQy2WRRk1pttg9asf+WVv6tWQuBNVmK8+nqPr0=")
            ),
            module(
                "github.com/go-chi/chi/v5",
                "v5.1.0",
                Some("h1:acVI1TYaD+hhedDJ3r54HyA6sExp3HfXq7QWEEY/xMw=")
            ),
            replaced(
                module("golang.org/x/text", "v0.3.0", None),
                module(
                    "golang.org/x/text",
                    "v0.3.8",
                    Some("h1:nAL+RVCQ9uMn3vJZbV+MRnydTJFPf8qqY42YiA6MrqY=")
                )
            ),
            module(
                "gopkg.in/yaml.v3",
                "v3.0.1",
                Some("h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=")
            ),
        ]
    );
    let settings: Vec<(&str, &str)> = info
        .settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let godebug = settings
        .iter()
        .find(|(k, _)| *k == "DefaultGODEBUG")
        .map(|(_, v)| *v)
        .unwrap_or_default();
    assert!(godebug.starts_with("asynctimerchan=1,containermaxprocs=0,"));
    assert_eq!(
        settings,
        vec![
            ("-buildmode", "exe"),
            ("-compiler", "gc"),
            (
                "-ldflags",
                "-s -w -X main.version=1.2.3 -X 'main.apiToken=abc' -X example.com/app/internal/config.DBPassword=hunter2"
            ),
            ("-tags", "netgo,osusergo"),
            ("DefaultGODEBUG", godebug),
            ("CGO_ENABLED", "0"),
            ("GOARCH", "arm64"),
            ("GOOS", "linux"),
            ("GOARM64", "v8.0"),
            ("vcs", "git"),
            ("vcs.revision", "6add431cc3b1e548e3f4757943748f96fda48da8"),
            ("vcs.time", "2026-11-29T22:20:54Z"),
            ("vcs.modified", "false"),
        ]
    );
}

#[test]
fn parses_the_real_cgo_build_info_with_quoted_values() {
    let info = parse(WORKER_CGO);
    assert_eq!(info.path, "example.com/app/cmd/worker");
    assert_eq!(info.main, module("example.com/app", "(devel)", None));
    assert_eq!(info.deps.len(), 2);
    let get = |key: &str| {
        info.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("-buildmode"), Some("pie"));
    assert_eq!(
        get("-ldflags"),
        Some(r#"all=-X main.version=v2 -X "main.secretKey=s3cr3t value""#)
    );
    assert_eq!(get("CGO_ENABLED"), Some("1"));
    assert_eq!(get("CGO_CFLAGS"), Some("-O2 -g -I/opt/my include"));
    assert_eq!(get("CGO_LDFLAGS"), Some(""));
    assert_eq!(get("GOAMD64"), Some("v3"));
}

#[test]
fn parses_the_documented_example() {
    let text = "/out/server: go1.26.0\n\
        \tpath\texample.com/app/cmd/server\n\
        \tmod\texample.com/app\t(devel)\t\n\
        \tdep\tgithub.com/go-chi/chi/v5\tv5.5.0\th1:abc=\n\
        \tdep\tgolang.org/x/text\tv0.3.0\n\
        \t=>\tgolang.org/x/text\tv0.3.8\th1:def=\n\
        \tdep\texample.com/local\tv0.0.0\n\
        \t=>\t../local\t\t\n\
        \tbuild\t-ldflags=\"-s -w -X main.version=1.2.3 -X main.apiToken=abc\"\n\
        \tbuild\t-tags=netgo,osusergo\n";
    let info = parse(text);
    assert_eq!(info.go_version, "go1.26.0");
    assert_eq!(info.main, module("example.com/app", "(devel)", None));
    assert_eq!(
        info.deps[2],
        replaced(
            module("example.com/local", "v0.0.0", None),
            module("../local", "", None)
        )
    );
    assert_eq!(
        info.settings[0],
        (
            "-ldflags".to_string(),
            "-s -w -X main.version=1.2.3 -X main.apiToken=abc".to_string()
        )
    );
}

#[test]
fn build_values_are_unquoted_as_go_does() {
    let info = parse(concat!(
        "a: go1.22rc1\n",
        "\tpath\tx\n",
        "\tbuild\t\"odd key\"=v\n",
        "\tbuild\tk=\"tab\\there \\\"q\\\" \\x41\\u00e9\\101\"\n",
        "\tbuild\traw=`back quoted \"x\"`\n",
        "\tbuild\tempty=\n",
        "\tbuild\teq=a=b\n",
    ));
    assert_eq!(
        info.settings,
        vec![
            ("odd key".to_string(), "v".to_string()),
            ("k".to_string(), "tab\there \"q\" AéA".to_string()),
            ("raw".to_string(), "back quoted \"x\"".to_string()),
            ("empty".to_string(), String::new()),
            ("eq".to_string(), "a=b".to_string()),
        ]
    );
}

#[test]
fn header_forms() {
    let body = "\tpath\tx\n";
    for (header, want) in [
        ("/out/server: go1.26.0", "go1.26.0"),
        (
            "/out/server: go1.26.0 X:boringcrypto",
            "go1.26.0 X:boringcrypto",
        ),
        ("/odd: name/server: go1.22rc1", "go1.22rc1"),
        (
            "/out/s: devel go1.27-3f5a1c Tue Nov 3 10:00:00 2026 +0000",
            "devel go1.27-3f5a1c Tue Nov 3 10:00:00 2026 +0000",
        ),
    ] {
        let info = parse(&format!("{header}\r\n{body}"));
        assert_eq!(info.go_version, want, "{header}");
    }
}

#[test]
fn gopath_and_file_builds_have_no_main_module() {
    let info = parse("/b: go1.26.8\n\tpath\thello\n\tbuild\tGOOS=linux\n");
    assert_eq!(info.path, "hello");
    assert_eq!(info.main, Module::default());
    let info = parse(
        "/b: go1.26.8\n\tpath\tcommand-line-arguments\n\tdep\tgolang.org/x/text\tv0.3.8\th1:x=\n",
    );
    assert_eq!(info.deps.len(), 1);
}

#[test]
fn malformed_input_is_a_short_error() {
    let cases: &[(&str, &str)] = &[
        ("", "no `go version -m` output"),
        ("  \n\n", "no `go version -m` output"),
        (
            "/bin/ls: could not read Go build info from /bin/ls: not a Go executable\n",
            "no Go build info (not a Go binary",
        ),
        (
            "/old/binary: go1.12.17\n",
            "no Go build info (not a Go binary",
        ),
        ("hello world\n", "not `go version -m` output"),
        ("\tpath\tx\n", "not `go version -m` output"),
        (
            "/a: go1.26.0\n\tpath\ta\n/b: go1.26.0\n\tpath\tb\n",
            "more than one binary",
        ),
        ("/a: go1.26.0\n\tmod\tx\n", "line 2: expected 2 or 3"),
        (
            "/a: go1.26.0\n\tdep\tx\tv1\th1:x\textra\n",
            "line 2: expected 2 or 3",
        ),
        ("/a: go1.26.0\n\tdep\t\tv1\n", "without a module path"),
        (
            "/a: go1.26.0\n\tpath\tx\n\t=>\ty\tv1\t\n",
            "line 3: a replacement",
        ),
        (
            "/a: go1.26.0\n\tdep\tx\tv1\n\t=>\ty\tv2\t\n\t=>\tz\tv3\t\n",
            "line 4: a replacement",
        ),
        ("/a: go1.26.0\n\tpath\tx\n\tbuild\tGOOS\n", "missing '='"),
        ("/a: go1.26.0\n\tpath\tx\n\tbuild\t=x\n", "missing key"),
        (
            "/a: go1.26.0\n\tpath\tx\n\tbuild\tk=a b\n",
            "must be quoted",
        ),
        (
            "/a: go1.26.0\n\tpath\tx\n\tbuild\tk=\"a\n",
            "invalid quoted value",
        ),
        (
            "/a: go1.26.0\n\tpath\tx\n\tbuild\t\"k\"x\n",
            "after quoted key",
        ),
        (
            "/a: go1.26.0\n\tpath\tx\nstray\n",
            "line 3: expected a tab-indented",
        ),
    ];
    for (text, want) in cases {
        match parse_go_version_m(text) {
            Ok(info) => panic!("{text:?} parsed: {info:?}"),
            Err(e) => {
                assert!(e.contains(want), "{text:?}: {e:?} lacks {want:?}");
                assert!(!e.contains('\n') && e.len() < 200, "not short: {e:?}");
            }
        }
    }
}

#[test]
fn no_input_panics() {
    // Every prefix of the real outputs, and each with odd bytes spliced in.
    for text in [SERVER, WORKER, WORKER_CGO] {
        for (i, _) in text.char_indices() {
            for tail in ["", "\"", "`", "\\", "\t", "=", "\n\t=>\t", "é\\u12"] {
                let t = format!("{}{tail}", &text[..i]);
                if let Ok(info) = parse_go_version_m(&t) {
                    let doc = image_doc(
                        vec![Binary {
                            path: "/x".into(),
                            sha256: "not hex".into(),
                            info,
                        }],
                        None,
                    );
                    let _ = spdx_json(&doc);
                }
            }
        }
    }
    for s in [
        "\"",
        "\"\\",
        "\"\\x4\"",
        "\"\\400\"",
        "\"\\U00110000\"",
        "`",
        "``x",
    ] {
        let _ = go_unquote(s);
        let _ = go_quoted_prefix(s);
        let _ = redact_ldflags(s);
    }
}

// ---------------------------------------------------------------------------
// The document

#[test]
fn the_document_header_is_spdx_2_3() {
    let v = spdx_json(&server_and_worker());
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
    assert_eq!(v["dataLicense"], "CC0-1.0");
    assert_eq!(v["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(v["name"], "ghcr.io/example/app:1.2.3 (linux/arm64)");
    assert_eq!(
        v["creationInfo"],
        json!({"created": "2026-11-29T22:20:54Z", "creators": ["Tool: gofront-0.5.0"]})
    );
    let ns = v["documentNamespace"].as_str().unwrap_or_default();
    let prefix = "https://gofront.dev/spdx/ghcr.io-example-app-1.2.3-linux-arm64-";
    assert!(ns.starts_with(prefix), "{ns}");
    let hash = &ns[prefix.len()..];
    assert!(
        hash.len() == 16 && hash.bytes().all(|c| c.is_ascii_hexdigit()),
        "{ns}"
    );
}

#[test]
fn the_namespace_changes_with_the_content_and_not_with_the_time() {
    let ns = |d: &Document| spdx_json(d)["documentNamespace"].clone();
    let a = server_and_worker();
    let mut later = server_and_worker();
    later.created = "2027-01-01T00:00:00Z".into();
    assert_eq!(ns(&a), ns(&later));
    let mut other_platform = server_and_worker();
    other_platform.platform = "linux/arm/v7".into();
    assert_ne!(ns(&a), ns(&other_platform));
    let mut other_binary = server_and_worker();
    other_binary.binaries[0].sha256 = CGO_SHA.into();
    assert_ne!(ns(&a), ns(&other_binary));
    let mut no_name = server_and_worker();
    no_name.image_name = String::new();
    let ns = ns(&no_name);
    assert!(
        ns.as_str()
            .unwrap_or_default()
            .starts_with("https://gofront.dev/spdx/server-linux-arm64-"),
        "{ns}"
    );
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let a = serde_json::to_string_pretty(&spdx_json(&server_and_worker())).unwrap_or_default();
    let b = serde_json::to_string_pretty(&spdx_json(&server_and_worker())).unwrap_or_default();
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // The binaries' order is not the caller's to set.
    let mut reversed = server_and_worker();
    reversed.binaries.reverse();
    let c = serde_json::to_string_pretty(&spdx_json(&reversed)).unwrap_or_default();
    assert_eq!(a, c);
}

#[test]
fn the_image_contains_the_binaries_and_descends_from_the_base() {
    let v = spdx_json(&server_and_worker());
    let image = package(&v, "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["name"], "ghcr.io/example/app:1.2.3");
    let rels = relationships(&v);
    let has = |f: &str, t: &str, to: &str| rels.iter().any(|(a, b, c)| a == f && b == t && c == to);
    assert!(has("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));
    assert!(has(
        "SPDXRef-Image",
        "CONTAINS",
        "SPDXRef-Binary-usr-local-bin-server"
    ));
    assert!(has(
        "SPDXRef-Image",
        "CONTAINS",
        "SPDXRef-Binary-usr-local-bin-worker"
    ));
    assert!(has("SPDXRef-Image", "DESCENDANT_OF", "SPDXRef-BaseImage"));
    // Every relationship joins two elements of the document.
    let ids: HashSet<&str> = packages(&v)
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    for (a, _, c) in &rels {
        assert!(a == "SPDXRef-DOCUMENT" || ids.contains(a.as_str()), "{a}");
        assert!(ids.contains(c.as_str()), "{c}");
    }
}

#[test]
fn a_binary_is_its_main_package_with_its_real_checksum() {
    let v = spdx_json(&server_and_worker());
    let server = package(&v, "SPDXRef-Binary-usr-local-bin-server");
    assert_eq!(server["name"], "example.com/app/cmd/server");
    assert_eq!(server["versionInfo"], "v0.0.0-20261129222054-6add431cc3b1");
    assert_eq!(server["packageFileName"], "/usr/local/bin/server");
    assert_eq!(server["primaryPackagePurpose"], "APPLICATION");
    assert_eq!(server["filesAnalyzed"], false);
    assert_eq!(
        server["checksums"],
        json!([{"algorithm": "SHA256", "checksumValue": SERVER_SHA}])
    );
    assert_eq!(
        purls(server),
        vec!["pkg:golang/example.com/app@v0.0.0-20261129222054-6add431cc3b1"]
    );
    let source = server["sourceInfo"].as_str().unwrap_or_default();
    assert!(source.contains("go1.26.8") && source.contains("example.com/app v0.0.0-2026"));
}

#[test]
fn a_devel_main_module_has_no_version_and_no_purl() {
    let v = spdx_json(&image_doc(
        vec![binary("/app/worker", CGO_SHA, WORKER_CGO)],
        None,
    ));
    let worker = package(&v, "SPDXRef-Binary-app-worker");
    assert_eq!(worker["name"], "example.com/app/cmd/worker");
    assert!(worker.get("versionInfo").is_none());
    assert!(purls(worker).is_empty());
    assert!(
        worker["sourceInfo"]
            .as_str()
            .unwrap_or_default()
            .contains("example.com/app (devel)")
    );
}

#[test]
fn every_dependency_appears_with_its_version_and_purl() {
    let v = spdx_json(&image_doc(
        vec![binary("/usr/local/bin/server", SERVER_SHA, SERVER)],
        None,
    ));
    let server_id = "SPDXRef-Binary-usr-local-bin-server";
    let deps = depends_on(&v, server_id);
    for dep in parse(SERVER).deps {
        let compiled = dep.replace.as_deref().unwrap_or(&dep);
        let local = compiled.path.starts_with("../");
        let name = if local { &dep.path } else { &compiled.path };
        let found = packages_named(&v, name);
        assert_eq!(found.len(), 1, "{name}");
        let p = found[0];
        assert!(deps.iter().any(|d| p["SPDXID"] == d.as_str()), "{name}");
        assert_eq!(p["primaryPackagePurpose"], "LIBRARY");
        if local {
            // What went in is the directory: named so, without a version
            // or a purl.
            assert_eq!(p["packageFileName"], "../local");
            assert!(p.get("versionInfo").is_none());
            assert!(purls(p).is_empty());
            let source = p["sourceInfo"].as_str().unwrap_or_default();
            assert!(source.contains("../local") && source.contains("example.com/local v0.0.0"));
        } else {
            assert_eq!(p["versionInfo"], compiled.version.as_str(), "{name}");
            assert_eq!(
                purls(p),
                vec![format!("pkg:golang/{}@{}", compiled.path, compiled.version)],
                "{name}"
            );
            assert_eq!(
                refs(p, "gomod-h1"),
                compiled.sum.iter().cloned().collect::<Vec<_>>()
            );
        }
    }
    // The stdlib of the toolchain too.
    let stdlib = packages_named(&v, "stdlib");
    assert_eq!(stdlib.len(), 1);
    assert_eq!(stdlib[0]["versionInfo"], "1.26.8");
    assert_eq!(purls(stdlib[0]), vec!["pkg:golang/stdlib@v1.26.8"]);
    assert!(deps.iter().any(|d| stdlib[0]["SPDXID"] == d.as_str()));
    // The binary depends on the five modules and the stdlib, nothing else.
    assert_eq!(deps.len(), 6);
}

#[test]
fn a_replaced_module_is_the_replacement_and_names_what_it_replaced() {
    let v = spdx_json(&image_doc(
        vec![binary("/usr/local/bin/server", SERVER_SHA, SERVER)],
        None,
    ));
    let text = packages_named(&v, "golang.org/x/text");
    assert_eq!(text.len(), 1);
    let text = text[0];
    assert_eq!(text["versionInfo"], "v0.3.8");
    assert_eq!(purls(text), vec!["pkg:golang/golang.org/x/text@v0.3.8"]);
    assert!(
        text["sourceInfo"]
            .as_str()
            .unwrap_or_default()
            .contains("replaces the requirement golang.org/x/text v0.3.0")
    );
    assert_eq!(
        text["SPDXID"],
        "SPDXRef-Module-golang.org-x-text-v0.3.8-replaces-golang.org-x-text-v0.3.0"
    );
}

#[test]
fn go_sums_are_references_and_never_checksums() {
    let v = spdx_json(&server_and_worker());
    let mut sha256s = Vec::new();
    for p in packages(&v) {
        for c in p["checksums"].as_array().into_iter().flatten() {
            assert_eq!(c["algorithm"], "SHA256");
            sha256s.push(c["checksumValue"].as_str().unwrap_or_default().to_string());
        }
        for r in p["externalRefs"].as_array().into_iter().flatten() {
            let locator = r["referenceLocator"].as_str().unwrap_or_default();
            if locator.starts_with("h1:") {
                assert_eq!(r["referenceCategory"], "OTHER");
                assert_eq!(r["referenceType"], "gomod-h1");
                assert!(p["comment"].as_str().unwrap_or_default().contains("go.sum"));
            }
        }
    }
    sha256s.sort();
    let base_hex = BASE_DIGEST.trim_start_matches("sha256:");
    assert_eq!(sha256s, vec![base_hex, SERVER_SHA, WORKER_SHA]);
    // And no h1 sum hides anywhere else.
    let text = serde_json::to_string(&v).unwrap_or_default();
    assert_eq!(text.matches("h1:").count(), 4);
}

#[test]
fn build_settings_are_annotations_as_go_version_m_prints_them() {
    let v = spdx_json(&image_doc(
        vec![binary("/app/worker", CGO_SHA, WORKER_CGO)],
        None,
    ));
    let worker = package(&v, "SPDXRef-Binary-app-worker");
    let notes: Vec<&Value> = worker["annotations"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    for a in &notes {
        assert_eq!(a["annotationType"], "OTHER");
        assert_eq!(a["annotator"], "Tool: gofront-0.5.0");
        assert_eq!(a["annotationDate"], "2026-11-29T22:20:54Z");
    }
    let comments: Vec<&str> = notes
        .iter()
        .map(|a| a["comment"].as_str().unwrap_or_default())
        .collect();
    // Each setting but -ldflags reads exactly as its `build` line.
    let lines: Vec<String> = WORKER_CGO
        .lines()
        .filter_map(|l| l.strip_prefix("\tbuild\t"))
        .map(|l| format!("build {l}"))
        .collect();
    assert_eq!(comments.len(), lines.len());
    for (c, l) in comments.iter().zip(&lines) {
        if l.starts_with("build -ldflags=") {
            assert_eq!(
                *c,
                r#"build -ldflags="all=-X main.version=v2 -X \"main.secretKey=<redacted>\"""#
            );
        } else {
            assert_eq!(c, l);
        }
    }
    assert!(comments.contains(&r#"build CGO_CFLAGS="-O2 -g -I/opt/my include""#));
    assert!(comments.contains(&"build GOAMD64=v3"));
    assert!(comments.contains(&"build -buildmode=pie"));
}

#[test]
fn secrets_in_ldflags_are_redacted() {
    let v = spdx_json(&server_and_worker());
    let text = serde_json::to_string(&v).unwrap_or_default();
    assert!(!text.contains("apiToken=abc"));
    assert!(!text.contains("hunter2"));
    assert!(text.contains(
        r#"build -ldflags=\"-s -w -X main.version=1.2.3 -X 'main.apiToken=<redacted>' -X example.com/app/internal/config.DBPassword=<redacted>\""#
    ));

    // The documented example, with sums and hashes that cannot hold "abc".
    let info = parse(
        "/out/server: go1.26.0\n\tpath\texample.com/app/cmd/server\n\tmod\texample.com/app\t(devel)\t\n\
         \tbuild\t-ldflags=\"-s -w -X main.version=1.2.3 -X main.apiToken=abc\"\n",
    );
    let doc = image_doc(
        vec![Binary {
            path: "/out/server".into(),
            sha256: "0".repeat(64),
            info,
        }],
        None,
    );
    let text = serde_json::to_string(&spdx_json(&doc)).unwrap_or_default();
    assert!(!text.contains("abc"), "{text}");
    assert!(text.contains("main.version=1.2.3 -X main.apiToken=<redacted>"));
}

#[test]
fn the_redaction_rule() {
    let cases = [
        // Not secret: kept byte for byte, spacing included.
        (
            "-s  -w -X main.version=1.2.3",
            "-s  -w -X main.version=1.2.3",
        ),
        ("-X main.monkey=x", "-X main.monkey=<redacted>"),
        (
            "-X=main.Token=x -X main.v=1",
            "-X=main.Token=<redacted> -X main.v=1",
        ),
        ("--X main.API_KEY=x", "--X main.API_KEY=<redacted>"),
        (
            "-X \"main.dbPasswd=a b\"",
            "-X \"main.dbPasswd=<redacted>\"",
        ),
        (
            "-X 'x/y.Credentials=a b'",
            "-X 'x/y.Credentials=<redacted>'",
        ),
        ("all=-X main.SECRET=x", "all=-X main.SECRET=<redacted>"),
        // The package path is not the name: only the variable counts.
        (
            "-X example.com/keys.Version=1",
            "-X example.com/keys.Version=1",
        ),
        // The value of a -X is not a flag.
        (
            "-X main.a=-X -X main.key=v",
            "-X main.a=-X -X main.key=<redacted>",
        ),
        ("-X", "-X"),
        ("-X main.token", "-X main.token"),
        // Go would not have accepted it; fail closed.
        (
            "-X 'main.token=abc",
            "<redacted> (the flags could not be split)",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(redact_ldflags(input), want, "{input}");
    }
}

#[test]
fn binaries_share_module_packages() {
    let v = spdx_json(&server_and_worker());
    let server = "SPDXRef-Binary-usr-local-bin-server";
    let worker = "SPDXRef-Binary-usr-local-bin-worker";
    for name in ["golang.org/x/text", "example.com/local", "stdlib"] {
        let found = packages_named(&v, name);
        assert_eq!(found.len(), 1, "{name}");
        let id = found[0]["SPDXID"].as_str().unwrap_or_default().to_string();
        assert!(depends_on(&v, server).contains(&id), "{name}");
        assert!(depends_on(&v, worker).contains(&id), "{name}");
    }
    let chi = packages_named(&v, "github.com/go-chi/chi/v5");
    assert_eq!(chi.len(), 1);
    let chi = chi[0]["SPDXID"].as_str().unwrap_or_default().to_string();
    assert!(depends_on(&v, server).contains(&chi));
    assert!(!depends_on(&v, worker).contains(&chi));
    assert_eq!(depends_on(&v, worker).len(), 3);
    // image, base, 2 binaries, stdlib, 5 modules
    assert_eq!(packages(&v).len(), 10);
}

#[test]
fn the_same_module_unreplaced_is_another_package() {
    let mut a = parse(WORKER);
    a.deps = vec![module(
        "golang.org/x/text",
        "v0.3.8",
        Some("h1:nAL+RVCQ9uMn3vJZbV+MRnydTJFPf8qqY42YiA6MrqY="),
    )];
    let doc = image_doc(
        vec![
            Binary {
                path: "/a".into(),
                sha256: WORKER_SHA.into(),
                info: a,
            },
            binary("/b", SERVER_SHA, SERVER),
        ],
        None,
    );
    let v = spdx_json(&doc);
    let text = packages_named(&v, "golang.org/x/text");
    assert_eq!(text.len(), 2);
    assert_ne!(text[0]["SPDXID"], text[1]["SPDXID"]);
}

#[test]
fn different_toolchains_are_different_stdlibs() {
    let mut old = parse(WORKER);
    old.go_version = "go1.22rc1".into();
    let mut boring = parse(WORKER);
    boring.go_version = "go1.26.8 X:boringcrypto".into();
    let mut devel = parse(WORKER);
    devel.go_version = "devel go1.27-3f5a1c Tue Nov 3 10:00:00 2026 +0000".into();
    let bins = [("/a", old), ("/b", boring), ("/c", devel)]
        .into_iter()
        .map(|(p, info)| Binary {
            path: p.into(),
            sha256: WORKER_SHA.into(),
            info,
        })
        .collect();
    let v = spdx_json(&image_doc(bins, None));
    let stdlibs: Vec<(Value, Vec<String>)> = packages_named(&v, "stdlib")
        .into_iter()
        .map(|p| (p["versionInfo"].clone(), purls(p)))
        .collect();
    assert_eq!(
        stdlibs,
        vec![
            (
                json!("devel go1.27-3f5a1c Tue Nov 3 10:00:00 2026 +0000"),
                vec![]
            ),
            (
                json!("1.22.0-rc.1"),
                vec!["pkg:golang/stdlib@v1.22.0-rc.1".to_string()]
            ),
            (
                json!("1.26.8"),
                vec!["pkg:golang/stdlib@v1.26.8".to_string()]
            ),
        ]
    );
}

#[test]
fn go_versions_as_semver() {
    for (go, want) in [
        ("go1.26.0", Some("v1.26.0")),
        ("go1.21", Some("v1.21.0")),
        ("go1.22rc1", Some("v1.22.0-rc.1")),
        ("go1.20beta2", Some("v1.20.0-beta.2")),
        ("go1.9.2rc2", Some("v1.9.2-rc.2")),
        ("go1.26.0 X:boringcrypto", Some("v1.26.0")),
        ("go1", Some("v1.0.0")),
        ("devel go1.27-3f5a1c Tue", None),
        ("go1.26.0-bigcorp", None),
        ("go1.x", None),
        ("", None),
    ] {
        assert_eq!(go_semver(go).as_deref(), want, "{go}");
    }
}

#[test]
fn purls_are_encoded_and_keep_the_case() {
    assert_eq!(
        golang_purl("github.com/BurntSushi/toml", "v1.4.0").as_deref(),
        Some("pkg:golang/github.com/BurntSushi/toml@v1.4.0")
    );
    assert_eq!(
        golang_purl("github.com/docker/docker", "v20.10.7+incompatible").as_deref(),
        Some("pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible")
    );
    assert_eq!(
        golang_purl("example.com/a b/c@d", "v1.0.0").as_deref(),
        Some("pkg:golang/example.com/a%20b/c%40d@v1.0.0")
    );
    assert_eq!(golang_purl("example.com//x", "v1"), None);
}

#[test]
fn the_base_image_by_digest() {
    let v = spdx_json(&server_and_worker());
    let base = package(&v, "SPDXRef-BaseImage");
    assert_eq!(base["name"], "gcr.io/distroless/static-debian12:nonroot");
    assert_eq!(base["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(
        base["checksums"],
        json!([{"algorithm": "SHA256", "checksumValue": BASE_DIGEST.trim_start_matches("sha256:")}])
    );
    assert_eq!(
        purls(base),
        vec![format!(
            "pkg:oci/static-debian12@{BASE_DIGEST}?repository_url=gcr.io%2Fdistroless%2Fstatic-debian12&tag=nonroot"
        )]
    );
}

#[test]
fn the_base_image_by_reference_only() {
    let runtime = Some(BaseImage {
        reference: "alpine:3.20".into(),
        digest: None,
    });
    let v = spdx_json(&image_doc(
        vec![binary("/server", SERVER_SHA, SERVER)],
        runtime,
    ));
    let base = package(&v, "SPDXRef-BaseImage");
    assert_eq!(base["name"], "alpine:3.20");
    assert!(base.get("checksums").is_none());
    assert!(base.get("externalRefs").is_none());
    assert!(
        base["comment"]
            .as_str()
            .unwrap_or_default()
            .contains("reference only")
    );

    // A digest pinned in the reference counts; Docker Hub names expand.
    let runtime = Some(BaseImage {
        reference: format!("alpine:3.20@{BASE_DIGEST}"),
        digest: None,
    });
    let v = spdx_json(&image_doc(vec![], runtime));
    assert_eq!(
        purls(package(&v, "SPDXRef-BaseImage")),
        vec![format!(
            "pkg:oci/alpine@{BASE_DIGEST}?repository_url=docker.io%2Flibrary%2Falpine&tag=3.20"
        )]
    );
}

#[test]
fn spdx_ids_are_valid_and_unique() {
    // Two binaries whose paths squash to the same ID.
    let mut doc = server_and_worker();
    doc.binaries
        .push(binary("/usr/local/bin/server_", CGO_SHA, WORKER_CGO));
    let v = spdx_json(&doc);
    let ids: Vec<&str> = packages(&v)
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").unwrap_or_default();
        assert!(
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    assert!(ids.contains(&"SPDXRef-Binary-usr-local-bin-server-2"));
}

#[test]
fn no_assertion_where_gofront_cannot_know() {
    let v = spdx_json(&server_and_worker());
    for p in packages(&v) {
        for field in [
            "licenseConcluded",
            "licenseDeclared",
            "copyrightText",
            "downloadLocation",
            "supplier",
        ] {
            assert_eq!(p[field], "NOASSERTION", "{} {field}", p["SPDXID"]);
        }
    }
}

#[test]
fn creation_dates_in_spdx_form() {
    for (given, want) in [
        ("2026-11-29T22:20:54Z", "2026-11-29T22:20:54Z"),
        ("2026-11-29T22:20:54.123456789Z", "2026-11-29T22:20:54Z"),
        ("2026-11-29t22:20:54+00:00", "2026-11-29T22:20:54Z"),
        ("2026-11-29T22:20:54+02:00", "2026-11-29T22:20:54+02:00"),
        ("yesterday", "yesterday"),
    ] {
        assert_eq!(spdx_date(given), want, "{given}");
    }
}

/// PyPI's SPDX validator (pinned, installed by scripts/spdx-tools-up.sh)
/// finds nothing wrong with the documents of the fixtures.
#[test]
#[ignore = "needs the SPDX validator: scripts/spdx-tools-up.sh (scripts/test.sh runs it)"]
fn documents_pass_the_spdx_validator() {
    let tool = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/spdx-tools-0.8.5/bin/pyspdxtools");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut no_base = image_doc(vec![binary("/app/worker", CGO_SHA, WORKER_CGO)], None);
    no_base.platform = "linux/amd64".into();
    no_base.image_name = String::new();
    let by_tag = image_doc(
        vec![binary("/server", SERVER_SHA, SERVER)],
        Some(BaseImage {
            reference: "alpine:3.20".into(),
            digest: None,
        }),
    );
    for (name, doc) in [
        ("server-worker", server_and_worker()),
        ("worker-cgo", no_base),
        ("server-alpine", by_tag),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&spdx_json(&doc)).expect("json");
        std::fs::write(&path, text + "\n").expect("write");
        let out = std::process::Command::new(&tool)
            .arg("-i")
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", tool.display()));
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_base_digest_that_is_not_one_is_not_a_checksum() {
    let runtime = Some(BaseImage {
        reference: "alpine:3.20".into(),
        digest: Some("sha256:1234".into()),
    });
    let v = spdx_json(&image_doc(vec![], runtime));
    let base = package(&v, "SPDXRef-BaseImage");
    assert!(base.get("checksums").is_none());
    assert!(base.get("externalRefs").is_none());
    assert!(
        base["comment"]
            .as_str()
            .unwrap_or_default()
            .contains("\"sha256:1234\" is not")
    );
}
