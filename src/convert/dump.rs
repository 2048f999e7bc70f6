//! A readable dump of a definition, for golden tests and `gofront render`.

use bollard_buildkit_proto::pb;

use crate::llb;

/// A readable dump of a definition for golden tests and `gofront render`:
/// one block per op in graph order, with its digest, progress name and caps.
pub fn dump(def: &pb::Definition) -> String {
    use prost::Message;
    let mut out = String::new();
    for bytes in &def.def {
        let digest = llb::digest_of(bytes);
        let op = match pb::Op::decode(bytes.as_slice()) {
            Ok(op) => op,
            Err(e) => {
                out.push_str(&format!("{digest}: undecodable op: {e}\n"));
                continue;
            }
        };
        out.push_str(&format!("# {digest}\n"));
        if let Some(meta) = def.metadata.get(&digest) {
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
