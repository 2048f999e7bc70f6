//! `frontend.subrequests.describe`: the list of subrequests gofront answers.

use serde::Serialize;

use super::gojson::{go_json, result, row, tabwrite};
use super::{DESCRIBE, LINT, OUTLINE, TARGETS, VERSION};

/// `subrequests.Named` (`frontend/subrequests/types.go`; no `omitempty`).
#[derive(Serialize)]
struct Named {
    name: &'static str,
    description: &'static str,
}

/// `subrequests.Request` (`frontend/subrequests/types.go`; nil slices are `null`).
#[derive(Serialize)]
struct RequestDef {
    name: &'static str,
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
    opts: Option<Vec<Named>>,
    inputs: Option<Vec<Named>>,
    metadata: Option<Vec<Named>>,
    refs: Option<Vec<Named>>,
}

fn meta_names(names: &[&'static str]) -> Option<Vec<Named>> {
    Some(
        names
            .iter()
            .map(|name| Named {
                name,
                description: "",
            })
            .collect(),
    )
}

/// What `describe` advertises, in the dockerfile frontend's order
/// (`dockerui/requests.go`: outline, targets, …, describe).
fn definitions() -> Vec<RequestDef> {
    vec![
        RequestDef {
            name: OUTLINE,
            version: VERSION,
            kind: "rpc",
            description: "List all parameters current build target supports",
            opts: Some(vec![Named {
                name: "target",
                description: "Target build stage",
            }]),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
        RequestDef {
            name: TARGETS,
            version: VERSION,
            kind: "rpc",
            description: "List all targets current build supports",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
        RequestDef {
            name: LINT,
            version: VERSION,
            kind: "rpc",
            description: "Lint a gofront spec",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt", "result.statuscode"]),
            refs: None,
        },
        RequestDef {
            name: DESCRIBE,
            version: VERSION,
            kind: "rpc",
            description: "List available subrequest types",
            opts: None,
            inputs: None,
            metadata: meta_names(&["result.json", "result.txt"]),
            refs: None,
        },
    ]
}

/// `frontend.subrequests.describe`: the subrequests gofront answers.
pub fn describe() -> Vec<(String, Vec<u8>)> {
    let defs = definitions();
    // subrequests.PrintDescribe: tabwriter padding 1.
    let mut rows = vec![row(["NAME", "VERSION", "DESCRIPTION"])];
    for d in &defs {
        rows.push(row([
            d.name.strip_prefix("frontend.").unwrap_or(d.name),
            d.version,
            d.description,
        ]));
    }
    let mut txt = String::new();
    tabwrite(&rows, 1, &mut txt);
    result(go_json(&defs), txt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subrequest::test_support::*;
    use serde_json::{Value, json};

    #[test]
    fn describe_lists_outline_targets_lint_describe() {
        let out = describe();
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version"]
        );
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        let list = v.as_array().unwrap();
        let names: Vec<&str> = list.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "frontend.outline",
                "frontend.targets",
                "frontend.lint",
                "frontend.subrequests.describe"
            ]
        );
        for r in list {
            assert_eq!(
                keys(r),
                [
                    "name",
                    "version",
                    "type",
                    "description",
                    "opts",
                    "inputs",
                    "metadata",
                    "refs"
                ]
            );
            assert_eq!(r["version"], "1.0.0");
            assert_eq!(r["type"], "rpc");
            assert_eq!(r["inputs"], Value::Null);
            assert_eq!(r["refs"], Value::Null);
            assert_eq!(
                r["metadata"][0],
                json!({"name": "result.json", "description": ""})
            );
            assert_eq!(r["metadata"][1]["name"], "result.txt");
        }
        assert_eq!(
            list[0]["opts"],
            json!([{"name": "target", "description": "Target build stage"}])
        );
        assert_eq!(list[1]["opts"], json!([]));
        assert_eq!(list[2]["metadata"][2]["name"], "result.statuscode");
        assert_eq!(list[3]["opts"], Value::Null);
        let txt = txt_of(&out);
        let lines: Vec<&str> = txt.lines().collect();
        assert_eq!(lines[0], "NAME                 VERSION DESCRIPTION");
        assert_eq!(
            lines[1],
            "outline              1.0.0   List all parameters current build target supports"
        );
        assert_eq!(
            lines[4],
            "subrequests.describe 1.0.0   List available subrequest types"
        );
        // MarshalIndent layout.
        let raw = String::from_utf8(meta(&out, "result.json")).unwrap();
        assert!(raw.starts_with("[\n  {\n    \"name\": \"frontend.outline\",\n"));
    }
}
