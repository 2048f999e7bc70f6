//! What real services need: folders the non-root user writes, a web UI
//! built with node and embedded, code generated before the compile — each
//! with an example written here, built, run and inspected.

use crate::harness::*;

/// examples/state: SQLite (cgo) keeps its database in a state folder that
/// the spec's `dirs` makes, owned by the non-root user, 0700, a volume;
/// the service writes it as 65532.
pub fn state_folder_is_written_by_the_non_root_user(d: Daemon) {
    let ctx = copy_example("state");
    let img = Image::build(d, ctx.path(), "state", &[]);
    let cfg = img.inspect();
    assert_eq!(cfg["Config"]["User"], "65532:65532");
    assert_eq!(cfg["Config"]["WorkingDir"], "/var/lib/notes");
    assert_eq!(
        cfg["Config"]["Volumes"],
        serde_json::json!({ "/var/lib/notes": {} })
    );
    let files = img.files();
    let dir = file(&files, "var/lib/notes");
    assert!(dir.is_dir);
    assert_eq!((dir.uid, dir.gid, dir.mode & 0o7777), (65532, 65532, 0o700));
    let lib = file(&files, "var/lib");
    assert_eq!(
        (lib.uid, lib.mode & 0o7777),
        (0, 0o755),
        "parents stay root's"
    );
    let server = img.serve();
    let (status, _) = server.post("/notes", "water the plants");
    assert!(status.contains(" 201 "), "{status}");
    assert!(server.get("/notes").contains("water the plants"));
}

/// `workdir` on a folder the base has keeps its owner and mode
/// (distroless's /home/nonroot: 65532, 0700), and a file with `own_dirs`
/// gets the folders it creates; nothing else changes owner.
pub fn workdir_keeps_the_base_folder_and_files_own_theirs(d: Daemon) {
    let ctx = copy_example("hello");
    write(ctx.path(), "conf/app.yaml", "level: info\n");
    write_spec(
        ctx.path(),
        "main: .\nports: [8080]\nworkdir: /home/nonroot\nfiles:\n  - { src: conf/app.yaml, dst: /etc/hello/app.yaml, owner: \"65532:65532\", own_dirs: true }\n",
    );
    let img = Image::build(d, ctx.path(), "workdir", &[]);
    assert_eq!(img.inspect()["Config"]["WorkingDir"], "/home/nonroot");
    let files = img.files();
    let meta = |path: &str| {
        let f = file(&files, path);
        (f.uid, f.gid, f.mode & 0o7777)
    };
    assert_eq!(
        meta("home/nonroot"),
        (65532, 65532, 0o700),
        "the base's, kept"
    );
    assert_eq!(meta("home"), (0, 0, 0o755));
    assert_eq!(meta("etc/hello"), (65532, 65532, 0o755), "own_dirs");
    assert_eq!(meta("etc"), (0, 0, 0o755), "the base's /etc");
    assert_eq!(meta("etc/hello/app.yaml").0, 65532);
}

/// examples/generate: `go generate` with the stringer of go.mod's `tool`
/// directive; the generated file is compiled (it is not in the context)
/// and not in the image.
pub fn generated_code_is_compiled_and_not_shipped(d: Daemon) {
    let ctx = copy_example("generate");
    assert!(
        !ctx.path().join("internal/status/status_string.go").exists(),
        "the example does not commit the generated file"
    );
    let img = Image::build(d, ctx.path(), "generate", &[]);
    img.build
        .assert_logged("[gofront] go generate ./internal/...");
    let server = img.serve();
    assert_eq!(server.get("/status/2"), "Running\n", "stringer's String()");
    let files = img.files();
    assert!(
        !files.iter().any(|f| f.path.ends_with(".go")),
        "no source in the image"
    );
}

/// examples/webui: the UI is built with npm in the node image and embedded
/// by the Go binary; only the binary reaches the image. The edit loop: a
/// Go edit reruns neither npm step, a UI edit reruns `npm run build` but
/// not `npm ci` or the module download, and recompiles only the package
/// that embeds the UI and its importer.
pub fn web_ui_is_built_embedded_and_rebuilt_by_part(d: Daemon) {
    let ctx = copy_example("webui");
    assert!(
        !ctx.path().join("web/dist").exists(),
        "dist is built, not committed"
    );
    // A marker unique to this run: the first build really runs npm.
    let run_id = unique_tag("webui").rsplit(':').next().unwrap().to_string();
    append(
        ctx.path(),
        "web/src/main.js",
        &format!("\nconsole.debug(\"run {run_id}\");\n"),
    );
    let img = Image::build(d, ctx.path(), "webui", &[]);
    // The install may come from an earlier run (same lockfile); the
    // build cannot (this run's marker).
    assert!(!img.build.step("[gofront] npm run build").cached);
    let server = img.serve();
    assert!(
        server
            .get("/")
            .contains("<title>gofront web UI example</title>")
    );
    let app = server.get("/app.js");
    assert!(
        app.contains(&format!("run {run_id}")),
        "the bundle esbuild made"
    );
    assert!(
        server
            .get("/api/hello?name=gofront")
            .contains("hello, gofront")
    );
    drop(server);
    let files = img.files();
    assert!(
        !files.iter().any(|f| f.path.contains("dist")
            || f.path.ends_with(".js")
            || f.path.starts_with("web")),
        "the UI is only in the binary"
    );

    // A Go edit: neither npm step runs.
    let main = std::fs::read_to_string(ctx.path().join("main.go")).unwrap();
    std::fs::write(
        ctx.path().join("main.go"),
        main.replace("\"hello, \"", "\"hi, \""),
    )
    .unwrap();
    let go_edit = img.rebuild(&[]);
    go_edit.assert_ok();
    assert!(go_edit.step("[gofront] npm ci").cached, "{}", go_edit.log);
    assert!(
        go_edit.step("[gofront] npm run build").cached,
        "{}",
        go_edit.log
    );
    assert!(!go_edit.step("[gofront] go build").cached);

    // A UI edit: the build reruns, the install and the module download do
    // not, and Go recompiles the embedding package and main only.
    append(
        ctx.path(),
        "web/src/main.js",
        "\nconsole.debug(\"edited\");\n",
    );
    let ui_edit = img.rebuild(&[]);
    ui_edit.assert_ok();
    assert!(ui_edit.step("[gofront] npm ci").cached, "{}", ui_edit.log);
    assert!(ui_edit.step("[gofront] go mod download").cached);
    assert!(!ui_edit.step("[gofront] npm run build").cached);
    let compiled = ui_edit
        .step("[gofront] go build")
        .compiled_packages()
        .join(" ");
    assert_eq!(
        compiled, "example.com/gofront/examples/webui/web example.com/gofront/examples/webui",
        "{}",
        ui_edit.log
    );
    let server = img.serve();
    assert!(server.get("/app.js").contains("edited"));
    assert!(server.get("/api/hello").contains("hi, world"));
}

/// Add `text` at the end of the file `rel` in `dir`.
fn append(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    let mut s = std::fs::read_to_string(&path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

/// examples/webui with pnpm: the lockfile names the manager, package.json
/// pins its release, and corepack (in the node image) fetches and runs it.
pub fn web_ui_with_pnpm_through_corepack(d: Daemon) {
    let ctx = copy_example("webui");
    let web = ctx.path().join("web");
    std::fs::remove_file(web.join("package-lock.json")).unwrap();
    std::fs::copy(
        repo_root().join("tests/fixtures/webui-pnpm/pnpm-lock.yaml"),
        web.join("pnpm-lock.yaml"),
    )
    .unwrap();
    let package = std::fs::read_to_string(web.join("package.json")).unwrap();
    std::fs::write(
        web.join("package.json"),
        package.replacen('{', "{\n  \"packageManager\": \"pnpm@9.15.9\",", 1),
    )
    .unwrap();
    let img = Image::build(d, ctx.path(), "webui-pnpm", &[]);
    img.build
        .assert_logged("[gofront] corepack pnpm install --frozen-lockfile (web UI web");
    img.build
        .assert_logged("[gofront] corepack pnpm run build (web UI web");
    let server = img.serve();
    assert!(
        server
            .get("/")
            .contains("<title>gofront web UI example</title>")
    );
    assert!(!server.get("/app.js").is_empty());
}
