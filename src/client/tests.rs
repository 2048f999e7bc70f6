use bollard_buildkit_proto::google::protobuf::Any;

use super::*;

#[test]
fn a_failed_step_is_named_with_its_spec_line() {
    use bollard_buildkit_proto::pb;
    let mut def = pb::Definition::default();
    let mut meta = pb::OpMetadata::default();
    meta.description.insert(
        "llb.customname".into(),
        "[gofront] go build ./cmd/x (linux/amd64)".into(),
    );
    def.metadata.insert("sha256:abc".into(), meta);
    let at = |line| pb::Position { line, character: 0 };
    def.source = Some(pb::Source {
        locations: [(
            "sha256:abc".to_string(),
            pb::Locations {
                locations: vec![pb::Location {
                    source_index: 0,
                    ranges: vec![pb::Range {
                        start: Some(at(3)),
                        end: Some(at(3)),
                    }],
                }],
            },
        )]
        .into(),
        infos: vec![],
    });
    let mut f = Failure::new("[gofront] build: executor failed running [go build]: exit code: 1");
    f.details.push(Any {
        type_url: "github.com/moby/buildkit/errdefs.Vertex+json".into(),
        value: br#"{"digest":"sha256:abc"}"#.to_vec(),
    });
    let f = failure::explain_step_failure(f, &def, "gofront.yaml");
    assert_eq!(
        f.message,
        "gofront.yaml:3: go build ./cmd/x (linux/amd64) failed: executor failed running [go build]: exit code: 1 (hint: the step's output above shows why)"
    );
    assert_eq!(f.details.len(), 1, "details are forwarded");
    let f =
        failure::explain_step_failure(Failure::new("[gofront] build: boom"), &def, "gofront.yaml");
    assert!(f.message.starts_with("[gofront] build failed: boom"));
}

#[test]
fn another_builds_result_brings_its_image_config_in_the_input_metadata() {
    use base64::Engine;
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","TEAM=core"],"User":"10:10"}}"#;
    let metadata = serde_json::json!({
        "containerimage.config": base64::engine::general_purpose::STANDARD.encode(config),
        "containerimage.digest": base64::engine::general_purpose::STANDARD.encode("sha256:abc"),
    });
    let request = BuildRequest {
        input_metadata: [("base".to_string(), metadata.to_string())].into(),
        ..Default::default()
    };
    let got = input_config(&request, "base").unwrap().unwrap();
    assert_eq!(got.config.env, ["PATH=/bin", "TEAM=core"]);
    assert_eq!(got.config.user, "10:10");
    // No metadata, or none for that input: no config, as in a Dockerfile.
    assert_eq!(input_config(&request, "other").unwrap(), None);
    let bad = BuildRequest {
        input_metadata: [(
            "base".to_string(),
            "{\"containerimage.config\": 3}".to_string(),
        )]
        .into(),
        ..Default::default()
    };
    assert!(
        input_config(&bad, "base")
            .unwrap_err()
            .contains("not base64")
    );
}
