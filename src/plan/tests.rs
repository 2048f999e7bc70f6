use std::collections::BTreeMap;

use super::*;
use crate::golang::quote_ldflag_word;
use crate::imageref::familiar_name;
use crate::spec;

fn inputs() -> Inputs {
    Inputs {
        build_platform: Platform::new("linux", "amd64", ""),
        target_platform: Platform::new("linux", "amd64", ""),
        gomod: crate::golang::parse("module example.com/svc\n\ngo 1.26.1\n").unwrap(),
        ..Default::default()
    }
}

fn plan_of(yaml: &str, inputs: &Inputs) -> Result<Plan, PlanError> {
    build(&spec::parse("gofront.yaml", yaml).unwrap(), inputs)
}

#[test]
fn go_version_from_go_mod_or_spec() {
    let p = plan_of("main: ./cmd/server\n", &inputs()).unwrap();
    assert_eq!(p.go_version, "1.26");
    assert_eq!(p.builder.reference, "docker.io/library/golang:1.26-alpine");
    let p = plan_of("go: \"1.25.3\"\n", &inputs()).unwrap();
    assert_eq!(
        p.builder.reference,
        "docker.io/library/golang:1.25.3-alpine"
    );
    let mut no_go = inputs();
    no_go.gomod.go = None;
    let e = plan_of("main: .\n", &no_go).unwrap_err();
    assert!(e.to_string().contains("go.mod has no go line"), "{e}");
}

#[test]
fn images_follow_cgo_and_runtime() {
    let p = plan_of("cgo: true\n", &inputs()).unwrap();
    assert_eq!(
        p.builder.reference,
        "docker.io/library/golang:1.26-bookworm"
    );
    assert_eq!(
        p.runtime.unwrap().reference,
        "gcr.io/distroless/base-debian12:latest"
    );
    let p = plan_of("main: .\n", &inputs()).unwrap();
    assert_eq!(
        p.runtime.unwrap().reference,
        "gcr.io/distroless/static-debian12:latest"
    );
    let p = plan_of("runtime: alpine\n", &inputs()).unwrap();
    assert_eq!(
        p.runtime.unwrap().reference,
        "docker.io/library/alpine:3.21"
    );
    let p = plan_of("runtime: scratch\n", &inputs()).unwrap();
    assert!(p.runtime.is_none());
    assert!(p.final_stage.ca_certificates);
    let (passwd, group) = p.final_stage.passwd.unwrap();
    assert!(passwd.contains(":65532:65532:"), "{passwd}");
    assert!(group.contains("nonroot:x:65532:"));
}

#[test]
fn compile_step_is_an_argv_with_static_stripped_flags() {
    let mut i = inputs();
    i.build_args.insert("VERSION".into(), "1.2.3".into());
    let p = plan_of(
        "main: ./cmd/server\nversion: { arg: VERSION, var: main.version }\n",
        &i,
    )
    .unwrap();
    assert_eq!(
        p.compiles[0].step.argv,
        [
            "go",
            "build",
            "-v",
            "-trimpath",
            "-buildvcs=false",
            "-ldflags=-s -w -X main.version=1.2.3",
            "-o",
            "/out/server",
            "./cmd/server"
        ]
    );
    assert_eq!(p.compiles[0].step.env["CGO_ENABLED"], "0");
    assert_eq!(p.compiles[0].step.env["GOOS"], "linux");
    assert_eq!(p.compiles[0].step.env["GOARCH"], "amd64");
    assert_eq!(p.download.argv, ["go", "mod", "download"]);
    assert_eq!(p.image.labels["org.opencontainers.image.version"], "1.2.3");
    assert_eq!(p.image.entrypoint, ["/usr/local/bin/server"]);
}

#[test]
fn version_default_applies_without_the_build_arg() {
    let p = plan_of(
        "version: { arg: VERSION, var: main.version, default: dev }\n",
        &inputs(),
    )
    .unwrap();
    assert!(
        p.compiles[0]
            .step
            .argv
            .contains(&"-ldflags=-s -w -X main.version=dev".to_string())
    );
}

#[test]
fn hostile_version_values_stay_data() {
    let yaml = "version: { arg: VERSION, var: main.version }\n";
    for (value, expected) in [
        ("1.0 beta", "-X 'main.version=1.0 beta'"),
        (
            "$(touch /tmp/pwned)",
            "-X 'main.version=$(touch /tmp/pwned)'",
        ),
        ("`id`;$HOME", "-X main.version=`id`;$HOME"),
        ("a'b c", "-X \"main.version=a'b c\""),
        ("line1\nline2", "-X 'main.version=line1\nline2'"),
        (
            "x\" -X main.other=y",
            "-X 'main.version=x\" -X main.other=y'",
        ),
        ("'quoted'", "-X main.version='quoted'"),
        ("", "-X main.version="),
    ] {
        let mut i = inputs();
        i.build_args.insert("VERSION".into(), value.into());
        let p = plan_of(yaml, &i).unwrap();
        let ldflags = p.compiles[0]
            .step
            .argv
            .iter()
            .find(|a| a.starts_with("-ldflags="))
            .unwrap();
        assert_eq!(
            ldflags,
            &format!("-ldflags=-s -w {expected}"),
            "value {value:?}"
        );
        // The label carries the value verbatim.
        assert_eq!(p.image.labels["org.opencontainers.image.version"], value);
    }
    let mut i = inputs();
    i.build_args.insert("VERSION".into(), "a'b \"c".into());
    let e = plan_of(yaml, &i).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "gofront.yaml:1:10: version: the value of build arg VERSION cannot be injected"
        ),
        "{e}"
    );
}

#[test]
fn go_settings_pass_through_build_args() {
    let mut i = inputs();
    i.build_args
        .insert("GOPROXY".into(), "https://proxy.example,direct".into());
    i.build_args.insert("GOFLAGS".into(), "-mod=mod".into());
    i.build_args.insert("GOPRIVATE".into(), String::new());
    i.build_args.insert("UNRELATED".into(), "x".into());
    let p = plan_of("main: .\n", &i).unwrap();
    for step in [&p.download, &p.compiles[0].step] {
        assert_eq!(step.env["GOPROXY"], "https://proxy.example,direct");
        assert_eq!(step.env["GOFLAGS"], "-mod=mod");
        assert!(
            !step.env.contains_key("GOPRIVATE"),
            "empty settings are not set"
        );
        assert!(!step.env.contains_key("UNRELATED"));
    }
}

#[test]
fn target_platform_env() {
    let mut i = inputs();
    i.target_platform = Platform::parse("linux/arm/v6").unwrap();
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(p.compiles[0].step.env["GOARCH"], "arm");
    assert_eq!(p.compiles[0].step.env["GOARM"], "6");
    assert_eq!(
        p.builder.platform, i.build_platform,
        "the builder runs on the build platform"
    );
    assert_eq!(p.runtime.unwrap().platform, i.target_platform);
    i.target_platform = Platform::parse("linux/amd64/v3").unwrap();
    assert_eq!(
        plan_of("main: .\n", &i).unwrap().compiles[0].step.env["GOAMD64"],
        "v3"
    );
    i.target_platform = Platform::parse("linux/riscv64").unwrap();
    let e = plan_of("cgo: true\n", &i).unwrap_err();
    assert!(e.to_string().contains("cross-compiling with cgo from linux/amd64 to linux/riscv64 is not supported yet (C cross compilers: linux/amd64, linux/arm64)"), "{e}");
}

#[test]
fn platforms_parse_and_normalize() {
    assert_eq!(
        Platform::parse("linux/arm64/v8").unwrap().to_string(),
        "linux/arm64"
    );
    assert_eq!(
        Platform::parse("linux/arm").unwrap().to_string(),
        "linux/arm/v7"
    );
    assert_eq!(
        Platform::parse("linux/x86_64").unwrap().to_string(),
        "linux/amd64"
    );
    assert!(Platform::parse("linux").is_err());
    assert!(Platform::parse("linux/amd64/v2/x").is_err());
    assert!(Platform::parse("linux/$(x)").is_err());
}

#[test]
fn labels_from_opts_win() {
    let mut i = inputs();
    i.labels.insert("a".into(), "from-opt".into());
    let p = plan_of("labels: { a: from-spec, b: kept }\n", &i).unwrap();
    assert_eq!(p.image.labels["a"], "from-opt");
    assert_eq!(p.image.labels["b"], "kept");
}

#[test]
fn source_date_epoch_sets_times() {
    let mut i = inputs();
    i.build_args
        .insert("SOURCE_DATE_EPOCH".into(), "1700000000".into());
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(p.final_stage.timestamp, Some(1_700_000_000));
    assert_eq!(p.image.created.as_deref(), Some("2023-11-14T22:13:20Z"));
}

#[test]
fn binary_name() {
    assert_eq!(
        plan_of("main: ./cmd/api-server\n", &inputs())
            .unwrap()
            .compiles[0]
            .binary,
        "api-server"
    );
    assert_eq!(
        plan_of("main: .\n", &inputs()).unwrap().compiles[0].binary,
        "svc"
    );
}

#[test]
fn ldflag_quoting_round_trips_through_go_split() {
    // A model of cmd/internal/quoted.Split.
    fn split(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = s;
        loop {
            s = s.trim_start_matches([' ', '\t', '\n', '\r']);
            if s.is_empty() {
                return out;
            }
            let q = s.as_bytes()[0];
            if q == b'\'' || q == b'"' {
                let end = s[1..].find(q as char).unwrap();
                out.push(s[1..end + 1].to_string());
                s = &s[end + 2..];
            } else {
                let end = s.find([' ', '\t', '\n', '\r']).unwrap_or(s.len());
                out.push(s[..end].to_string());
                s = &s[end..];
            }
        }
    }
    for word in [
        "plain",
        "with space",
        "it's",
        "say \"hi\" now",
        "'lead",
        "\"lead",
        "",
        "tab\there",
    ] {
        let quoted = quote_ldflag_word(word).unwrap();
        assert_eq!(
            split(&format!("-s {quoted} -w")),
            ["-s", word, "-w"],
            "{word:?} as {quoted}"
        );
    }
}

#[test]
fn golden_plan_api() {
    let mut i = inputs();
    i.build_args.insert("VERSION".into(), "1.2.3".into());
    let p = plan_of(include_str!("../../examples/api/gofront.yaml"), &i).unwrap();
    insta::assert_json_snapshot!(p);
}

#[test]
fn cgo_to_another_architecture_installs_a_cross_compiler() {
    let mut i = inputs();
    i.target_platform = Platform::parse("linux/arm64").unwrap();
    let p = plan_of("cgo: true\n", &i).unwrap();
    assert_eq!(p.apt.len(), 2);
    assert_eq!(p.apt[0].argv, ["apt-get", "update"]);
    assert_eq!(
        p.apt[1].argv,
        [
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "gcc-aarch64-linux-gnu",
            "libc6-dev-arm64-cross"
        ]
    );
    assert_eq!(p.compiles[0].step.env["CC"], "aarch64-linux-gnu-gcc");
    assert_eq!(p.compiles[0].step.env["CGO_ENABLED"], "1");
    assert_eq!(p.compiles[0].step.env["GOARCH"], "arm64");
    assert_eq!(p.builder.platform, i.build_platform);
    assert_eq!(
        p.runtime.unwrap().reference,
        "gcr.io/distroless/base-debian12:latest"
    );
    // Native cgo and cross builds without cgo need none.
    assert!(plan_of("cgo: true\n", &inputs()).unwrap().apt.is_empty());
    assert!(plan_of("main: .\n", &i).unwrap().apt.is_empty());
}

#[test]
fn familiar_names() {
    assert_eq!(
        familiar_name("docker.io/library/golang:1.26-alpine"),
        "golang:1.26-alpine"
    );
    assert_eq!(
        familiar_name("docker.io/ourorg/gofront:latest"),
        "ourorg/gofront"
    );
    assert_eq!(
        familiar_name("gcr.io/distroless/static-debian12:latest"),
        "gcr.io/distroless/static-debian12"
    );
}

#[test]
fn named_contexts_replace_images_by_name_platform_or_role() {
    let amd64 = Platform::new("linux", "amd64", "");
    let ctx = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let r = "gcr.io/distroless/static-debian12:latest";
    let named = |contexts: &BTreeMap<String, String>, role: &str, r: &str| match named_context(
        contexts, role, r, &amd64,
    )
    .unwrap()
    {
        NamedImage::Reference(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(named(&ctx(&[]), "runtime", r), r);
    let by_name = ctx(&[(
        "gcr.io/distroless/static-debian12",
        "docker-image://mirror.example/static:1",
    )]);
    assert_eq!(named(&by_name, "runtime", r), "mirror.example/static:1");
    let by_platform = ctx(&[
        ("gcr.io/distroless/static-debian12", "docker-image://a:1"),
        (
            "gcr.io/distroless/static-debian12::linux/amd64",
            "docker-image://b:1",
        ),
    ]);
    assert_eq!(named(&by_platform, "runtime", r), "docker.io/library/b:1");
    let by_role = ctx(&[("runtime", "docker-image://alpine:3.21")]);
    assert_eq!(
        named(&by_role, "runtime", r),
        "docker.io/library/alpine:3.21"
    );
    assert_eq!(
        named(&by_role, "builder", "docker.io/library/golang:1.26-alpine"),
        "docker.io/library/golang:1.26-alpine"
    );
    let local = ctx(&[("builder", "local:mydir")]);
    let e = named_context(
        &local,
        "builder",
        "docker.io/library/golang:1.26-alpine",
        &amd64,
    )
    .unwrap_err();
    assert!(e.to_string().contains("--build-context builder=local:mydir: the builder image (golang:1.26-alpine) can only be replaced by another image (docker-image://REFERENCE) or another build's result"), "{e}");
    // A bake `target:` context arrives as a frontend input.
    assert_eq!(
        named_context(
            &ctx(&[("runtime", "input:base")]),
            "runtime",
            "gcr.io/distroless/static-debian12",
            &amd64,
        )
        .unwrap(),
        NamedImage::Input {
            value: "input:base".into(),
            name: "base".into()
        }
    );
    assert!(
        named_context(&ctx(&[("runtime", "input:")]), "runtime", r, &amd64).is_err(),
        "an input needs a name"
    );
    // Through the plan.
    let mut i = inputs();
    i.named_contexts = ctx(&[(
        "golang:1.26-alpine",
        "docker-image://registry.internal/golang:1.26-alpine",
    )]);
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(p.builder.reference, "registry.internal/golang:1.26-alpine");
    assert_eq!(p.builder.input, None);
    i.named_contexts = ctx(&[("runtime", "input:base")]);
    let p = plan_of("main: .\n", &i).unwrap();
    let runtime = p.runtime.unwrap();
    assert_eq!(runtime.input.as_deref(), Some("base"));
    assert_eq!(runtime.reference, "input:base");
}

fn compile_argv(p: &Plan, i: usize) -> Vec<String> {
    p.compiles[i].step.argv.clone()
}

fn ldflags_of(p: &Plan, i: usize) -> String {
    compile_argv(p, i)
        .into_iter()
        .find_map(|a| a.strip_prefix("-ldflags=").map(str::to_string))
        .unwrap()
}

#[test]
fn several_binaries_each_with_their_flags_and_an_entrypoint() {
    let yaml = r#"
binaries:
  - main: ./cmd/server
  - main: ./cmd/migrate
    name: db-migrate
    ldflags: ["-X main.mode=migrate"]
    tags: [postgres]
entrypoint: db-migrate
tags: [netgo]
"#;
    let p = plan_of(yaml, &inputs()).unwrap();
    assert_eq!(p.compiles.len(), 2);
    assert_eq!(p.compiles[0].binary, "server");
    assert_eq!(p.compiles[1].binary, "db-migrate");
    assert!(compile_argv(&p, 0).contains(&"-tags=netgo".to_string()));
    assert!(compile_argv(&p, 1).contains(&"-tags=netgo,postgres".to_string()));
    assert_eq!(ldflags_of(&p, 0), "-s -w");
    assert_eq!(ldflags_of(&p, 1), "-s -w -X main.mode=migrate");
    assert_eq!(
        compile_argv(&p, 1)[compile_argv(&p, 1).len() - 3..],
        ["-o", "/out/db-migrate", "./cmd/migrate"]
    );
    assert_eq!(p.image.entrypoint, ["/usr/local/bin/db-migrate"]);
    assert_eq!(
        p.final_stage.binaries,
        [
            ("server".to_string(), "/usr/local/bin/server".to_string()),
            (
                "db-migrate".to_string(),
                "/usr/local/bin/db-migrate".to_string()
            )
        ]
    );
    // The entrypoint must name a binary; two binaries cannot share a name.
    let e = plan_of("binaries: [{main: ./cmd/a}]\nentrypoint: nope\n", &inputs()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("gofront.yaml:2:13: entrypoint: there is no binary named \"nope\""),
        "{e}"
    );
    let e = plan_of("binaries: [{main: ./cmd/a}, {main: ./x/a}]\n", &inputs()).unwrap_err();
    assert!(
        e.to_string().contains("two binaries are named \"a\""),
        "{e}"
    );
}

#[test]
fn ldflags_templates_are_filled_and_quoted_per_word() {
    let yaml = r#"
version: { arg: VERSION, var: main.version }
ldflags:
  - "-X main.commit={{.Commit}}"
  - "-X 'main.built={{.Date}} on {{.GOOS}}/{{.GOARCH}}'"
  - "-X main.who={{.Env.BUILDER}}"
"#;
    let mut i = inputs();
    i.build_args.insert("VERSION".into(), "1.2.3".into());
    i.build_args
        .insert("BUILDER".into(), "ci -X main.evil=1".into());
    i.build_args.insert("SOURCE_DATE_EPOCH".into(), "0".into());
    i.vcs_revision = Some("abc123".into());
    let p = plan_of(yaml, &i).unwrap();
    assert_eq!(
        ldflags_of(&p, 0),
        "-s -w -X main.version=1.2.3 -X main.commit=abc123 -X 'main.built=1970-01-01T00:00:00Z on linux/amd64' -X 'main.who=ci -X main.evil=1'"
    );
    // Without vcs info the commit is "unknown"; a build arg that is not set
    // is an error at the flag's line, not an empty string.
    let mut bare = inputs();
    bare.build_args.insert("BUILDER".into(), "me".into());
    let p = plan_of(yaml, &bare).unwrap();
    assert!(ldflags_of(&p, 0).contains("main.commit=unknown"));
    let e = plan_of(yaml, &inputs()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("gofront.yaml:6:5: ldflags: {{.Env.BUILDER}}"),
        "{e}"
    );
}

#[test]
fn switches_tags_goflags_and_experiments() {
    let yaml = "trimpath: false\nstrip: false\ntags: [a, b]\ngoflags: [-mod=vendor]\ngoexperiment: [greenteagc]\ntzdata: true\n";
    let p = plan_of(yaml, &inputs()).unwrap();
    let argv = compile_argv(&p, 0);
    assert!(!argv.contains(&"-trimpath".to_string()));
    assert!(argv.contains(&"-buildvcs=false".to_string()));
    assert!(argv.contains(&"-tags=a,b,timetzdata".to_string()));
    assert!(argv.contains(&"-mod=vendor".to_string()));
    assert_eq!(ldflags_of(&p, 0), "");
    assert_eq!(p.compiles[0].step.env["GOEXPERIMENT"], "greenteagc");
    assert_eq!(p.download.env["GOEXPERIMENT"], "greenteagc");
}

#[test]
fn go_settings_from_the_spec_and_build_args_win() {
    let yaml = "goproxy: https://proxy.corp,direct\ngoprivate: git.corp/*\ngonosumdb: git.corp/*\ngosumdb: \"off\"\n";
    let mut i = inputs();
    i.build_args
        .insert("GOPROXY".into(), "https://other".into());
    let p = plan_of(yaml, &i).unwrap();
    let env = &p.download.env;
    assert_eq!(env["GOPROXY"], "https://other");
    assert_eq!(env["GOPRIVATE"], "git.corp/*");
    assert_eq!(env["GONOSUMDB"], "git.corp/*");
    assert_eq!(env["GOSUMDB"], "off");
    assert_eq!(p.compiles[0].step.env["GOPRIVATE"], "git.corp/*");
}

#[test]
fn private_credentials_go_to_the_download_step_only() {
    let yaml = "goprivate: git.corp.example/team,*.other\nprivate: { netrc: true, ssh: true, known_hosts: [\"git.corp.example ssh-ed25519 AAAA\"] }\n";
    let p = plan_of(yaml, &inputs()).unwrap();
    assert!(p.builder.reference.ends_with("-bookworm"), "git is needed");
    assert_eq!(
        p.download.secrets,
        [SecretMount {
            id: "netrc".into(),
            target: "/root/.netrc".into()
        }]
    );
    assert!(p.download.ssh);
    assert_eq!(p.download.env["SSH_AUTH_SOCK"], SSH_AGENT_SOCK);
    assert_eq!(p.download.env["GIT_CONFIG_COUNT"], "2");
    assert_eq!(
        p.download.env["GIT_CONFIG_VALUE_1"],
        "http://git.corp.example/"
    );
    assert_eq!(
        p.download.env["GIT_CONFIG_KEY_0"],
        "url.ssh://git@git.corp.example/.insteadOf"
    );
    assert_eq!(
        p.download.env["GIT_CONFIG_VALUE_0"],
        "https://git.corp.example/"
    );
    assert_eq!(
        p.download.known_hosts.as_deref(),
        Some("git.corp.example ssh-ed25519 AAAA\n")
    );
    assert!(!p.download.env.contains_key("GIT_SSH_COMMAND"));
    for step in p.compiles.iter().map(|c| &c.step) {
        assert!(step.secrets.is_empty() && !step.ssh && step.known_hosts.is_none());
        assert!(!step.env.contains_key("SSH_AUTH_SOCK"));
    }
}

#[test]
fn tests_run_natively_and_race_needs_cgo() {
    let yaml = "test: { packages: [./...], flags: [-race, -count=1] }\ntags: [x]\n";
    let mut i = inputs();
    i.target_platform = Platform::new("linux", "arm64", "");
    let p = plan_of(yaml, &i).unwrap();
    let t = p.test.as_ref().unwrap();
    assert_eq!(
        t.argv,
        ["go", "test", "-tags=x", "-race", "-count=1", "./..."]
    );
    assert_eq!(t.env["CGO_ENABLED"], "1");
    assert!(
        !t.env.contains_key("GOARCH"),
        "tests run on the build platform"
    );
    assert!(p.builder.reference.ends_with("-bookworm"));
    assert_eq!(t.pos.unwrap().line, 1);
    let p = plan_of("test: {}\n", &inputs()).unwrap();
    assert_eq!(p.test.unwrap().env["CGO_ENABLED"], "0");
    assert!(p.builder.reference.ends_with("-alpine"));
}

#[test]
fn targets() {
    let mut i = inputs();
    i.target = Target::Binary;
    let p = plan_of(
        "runtime: alpine\nworkdir: /app\nfiles: [{src: a.txt, dst: /a}]\n",
        &i,
    )
    .unwrap();
    assert_eq!(p.target, Target::Binary);
    assert!(p.runtime.is_none());
    assert_eq!(p.final_stage.binaries[0].1, "/svc");
    assert!(p.final_stage.files.is_empty() && p.final_stage.workdir.is_none());
    assert!(!p.final_stage.ca_certificates && p.final_stage.passwd.is_none());
    assert!(p.image.entrypoint.is_empty());

    i.target = Target::Debug;
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(
        p.final_stage.toolbox.as_ref().unwrap().reference,
        "docker.io/library/busybox:1.37-musl"
    );
    assert!(p.image.env["PATH"].ends_with(":/busybox"));
    assert_eq!(p.image.entrypoint, ["/usr/local/bin/svc"]);

    i.target = Target::Test;
    let e = plan_of("main: .\n", &i).unwrap_err();
    assert!(e.to_string().contains("no `test:` section"), "{e}");
    assert_eq!(plan_of("test: {}\n", &i).unwrap().target, Target::Test);
}

#[test]
fn image_contents_and_config() {
    let yaml = r#"
files:
  - { src: config/app.yaml, dst: /etc/app/app.yaml, mode: "0640", owner: "65532:65532" }
workdir: /app
stop_signal: int
healthcheck: { cmd: [/usr/local/bin/svc, -healthcheck], interval: 10s, retries: 2 }
"#;
    let p = plan_of(yaml, &inputs()).unwrap();
    let f = &p.final_stage.files[0];
    assert_eq!(
        (f.src.as_str(), f.dst.as_str(), f.mode, f.owner),
        (
            "config/app.yaml",
            "/etc/app/app.yaml",
            Some(0o640),
            (65532, 65532)
        )
    );
    assert_eq!(p.final_stage.workdir.as_deref(), Some("/app"));
    assert_eq!(p.image.working_dir.as_deref(), Some("/app"));
    assert_eq!(p.image.stop_signal.as_deref(), Some("SIGINT"));
    let h = p.image.healthcheck.as_ref().unwrap();
    assert_eq!(h.interval, Some(10_000_000_000));
    let config = crate::image::finalize(None, &p.image);
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["config"]["WorkingDir"], "/app");
    assert_eq!(json["config"]["StopSignal"], "SIGINT");
    assert_eq!(
        json["config"]["Healthcheck"],
        serde_json::json!({"Test": ["CMD", "/usr/local/bin/svc", "-healthcheck"], "Interval": 10_000_000_000u64, "Retries": 2})
    );
}

#[test]
fn upx_compresses_each_binary_after_installing_it() {
    let p = plan_of(
        "upx: true\nbinaries: [{main: ./cmd/a}, {main: ./cmd/b}]\n",
        &inputs(),
    )
    .unwrap();
    assert!(p.builder.reference.ends_with("-bookworm"));
    assert_eq!(
        p.apt[1].argv,
        [
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "upx-ucl/bookworm-backports"
        ]
    );
    assert!(p.apt_sources[0].1.contains("Suites: bookworm-backports"));
    let upx = p.compiles[1].upx.as_ref().unwrap();
    assert_eq!(
        upx.argv,
        ["upx", "--best", "--lzma", "-q", "-o", "/out/b", "/in/b"]
    );
    assert_eq!(upx.pos.unwrap().line, 1);
}

#[test]
fn images_from_the_spec_then_build_contexts() {
    let yaml = "images: { builder: mirror.local/golang:1.26-alpine, \"gcr.io/distroless/static-debian12\": mirror.local/static:1 }\n";
    let p = plan_of(yaml, &inputs()).unwrap();
    assert_eq!(p.builder.reference, "mirror.local/golang:1.26-alpine");
    assert_eq!(p.runtime.unwrap().reference, "mirror.local/static:1");
    let mut i = inputs();
    i.named_contexts
        .insert("builder".into(), "docker-image://other/go:1".into());
    let p = plan_of(yaml, &i).unwrap();
    assert_eq!(p.builder.reference, "docker.io/other/go:1");
}

#[test]
fn a_module_in_a_subfolder_of_a_workspace() {
    let mut i = inputs();
    i.gowork = Some(
        crate::golang::parse_work(
            "go 1.25.0\nuse (\n\t./services/api\n\t./libs/x // lib\n)\nuse ./tools\n",
        )
        .unwrap(),
    );
    let p = plan_of("dir: ./services/api\nmain: ./cmd/api\n", &i).unwrap();
    assert_eq!(p.go_version, "1.25");
    assert_eq!(p.download.cwd, "/src/services/api");
    assert_eq!(p.compiles[0].step.cwd, "/src/services/api");
    assert_eq!(
        p.module_files,
        [
            "go.work",
            "go.work.sum",
            "services/api/go.mod",
            "services/api/go.sum",
            "libs/x/go.mod",
            "libs/x/go.sum",
            "tools/go.mod",
            "tools/go.sum"
        ]
    );
    let p = plan_of("dir: services/api\n", &inputs()).unwrap();
    assert_eq!(
        p.module_files,
        ["services/api/go.mod", "services/api/go.sum"]
    );
}

#[test]
fn the_cache_mode_follows_cache_imports_unless_the_build_arg_says() {
    let mut i = inputs();
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(
        p.cache,
        CacheMode::Mounts,
        "a local build keeps its caches in mounts"
    );
    assert!(!p.modules_in_layer);
    assert!(p.precompiles.is_empty() && p.compiles[0].precompiled.is_none());
    i.cache_imported = true;
    let p = plan_of("main: .\n", &i).unwrap();
    assert_eq!(p.cache, CacheMode::Layers, "--cache-from: a CI runner");
    assert!(p.modules_in_layer);
    assert_eq!(p.precompiles.len(), 1);
    assert_eq!(p.compiles[0].precompiled, Some(0));
    i.build_args.insert(CACHE_ARG.into(), "mounts".into());
    assert_eq!(plan_of("main: .\n", &i).unwrap().cache, CacheMode::Mounts);
    i.cache_imported = false;
    i.build_args.insert(CACHE_ARG.into(), " layers ".into());
    assert_eq!(plan_of("main: .\n", &i).unwrap().cache, CacheMode::Layers);
    i.build_args.insert(CACHE_ARG.into(), "auto".into());
    assert_eq!(plan_of("main: .\n", &i).unwrap().cache, CacheMode::Mounts);
    i.build_args.insert(CACHE_ARG.into(), "layer$(id)\n".into());
    let e = plan_of("main: .\n", &i).unwrap_err().to_string();
    assert!(
        e.contains(r#"GOFRONT_CACHE="layer$(id)\n""#) && e.contains("auto, mounts and layers"),
        "{e}"
    );
}

#[test]
fn private_modules_stay_in_the_download_layer_in_mounts_mode() {
    let p = plan_of(
        "goprivate: git.corp.example\nprivate: { netrc: true }\n",
        &inputs(),
    )
    .unwrap();
    assert_eq!(p.cache, CacheMode::Mounts);
    assert!(
        p.modules_in_layer,
        "go build has no credentials to refetch them"
    );
}

#[test]
fn binaries_with_the_same_compile_flags_share_one_precompile() {
    let mut i = inputs();
    i.cache_imported = true;
    let yaml = "binaries:\n  - main: ./cmd/a\n  - main: ./cmd/b\n    ldflags: [-X main.b=1]\n  - main: ./cmd/c\n    tags: [pg]\n";
    let p = plan_of(yaml, &i).unwrap();
    let groups: Vec<Option<usize>> = p.compiles.iter().map(|c| c.precompiled).collect();
    assert_eq!(
        groups,
        [Some(0), Some(0), Some(1)],
        "ldflags do not matter, tags do"
    );
    assert_eq!(p.precompiles.len(), 2);
    let list = &p.precompiles[0].list;
    assert_eq!(list.argv[..3], ["sh", "-c", LIST_SCRIPT]);
    assert_eq!(
        list.argv[4..],
        [
            "/gofront-deps/packages",
            "list",
            "-deps",
            &format!("-f={DEPS_TEMPLATE}"),
            "-trimpath",
            "-buildvcs=false",
            "./cmd/a",
            "./cmd/b"
        ]
    );
    assert_eq!(list.env["GOOS"], "linux");
    assert_eq!(list.env["CGO_ENABLED"], "0");
    let build = &p.precompiles[1].build;
    assert_eq!(build.argv[..3], ["sh", "-c", PRECOMPILE_SCRIPT]);
    assert_eq!(
        build.argv[4..],
        [
            "/gofront-deps/packages",
            "build",
            "-v",
            "-trimpath",
            "-buildvcs=false",
            "-tags=pg"
        ]
    );
    assert_eq!(
        build.env["GOPROXY"], "off",
        "the module layer has everything"
    );
    // The compile itself: the same flags after `go build -v`.
    assert_eq!(p.compiles[2].step.argv[3..6], build.argv[7..]);
}

#[test]
fn made_dirs_keep_the_base_and_give_state_to_the_user() {
    let yaml = "main: .\nworkdir: /home/nonroot\ndirs:\n  - { path: /var/lib/app, mode: \"0700\", volume: true }\nfiles:\n  - { src: a.yaml, dst: /etc/app/a.yaml, owner: \"65532:65532\", own_dirs: true }\n";
    let spec = spec::parse("gofront.yaml", yaml).unwrap();
    assert_eq!(
        made_dirs(&spec),
        [
            "/etc",
            "/etc/app",
            "/home",
            "/home/nonroot",
            "/var",
            "/var/lib",
            "/var/lib/app"
        ]
    );
    let mut i = inputs();
    let base = |uid, mode| DirMeta {
        uid,
        gid: uid,
        mode,
    };
    // distroless: /home/nonroot is the user's, 0700; /etc and /var root's.
    i.base_dirs
        .insert("/home/nonroot".into(), base(65532, 0o700));
    i.base_dirs.insert("/etc".into(), base(0, 0o755));
    i.base_dirs.insert("/var/lib".into(), base(0, 0o711));
    let p = build(&spec, &i).unwrap();
    let got: Vec<(&str, u32, u32)> = p
        .final_stage
        .dirs
        .iter()
        .map(|d| (d.path.as_str(), d.meta.uid, d.meta.mode))
        .collect();
    assert_eq!(
        got,
        [
            ("/etc", 0, 0o755),
            // Made for the file, which asks for its folders.
            ("/etc/app", 65532, 0o755),
            ("/home", 0, 0o755),
            // The base's, kept.
            ("/home/nonroot", 65532, 0o700),
            ("/var", 0, 0o755),
            ("/var/lib", 0, 0o711),
            ("/var/lib/app", 65532, 0o700),
        ]
    );
    assert_eq!(p.image.volumes, ["/var/lib/app"]);
    assert_eq!(p.image.working_dir.as_deref(), Some("/home/nonroot"));
    // The binary target has no image folders.
    i.target = Target::Binary;
    let p = build(&spec, &i).unwrap();
    assert!(p.final_stage.dirs.is_empty() && p.image.volumes.is_empty());
}

#[test]
fn web_build_follows_the_lockfile() {
    let spec = "main: .\nweb:\n  dir: web\n";
    let with = |files: &[&str], pm: Option<&str>| {
        let mut i = inputs();
        i.web = Some(WebFacts {
            package_manager: pm.map(str::to_string),
            ..prebuild::facts(files)
        });
        plan_of(spec, &i)
    };
    let p = with(
        &["package.json", "package-lock.json", ".npmrc", "src"],
        None,
    )
    .unwrap();
    let w = p.web.unwrap();
    assert_eq!(w.image.reference, "docker.io/library/node:24-bookworm-slim");
    assert_eq!(w.image.platform, Platform::new("linux", "amd64", ""));
    assert_eq!(w.install.argv, ["npm", "ci", "--no-audit", "--no-fund"]);
    assert_eq!(w.build.argv, ["npm", "run", "build"]);
    assert_eq!(w.install.cwd, "/ui/web");
    assert_eq!(
        w.manifest_files,
        ["web/package.json", "web/package-lock.json", "web/.npmrc"]
    );
    assert_eq!(w.excludes, ["web/node_modules", "web/dist"]);
    assert_eq!(
        (w.output.as_str(), w.into.as_str()),
        ("web/dist", "web/dist")
    );
    assert!(w.caches.iter().any(|c| c.0 == "/root/.npm"));
    assert_eq!(w.install.pos.map(|p| p.line), Some(3));

    let w = with(&["package.json", "pnpm-lock.yaml"], Some("pnpm@9.15.0"))
        .unwrap()
        .web
        .unwrap();
    assert_eq!(
        w.install.argv,
        ["corepack", "pnpm", "install", "--frozen-lockfile"]
    );
    assert_eq!(w.build.argv, ["corepack", "pnpm", "run", "build"]);
    let w = with(&["package.json", "yarn.lock"], None)
        .unwrap()
        .web
        .unwrap();
    assert_eq!(
        w.install.argv,
        ["yarn", "install", "--frozen-lockfile", "--non-interactive"]
    );
    let w = with(
        &["package.json", "yarn.lock", ".yarnrc.yml"],
        Some("yarn@4.5.0"),
    )
    .unwrap()
    .web
    .unwrap();
    assert_eq!(
        w.install.argv,
        ["corepack", "yarn", "install", "--immutable"]
    );

    // No package.json, no lockfile: refused at `dir:`.
    let e = with(&["index.html"], None).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("gofront.yaml:3:8: web.dir: web has no package.json"),
        "{e}"
    );
    let e = with(&["package.json"], None).unwrap_err();
    assert!(e.to_string().contains("has no lockfile"), "{e}");
    // The images: role `node` replaces the image.
    let mut i = inputs();
    i.web = Some(prebuild::facts(&["package.json", "package-lock.json"]));
    let p = plan_of(
        &format!("{spec}images: {{ node: mirror.example.com/node:24 }}\n"),
        &i,
    )
    .unwrap();
    assert_eq!(p.web.unwrap().image.reference, "mirror.example.com/node:24");
}

#[test]
fn generate_runs_natively_before_the_compile() {
    let p = plan_of(
        "main: .\ntags: [prod]\ngenerate:\n  packages: [./internal/...]\n",
        &inputs(),
    )
    .unwrap();
    let g = p.generate.unwrap();
    assert_eq!(g.argv, ["go", "generate", "-tags=prod", "./internal/..."]);
    assert_eq!(g.env["CGO_ENABLED"], "0");
    assert!(!g.env.contains_key("GOARCH"), "the generators run natively");
    assert_eq!(g.pos.map(|p| p.line), Some(4));
    assert!(plan_of("main: .\n", &inputs()).unwrap().generate.is_none());
}

#[test]
fn vulncheck_reads_the_database_from_govulndb_and_runs_for_the_target() {
    assert!(plan_of("main: .\n", &inputs()).unwrap().vulncheck.is_none());
    assert!(
        plan_of("main: .\nvulncheck: off\n", &inputs())
            .unwrap()
            .vulncheck
            .is_none()
    );
    let mut i = inputs();
    i.target_platform = Platform::new("linux", "arm64", "");
    let p = plan_of("main: ./cmd/api\ntags: [netgo]\nvulncheck: fail\n", &i).unwrap();
    let v = p.vulncheck.unwrap();
    assert_eq!(v.mode, spec::VulnCheck::Fail);
    assert_eq!(v.pos.line, 3);
    assert_eq!(v.db, GOVULNDB_DEFAULT);
    assert!(v.scan.argv.contains(&"-db=https://vuln.go.dev".to_string()));
    assert!(v.scan.argv.contains(&"-tags=netgo".to_string()));
    assert_eq!(v.scan.argv.last().unwrap(), "./cmd/api");
    assert_eq!(v.scan.env["GOARCH"], "arm64");
    // The tool is ours: neither the user's GOFLAGS nor GOTOOLCHAIN=local.
    assert_eq!(v.install.env["GOTOOLCHAIN"], "auto");
    assert_eq!(v.install.env["GOBIN"], VULN_TOOLS);
    i.build_args
        .insert(GOVULNDB_ARG.into(), "http://user:pw@127.0.0.1:9/db".into());
    i.build_args.insert("GOFLAGS".into(), "-mod=vendor".into());
    let v = plan_of("main: .\nvulncheck: warn\n", &i)
        .unwrap()
        .vulncheck
        .unwrap();
    assert_eq!(v.mode, spec::VulnCheck::Warn);
    assert!(
        v.scan
            .argv
            .contains(&"-db=http://user:pw@127.0.0.1:9/db".to_string())
    );
    assert!(!v.scan.name.contains("pw"), "{}", v.scan.name);
    assert!(!v.install.env.contains_key("GOFLAGS"));
    assert_eq!(v.scan.env["GOFLAGS"], "-mod=vendor");
}

#[test]
fn the_build_info_step_names_every_binary() {
    let p = plan_of(
        "binaries:\n  - { main: ./cmd/api }\n  - { main: ./cmd/worker, name: w }\n",
        &inputs(),
    )
    .unwrap();
    assert_eq!(
        &p.build_info.argv[3..],
        ["gofront-build-info", BUILD_INFO_OUT, "api", "w"]
    );
    assert_eq!(p.build_info.argv[2], attest::BUILD_INFO_SCRIPT);
}

/// A SOURCE_DATE_EPOCH past what a `created` time can hold (in
/// milliseconds by mistake, or far beyond the year 9999) is refused with
/// a hint; it used to panic while the date was formatted.
#[test]
fn source_date_epoch_out_of_range_is_refused_not_a_panic() {
    let with = |v: &str| {
        let mut i = inputs();
        i.build_args.insert("SOURCE_DATE_EPOCH".into(), v.into());
        plan_of("main: .\nldflags: [\"-X main.date={{.Date}}\"]\n", &i)
    };
    let last = with("253402300799").unwrap();
    assert_eq!(last.image.created.as_deref(), Some("9999-12-31T23:59:59Z"));
    for (value, says) in [
        ("1700000000000", "after the year 9999"),
        ("253402300800", "after the year 9999"),
        ("9223372036854775807", "after the year 9999"),
        ("-1", "is not a time"),
        ("yesterday", "is not a time"),
        ("99999999999999999999999", "is not a time"),
    ] {
        let e = with(value).unwrap_err().to_string();
        assert!(e.contains(says) && e.contains("hint"), "{value}: {e}");
    }
    assert!(with("").unwrap().image.created.is_none());
}
