//! `frontend.lint` (`--call check`): the findings and the error that stops
//! the build, and a finding as a build warning during a normal build.

use serde::Serialize;

use super::Location;
use super::gojson::{go_json, result};
use crate::gateway::WarnOpts;
use crate::lint::Finding;
use crate::sourcemap::{self, JsonLocation, JsonSourceInfo, SpecSource};

/// `lint.LintResults` (`frontend/subrequests/lint/lint.go`).
#[derive(Serialize)]
struct JsonLint<'a> {
    warnings: Option<Vec<JsonWarning<'a>>>,
    sources: Vec<JsonSourceInfo<'a>>,
    #[serde(rename = "buildError", skip_serializing_if = "Option::is_none")]
    build_error: Option<JsonBuildError<'a>>,
}

/// `lint.Warning`. `location` is always present: buildx's printer
/// dereferences it (`Warning.PrintTo`), and the dockerfile frontend always
/// sets it (`AddWarning`), with no ranges when there is no position.
#[derive(Serialize)]
struct JsonWarning<'a> {
    #[serde(rename = "ruleName")]
    rule_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    location: JsonLocation,
}

/// `lint.BuildError`: `location` is a value, always written.
#[derive(Serialize)]
struct JsonBuildError<'a> {
    message: &'a str,
    location: JsonLocation,
}

/// `frontend.lint`: the findings, and the error that stops the build if
/// any (message, position). `result.statuscode` is `1` when there is a
/// finding or an error, else `0`; buildx exits with it.
pub fn lint(
    w: &[Finding],
    src: &SpecSource,
    build_error: Option<(&str, Option<Location>)>,
) -> Vec<(String, Vec<u8>)> {
    let json = JsonLint {
        warnings: (!w.is_empty()).then(|| {
            w.iter()
                .map(|w| JsonWarning {
                    rule_name: w.rule,
                    description: w.description,
                    url: &w.url,
                    detail: &w.detail,
                    location: JsonLocation::of(position(w)),
                })
                .collect()
        }),
        sources: vec![src.json_info()],
        build_error: build_error.map(|(message, loc)| JsonBuildError {
            message,
            location: JsonLocation::of(loc),
        }),
    };
    let status = if w.is_empty() && build_error.is_none() {
        "0"
    } else {
        "1"
    };
    let mut out = result(go_json(&json), lint_text(w, src));
    out.push(("result.statuscode".to_string(), status.as_bytes().to_vec()));
    out
}

/// `lint.PrintLintViolations` with no source map: the warnings sorted by
/// line (those without a position first, by rule name), each as
/// `\nWARNING: Rule - url\ndetail\n` and the spec excerpt.
fn lint_text(w: &[Finding], src: &SpecSource) -> String {
    let line = |w: &Finding| position(w).map(|l| l.line);
    let mut sorted: Vec<&Finding> = w.iter().collect();
    sorted.sort_by(|a, b| match (line(a), line(b)) {
        (None, None) => a.rule.cmp(b.rule),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    });
    let mut txt = String::new();
    for w in sorted {
        txt.push_str("\nWARNING: ");
        txt.push_str(w.rule);
        if !w.url.is_empty() {
            txt.push_str(" - ");
            txt.push_str(&w.url);
        }
        txt.push('\n');
        txt.push_str(&w.detail);
        txt.push('\n');
        if let Some(line) = line(w) {
            txt.push_str(&src.excerpt(line, line));
        }
    }
    txt
}

/// A lint finding as a build warning (the `Warn` RPC), as the dockerfile
/// frontend sends its checks during a normal build: short
/// `Rule: detail (line N)`, the rule's description as the detail line, its
/// url, and the spec with the finding's range. Pass the digest of the
/// vertex that loaded the spec to [`crate::gateway::Bridge::warn`].
pub fn warning_for_build(w: &Finding, src: &SpecSource) -> (String, WarnOpts) {
    let mut short = format!("{}: {}", w.rule, w.detail);
    let line = position(w);
    if let Some(l) = line {
        short.push_str(&format!(" (line {})", l.line));
    }
    let opts = WarnOpts {
        level: 1,
        detail: if w.description.is_empty() {
            Vec::new()
        } else {
            vec![w.description.as_bytes().to_vec()]
        },
        url: w.url.clone(),
        source: Some(src.info()),
        ranges: sourcemap::ranges(line),
    };
    (short, opts)
}

/// Where a finding is, if it has a place in the spec.
fn position(f: &Finding) -> Option<Location> {
    (f.pos.line > 0).then_some(f.pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Pos;
    use crate::subrequest::test_support::*;
    use base64::Engine;
    use serde_json::{Value, json};

    fn findings() -> Vec<Finding> {
        vec![
            Finding {
                rule: "RootUser",
                description: "The service should not run as root",
                url: "https://example.com/rules#rootuser".into(),
                detail: "user: root runs the service as uid 0".into(),
                pos: Pos { line: 4, column: 7 },
                informational: false,
            },
            Finding {
                rule: "LatestTag",
                description: "An image reference without a tag, or with :latest, changes under the build",
                url: String::new(),
                detail: "runtime: alpine:latest is not pinned".into(),
                pos: Pos {
                    line: 3,
                    column: 10,
                },
                informational: false,
            },
            Finding {
                rule: "MissingDockerignore",
                description: "Without .dockerignore",
                url: String::new(),
                detail: "there is no .dockerignore".into(),
                pos: Pos::default(),
                informational: false,
            },
        ]
    }

    #[test]
    fn lint_json_matches_lint_go() {
        let out = lint(&findings(), &src(), None);
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version", "result.statuscode"]
        );
        assert_eq!(meta(&out, "result.statuscode"), b"1");
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        assert_eq!(keys(&v), ["warnings", "sources"]);
        assert_eq!(
            v["warnings"][0],
            json!({
                "ruleName": "RootUser",
                "description": "The service should not run as root",
                "url": "https://example.com/rules#rootuser",
                "detail": "user: root runs the service as uid 0",
                "location": {"ranges": [{"start": {"line": 4, "character": 6}, "end": {"line": 4, "character": 6}}]}
            })
        );
        assert_eq!(
            keys(&v["warnings"][1]),
            ["ruleName", "description", "detail", "location"]
        );
        assert_eq!(
            v["warnings"][2]["location"],
            json!({}),
            "no position: no ranges"
        );
        assert_eq!(
            v["sources"],
            json!([{
                "filename": "gofront.yaml",
                "data": base64::engine::general_purpose::STANDARD.encode(SPEC),
                "language": "YAML"
            }])
        );
        // Insertion order in the JSON, as Go marshals before sorting.
        assert_eq!(v["warnings"][0]["ruleName"], "RootUser");
    }

    #[test]
    fn lint_text_matches_print_lint_violations() {
        let out = lint(&findings(), &src(), None);
        assert_eq!(
            txt_of(&out),
            "\nWARNING: MissingDockerignore\n\
             there is no .dockerignore\n\
             \nWARNING: LatestTag\n\
             runtime: alpine:latest is not pinned\n\
             gofront.yaml:3\n\
             --------------------\n\
             \x20  1 |     # syntax=ourorg/gofront\n\
             \x20  2 |     main: ./cmd/server\n\
             \x20  3 | >>> runtime: alpine:latest\n\
             \x20  4 |     user: root\n\
             \x20  5 |     ports: [8080]\n\
             --------------------\n\
             \nWARNING: RootUser - https://example.com/rules#rootuser\n\
             user: root runs the service as uid 0\n\
             gofront.yaml:4\n\
             --------------------\n\
             \x20  2 |     main: ./cmd/server\n\
             \x20  3 |     runtime: alpine:latest\n\
             \x20  4 | >>> user: root\n\
             \x20  5 |     ports: [8080]\n\
             \x20  6 |     \n\
             --------------------\n"
        );
    }

    #[test]
    fn lint_status_is_zero_without_findings_and_one_with_an_error() {
        let clean = lint(&[], &src(), None);
        assert_eq!(meta(&clean, "result.statuscode"), b"0");
        let v = json_of(&clean);
        assert_eq!(keys(&v), ["warnings", "sources"]);
        assert_eq!(v["warnings"], Value::Null, "a nil Go slice");
        assert_eq!(txt_of(&clean), "");

        let broken = lint(
            &[],
            &src(),
            Some(("gofront.yaml:2:1: unknown key", at(2, 1))),
        );
        assert_eq!(meta(&broken, "result.statuscode"), b"1");
        let v = json_of(&broken);
        assert_eq!(keys(&v), ["warnings", "sources", "buildError"]);
        assert_eq!(
            v["buildError"],
            json!({
                "message": "gofront.yaml:2:1: unknown key",
                "location": {"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]}
            })
        );
        let v = json_of(&lint(&[], &src(), Some(("no go.mod", None))));
        assert_eq!(
            v["buildError"],
            json!({"message": "no go.mod", "location": {}})
        );
    }

    #[test]
    fn a_finding_becomes_a_build_warning_like_dockerfile_checks() {
        let w = &findings()[0];
        let (short, opts) = warning_for_build(w, &src());
        assert_eq!(
            short,
            "RootUser: user: root runs the service as uid 0 (line 4)"
        );
        assert_eq!(opts.level, 1);
        assert_eq!(
            opts.detail,
            vec![b"The service should not run as root".to_vec()]
        );
        assert_eq!(opts.url, "https://example.com/rules#rootuser");
        let info = opts.source.unwrap();
        assert_eq!(info.filename, "gofront.yaml");
        assert_eq!(info.language, "YAML");
        assert_eq!(info.data, SPEC.as_bytes());
        assert_eq!(opts.ranges.len(), 1);
        assert_eq!(opts.ranges[0].start.unwrap().line, 4);
        assert_eq!(opts.ranges[0].end.unwrap().character, 6);

        let (short, opts) = warning_for_build(&findings()[2], &src());
        assert_eq!(short, "MissingDockerignore: there is no .dockerignore");
        assert!(opts.ranges.is_empty());
    }
}
