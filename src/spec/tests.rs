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

#[test]
fn dirs_are_owned_by_the_service_user_unless_told() {
    let s = ok(r#"main: .
user: "1000:2000"
dirs:
  - /var/cache/app
  - { path: /var/lib/app/, mode: "0700", volume: true }
  - { path: /srv/shared, owner: "0:0", mode: "0750" }
"#);
    type Dir<'a> = (&'a str, u32, (u32, u32), bool, u32);
    let got: Vec<Dir> = s
        .dirs
        .iter()
        .map(|d| (d.path.as_str(), d.mode, d.owner, d.volume, d.pos.line))
        .collect();
    assert_eq!(
        got,
        [
            ("/srv/shared", 0o750, (0, 0), false, 6),
            ("/var/cache/app", 0o755, (1000, 2000), false, 4),
            ("/var/lib/app", 0o700, (1000, 2000), true, 5),
        ]
    );
    // The default user is 65532.
    assert_eq!(ok("dirs: [/data]\n").dirs[0].owner, (65532, 65532));
}

#[test]
fn bad_dirs_are_refused_at_their_line() {
    fails(
        "main: .\ndirs: [data]\n",
        2,
        "dirs: \"data\" is not absolute",
    );
    fails(
        "dirs:\n  - { mode: \"0700\" }\n",
        2,
        "dirs: `path` is missing",
    );
    fails("dirs:\n  - { path: /a, mode: \"999\" }\n", 2, "dirs.mode");
    fails("dirs:\n  - { path: /a, owner: app }\n", 2, "dirs.owner");
    fails("dirs:\n  - { path: /a, size: 3 }\n", 2, "unknown");
    fails("dirs: [/a, /a/]\n", 1, "listed twice");
    fails("dirs: [/]\n", 1, "image's root");
    fails(
        "runtime: distroless\nuser: nonroot\ndirs: [/data]\n",
        3,
        "a folder's owner is numeric",
    );
    // With an owner, a named user is fine.
    ok("runtime: distroless\nuser: nonroot\ndirs: [{ path: /data, owner: \"65532:65532\" }]\n");
}

#[test]
fn files_own_dirs() {
    let s =
        ok("files:\n  - { src: a.yaml, dst: /etc/app/a.yaml, owner: \"1:1\", own_dirs: true }\n");
    assert!(s.files[0].own_dirs);
    assert!(!ok("files: [{ src: a, dst: /a }]\n").files[0].own_dirs);
}

#[test]
fn web_defaults_and_errors() {
    let s = ok("main: .\nweb:\n  dir: ./web/\n");
    let w = s.web.unwrap();
    assert_eq!(w.dir.value, "web");
    assert_eq!(w.dir.pos.line, 3);
    assert_eq!(w.output, "dist");
    assert_eq!(w.script.value, "build");
    assert_eq!(w.into.value, "web/dist");
    assert!(w.manager.is_none());
    let w = ok("web: { dir: ., output: build, script: build:prod, manager: pnpm, into: internal/ui/static }\n")
        .web
        .unwrap();
    assert_eq!(
        (
            w.dir.value.as_str(),
            w.output.as_str(),
            w.script.value.as_str()
        ),
        ("", "build", "build:prod")
    );
    assert_eq!(w.manager.unwrap().value, PackageManager::Pnpm);
    assert_eq!(w.into.value, "internal/ui/static");
    fails(
        "main: .\nweb: { output: dist }\n",
        2,
        "web: `dir` is missing",
    );
    fails("web:\n  dir: ../ui\n", 2, "web.dir");
    fails(
        "web:\n  dir: ui\n  manager: bun\n",
        3,
        "not npm, yarn or pnpm",
    );
    fails(
        "web:\n  dir: ui\n  script: \"--eval=x\"\n",
        3,
        "not a package.json script name",
    );
    fails(
        "web:\n  dir: ui\n  script: \"a b\"\n",
        3,
        "not a package.json script name",
    );
    fails("web:\n  dir: ui\n  output: /abs\n", 3, "web.output");
    fails("web:\n  dir: ui\n  into: ../x\n", 3, "web.into");
    fails("web:\n  dir: ui\n  npm: true\n", 3, "unknown");
}

#[test]
fn generate_packages() {
    assert_eq!(ok("generate: {}\n").generate.unwrap().packages, ["./..."]);
    assert_eq!(
        ok("generate: { packages: [internal/..., ./api] }\n")
            .generate
            .unwrap()
            .packages,
        ["./internal/...", "./api"]
    );
    fails("generate:\n  packages: [../x]\n", 2, "generate.packages");
    fails("generate:\n  run: x\n", 2, "unknown");
}
