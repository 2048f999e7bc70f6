//! Deterministic marshaling of a graph into a `pb::Definition`.

use std::collections::{BTreeMap, HashMap};

use bollard_buildkit_proto::pb;
use prost::Message;
use sha2::{Digest, Sha256};

use super::{Node, OpKind, Output, State, op_metadata};

/// A marshaled graph: the definition to send and the digest of its result.
#[derive(Clone, Debug)]
pub struct Marshaled {
    pub definition: pb::Definition,
    /// Digest of the op whose output is the result (not the terminal op).
    pub head: Option<String>,
}

/// Encodes an op the way Go's deterministic marshaler does: fields in tag
/// order, but the `op` oneof last. prost orders the oneof by its smallest tag
/// (before `platform`=10), and since BuildKit v0.18 the daemon recomputes
/// digests from Go's encoding, so anything else breaks source-map lookups.
pub fn encode_op(op: &pb::Op) -> Vec<u8> {
    use prost::encoding::message;
    let mut buf = Vec::with_capacity(op.encoded_len());
    for input in &op.inputs {
        message::encode(1, input, &mut buf);
    }
    if let Some(platform) = &op.platform {
        message::encode(10, platform, &mut buf);
    }
    if let Some(constraints) = &op.constraints {
        message::encode(11, constraints, &mut buf);
    }
    if let Some(kind) = &op.op {
        kind.encode(&mut buf);
    }
    buf
}

pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// What applies to the whole graph rather than to one op, set when it is
/// marshaled (as Go's `llb.Marshal` applies its constraints): callers
/// build ops without repeating it at every one.
#[derive(Clone, Debug, Default)]
pub struct MarshalOptions {
    /// `--no-cache`: every op built here ignores the cache. Ops of a
    /// definition the client handed over keep their own metadata.
    pub ignore_cache: bool,
    /// The file the ops' locations point into (the spec); sent as the
    /// definition's source map when an op has a location.
    pub source: Option<pb::SourceInfo>,
}

struct Marshaler {
    ignore_cache: bool,
    /// Digest of each node already visited, keyed by node address.
    seen: HashMap<*const Node, String>,
    def: Vec<Vec<u8>>,
    digests: Vec<String>,
    metadata: BTreeMap<String, pb::OpMetadata>,
    locations: BTreeMap<String, pb::Locations>,
}

impl Marshaler {
    fn visit(&mut self, node: &Node) -> String {
        let key = node as *const Node;
        if let Some(d) = self.seen.get(&key) {
            return d.clone();
        }
        let inputs: Vec<pb::Input> = node
            .inputs
            .iter()
            .map(|Output { node, index }| pb::Input {
                digest: self.visit(node),
                index: *index,
            })
            .collect();
        let kind = match &node.kind {
            OpKind::Source(s) => pb::op::Op::Source(s.clone()),
            OpKind::Exec(e) => pb::op::Op::Exec((**e).clone()),
            OpKind::File(f) => pb::op::Op::File(f.clone()),
            OpKind::Merge(m) => pb::op::Op::Merge(m.clone()),
            OpKind::Foreign(foreign) => {
                // The client's bytes, which already name the inputs visited
                // above.
                let digest = digest_of(&foreign.bytes);
                if !self.digests.contains(&digest) {
                    self.def.push(foreign.bytes.clone());
                    self.digests.push(digest.clone());
                    if let Some(m) = &foreign.metadata {
                        self.metadata.insert(digest.clone(), m.clone());
                    }
                }
                self.seen.insert(key, digest.clone());
                return digest;
            }
        };
        let op = pb::Op {
            inputs,
            platform: node.platform.as_ref().map(|p| p.to_pb()),
            // Go's llb always writes an (empty) constraints message.
            constraints: Some(pb::WorkerConstraints::default()),
            op: Some(kind),
        };
        let bytes = encode_op(&op);
        let digest = digest_of(&bytes);
        // Two distinct nodes with identical content are one vertex.
        if !self.digests.contains(&digest) {
            self.def.push(bytes);
            self.digests.push(digest.clone());
            self.metadata
                .insert(digest.clone(), op_metadata(node, self.ignore_cache));
            if let Some(r) = node.options.location {
                let position = |line: u32| pb::Position {
                    line: line as i32,
                    character: 0,
                };
                self.locations.insert(
                    digest.clone(),
                    pb::Locations {
                        locations: vec![pb::Location {
                            source_index: 0,
                            ranges: vec![pb::Range {
                                start: Some(position(r.start_line)),
                                end: Some(position(r.end_line)),
                            }],
                        }],
                    },
                );
            }
        }
        self.seen.insert(key, digest.clone());
        digest
    }
}

/// Marshal the graph that produces `state`. Scratch gives an empty
/// definition, which BuildKit solves to an empty result.
pub fn marshal(state: &State) -> Marshaled {
    marshal_with(state, &MarshalOptions::default())
}

/// Marshal with the whole graph's options: cache behaviour, and a source
/// map in which ops with a location point into `options.source`.
pub fn marshal_with(state: &State, options: &MarshalOptions) -> Marshaled {
    let mut m = Marshaler {
        ignore_cache: options.ignore_cache,
        seen: HashMap::new(),
        def: Vec::new(),
        digests: Vec::new(),
        metadata: BTreeMap::new(),
        locations: BTreeMap::new(),
    };
    let Some(out) = &state.output else {
        return Marshaled {
            definition: pb::Definition::default(),
            head: None,
        };
    };
    let head = m.visit(&out.node);
    // The terminal op has no `op`, only the input to return (pitfall P8).
    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest: head.clone(),
            index: out.index,
        }],
        ..Default::default()
    };
    m.def.push(encode_op(&terminal));
    let source = match &options.source {
        Some(info) if !m.locations.is_empty() => Some(pb::Source {
            locations: m.locations,
            infos: vec![info.clone()],
        }),
        _ => None,
    };
    Marshaled {
        definition: pb::Definition {
            def: m.def,
            metadata: m.metadata,
            source,
        },
        head: Some(head),
    }
}
