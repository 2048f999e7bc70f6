//! Errors reach the user with the spec's file and line: bad specs, a
//! failing `go build`, a build arg that cannot be injected.

use crate::harness::*;

/// A build-arg value with shell syntax, quotes, spaces and newlines is
/// passed to the linker as data and comes back verbatim.
pub fn hostile_build_arg_is_data(d: Daemon) {
    let ctx = copy_example("hello");
    let value = "$(touch /tmp/pwned); `id` \"quoted\" && echo\nsecond line";
    let img = Image::build(
        d,
        ctx.path(),
        "hostile",
        &["--build-arg", &format!("VERSION={value}")],
    );
    assert_eq!(img.run(&["-version"]), format!("{value}\n"));
    assert_eq!(
        img.inspect()["Config"]["Labels"]["org.opencontainers.image.version"],
        value
    );
    drop(img);

    // A value Go's -ldflags cannot carry is refused, pointing at the spec.
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("hostile"),
        &["--build-arg", "VERSION=it's \"both\""],
    );
    b.assert_failed_with(&["gofront.yaml:5:3:", "cannot be injected", "hint:"]);
}

/// Bad specs end in an error with the file name and line, never a bare exit code.
pub fn bad_specs_fail_with_file_and_line(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "lib/lib.go",
        "package lib\n\nfunc X() int { return 1 }\n",
    );
    let cases: &[(&str, &[&str])] = &[
        ("main: [./cmd\n", &["gofront.yaml:2:"]),
        (
            "mian: .\n",
            &[
                "gofront.yaml:2:1: unknown key \"mian\"",
                "did you mean \"main\"?",
            ],
        ),
        (
            "cgo: sometimes\n",
            &["gofront.yaml:2:6: expected true or false"],
        ),
        (
            "ports: [http]\n",
            &["gofront.yaml:2:9: ports: \"http\" is not a port"],
        ),
        (
            "cgo: true\nruntime: scratch\n",
            &["gofront.yaml:3:10: runtime: cgo is on, and scratch has no C library"],
        ),
        (
            "version: { arg: VERSION, var: \"main.version;rm\" }\n",
            &[
                "gofront.yaml:2:",
                "version.var: \"main.version;rm\" is not a Go variable",
            ],
        ),
        (
            "main: ./cmd/nope\n",
            &["gofront.yaml:2:7: main: ./cmd/nope does not exist in the build context"],
        ),
        (
            "main: ./lib\n",
            &["gofront.yaml:2:7: main: ./lib is package lib, not a main package"],
        ),
        (
            "main: ../outside\n",
            &["gofront.yaml:2:7: main: \"../outside\" leaves the build context"],
        ),
        // Every missing `files:` source, each at its line (not BuildKit's
        // cache-key error about one of them at the spec's first line).
        (
            "files:\n  - { src: nope.yaml, dst: /etc/nope.yaml }\n  - { src: lib/lib.go, dst: /lib.go }\n  - { src: conf/none, dst: /etc/none }\n",
            &[
                "gofront.yaml:3:5: files: nope.yaml (line 3), conf/none (line 5) are not in the build context",
            ],
        ),
        // The builder's tag is the Go version: a registry without it is
        // reported at `go:`.
        (
            "go: \"1.19\"\n",
            &[
                "gofront.yaml:2:5: the builder image docker.io/library/golang:1.19-alpine (from `go: \"1.19\"`) cannot be resolved",
                "name a Go version the registry or mirror has",
            ],
        ),
        (
            "main: .\nweb:\n  dir: lib\n",
            &["gofront.yaml:4:8: web.dir: lib has no package.json"],
        ),
        (
            "main: .\nweb:\n  dir: ui\n",
            &["gofront.yaml:4:8: web.dir: ui is not in the build context"],
        ),
    ];
    for (body, expected) in cases {
        write_spec(ctx.path(), body);
        let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
        b.assert_failed_with(expected);
    }
}

/// A failing `go build` is reported through `Return` (evaluate=true, P4)
/// with the daemon's error, even when the error trailers are large because
/// the spec (sent as a source map) is large (P5).
pub fn failing_go_build_is_reported(d: Daemon) {
    let ctx = copy_example("hello");
    write(
        ctx.path(),
        "broken.go",
        "package main\n\nfunc broken() { return 1 }\n",
    );
    let padding: String = (0..3000)
        .map(|i| format!("# padding line {i} to make the source map large\n"))
        .collect();
    write_spec(ctx.path(), &format!("{padding}main: .\n"));
    let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
    // The compiler's message is in the step's output; the error names the
    // step and the spec line of `main` (line 3002, after the padding).
    assert!(
        b.step("[gofront] go build")
            .lines
            .iter()
            .any(|l| l.contains("too many return values"))
    );
    b.assert_failed_with(&[
        "gofront.yaml:3002: go build . (linux/amd64) failed:",
        "exit code: 1 (hint:",
    ]);
    assert!(!b.log.contains("grpc server closed"), "{}", b.log);
}
