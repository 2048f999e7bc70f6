//! The bad-input corpus: every file in `tests/bad-specs/` is a malformed or
//! hostile spec that `spec::parse` must refuse, quickly, without panicking,
//! with an error that names the file, line and column of the offending value
//! (whole-file errors such as the size limit name only the file).
//!
//! Each file has one row in [`CASES`]: its name, the expected line and
//! column (0, 0 for a whole-file error) and a piece of the expected message.
//! Invalid UTF-8 is not covered: the caller refuses it before parsing.
//! Errors that need the build plan (an `entrypoint` naming no binary) are not
//! covered either: those are `plan::build`'s.

use std::path::Path;
use std::time::{Duration, Instant};

/// (file, line, column, a piece of the message).
const CASES: &[(&str, u32, u32, &str)] = &[
    // Wrong types, one or more per key.
    ("001-go-list.yaml", 2, 5, "expected a string"),
    ("002-dir-map.yaml", 2, 6, "expected a string"),
    ("003-main-list.yaml", 2, 7, "expected a string"),
    ("004-binaries-string.yaml", 2, 11, "expected a list here"),
    ("005-binaries-item-string.yaml", 2, 12, "mapping"),
    ("006-entrypoint-list.yaml", 2, 13, "expected a string"),
    ("007-runtime-map.yaml", 2, 10, "expected a string"),
    ("008-cgo-word.yaml", 2, 6, "expected true or false"),
    ("009-version-string.yaml", 2, 10, "mapping"),
    ("010-ldflags-string.yaml", 2, 10, "expected a list here"),
    ("011-tags-string.yaml", 2, 7, "expected a list here"),
    ("012-goflags-string.yaml", 2, 10, "expected a list here"),
    ("013-goexperiment-map.yaml", 2, 15, "expected a list here"),
    ("014-trimpath-number.yaml", 2, 11, "expected true or false"),
    ("015-strip-list.yaml", 2, 8, "expected"),
    (
        "016-goproxy-list.yaml",
        2,
        1,
        "expected a string, number or boolean",
    ),
    ("017-private-bool.yaml", 3, 10, "mapping"),
    ("018-test-list.yaml", 2, 7, "mapping"),
    ("019-files-map.yaml", 2, 8, "expected a list here"),
    ("020-tzdata-word.yaml", 2, 9, "expected true or false"),
    ("021-workdir-list.yaml", 2, 10, "expected a string"),
    (
        "022-stop-signal-list.yaml",
        2,
        1,
        "expected a string, number or boolean",
    ),
    ("023-healthcheck-list.yaml", 2, 14, "mapping"),
    ("024-upx-number.yaml", 2, 6, "expected true or false"),
    ("025-images-list.yaml", 2, 9, "mapping"),
    ("026-ports-scalar.yaml", 2, 8, "expected a list here"),
    ("027-env-list.yaml", 2, 6, "mapping"),
    ("028-args-string.yaml", 2, 7, "expected a list here"),
    (
        "029-user-list.yaml",
        2,
        1,
        "expected a string, number or boolean",
    ),
    ("030-labels-list.yaml", 2, 9, "mapping"),
    ("031-platforms-string.yaml", 2, 12, "expected a list here"),
    (
        "032-healthcheck-cmd-string.yaml",
        3,
        8,
        "expected a list here",
    ),
    (
        "033-healthcheck-retries-negative.yaml",
        4,
        12,
        "whole number",
    ),
    (
        "034-version-default-map.yaml",
        5,
        12,
        "expected a string, number or boolean",
    ),
    (
        "035-env-value-null.yaml",
        3,
        3,
        "expected a string, number or boolean",
    ),
    (
        "036-files-owner-list.yaml",
        5,
        5,
        "expected a string, number or boolean",
    ),
    ("037-known-hosts-string.yaml", 5, 16, "expected a list here"),
    ("038-test-flags-string.yaml", 3, 10, "expected a list here"),
    (
        "039-binaries-tags-string.yaml",
        4,
        11,
        "expected a list here",
    ),
    (
        "040-env-value-list.yaml",
        3,
        3,
        "expected a string, number or boolean",
    ),
    // Unknown keys, top level and nested, with "did you mean" hints.
    (
        "041-unknown-top-mian.yaml",
        2,
        1,
        "unknown key \"mian\" (hint: did you mean \"main\"?)",
    ),
    (
        "042-unknown-top-verison.yaml",
        2,
        1,
        "did you mean \"version\"?",
    ),
    (
        "043-unknown-top-capital.yaml",
        2,
        1,
        "did you mean \"main\"?",
    ),
    ("044-unknown-top-far.yaml", 2, 1, "did you mean \"env\""),
    (
        "045-unknown-version-varr.yaml",
        4,
        3,
        "did you mean \"var\"?",
    ),
    (
        "046-unknown-binaries-nmae.yaml",
        4,
        5,
        "did you mean \"name\"?",
    ),
    (
        "047-unknown-private-sssh.yaml",
        5,
        3,
        "did you mean \"ssh\"?",
    ),
    (
        "048-unknown-private-knownhosts.yaml",
        5,
        3,
        "did you mean \"known_hosts\"?",
    ),
    (
        "049-unknown-test-package.yaml",
        3,
        3,
        "did you mean \"packages\"?",
    ),
    ("050-unknown-files-dest.yaml", 4, 5, "did you mean \"dst\"?"),
    (
        "051-unknown-healthcheck-intervall.yaml",
        4,
        3,
        "did you mean \"interval\"?",
    ),
    (
        "052-unknown-healthcheck-far.yaml",
        4,
        3,
        "known keys here are: cmd, interval, timeout, start_period, retries",
    ),
    // Conflicting options.
    (
        "053-main-and-binaries.yaml",
        4,
        3,
        "`main` and `binaries` are both set",
    ),
    ("054-cgo-scratch.yaml", 3, 10, "scratch has no C library"),
    ("055-cgo-alpine.yaml", 3, 10, "alpine has musl"),
    (
        "056-cgo-distroless-static.yaml",
        3,
        10,
        "distroless/static has no C library",
    ),
    (
        "057-private-without-goprivate.yaml",
        3,
        3,
        "`goprivate` is not set",
    ),
    (
        "058-known-hosts-without-ssh.yaml",
        4,
        3,
        "`known_hosts` is set but `ssh` is off",
    ),
    (
        "059-private-nothing-on.yaml",
        4,
        3,
        "neither `netrc` nor `ssh` is on",
    ),
    (
        "060-scratch-user-name.yaml",
        3,
        7,
        "scratch has no /etc/passwd",
    ),
    (
        "061-binaries-empty.yaml",
        2,
        11,
        "binaries: the list is empty",
    ),
    (
        "062-binaries-missing-main.yaml",
        3,
        5,
        "binaries: `main` is missing",
    ),
    // Paths that leave the build context or the image's tree.
    ("063-main-dotdot.yaml", 2, 7, "leaves the build context"),
    (
        "064-main-dotdot-inner.yaml",
        2,
        7,
        "leaves the build context",
    ),
    ("065-main-absolute.yaml", 2, 7, "is absolute"),
    (
        "066-dir-dotdot.yaml",
        2,
        6,
        "dir: \"../sibling\" leaves the build context",
    ),
    (
        "067-binaries-main-dotdot.yaml",
        3,
        11,
        "binaries.main: \"../x\" leaves the build context",
    ),
    (
        "068-files-src-dotdot.yaml",
        3,
        10,
        "files.src: \"../../etc/shadow\" leaves the build context",
    ),
    (
        "069-files-src-absolute.yaml",
        3,
        10,
        "files.src: \"/etc/passwd\" is absolute",
    ),
    (
        "070-files-dst-dotdot.yaml",
        4,
        10,
        "files.dst: \"/etc/../../root\" contains ..",
    ),
    (
        "071-files-dst-relative.yaml",
        4,
        10,
        "files.dst: \"etc/app\" is not absolute",
    ),
    (
        "072-files-dst-root.yaml",
        4,
        10,
        "would replace the image's root",
    ),
    (
        "073-test-packages-dotdot.yaml",
        3,
        14,
        "test.packages: \"..\" leaves the build context",
    ),
    (
        "074-workdir-dotdot.yaml",
        2,
        10,
        "workdir: \"/srv/../../etc\" contains ..",
    ),
    (
        "075-workdir-relative.yaml",
        2,
        10,
        "workdir: \"srv\" is not absolute",
    ),
    ("076-binaries-name-path.yaml", 4, 11, "is not a file name"),
    (
        "077-entrypoint-path.yaml",
        2,
        13,
        "entrypoint: \"../bin/sh\" is not a binary name",
    ),
    // Flag and argument injection.
    ("078-main-flag.yaml", 2, 7, "would be read as a flag"),
    (
        "079-binaries-main-flag.yaml",
        3,
        11,
        "would be read as a flag",
    ),
    ("080-goflags-o.yaml", 2, 11, "goflags: -o is set by gofront"),
    (
        "081-goflags-ldflags.yaml",
        2,
        11,
        "goflags: -ldflags is set by gofront",
    ),
    (
        "082-goflags-toolexec.yaml",
        2,
        11,
        "goflags: -toolexec is set by gofront",
    ),
    (
        "083-goflags-double-dash.yaml",
        2,
        11,
        "goflags: --toolexec is set by gofront",
    ),
    (
        "084-goflags-not-a-flag.yaml",
        2,
        11,
        "goflags: \"mod=vendor\" is not a flag",
    ),
    ("085-goflags-newline.yaml", 2, 11, "is not a flag"),
    (
        "086-test-flags-exec.yaml",
        3,
        11,
        "test.flags: -exec is not allowed",
    ),
    (
        "087-test-flags-toolexec.yaml",
        3,
        21,
        "test.flags: -toolexec is not allowed",
    ),
    (
        "088-test-flags-o.yaml",
        3,
        11,
        "test.flags: -o is not allowed",
    ),
    (
        "089-test-packages-flag.yaml",
        3,
        14,
        "would be read as a flag",
    ),
    (
        "090-version-var-injection.yaml",
        4,
        8,
        "is not a Go variable",
    ),
    (
        "091-version-arg-injection.yaml",
        3,
        8,
        "is not a valid build arg name",
    ),
    (
        "092-ldflags-not-a-flag.yaml",
        2,
        11,
        "does not start with a flag",
    ),
    (
        "093-ldflags-unclosed-quote.yaml",
        2,
        11,
        "has an unclosed quote",
    ),
    ("094-main-shell.yaml", 2, 7, "contains '$'"),
    ("095-go-injection.yaml", 2, 5, "is not a Go version"),
    ("096-tags-injection.yaml", 2, 8, "is not a build tag"),
    // Template injection in ldflags.
    (
        "097-tmpl-printf.yaml",
        2,
        11,
        "{{printf}} is not a template key",
    ),
    (
        "098-tmpl-pipeline.yaml",
        3,
        11,
        "is not a known template key",
    ),
    ("099-tmpl-pipeline-spaced.yaml", 3, 11, "main.v={{.Version"),
    (
        "100-tmpl-unknown-key.yaml",
        2,
        11,
        "{{.Verison}} is not a known template key",
    ),
    ("101-tmpl-unclosed.yaml", 2, 11, "is not closed"),
    (
        "102-tmpl-env-dash.yaml",
        2,
        11,
        "\"A-B\" is not a build arg name",
    ),
    (
        "103-tmpl-version-unset.yaml",
        2,
        11,
        "{{.Version}} is used but `version` is not set",
    ),
    ("104-tmpl-stray-close.yaml", 2, 11, "}} without {{"),
    ("105-tmpl-empty.yaml", 2, 11, "is not a template key"),
    (
        "106-tmpl-in-binary.yaml",
        4,
        15,
        "{{.Nope}} is not a known template key",
    ),
    (
        "107-tmpl-version-in-binary.yaml",
        4,
        15,
        "`version` is not set",
    ),
    (
        "108-tmpl-nested-field.yaml",
        2,
        11,
        "is not a known template key",
    ),
    // Bad values: ports, users, signals, durations, modes, owners,
    // platforms, image references, versions, names.
    ("109-port-zero.yaml", 2, 9, "ports: \"0\" is not a port"),
    (
        "110-port-too-big.yaml",
        2,
        9,
        "ports: \"70000\" is not a port",
    ),
    ("111-port-protocol.yaml", 2, 9, "is not a port"),
    (
        "112-port-range.yaml",
        4,
        5,
        "ports: \"8000-8100\" is not a port",
    ),
    ("113-user-three-parts.yaml", 2, 7, "is not a user"),
    ("114-user-empty.yaml", 2, 7, "is not a user"),
    ("115-user-space.yaml", 2, 7, "is not a user"),
    ("116-signal-unknown.yaml", 2, 14, "is not a signal"),
    ("117-signal-zero.yaml", 2, 14, "is not a signal"),
    ("118-signal-too-big.yaml", 2, 14, "is not a signal"),
    (
        "119-duration-word.yaml",
        4,
        13,
        "healthcheck.interval: \"forever\" is not a duration",
    ),
    (
        "120-duration-zero.yaml",
        4,
        12,
        "healthcheck.timeout: 0s is out of range",
    ),
    ("121-duration-too-long.yaml", 4, 17, "out of range"),
    ("122-duration-negative.yaml", 4, 13, "is not a duration"),
    ("123-duration-bare-number.yaml", 4, 13, "is not a duration"),
    (
        "124-healthcheck-missing-cmd.yaml",
        3,
        3,
        "healthcheck: `cmd` is missing",
    ),
    (
        "125-healthcheck-empty-cmd.yaml",
        3,
        8,
        "the command is empty",
    ),
    ("126-healthcheck-cmd-shell.yaml", 3, 8, "not CMD-SHELL"),
    ("127-mode-not-octal.yaml", 5, 11, "is not an octal mode"),
    ("128-mode-too-big.yaml", 5, 11, "is not an octal mode"),
    ("129-mode-symbolic.yaml", 5, 11, "is not an octal mode"),
    (
        "130-owner-name.yaml",
        5,
        12,
        "files.owner: \"root\" is not uid:gid",
    ),
    ("131-owner-negative.yaml", 5, 12, "is not uid:gid"),
    (
        "132-files-missing-src.yaml",
        3,
        5,
        "files: `src` is missing",
    ),
    (
        "133-files-missing-dst.yaml",
        3,
        5,
        "files: `dst` is missing",
    ),
    ("134-files-src-context.yaml", 3, 10, "not the whole context"),
    (
        "135-platform-windows.yaml",
        2,
        26,
        "gofront builds Linux images",
    ),
    ("136-platform-one-part.yaml", 2, 13, "is not a platform"),
    ("137-platform-comma.yaml", 2, 13, "is not a platform"),
    ("138-runtime-space.yaml", 2, 10, "is not an image reference"),
    (
        "139-runtime-bad-digest.yaml",
        2,
        10,
        "is not an image reference",
    ),
    ("140-runtime-url.yaml", 2, 10, "is not an image reference"),
    ("141-runtime-empty.yaml", 2, 10, "is not an image reference"),
    (
        "142-runtime-uppercase-repo.yaml",
        2,
        10,
        "is not an image reference",
    ),
    (
        "143-images-bad-role.yaml",
        3,
        15,
        "is neither a role nor an image name",
    ),
    (
        "144-images-bad-value.yaml",
        3,
        12,
        "images.runtime: \"mirror corp/base\" is not an image reference",
    ),
    (
        "145-version-missing-var.yaml",
        3,
        3,
        "version: `var` is missing",
    ),
    (
        "146-version-missing-arg.yaml",
        3,
        3,
        "version: `arg` is missing",
    ),
    (
        "147-version-var-no-package.yaml",
        4,
        8,
        "is not a Go variable",
    ),
    (
        "148-go-latest.yaml",
        2,
        5,
        "go: \"latest\" is not a Go version",
    ),
    ("149-go-prefixed.yaml", 2, 5, "is not a Go version"),
    ("150-go-four-parts.yaml", 2, 5, "is not a Go version"),
    (
        "151-env-name-equals.yaml",
        3,
        10,
        "is not a valid variable name",
    ),
    (
        "152-env-name-empty.yaml",
        3,
        7,
        "is not a valid variable name",
    ),
    ("153-label-name-empty.yaml", 3, 7, "a label name is empty"),
    ("154-tags-comma.yaml", 2, 8, "is not a build tag"),
    (
        "155-goexperiment-comma.yaml",
        2,
        16,
        "is not an experiment name",
    ),
    (
        "156-goproxy-space.yaml",
        2,
        10,
        "is not a valid GOPROXY value",
    ),
    (
        "157-known-hosts-short.yaml",
        5,
        17,
        "expected \"host key-type key\"",
    ),
    ("158-main-pattern.yaml", 2, 7, "is a pattern"),
    ("159-main-multiline.yaml", 3, 3, "contains '\\n'"),
    ("160-main-empty.yaml", 2, 7, "the path is empty"),
    ("161-dir-empty.yaml", 2, 6, "dir: the path is empty"),
    ("162-entrypoint-flag.yaml", 2, 13, "is not a binary name"),
    // YAML-level hostility: duplicates, tabs, broken syntax, several
    // documents, NUL and control bytes, alias bombs, deep nesting.
    ("163-dup-top.yaml", 3, 1, "duplicate"),
    ("164-dup-nested.yaml", 4, 3, "duplicate"),
    ("165-dup-env.yaml", 4, 3, "duplicate"),
    ("166-tab-indent.yaml", 3, 2, "tabs"),
    ("167-tab-in-mapping.yaml", 3, 6, "tab"),
    ("168-unclosed-quote.yaml", 2, 7, "unclosed quote"),
    ("169-unclosed-flow.yaml", 2, 8, "unclosed bracket"),
    (
        "170-bad-indent.yaml",
        3,
        13,
        "mapping values are not allowed",
    ),
    ("171-not-a-mapping.yaml", 2, 1, "the spec must be a mapping"),
    (
        "172-scalar-document.yaml",
        2,
        1,
        "the spec must be a mapping",
    ),
    ("173-two-documents.yaml", 3, 1, "single YAML document"),
    ("174-empty.yaml", 1, 1, "the spec is empty"),
    ("175-only-comments.yaml", 1, 1, "the spec is empty"),
    ("176-unknown-anchor.yaml", 2, 7, "unknown anchor"),
    ("177-nul-byte.yaml", 2, 12, "unexpected character"),
    ("178-nul-in-comment.yaml", 2, 11, "unexpected character"),
    ("179-escape-byte.yaml", 2, 12, "unexpected character"),
    ("180-billion-laughs.yaml", 2, 1, "unknown key \"a\""),
    (
        "181-alias-bomb-in-args.yaml",
        4,
        3,
        "invalid type: sequence",
    ),
    ("182-many-anchors.yaml", 67, 13, "budget breached"),
    ("183-alias-amplification.yaml", 4, 264, "budget breached"),
    ("184-merge-key-unknown.yaml", 2, 7, "did you mean \"main\"?"),
    ("185-crlf-unknown-key.yaml", 3, 1, "did you mean \"ports\"?"),
    ("186-bom-unknown-key.yaml", 1, 1, "did you mean \"main\"?"),
    ("187-deep-flow.yaml", 2, 262, "recursion limit exceeded"),
    ("188-deep-block.yaml", 4, 5, "invalid type: map"),
    ("189-deep-mixed.yaml", 2, 7, "invalid type: sequence"),
    // Huge inputs.
    ("190-huge-spec-300k.yaml", 0, 0, "the limit is 262144"),
    (
        "191-huge-runtime-30k.yaml",
        2,
        10,
        "is not an image reference",
    ),
    ("192-huge-image-key-2k.yaml", 3, 3, "mapping"),
    ("193-huge-binaries-list.yaml", 3335, 5, "budget breached"),
    ("194-huge-ldflags-100k.yaml", 2, 11, "too long"),
    ("195-huge-go-10k.yaml", 2, 5, "is not a Go version"),
    ("196-huge-goflags-10k.yaml", 2, 11, "is not a flag"),
    ("197-nul-in-args.yaml", 2, 8, "NUL byte"),
    ("198-nul-in-env.yaml", 2, 11, "NUL byte"),
    ("199-uid-overflow.yaml", 2, 7, "is not a user"),
    (
        "200-template-pipeline.yaml",
        3,
        11,
        "is not a known template key",
    ),
    ("201-huge-runtime.yaml", 2, 10, "is not an image reference"),
    (
        "202-version-default-newline.yaml",
        2,
        42,
        "is not a version",
    ),
    (
        "203-vulncheck-mode.yaml",
        3,
        12,
        "vulncheck: \"block\" is not a mode",
    ),
    ("204-vulncheck-list.yaml", 3, 12, "expected a string"),
];

/// Longest one parse may take. Specs are parsed on every build, and the
/// hostile ones must fail fast.
const MAX_PARSE: Duration = Duration::from_millis(500);

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-specs")
}

#[test]
fn the_table_lists_every_file_once() {
    let mut files: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    let before = listed.len();
    listed.dedup();
    assert_eq!(before, listed.len(), "a file is listed twice in CASES");
    assert_eq!(files, listed, "tests/bad-specs/ and CASES differ");
}

#[test]
fn every_bad_spec_is_refused_at_its_line_and_column() {
    let mut failures: Vec<String> = Vec::new();
    let mut failed_specs = 0;
    let mut slowest = (Duration::ZERO, "");
    for &(file, line, column, needle) in CASES {
        let text =
            std::fs::read_to_string(corpus().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| gofront::spec::parse(file, &text));
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, file);
        }
        let failures_before = failures.len();
        let message = match result {
            Err(_) => {
                failures.push(format!("{file}: parse panicked"));
                failed_specs += 1;
                continue;
            }
            Ok(Ok(_)) => {
                failures.push(format!("{file}: accepted"));
                failed_specs += 1;
                continue;
            }
            Ok(Err(e)) => e.to_string(),
        };
        let want = if line == 0 {
            format!("{file}: ")
        } else {
            format!("{file}:{line}:{column}: ")
        };
        if !message.starts_with(&want) {
            failures.push(format!("{file}: expected {want}…, got {message:?}"));
        }
        if !message.contains(needle) {
            failures.push(format!(
                "{file}: expected the message to contain {needle:?}, got {message:?}"
            ));
        }
        if took > MAX_PARSE {
            failures.push(format!("{file}: parsing took {took:?}"));
        }
        if failures.len() > failures_before {
            failed_specs += 1;
        }
    }
    eprintln!(
        "bad-spec corpus: {} specs, {} refused as expected; slowest {:?} ({})",
        CASES.len(),
        CASES.len() - failed_specs,
        slowest.0,
        slowest.1
    );
    assert!(CASES.len() >= 70, "the corpus has {} specs", CASES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
