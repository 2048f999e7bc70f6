//! gofront's op bytes against BuildKit's own Go encoding.
//!
//! Since BuildKit v0.18 the daemon re-marshals every op it loads
//! (`recomputeDigests` in solver/llbsolver/vertex.go calls `pb.Op.Marshal`,
//! i.e. `proto.MarshalOptions{Deterministic: true}`) and keys the graph by
//! the new digests. Metadata (progress names, caps, ignore-cache) and the
//! source map are looked up by the digests gofront computed, so they only
//! survive if gofront's bytes are exactly Go's. The Go program in
//! `tests/llb-oracle` decodes each op with BuildKit's `pb.Op`, re-marshals
//! it the way the daemon does and prints both digests; this test feeds it
//! the definitions gofront makes for a spread of specs and platforms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use bollard_buildkit_proto::pb;
use gofront::convert::{Options, to_llb};
use gofront::llb::digest_of;
use gofront::plan::{Inputs, build};
use gofront::platform::Platform;
use gofront::{golang as gomod, spec};
use prost::Message;

/// The builder image's environment, as the frontend passes it to `to_llb`.
const BUILDER_ENV: &[&str] = &[
    "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "GOLANG_VERSION=1.26.0",
    "GOTOOLCHAIN=local",
    "GOPATH=/go",
];

/// The oracle, built once per test run into Cargo's scratch directory.
fn oracle() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/llb-oracle");
        let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("llb-oracle");
        let out = Command::new("go")
            .args(["build", "-mod=readonly", "-o"])
            .arg(&bin)
            .arg(".")
            .current_dir(&src)
            .output()
            .expect("run `go build` for tests/llb-oracle (is Go installed?)");
        assert!(
            out.status.success(),
            "building tests/llb-oracle failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        bin
    })
}

/// What the oracle said about one definition.
struct Verdict {
    ok: bool,
    /// `(ours, go, kind)` per op, in definition order.
    ops: Vec<(String, String, String)>,
    output: String,
}

fn ask_oracle(def: &pb::Definition) -> Verdict {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), def.encode_to_vec()).unwrap();
    let out = Command::new(oracle()).arg(file.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let ops = stdout
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 3, "unexpected oracle line {line:?}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    Verdict {
        ok: out.status.success(),
        ops,
        output: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    }
}

fn kind_of(bytes: &[u8]) -> &'static str {
    match pb::Op::decode(bytes).unwrap().op {
        Some(pb::op::Op::Source(_)) => "source",
        Some(pb::op::Op::Exec(_)) => "exec",
        Some(pb::op::Op::File(_)) => "file",
        Some(pb::op::Op::Build(_)) => "build",
        Some(pb::op::Op::Merge(_)) => "merge",
        Some(pb::op::Op::Diff(_)) => "diff",
        None => "terminal",
    }
}

struct Case {
    name: &'static str,
    yaml: &'static str,
    go_mod: &'static str,
    target: Platform,
    build_args: &'static [(&'static str, &'static str)],
    merge: bool,
    with_source: bool,
    /// `--network host` and an `--add-host`.
    host_network: bool,
    /// The `go test` graph instead of the image's.
    test_graph: bool,
}

impl Case {
    fn new(name: &'static str, yaml: &'static str) -> Case {
        Case {
            name,
            yaml,
            go_mod: "module example.com/svc\n\ngo 1.26\n",
            target: Platform::new("linux", "amd64", ""),
            build_args: &[],
            merge: true,
            with_source: false,
            host_network: false,
            test_graph: false,
        }
    }

    fn definition(&self) -> pb::Definition {
        let inputs = Inputs {
            build_args: self
                .build_args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            build_platform: Platform::new("linux", "amd64", ""),
            target_platform: self.target.clone(),
            gomod: gomod::parse(self.go_mod).unwrap(),
            ..Default::default()
        };
        let spec = spec::parse("gofront.yaml", self.yaml).unwrap();
        let plan = build(&spec, &inputs).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let options = Options {
            resolve_mode: "default".into(),
            session_id: "oracle-session".into(),
            excludes: vec!["*.md".into(), ".git".into()],
            merge: self.merge,
            network: if self.host_network {
                gofront::llb::Network::Host
            } else {
                gofront::llb::Network::Default
            },
            extra_hosts: if self.host_network {
                vec![("git.corp.example".into(), "127.42.0.1".into())]
            } else {
                Vec::new()
            },
            builder_env: BUILDER_ENV.iter().map(|s| s.to_string()).collect(),
            source: self.with_source.then(|| pb::SourceInfo {
                filename: "gofront.yaml".into(),
                data: self.yaml.as_bytes().to_vec(),
                language: "YAML".into(),
                definition: None,
            }),
            ..Default::default()
        };
        let def = if self.test_graph {
            gofront::convert::test_llb(&plan, &options)
                .expect("the spec has tests")
                .definition
        } else {
            to_llb(&plan, &options).definition
        };
        assert_eq!(
            def.source.is_some(),
            self.with_source,
            "{}: a source map exactly when one is asked for",
            self.name
        );
        def
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            go_mod: include_str!("../examples/api/go.mod"),
            build_args: &[("VERSION", "1.2.3")],
            with_source: true,
            ..Case::new("examples/api", include_str!("../examples/api/gofront.yaml"))
        },
        Case {
            go_mod: include_str!("../examples/hello/go.mod"),
            merge: false,
            ..Case::new(
                "examples/hello",
                include_str!("../examples/hello/gofront.yaml"),
            )
        },
        Case {
            build_args: &[("SOURCE_DATE_EPOCH", "1700000000")],
            with_source: true,
            ..Case::new(
                "scratch, user 1000:1000, SOURCE_DATE_EPOCH",
                "main: ./cmd/server\nruntime: scratch\nuser: \"1000:1000\"\n",
            )
        },
        Case::new("cgo", "main: .\ncgo: true\n"),
        Case {
            target: Platform::new("linux", "arm64", ""),
            ..Case::new(
                "cgo to linux/arm64 (cross compiler)",
                "main: .\ncgo: true\n",
            )
        },
        Case {
            target: Platform::new("linux", "arm64", ""),
            ..Case::new(
                "linux/arm64, alpine",
                "main: ./cmd/server\nruntime: alpine\nports: [8080, \"53/udp\"]\n",
            )
        },
        Case {
            target: Platform::new("linux", "arm", "v7"),
            build_args: &[("SOURCE_DATE_EPOCH", "1700000000"), ("VERSION", "2.0.0")],
            merge: false,
            ..Case::new(
                "linux/arm/v7, SOURCE_DATE_EPOCH",
                "main: .\nversion: { arg: VERSION, var: main.version }\nenv: { A: b }\n",
            )
        },
        Case {
            host_network: true,
            with_source: true,
            build_args: &[("SOURCE_DATE_EPOCH", "1700000000")],
            ..Case::new(
                "binaries, private netrc + ssh, files, workdir, upx, host network",
                FULL,
            )
        },
        Case {
            test_graph: true,
            with_source: true,
            ..Case::new("the go test graph", FULL)
        },
    ]
}

/// Every kind of step and mount gofront has: secret and SSH mounts, a
/// known_hosts mount, apt sources, upx, files, several binaries.
const FULL: &str = r#"binaries:
  - main: ./cmd/server
  - main: ./cmd/migrate
    tags: [postgres]
goprivate: git.corp.example
private: { netrc: true, ssh: true, known_hosts: ["git.corp.example ssh-ed25519 AAAA"] }
test: { flags: [-race] }
files: [{ src: config/app.yaml, dst: /etc/app/app.yaml, mode: "0640" }]
workdir: /app
upx: true
"#;

#[test]
#[ignore = "needs Go and the Go module proxy: run scripts/test.sh"]
fn every_op_is_in_gos_canonical_encoding() {
    let mut failures = Vec::new();
    for case in cases() {
        let def = case.definition();
        let verdict = ask_oracle(&def);
        println!(
            "== {} ({} ops)\n{}",
            case.name,
            def.def.len(),
            verdict.output
        );
        // The oracle read exactly our ops, in order.
        assert_eq!(
            verdict.ops.len(),
            def.def.len(),
            "{}: the oracle saw {} ops, the definition has {}:\n{}",
            case.name,
            verdict.ops.len(),
            def.def.len(),
            verdict.output
        );
        for (bytes, (ours, _, kind)) in def.def.iter().zip(&verdict.ops) {
            assert_eq!(ours, &digest_of(bytes), "{}", case.name);
            assert_eq!(kind, kind_of(bytes), "{}", case.name);
        }
        if !verdict.ok {
            failures.push(format!("{}:\n{}", case.name, verdict.output));
        }
    }
    assert!(
        failures.is_empty(),
        "ops not in Go's canonical encoding (BuildKit would re-digest them and \
         lose their metadata and source locations):\n{}",
        failures.join("\n")
    );
}

/// The oracle can tell: the same ops, encoded in prost's own field order
/// (the `op` oneof before `platform` and `constraints`), are rejected.
#[test]
#[ignore = "needs Go and the Go module proxy: run scripts/test.sh"]
fn the_oracle_rejects_prost_field_order() {
    for case in cases() {
        let def = case.definition();
        let reencoded = pb::Definition {
            def: def
                .def
                .iter()
                .map(|b| pb::Op::decode(b.as_slice()).unwrap().encode_to_vec())
                .collect(),
            ..def.clone()
        };
        // Every op but the terminal one has an `op` and constraints, so
        // prost puts fields out of Go's order in all of them.
        let expected_bad = def.def.iter().filter(|b| kind_of(b) != "terminal").count();
        assert!(expected_bad > 0);
        let verdict = ask_oracle(&reencoded);
        assert!(
            !verdict.ok,
            "{}: the oracle accepted prost-ordered ops:\n{}",
            case.name, verdict.output
        );
        assert_eq!(verdict.ops.len(), def.def.len(), "{}", case.name);
        let bad = verdict.ops.iter().filter(|(a, b, _)| a != b).count();
        assert_eq!(bad, expected_bad, "{}:\n{}", case.name, verdict.output);
        // And Go's bytes are gofront's: re-marshaling lands on our digests.
        for ((_, go, _), ours) in verdict.ops.iter().zip(&def.def) {
            assert_eq!(go, &digest_of(ours), "{}", case.name);
        }
    }
}

/// For the record: BuildKit's own client/llb, through the same check.
#[test]
#[ignore = "needs Go and the Go module proxy: run scripts/test.sh"]
fn buildkit_client_llb_passes_its_own_check() {
    let out = Command::new(oracle()).arg("-sample").output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(" merge\n") && text.contains(" terminal\n"),
        "{text}"
    );
}
