//! `frontend.outline` (`--call outline`): the parameters of the selected target.

use serde::Serialize;

use super::gojson::{b64_list, go_json, is_false, result, row, tabwrite};
use super::{Location, Outline};
use crate::sourcemap::{JsonLocation, SpecSource};

/// `outline.Outline` (`frontend/subrequests/outline/outline.go`).
#[derive(Serialize)]
struct JsonOutline<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<JsonArg<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<JsonSecret<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ssh: Vec<JsonSecret<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cache: Vec<JsonCache<'a>>,
    #[serde(serialize_with = "b64_list", skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Vec<u8>>,
}

#[derive(Serialize)]
struct JsonArg<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `outline.Secret` and `outline.SSH` (same shape).
#[derive(Serialize)]
struct JsonSecret<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

impl<'a> JsonSecret<'a> {
    fn new(name: &'a str, required: bool, location: Option<Location>) -> Self {
        JsonSecret {
            name,
            required,
            location: JsonLocation::optional(location),
        }
    }
}

/// `outline.CacheMount`: note the capitalized `ID`.
#[derive(Serialize)]
struct JsonCache<'a> {
    #[serde(rename = "ID")]
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation>,
}

/// `frontend.outline`: the parameters of the selected target.
pub fn outline(o: &Outline, src: &SpecSource) -> Vec<(String, Vec<u8>)> {
    let json = JsonOutline {
        name: &o.name,
        description: &o.description,
        args: o
            .args
            .iter()
            .map(|a| JsonArg {
                name: &a.name,
                description: &a.description,
                value: a.value.as_deref().unwrap_or_default(),
                location: JsonLocation::optional(a.location),
            })
            .collect(),
        secrets: o
            .secrets
            .iter()
            .map(|s| JsonSecret::new(&s.name, s.required, s.location))
            .collect(),
        ssh: o
            .ssh
            .iter()
            .map(|s| JsonSecret::new(&s.name, s.required, s.location))
            .collect(),
        cache: o
            .cache
            .iter()
            .map(|c| JsonCache {
                id: &c.id,
                location: JsonLocation::optional(c.location),
            })
            .collect(),
        sources: vec![src.text.as_bytes().to_vec()],
    };
    result(go_json(&json), outline_text(o))
}

/// `outline.PrintOutline`.
fn outline_text(o: &Outline) -> String {
    let mut txt = String::new();
    if !o.name.is_empty() || !o.description.is_empty() {
        let name = if o.name.is_empty() {
            "(default)"
        } else {
            &o.name
        };
        let mut rows = vec![row(["TARGET:", name])];
        if !o.description.is_empty() {
            rows.push(row(["DESCRIPTION:", &o.description]));
        }
        tabwrite(&rows, 1, &mut txt);
        txt.push('\n');
    }
    if !o.args.is_empty() {
        let mut rows = vec![row(["BUILD ARG", "VALUE", "DESCRIPTION"])];
        for a in &o.args {
            rows.push(row([
                &a.name,
                a.value.as_deref().unwrap_or_default(),
                &a.description,
            ]));
        }
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    let required = |r: bool| if r { "true" } else { "" };
    if !o.secrets.is_empty() {
        let mut rows = vec![row(["SECRET", "REQUIRED"])];
        rows.extend(
            o.secrets
                .iter()
                .map(|s| row([&s.name, required(s.required)])),
        );
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    if !o.ssh.is_empty() {
        let mut rows = vec![row(["SSH", "REQUIRED"])];
        rows.extend(o.ssh.iter().map(|s| row([&s.name, required(s.required)])));
        tabwrite(&rows, 3, &mut txt);
        txt.push('\n');
    }
    txt
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subrequest::test_support::*;
    use crate::subrequest::{Arg, CacheMount, Secret, Ssh};
    use base64::Engine;
    use serde_json::json;

    #[test]
    fn outline_json_matches_outline_go() {
        let o = Outline {
            name: String::new(),
            description: "the service image".into(),
            args: vec![
                Arg {
                    name: "VERSION".into(),
                    description: "the version injected with -X".into(),
                    value: Some("dev".into()),
                    location: at(3, 10),
                },
                Arg {
                    name: "GOPROXY".into(),
                    description: String::new(),
                    value: None,
                    location: None,
                },
            ],
            secrets: vec![Secret {
                name: "netrc".into(),
                required: true,
                location: at(4, 1),
            }],
            ssh: vec![Ssh {
                name: "default".into(),
                required: false,
                location: None,
            }],
            cache: vec![CacheMount {
                id: "gofront-gomod".into(),
                location: None,
            }],
        };
        let out = outline(&o, &src());
        assert_eq!(meta(&out, "version"), b"1.0.0");
        let v = json_of(&out);
        assert_eq!(
            keys(&v),
            ["description", "args", "secrets", "ssh", "cache", "sources"]
        );
        assert_eq!(
            v["args"][0],
            json!({
                "name": "VERSION",
                "description": "the version injected with -X",
                "value": "dev",
                "location": {"ranges": [{"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 9}}]}
            })
        );
        assert_eq!(v["args"][1], json!({"name": "GOPROXY"}));
        assert_eq!(
            v["secrets"][0],
            json!({"name": "netrc", "required": true, "location": {"ranges": [{"start": {"line": 4}, "end": {"line": 4}}]}})
        );
        assert_eq!(v["ssh"][0], json!({"name": "default"}));
        assert_eq!(v["cache"][0], json!({"ID": "gofront-gomod"}));
        let sources = v["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 1);
        let data = base64::engine::general_purpose::STANDARD
            .decode(sources[0].as_str().unwrap())
            .unwrap();
        assert_eq!(data, SPEC.as_bytes());

        assert_eq!(
            txt_of(&out),
            "TARGET:      (default)\n\
             DESCRIPTION: the service image\n\
             \n\
             BUILD ARG   VALUE   DESCRIPTION\n\
             VERSION     dev     the version injected with -X\n\
             GOPROXY             \n\
             \n\
             SECRET   REQUIRED\n\
             netrc    true\n\
             \n\
             SSH       REQUIRED\n\
             default   \n\
             \n"
        );

        let empty = outline(&Outline::default(), &src());
        assert_eq!(keys(&json_of(&empty)), ["sources"]);
        assert_eq!(txt_of(&empty), "");
    }
}
