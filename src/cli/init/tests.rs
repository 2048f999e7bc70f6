//! `gofront init` on the layouts of issue 16 (tests/fixtures/init-*): each
//! test asserts the whole proposal, so that a change to what init decides
//! shows here.

use super::*;
use crate::cli::read_spec;
use crate::cli::test_support::*;

const MAIN_GO: &str = "// Command x.\npackage main\n\nfunc main() {}\n";

/// A fixture of tests/fixtures.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The proposal for a fixture, and its text after the three lines every
/// spec starts with.
fn proposal(name: &str) -> (Init, String) {
    let init = init_spec(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let head = format!("# syntax=ourorg/gofront\n{}\n\n", schema::modeline());
    let rest = init
        .text
        .strip_prefix(&head)
        .unwrap_or_else(|| panic!("{}", init.text))
        .to_string();
    parses(&init.text).unwrap_or_else(|e| panic!("{e}\n{}", init.text));
    (init, rest)
}

#[test]
fn init_one_main_package() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "go.mod",
        "module example.com/svc\n\ngo 1.25.1\ntoolchain go1.26.2\n",
    );
    write(d, "cmd/server/main.go", MAIN_GO);
    write(d, "cmd/server/main_test.go", "package main\n");
    write(d, "internal/lib/lib.go", "package lib\n");
    // Skipped: tests only, vendor, testdata, hidden and _ folders,
    // nested modules, ignored generators.
    write(d, "cmd/onlytests/x_test.go", "package main\n");
    write(d, "vendor/example.com/dep/cmd/tool/main.go", MAIN_GO);
    write(d, "internal/lib/testdata/prog/main.go", MAIN_GO);
    write(d, ".git/hooks/main.go", MAIN_GO);
    write(d, "_old/main.go", MAIN_GO);
    write(d, "tools/go.mod", "module example.com/svc/tools\n");
    write(d, "tools/gen/main.go", MAIN_GO);
    write(
        d,
        "internal/lib/gen.go",
        "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
    );

    let (code, out, err) = cli(&["init", p(d)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote "), "{out}");
    let text = std::fs::read_to_string(d.join("gofront.yaml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# syntax=ourorg/gofront");
    assert_eq!(lines[1], schema::modeline());
    assert!(
        text.contains("\ngo: \"1.26\"\nmain: ./cmd/server\n"),
        "{text}"
    );
    let s = spec::parse("gofront.yaml", &text).unwrap();
    assert_eq!(s.binaries.len(), 1);
    assert_eq!(s.binaries[0].main.value, "./cmd/server");
    assert_eq!(s.go.unwrap().value, "1.26");

    // No overwrite without --force.
    std::fs::write(d.join("gofront.yaml"), "main: ./mine\n").unwrap();
    let (code, _, err) = cli(&["init", p(d)]);
    assert_eq!(code, 1);
    assert!(err.contains("exists; use --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("gofront.yaml")).unwrap(),
        "main: ./mine\n"
    );
    let (code, _, err) = cli(&["init", "--force", p(d)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("gofront.yaml")).unwrap(),
        text
    );
}

#[test]
fn init_several_main_packages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/tool/v2\n");
    write(d, "main.go", "/* tool */\npackage main\nfunc main() {}\n");
    write(d, "cmd/ctl/main.go", MAIN_GO);
    write(d, "cmd/server/main.go", MAIN_GO);
    write(d, "internal/cmd/server/main.go", MAIN_GO);
    write(d, "a/server/main.go", MAIN_GO);
    let init = init_spec(d).unwrap();
    // A cmd/ layout: its commands and the module's root package are the
    // binaries; the module's own binary (`tool`, from `.`) goes first: it
    // is the entrypoint. ./a/server is not under cmd/: left out, said so.
    assert_eq!(
        init.mains,
        [".", "./cmd/ctl", "./cmd/server", "./internal/cmd/server"]
    );
    assert!(
        !init.text.contains("\ngo:"),
        "no go line in go.mod: {}",
        init.text
    );
    assert!(!init.text.contains("\nmain:"), "{}", init.text);
    assert!(
        init.text.contains(
            "binaries:\n  - main: .\n  - main: ./cmd/ctl\n  - { main: ./cmd/server, name: cmd-server }\n  - { main: ./internal/cmd/server, name: internal-cmd-server }\n\
             # The image's entrypoint: the first binary unless `entrypoint: NAME` says otherwise.\n\
             # Other main packages, not built (not under cmd/; add them to binaries: to build them too): ./a/server\n"
        ),
        "{}",
        init.text
    );
    let s = spec::parse("gofront.yaml", &init.text).unwrap();
    assert_eq!(s.binaries.len(), 4);
    assert!(s.go.is_none());
}

#[test]
fn init_refuses_folders_without_a_module_or_a_main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = cli(&["init", p(d)]);
    assert_eq!(code, 1);
    assert!(err.contains("go.mod"), "{err}");
    write(d, "go.mod", "module example.com/lib\ngo 1.26\n");
    write(d, "lib.go", "package lib\n");
    let (code, _, err) = cli(&["init", p(d)]);
    assert_eq!(code, 1);
    assert!(err.contains("no main package"), "{err}");
    assert!(!d.join("gofront.yaml").exists());
    assert_eq!(cli(&["init", p(d), "--frob"]).0, 2);
    assert_eq!(cli(&["init", p(d), p(d)]).0, 2);
}

#[test]
fn init_skips_folders_a_spec_cannot_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/m\ngo 1.26\n");
    write(d, "cmd/ok/main.go", MAIN_GO);
    write(d, "cmd/with space/main.go", MAIN_GO);
    let init = init_spec(d).unwrap();
    assert_eq!(init.mains, ["./cmd/ok"]);
    assert_eq!(init.notes.len(), 1, "{:?}", init.notes);
    assert!(init.notes[0].contains("with space"), "{:?}", init.notes);
}

#[test]
fn init_example_hello_matches_its_spec() {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello");
    let init = init_spec(&d).unwrap();
    assert_eq!(init.mains, ["."]);
    let made = spec::parse("gofront.yaml", &init.text).unwrap();
    let committed = read_spec(&d.join("gofront.yaml")).unwrap();
    assert_eq!(
        made.binaries[0].main.value,
        committed.binaries[0].main.value
    );
}

/// Assert the whole proposal for a fixture: its binaries, its notes and
/// the spec after its first three lines.
#[track_caller]
fn assert_proposal(name: &str, mains: &[&str], notes: &[&str], text: &str) {
    let (init, rest) = proposal(name);
    assert_eq!(init.mains, mains, "{name}");
    assert_eq!(init.notes, notes, "{name}");
    assert_eq!(rest, text, "{name}: got\n{rest}");
}

#[test]
fn init_fixture_tools_folder_and_dev_mains_are_left_out() {
    assert_proposal(
        "init-tools",
        &["."],
        &[
            "left out ./hack/gendocs: a dev tool (hack/)",
            "left out ./magefiles: //go:build mage",
            "left out ./scripts/release: a dev tool (scripts/)",
            "left out ./tools: //go:build tools",
        ],
        r#"# Made by `gofront init` for the module example.com/pinger; `gofront check gofront.yaml` checks it.
go: "1.24"
main: .
# Left out, not services:
#   ./hack/gendocs: a dev tool (hack/)
#   ./magefiles: //go:build mage
#   ./scripts/release: a dev tool (scripts/)
#   ./tools: //go:build tools
# Found in main.go:11: port := os.Getenv("PORT") (default 8080)
ports: [8080]
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_examples_plugins_and_test_mains_are_left_out() {
    // Silently, as `go build ./...` does: _examples/, testdata/, and
    // cmd/loadgen (a main package in _test.go files only).
    assert_proposal(
        "init-examples",
        &["./cmd/relay"],
        &[
            "left out ./cmd/winsvc: its name (main_windows.go) selects windows",
            "left out ./e2e/runner: test support (e2e/)",
            "left out ./example: an example (example/)",
            "left out ./examples/echo: an example (examples/)",
            "left out ./internal/testing/fakeserver: test support (testing/)",
            "left out ./plugins/auth: package main without func main (a plugin, built with -buildmode=plugin?)",
            "left out ./plugins/auth/example: an example (example/)",
        ],
        r#"# Made by `gofront init` for the module example.com/relay; `gofront check gofront.yaml` checks it.
go: "1.25"
main: ./cmd/relay
# Left out, not services:
#   ./cmd/winsvc: its name (main_windows.go) selects windows
#   ./e2e/runner: test support (e2e/)
#   ./example: an example (example/)
#   ./examples/echo: an example (examples/)
#   ./internal/testing/fakeserver: test support (testing/)
#   ./plugins/auth: package main without func main (a plugin, built with -buildmode=plugin?)
#   ./plugins/auth/example: an example (example/)
# Found in cmd/relay/main.go:12: Addr: ":7000",
ports: [7000]
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_cmd_layout_two_services_and_an_ignored_generator() {
    assert_proposal(
        "init-cmd",
        &["./cmd/api", "./cmd/worker"],
        &["left out ./cmd/gen: //go:build ignore"],
        r#"# Made by `gofront init` for the module example.com/shop; `gofront check gofront.yaml` checks it.
go: "1.26"
binaries:
  - main: ./cmd/api
  - main: ./cmd/worker
# The image's entrypoint: the first binary unless `entrypoint: NAME` says otherwise.
# Left out, not services:
#   ./cmd/gen: //go:build ignore
# 8080: found in cmd/api/main.go:11: addr := flag.String("addr", ":8080", "listen address")
# 9100: found in cmd/worker/main.go:12: log.Fatal(http.ListenAndServe(":9100", nil))
ports: [8080, 9100]
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_go_sqlite3_turns_cgo_on_and_proposes_a_data_folder() {
    assert_proposal(
        "init-sqlite",
        &["."],
        &[],
        r#"# Made by `gofront init` for the module example.com/notes; `gofront check gofront.yaml` checks it.
go: "1.26"
main: .
# go.mod:7 requires github.com/mattn/go-sqlite3, which needs cgo: with cgo off, the binary builds and fails at start.
cgo: true
# Found in main.go:20: log.Fatal(http.ListenAndServe(":8080", r))
ports: [8080]
# The service writes data/notes.db, relative to its working directory (main.go:14: db, err := sql.Open("sqlite3", "data/notes.db")):
# dirs:            # folders the service writes, owned by its user
#   - /data
# workdir: /
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
    let (init, _) = proposal("init-sqlite");
    let s = parses(&init.text).unwrap();
    assert!(s.cgo.value);
    assert_eq!(s.ports.len(), 1);
}

#[test]
fn init_fixture_web_folder_embedded_by_the_go_code() {
    assert_proposal(
        "init-web",
        &["."],
        &[],
        r#"# Made by `gofront init` for the module example.com/board; `gofront check gofront.yaml` checks it.
go: "1.26"
main: .
# Found in main.go:14: port := flag.Int("port", 3000, "HTTP port")
ports: [3000]
# web/embed.go:8 embeds all:dist, the output of `npm run build` (tsc -b && vite build) in web/.
web:
  dir: web
  output: dist
  script: build
# admin/ has a package.json with a "build" script (vite build), but no //go:embed of its output (dist) was found: no web: step; add one if the Go code serves it.
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_web_output_copied_into_a_go_package() {
    assert_proposal(
        "init-web-into",
        &["."],
        &[],
        r#"# Made by `gofront init` for the module example.com/console; `gofront check gofront.yaml` checks it.
go: "1.26"
main: .
# Found in main.go:13: log.Fatal(http.ListenAndServe("0.0.0.0:8000", nil))
ports: [8000]
# internal/ui/ui.go:6 embeds internal/ui/build: the output (build) of `npm run build` (react-scripts build) in frontend/ goes there.
web:
  dir: frontend
  output: build
  script: build
  into: internal/ui/build
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_go_generate_with_a_tool_directive() {
    assert_proposal(
        "init-generate",
        &["."],
        &[],
        r#"# Made by `gofront init` for the module example.com/paint; `gofront check gofront.yaml` checks it.
go: "1.24"
main: .
# ports: [8080]    # no port found in the code: write the one the service listens on
# //go:generate lines run: go run github.com/ogen-go/ogen/cmd/ogen@v1.10.0 (./internal/api), go tool stringer (./internal/enum).
# go.mod's tool lines: golang.org/x/tools/cmd/stringer.
generate:
  packages: [./internal/api, ./internal/enum]
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
}

#[test]
fn init_fixture_ports_from_the_module_when_main_names_none() {
    // The test file's listener does not count.
    assert_proposal(
        "init-port",
        &["."],
        &[],
        r#"# Made by `gofront init` for the module example.com/greeter; `gofront check gofront.yaml` checks it.
go: "1.26"
main: .
# "5353/udp": found in internal/dns/dns.go:8: pc, err := net.ListenPacket("udp", ":5353")
# 8081: found in internal/server/server.go:10: return r.Run(":8081")
ports: ["5353/udp", 8081]
# Uncomment what applies (see the spec reference):
# version: { arg: VERSION, var: main.version }
"#,
    );
    let (init, _) = proposal("init-port");
    let s = spec::parse("gofront.yaml", &init.text).unwrap();
    assert_eq!(s.ports.len(), 2);
}

#[test]
fn init_comments_out_generate_when_the_builder_lacks_a_tool() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/m\ngo 1.26\n");
    write(d, "main.go", "package main\nfunc main() {}\n");
    write(
        d,
        "internal/store/store.go",
        "package store\n\n//go:generate -command mock go run go.uber.org/mock/mockgen@v0.5.0\n//go:generate mock -source=store.go -destination=mock.go\n//go:generate stringer -type=Kind\n//go:generate go tool sqlc generate\n",
    );
    write(
        d,
        "internal/store/kind_string.go",
        "// Code generated by \"stringer -type=Kind\"; DO NOT EDIT.\n\npackage store\n",
    );
    let init = init_spec(d).unwrap();
    assert!(
        init.text.contains(
            "# //go:generate lines run: go run go.uber.org/mock/mockgen@v0.5.0 (./internal/store), stringer (./internal/store), go tool sqlc (./internal/store).\n\
             # ./internal/store has its generated code committed too: the step may be unneeded.\n\
             # The builder has the go command only, not stringer, go tool sqlc: make each a go.mod tool\n\
             # (`go get -tool PACKAGE`, then `//go:generate go tool NAME`) or commit the generated code;\n\
             # then uncomment:\n\
             # generate:\n\
             #   packages: [./internal/store]\n"
        ),
        "{}",
        init.text
    );
    assert!(!init.text.contains("\ngenerate:"), "{}", init.text);
    spec::parse("gofront.yaml", &init.text).unwrap();

    // Many packages: ./...
    for i in 0..5 {
        write(
            d,
            &format!("internal/e{i}/e.go"),
            "package e\n//go:generate go tool cover -h\n",
        );
    }
    std::fs::remove_file(d.join("internal/store/store.go")).unwrap();
    let init = init_spec(d).unwrap();
    assert!(
        init.text.contains("\ngenerate:\n  packages: [./...]\n"),
        "{}",
        init.text
    );
}

#[test]
fn init_cgo_for_an_indirect_requirement_and_no_obvious_port() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "go.mod",
        "module example.com/m\ngo 1.26\nrequire gorm.io/driver/sqlite v1.5.7\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22 // indirect\n\tgithub.com/linxGnu/grocksdb v1.9.9\n)\n",
    );
    write(
        d,
        "main.go",
        "package main\n\nfunc main() {\n\tgo serve(\":8080\")\n\tgo serve(\":8081\")\n\tgo serve(\":8082\")\n\tgo serve(\":8083\")\n}\n\nfunc serve(addr string) { http.ListenAndServe(addr, nil) }\n",
    );
    write(
        d,
        "listen.go",
        "package main\n\nvar addrs = []string{\n\t\":8080\", // listen\n}\nvar a1 = listen(\":8080\")\nvar a2 = listen(\":8081\")\nvar a3 = listen(\":8082\")\nvar a4 = listen(\":8083\")\n",
    );
    let init = init_spec(d).unwrap();
    assert!(
        init.text.contains(
            "\n# go.mod:6 requires github.com/linxGnu/grocksdb, which needs cgo: with cgo off, the build fails (build constraints exclude all Go files).\n\
             # It also needs the RocksDB C library (librocksdb-dev) in the builder and the runtime, which gofront's images do not have.\n\
             # go.mod:5 requires github.com/mattn/go-sqlite3 (indirectly, for a module it uses), which needs cgo: with cgo off, the binary builds and fails at start.\n\
             cgo: true\n\
             # Several ports in the code, so none is obvious:\n\
             #   8080: listen.go:6: var a1 = listen(\":8080\")\n\
             #   8081: listen.go:7: var a2 = listen(\":8081\")\n\
             #   8082: listen.go:8: var a3 = listen(\":8082\")\n\
             #   8083: listen.go:9: var a4 = listen(\":8083\")\n\
             # ports: [8080]\n"
        ),
        "{}",
        init.text
    );
}

#[test]
fn init_several_services_without_a_cmd_layout_picks_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/m\ngo 1.26\n");
    write(d, "worker/main.go", MAIN_GO);
    write(d, "server/main.go", MAIN_GO);
    let init = init_spec(d).unwrap();
    assert_eq!(init.mains, ["./server"]);
    assert!(
        init.text.contains(
            "\nmain: ./server\n# Other main packages, not built (one binary was picked; list several under binaries: to build them too): ./worker\n"
        ),
        "{}",
        init.text
    );
}

#[test]
fn init_refuses_when_no_main_package_is_a_service() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/lib\ngo 1.26\n");
    write(d, "lib.go", "package lib\n");
    write(d, "examples/demo/main.go", MAIN_GO);
    write(
        d,
        "tools/main.go",
        "//go:build tools\n\npackage main\n\nfunc main() {}\n",
    );
    let (code, out, err) = cli(&["init", p(d)]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("looks like a service (left out: ./examples/demo: an example (examples/); ./tools: //go:build tools); write a spec with `main: ./path` yourself"),
        "{err}"
    );
    assert!(!d.join("gofront.yaml").exists());
}

#[test]
fn init_tells_on_stderr_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/m\ngo 1.26\n");
    write(d, "main.go", MAIN_GO);
    write(d, "hack/x/main.go", MAIN_GO);
    write(d, "node_modules/x/main.go", MAIN_GO);
    let (code, out, err) = cli(&["init", p(d)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote "), "{out}");
    assert_eq!(err, "gofront init: left out ./hack/x: a dev tool (hack/)\n");
}

#[test]
fn init_writes_web_and_generate_the_spec_knows() {
    let text = "main: .\nweb:\n  dir: web\n  output: dist\n# c\ngenerate:\n  packages: [.]\nports: [8080]\n";
    let s = parses(text).unwrap();
    assert_eq!(s.ports.len(), 1);
    assert_eq!(s.web.unwrap().dir.value, "web");
    assert_eq!(s.generate.unwrap().packages, ["."]);
    assert!(parses("main: .\nwbe: {}\n").is_err());
}

#[test]
fn init_prefers_a_shallow_service_and_lists_at_most_ten_in_comments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "go.mod", "module example.com/m\ngo 1.26\n");
    // Not the test helper named server: it is test support, and the
    // shallowest of the rest wins.
    write(d, "pkg/testutils/echo/server/main.go", MAIN_GO);
    write(d, "plugins/ipam/dhcp/main.go", MAIN_GO);
    write(d, "agent/main.go", MAIN_GO);
    for i in 0..12 {
        write(d, &format!("examples/e{i:02}/main.go"), MAIN_GO);
    }
    let init = init_spec(d).unwrap();
    assert_eq!(init.mains, ["./agent"]);
    assert_eq!(init.notes.len(), 13, "{:?}", init.notes);
    assert!(
        init.text.contains(
            "\nmain: ./agent\n\
             # Other main packages, not built (one binary was picked; list several under binaries: to build them too): ./plugins/ipam/dhcp\n\
             # Left out, not services:\n\
             #   ./examples/e00: an example (examples/)\n"
        ),
        "{}",
        init.text
    );
    assert!(
        init.text.contains(
            "#   ./examples/e09: an example (examples/)\n\
             #   … and 3 more (gofront init lists them all on stderr)\n"
        ),
        "{}",
        init.text
    );
}
