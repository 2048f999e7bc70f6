use super::*;
use crate::golang::is_go_version;

fn ok(yaml: &str) -> Spec {
    parse("gofront.yaml", yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// Parse `yaml`, expect an error at `line`, whose text contains `needle`.
fn fails(yaml: &str, line: u32, needle: &str) -> SpecError {
    let e = parse("gofront.yaml", yaml).expect_err("the spec should be refused");
    let text = e.to_string();
    assert_eq!(e.pos.line, line, "line of: {text}");
    assert!(text.contains(needle), "{text:?} should contain {needle:?}");
    assert!(text.starts_with(&format!("gofront.yaml:{line}:")), "{text}");
    e
}

#[test]
fn the_issue_example_parses() {
    let s = ok(r#"# syntax=ourorg/gofront
go: "1.26"            # optional; default: the go / toolchain line of go.mod
main: ./cmd/server    # main package; default "."
runtime: distroless
cgo: false
version:
  arg: VERSION
  var: main.version
  default: dev
ports: [8080]
env: { GIN_MODE: release }
args: ["serve"]
user: "65532:65532"
labels: { org.opencontainers.image.source: https://example.com/repo }
"#);
    assert_eq!(s.go.as_ref().unwrap().value, "1.26");
    assert_eq!(s.go.as_ref().unwrap().pos, Pos { line: 2, column: 5 });
    assert_eq!(s.binaries[0].main.value, "./cmd/server");
    assert_eq!(s.binaries[0].main.pos.line, 3);
    assert_eq!(s.runtime.value, Runtime::Distroless);
    assert!(!s.cgo.value);
    let v = &s.version.as_ref().unwrap().value;
    assert_eq!(
        (v.arg.as_str(), v.var.as_str(), v.default.as_str()),
        ("VERSION", "main.version", "dev")
    );
    assert_eq!(
        values(&s.ports),
        vec![Port {
            number: 8080,
            protocol: "tcp".into()
        }]
    );
    assert_eq!(
        s.env.get("GIN_MODE").map(|v| v.value.as_str()),
        Some("release")
    );
    assert_eq!(values(&s.args), vec!["serve".to_string()]);
    assert_eq!(s.user.value.ids, Some((65532, 65532)));
    assert_eq!(s.labels.len(), 1);
}

#[test]
fn defaults() {
    let s = ok("main: .\n");
    assert!(s.go.is_none());
    assert_eq!(s.binaries[0].main.value, ".");
    assert_eq!(s.runtime.value, Runtime::Distroless);
    assert_eq!(s.user.value.spec, "65532:65532");
    assert!(s.version.is_none());
    // An empty main key is the default package too.
    assert_eq!(ok("cgo: false\n").binaries[0].main.value, ".");
}

#[test]
fn main_is_normalized() {
    assert_eq!(
        ok("main: cmd/server/\n").binaries[0].main.value,
        "./cmd/server"
    );
    assert_eq!(ok("main: ././cmd//x\n").binaries[0].main.value, "./cmd/x");
    assert_eq!(ok("main: ./\n").binaries[0].main.value, ".");
}

#[test]
fn scalars_become_strings_where_strings_are_expected() {
    let s = ok(
        "env: { PORT: 8080, DEBUG: true }\nversion: { arg: V, var: main.v, default: 1.0 }\nports: [\"53/udp\", 80]\n",
    );
    assert_eq!(s.env["PORT"].value, "8080");
    assert_eq!(s.env["DEBUG"].value, "true");
    assert_eq!(s.ports[0].value.to_string(), "53/udp");
    assert_eq!(s.version.unwrap().value.default, "1");
    assert_eq!(ok("go: 1.26\n").go.unwrap().value, "1.26");
    assert_eq!(
        ok("go: 1.20\n").go.unwrap().value,
        "1.20",
        "no float rounding"
    );
}

#[test]
fn runtime_choices() {
    assert_eq!(ok("runtime: scratch\n").runtime.value, Runtime::Scratch);
    assert_eq!(ok("runtime: alpine\n").runtime.value, Runtime::Alpine);
    assert_eq!(
        ok("runtime: registry.example.com/base/img:1@sha256:0123456789012345678901234567890123456789012345678901234567890123\n").runtime.value,
        Runtime::Image("registry.example.com/base/img:1@sha256:0123456789012345678901234567890123456789012345678901234567890123".into())
    );
    assert_eq!(ok("cgo: true\n").runtime.value, Runtime::Distroless);
}

#[test]
fn malformed_yaml() {
    fails("main: [./cmd\n", 1, "gofront.yaml:1:");
    fails("main: ./x\n  bad indent: 1\n", 2, "gofront.yaml:2");
    fails("main: \"unterminated\n", 1, "gofront.yaml:1");
}

#[test]
fn not_a_mapping() {
    fails("- main\n", 1, "must be a mapping");
    fails("just a string\n", 1, "must be a mapping");
}

#[test]
fn empty_spec() {
    fails("# syntax=ourorg/gofront\n\n", 1, "empty");
    fails("", 1, "empty");
}

#[test]
fn unknown_keys_get_a_suggestion() {
    let e = fails(
        "# syntax=ourorg/gofront\nmian: ./cmd/server\n",
        2,
        "unknown key \"mian\"",
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean \"main\"?"));
    let e = fails(
        "version:\n  arg: V\n  varr: main.v\n",
        3,
        "unknown key \"varr\"",
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean \"var\"?"));
    let e = fails("frobnicate: 1\n", 1, "unknown key");
    assert!(e.hint.unwrap().contains("known keys"));
    fails("port: [80]\n", 1, "did you mean \"ports\"");
    fails("Main: .\n", 1, "did you mean \"main\"");
}

#[test]
fn wrong_types() {
    fails("main: [a]\n", 1, "expected a string");
    fails("cgo: maybe\n", 1, "expected true or false");
    fails("ports: 8080\n", 1, "gofront.yaml:1");
    fails("env: [A]\n", 1, "gofront.yaml:1");
    fails("args: serve\n", 1, "gofront.yaml:1");
    fails("version: dev\n", 1, "gofront.yaml:1");
    fails("labels: { a: [1] }\n", 1, "gofront.yaml:1");
}

#[test]
fn duplicate_keys() {
    fails("main: a\nmain: b\n", 2, "duplicate");
}

#[test]
fn go_versions() {
    fails("go: latest\n", 1, "not a Go version");
    fails("go: \"1\"\n", 1, "not a Go version");
    fails("go: \"1.26.1.2\"\n", 1, "not a Go version");
    fails("go: \"1.26; rm -rf /\"\n", 1, "not a Go version");
    assert!(is_go_version("1.27rc1"));
}

#[test]
fn main_paths_are_confined_and_never_flags() {
    fails("main: /etc\n", 1, "absolute");
    fails("main: ../other\n", 1, "leaves the build context");
    fails("main: ./a/../../b\n", 1, "leaves the build context");
    fails("main: -toolexec=/bin/sh\n", 1, "flag");
    fails("main: ./...\n", 1, "pattern");
    fails("main: \"./cmd/$(id)\"\n", 1, "contains '$'");
    fails("main: \"./cmd server\"\n", 1, "contains ' '");
    fails("main: \"\"\n", 1, "empty");
}

#[test]
fn cgo_with_a_libc_less_runtime_is_refused() {
    let e = fails(
        "cgo: true\nruntime: scratch\n",
        2,
        "cgo is on, and scratch has no C library",
    );
    assert!(e.hint.unwrap().contains("distroless/base"));
    fails(
        "cgo: true\nruntime: gcr.io/distroless/static-debian12\n",
        2,
        "no C library",
    );
    fails("cgo: true\nruntime: alpine\n", 2, "musl");
}

#[test]
fn version_settings() {
    fails("version:\n  var: main.version\n", 2, "`arg` is missing");
    fails("version:\n  arg: VERSION\n", 2, "`var` is missing");
    fails(
        "version:\n  arg: VERSION\n  var: main\n",
        3,
        "not a Go variable",
    );
    fails(
        "version:\n  arg: VERSION\n  var: main.1version\n",
        3,
        "not a Go variable",
    );
    fails(
        "version:\n  arg: VERSION\n  var: \"main.version -X evil.x=1\"\n",
        3,
        "not a Go variable",
    );
    fails(
        "version:\n  arg: VERSION\n  var: \"main.ver'sion\"\n",
        3,
        "not a Go variable",
    );
    fails(
        "version:\n  arg: \"VER SION\"\n  var: main.version\n",
        2,
        "not a valid build arg name",
    );
    let s = ok("version: { arg: V, var: example.com/a-b/internal/version.Version }\n");
    assert_eq!(
        s.version.unwrap().value.var,
        "example.com/a-b/internal/version.Version"
    );
}

#[test]
fn ports() {
    fails("ports: [0]\n", 1, "not a port");
    fails("ports: [70000]\n", 1, "not a port");
    fails("ports: [\"80/icmp\"]\n", 1, "not a port");
    fails("ports:\n  - 80\n  - http\n", 3, "not a port");
}

#[test]
fn env_and_labels() {
    fails("env: { \"A=B\": x }\n", 1, "not a valid variable name");
    fails("env: { \"\": x }\n", 1, "not a valid variable name");
    fails("labels: { \"\": x }\n", 1, "label name is empty");
}

#[test]
fn users() {
    assert_eq!(ok("user: 1000\n").user.value.ids, Some((1000, 1000)));
    assert_eq!(ok("user: nonroot\n").user.value.ids, None);
    fails("user: \"a b\"\n", 1, "is not a user");
    fails("user: \"1:2:3\"\n", 1, "is not a user");
    fails(
        "runtime: scratch\nuser: nonroot\n",
        2,
        "scratch has no /etc/passwd",
    );
}

#[test]
fn hostile_yaml_is_refused_quickly() {
    // Billion laughs.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("l{}", i - 1)
        };
        bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let start = std::time::Instant::now();
    let e = parse("gofront.yaml", &bomb).expect_err("an alias bomb must be refused");
    assert!(start.elapsed().as_millis() < 1000);
    assert!(e.pos.line >= 1, "{e}");
    // Deep nesting.
    let deep = format!("env: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let e = parse("gofront.yaml", &deep).expect_err("deep nesting must be refused");
    assert_eq!(e.pos.line, 1, "{e}");
    // Huge.
    let huge = format!("main: \"{}\"\n", "a".repeat(MAX_SPEC_BYTES));
    let e = parse("gofront.yaml", &huge).expect_err("a huge spec must be refused");
    assert!(e.to_string().contains("limit"), "{e}");
    // Not a single document.
    fails("main: .\n---\nmain: x\n", 2, "gofront.yaml:2");
}

#[test]
fn errors_render_file_line_column_and_hint() {
    let e = parse("svc.yaml", "cgo: true\nruntime: scratch\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "svc.yaml:2:10: runtime: cgo is on, and scratch has no C library (hint: drop `runtime` to get gcr.io/distroless/base-debian12 (glibc), or set `cgo: false` for a static binary)"
    );
}

#[test]
fn platforms() {
    let s = ok("platforms: [linux/amd64, linux/arm64/v8, linux/arm, linux/amd64]\n");
    let got: Vec<String> = s.platforms.iter().map(|p| p.value.to_string()).collect();
    assert_eq!(got, ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
    assert_eq!(
        s.platforms[1].pos,
        Pos {
            line: 1,
            column: 26
        }
    );
    fails("platforms: [linux]\n", 1, "is not a platform");
    fails(
        "platforms:\n  - linux/amd64\n  - windows/amd64\n",
        3,
        "gofront builds Linux images",
    );
    fails("platform: [linux/amd64]\n", 1, "did you mean \"platforms\"");
}

#[test]
fn the_check_skip_directive_is_read_from_the_leading_comments_with_places() {
    let s = parse(
        "gofront.yaml",
        "# syntax=ourorg/gofront\n# check=skip=A, B;error=true\nmain: .\n",
    )
    .unwrap();
    let got: Vec<(&str, u32, u32)> = s
        .check_skip
        .iter()
        .map(|n| (n.value.as_str(), n.pos.line, n.pos.column))
        .collect();
    assert_eq!(got, [("A", 2, 14), ("B", 2, 17)]);
    let late = parse("gofront.yaml", "main: .\n# check=skip=A\n").unwrap();
    assert!(late.check_skip.is_empty(), "only the comments at the top");
}
