//! A definition's ops, decoded, for golden tests and `gofront render`.

use bollard_buildkit_proto::pb;
use prost::Message;

use crate::llb;

/// Each op of a definition in its order: its digest, the op decoded (or
/// why not), and the metadata BuildKit keeps beside it.
pub fn ops(
    def: &pb::Definition,
) -> impl Iterator<
    Item = (
        String,
        Result<pb::Op, prost::DecodeError>,
        Option<&pb::OpMetadata>,
    ),
> {
    def.def.iter().map(|bytes| {
        let digest = llb::digest_of(bytes);
        let op = pb::Op::decode(bytes.as_slice());
        let metadata = def.metadata.get(&digest);
        (digest, op, metadata)
    })
}

/// A readable dump of a definition for golden tests and `gofront render`:
/// one block per op in graph order, with its digest, progress name and caps.
pub fn dump(def: &pb::Definition) -> String {
    let mut out = String::new();
    for (digest, op, metadata) in ops(def) {
        let op = match op {
            Ok(op) => op,
            Err(e) => {
                out.push_str(&format!("{digest}: undecodable op: {e}\n"));
                continue;
            }
        };
        out.push_str(&format!("# {digest}\n"));
        if let Some(meta) = metadata {
            if let Some(name) = meta.description.get("llb.customname") {
                out.push_str(&format!("# name: {name}\n"));
            }
            let caps: Vec<&str> = meta.caps.keys().map(String::as_str).collect();
            out.push_str(&format!("# caps: {}\n", caps.join(", ")));
            if meta.ignore_cache {
                out.push_str("# ignore_cache\n");
            }
        }
        out.push_str(&format!("{op:#?}\n\n"));
    }
    out
}
