//! The spec's JSON Schema (draft 2020-12), generated from [`RawSpec`], for
//! editors: a spec whose first lines hold
//! `# yaml-language-server: $schema=<SCHEMA_ID>` gets completion, hover
//! documentation and unknown-key warnings in any editor that runs the YAML
//! language server.
//!
//! The committed copy is `schema/gofront.schema.json`; a test fails when it
//! drifts from what this module generates
//! (`cargo run -- schema > schema/gofront.schema.json` regenerates it).
//!
//! The schema describes the spec's shape (keys, types, required keys);
//! the values' rules (paths, flags, image references, templates …) are
//! checked by `gofront check` and the build, which point at the line.

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::spec::RawSpec;

/// The schema's `$id`: where editors fetch it from.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/ourorg/gofront/main/schema/gofront.schema.json";

/// The comment line that points editors at the schema.
pub fn modeline() -> String {
    format!("# yaml-language-server: $schema={SCHEMA_ID}")
}

/// The JSON Schema of a gofront spec.
pub fn schema() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let root = generator.into_root_schema_for::<RawSpec>();
    let mut value = root.to_value();
    if let Value::Object(map) = &mut value {
        // `$schema`, `$id`, title and description first, then the rest as
        // generated (struct order: deterministic).
        let mut out = serde_json::Map::new();
        if let Some(s) = map.remove("$schema") {
            out.insert("$schema".into(), s);
        }
        out.insert("$id".into(), Value::String(SCHEMA_ID.into()));
        for key in ["title", "description"] {
            if let Some(v) = map.remove(key) {
                out.insert(key.into(), v);
            }
        }
        for (k, v) in std::mem::take(map) {
            out.insert(k, v);
        }
        *map = out;
    }
    value
}

/// [`schema`] as pretty JSON ending in a newline: the committed file's text.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const COMMITTED: &str = "schema/gofront.schema.json";

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// A spec as the YAML language server sees it: YAML read as JSON.
    fn yaml_to_json(text: &str) -> Value {
        serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn validator() -> jsonschema::Validator {
        jsonschema::draft202012::new(&schema()).expect("the schema compiles")
    }

    fn errors(v: &jsonschema::Validator, yaml: &str) -> Vec<String> {
        v.iter_errors(&yaml_to_json(yaml))
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    #[test]
    fn committed_schema_is_up_to_date() {
        let path = root().join(COMMITTED);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == schema_text(),
            "{COMMITTED} differs from the schema generated from spec::RawSpec; \
             regenerate it with `cargo run -- schema > {COMMITTED}` and commit it"
        );
    }

    #[test]
    fn schema_is_valid_draft_2020_12_with_an_id() {
        let s = schema();
        jsonschema::draft202012::meta::validate(&s)
            .unwrap_or_else(|e| panic!("not a valid draft 2020-12 schema: {e}"));
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["$id"], SCHEMA_ID);
        assert_eq!(s["title"], "gofront spec");
        assert!(modeline().starts_with("# yaml-language-server: $schema=https://"));
        // Deterministic, pretty, one newline at the end.
        assert_eq!(schema_text(), schema_text());
        assert!(schema_text().ends_with("}\n") && !schema_text().ends_with("\n\n"));
    }

    #[test]
    fn every_example_spec_validates() {
        let v = validator();
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(root().join("examples")).unwrap() {
            let path = entry.unwrap().path().join("gofront.yaml");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let errs = errors(&v, &text);
            assert!(errs.is_empty(), "{}: {errs:#?}", path.display());
            seen.push(path.parent().unwrap().file_name().unwrap().to_owned());
        }
        for name in ["api", "hello"] {
            assert!(
                seen.iter().any(|s| s == name),
                "examples/{name} was checked"
            );
        }
    }

    #[test]
    fn full_specs_validate() {
        let v = validator();
        let full = r#"# syntax=ourorg/gofront
go: "1.26"
dir: ./services/api
binaries:
  - { main: ./cmd/server, name: server, ldflags: ["-X main.c={{.Commit}}"], tags: [a] }
  - main: ./cmd/ctl
entrypoint: server
runtime: gcr.io/distroless/base-debian12
cgo: true
version: { arg: VERSION, var: main.version, default: 0.1 }
ldflags: ["-X main.date={{.Date}}"]
tags: [netgo]
goflags: [-mod=vendor]
goexperiment: [greenteagc]
trimpath: true
strip: false
goproxy: https://proxy.golang.org,direct
goprivate: git.corp/*
gonosumdb: git.corp/*
gosumdb: sum.golang.org
private: { netrc: true, ssh: true, known_hosts: ["git.corp ssh-ed25519 AAAA"] }
test: { packages: [./...], flags: [-race] }
files:
  - { src: config/app.json, dst: /etc/app/app.json, mode: "0444", owner: "65532:65532" }
tzdata: false
workdir: /srv
stop_signal: SIGTERM
healthcheck: { cmd: [/usr/local/bin/server, -healthcheck], interval: 30s, timeout: 5s, start_period: 5s, retries: 3 }
upx: false
images: { builder: mirror.corp/golang:1.26-bookworm }
ports: [8080, "53/udp"]
env: { PORT: 8080, DEBUG: true, MODE: release }
args: [serve]
user: 65532
labels: { a.b: c, n: 1 }
platforms: [linux/amd64, linux/arm64]
"#;
        crate::spec::parse("gofront.yaml", full).unwrap_or_else(|e| panic!("{e}"));
        let errs = errors(&v, full);
        assert!(errs.is_empty(), "{errs:#?}");
        // Empty values are the defaults, for the parser and the schema.
        assert!(errors(&v, "main:\nversion:\n").is_empty());
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused() {
        let v = validator();
        for yaml in [
            "mian: .\n",
            "version: { arg: V, var: main.v, varr: x }\n",
            "binaries: [{ main: ./a, nmae: x }]\n",
            "private: { netrc: true, sssh: true }\n",
            "test: { package: [./...] }\n",
            "files: [{ src: a, dst: /a, mod: \"0644\" }]\n",
            "healthcheck: { cmd: [x], intervall: 3s }\n",
            "cgo: maybe\n",
            "ports: 8080\n",
            "env: [A]\n",
            "main: [a]\n",
            "binaries: [{ name: x }]\n",
            "files: [{ src: a }]\n",
            "version: { arg: V }\n",
            "healthcheck: { interval: 3s }\n",
            "healthcheck: { cmd: [x], retries: -1 }\n",
            "labels: { a: [1] }\n",
        ] {
            assert!(!errors(&v, yaml).is_empty(), "the schema accepts {yaml:?}");
            assert!(
                crate::spec::parse("gofront.yaml", yaml).is_err(),
                "the parser accepts {yaml:?}"
            );
        }
    }
}
