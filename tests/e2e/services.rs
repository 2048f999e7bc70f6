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
