//! `frontend.targets` (`--call targets`): the targets the spec offers.

use serde::Serialize;

use super::TargetEntry;
use super::gojson::{b64_list, go_json, is_false, result, row, tabwrite};
use crate::sourcemap::{JsonLocation, SpecSource};

/// `targets.List` (`frontend/subrequests/targets/targets.go`; no `omitempty`).
#[derive(Serialize)]
struct JsonTargets<'a> {
    targets: Option<Vec<JsonTarget<'a>>>,
    #[serde(serialize_with = "b64_list")]
    sources: Vec<Vec<u8>>,
}

#[derive(Serialize)]
struct JsonTarget<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    default: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    base: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    platform: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `frontend.targets`: the targets the spec offers.
pub fn targets(t: &[TargetEntry], src: &SpecSource) -> Vec<(String, Vec<u8>)> {
    let json = JsonTargets {
        targets: (!t.is_empty()).then(|| {
            t.iter()
                .map(|t| JsonTarget {
                    name: &t.name,
                    default: t.default,
                    description: &t.description,
                    base: t.base.as_deref().unwrap_or_default(),
                    platform: t.platform.as_deref().unwrap_or_default(),
                    location: JsonLocation::optional(t.location),
                })
                .collect()
        }),
        sources: vec![src.text.as_bytes().to_vec()],
    };
    // targets.PrintTargets: tabwriter padding 1, no blank line after.
    let mut rows = vec![row(["TARGET", "DESCRIPTION"])];
    for t in t {
        let name = match (t.name.is_empty(), t.default) {
            (true, true) => "(default)".to_string(),
            (false, true) => format!("{} (default)", t.name),
            _ => t.name.clone(),
        };
        rows.push(vec![name, t.description.clone()]);
    }
    let mut txt = String::new();
    tabwrite(&rows, 1, &mut txt);
    result(go_json(&json), txt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subrequest::test_support::*;
    use serde_json::{Value, json};

    #[test]
    fn targets_json_matches_targets_go() {
        let t = vec![
            TargetEntry {
                name: "test".into(),
                description: "run go test only".into(),
                default: false,
                base: Some("golang:1.26-alpine".into()),
                platform: None,
                location: at(7, 1),
            },
            TargetEntry {
                name: String::new(),
                description: "the service image".into(),
                default: true,
                base: Some("gcr.io/distroless/static-debian12".into()),
                platform: Some("linux/amd64".into()),
                location: None,
            },
        ];
        let out = targets(&t, &src());
        assert_eq!(
            out.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["result.json", "result.txt", "version"]
        );
        let v = json_of(&out);
        assert_eq!(keys(&v), ["targets", "sources"]);
        assert_eq!(
            v["targets"][0],
            json!({
                "name": "test",
                "description": "run go test only",
                "base": "golang:1.26-alpine",
                "location": {"ranges": [{"start": {"line": 7}, "end": {"line": 7}}]}
            })
        );
        assert_eq!(
            keys(&v["targets"][1]),
            ["default", "description", "base", "platform"]
        );
        assert_eq!(v["targets"][1]["default"], true);
        assert_eq!(v["targets"][1]["platform"], "linux/amd64");
        assert_eq!(v["sources"].as_array().unwrap().len(), 1);
        assert_eq!(
            txt_of(&out),
            "TARGET    DESCRIPTION\ntest      run go test only\n(default) the service image\n"
        );
        let v = json_of(&targets(&[], &src()));
        assert_eq!(v["targets"], Value::Null, "a nil Go slice");
    }
}
