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
