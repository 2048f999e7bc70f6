//! A small typed LLB builder with deterministic marshaling.
//!
//! Modelled on BuildKit's Go `client/llb`: a [`State`] is an immutable handle to
//! one output of an operation (or to scratch). Operations are built from states
//! and yield new states; [`marshal`] walks the graph and produces a
//! `pb::Definition` whose bytes depend only on the graph, never on map order or
//! construction history, so the same inputs always give the same digests and
//! BuildKit's cache keys stay stable across frontend runs.
//!
//! Two protobuf traps are handled here rather than by callers:
//! * proto3 defaults are not BuildKit's "unset": FileOp `mode`/`timestamp`
//!   must be `-1`, mount `input`/`output` use `-1` for none (pitfall P7);
//! * every op lists the LLB caps it needs in its metadata, so an old daemon
//!   refuses the graph loudly instead of dropping fields silently (P9).

mod exec;
mod file;
pub(crate) mod marshal;
mod source;

use std::collections::BTreeMap;
use std::rc::Rc;

use bollard_buildkit_proto::pb;

pub use exec::{CacheSharing, Exec, Network};
pub use file::{CopyOptions, FileActions, Owner};
pub use marshal::{MarshalOptions, Marshaled, digest_of, marshal, marshal_with};
pub use source::{GitSource, LocalOptions, git, http, image, local};

use crate::platform::Platform;

/// Metadata every operation carries: a progress name, cache behaviour, caps.
#[derive(Clone, Debug, Default)]
pub struct OpOptions {
    /// Shown by `docker build` as the step's progress line.
    pub name: Option<String>,
    /// Where in the spec this op comes from; BuildKit prints that excerpt
    /// when the op fails (see [`MarshalOptions::source`]).
    pub location: Option<SourceRange>,
}

impl OpOptions {
    pub fn named(name: impl Into<String>) -> Self {
        OpOptions {
            name: Some(name.into()),
            location: None,
        }
    }

    pub fn at(mut self, location: Option<SourceRange>) -> Self {
        self.location = location;
        self
    }
}

/// A 1-based line range in the source file of a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceRange {
    pub start_line: u32,
    pub end_line: u32,
}

/// The operation kinds this builder can emit, with their inputs resolved
/// to indexes into [`Node::inputs`].
#[derive(Debug)]
pub(crate) enum OpKind {
    Source(pb::SourceOp),
    Exec(Box<pb::ExecOp>),
    File(pb::FileOp),
    Merge(pb::MergeOp),
    /// An op of a definition the client built (a frontend input), kept as
    /// the client's bytes: re-encoding would drop fields this crate's protos
    /// do not know and change the op's digest.
    Foreign(Box<ForeignOp>),
}

#[derive(Debug)]
pub(crate) struct ForeignOp {
    pub(crate) bytes: Vec<u8>,
    pub(crate) metadata: Option<pb::OpMetadata>,
}

/// One vertex of the graph.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) kind: OpKind,
    pub(crate) inputs: Vec<Output>,
    pub(crate) platform: Option<Platform>,
    pub(crate) caps: Vec<&'static str>,
    pub(crate) options: OpOptions,
}

/// One output of a node.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    pub(crate) node: Rc<Node>,
    pub(crate) index: i64,
}

/// A filesystem state: scratch, or one output of an operation.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub(crate) output: Option<Output>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> Self {
        State { output: None }
    }

    pub fn is_scratch(&self) -> bool {
        self.output.is_none()
    }

    pub(crate) fn from_node(node: Node, index: i64) -> Self {
        State {
            output: Some(Output {
                node: Rc::new(node),
                index,
            }),
        }
    }

    /// The states layered on top of each other, each kept as its own layer
    /// (BuildKit's MergeOp, cap `mergeop`, v0.10+): a change to one input
    /// does not invalidate the others' layers. Scratch inputs are skipped.
    pub fn merge(states: &[State], platform: &Platform, options: OpOptions) -> State {
        let mut inputs = InputSet::default();
        let merge_inputs: Vec<pb::MergeInput> = states
            .iter()
            .filter(|s| !s.is_scratch())
            .map(|s| pb::MergeInput {
                input: inputs.index_of(s),
            })
            .collect();
        match merge_inputs.len() {
            0 => State::scratch(),
            1 => states
                .iter()
                .find(|s| !s.is_scratch())
                .cloned()
                .unwrap_or_default(),
            _ => State::from_node(
                Node {
                    kind: OpKind::Merge(pb::MergeOp {
                        inputs: merge_inputs,
                    }),
                    inputs: inputs.inputs,
                    platform: Some(platform.clone()),
                    caps: vec!["mergeop"],
                    options,
                },
                0,
            ),
        }
    }

    /// The result of a definition built elsewhere (a frontend input), to
    /// build on like any other state. Its ops are kept byte for byte.
    pub fn from_foreign(def: &ForeignDefinition) -> State {
        let Some((digest, index)) = &def.head else {
            return State::scratch();
        };
        let mut built = BTreeMap::new();
        State {
            output: Some(Output {
                node: def.node(digest, &mut built),
                index: *index,
            }),
        }
    }

    /// Start a chain of file actions on top of this state.
    pub fn file(&self) -> FileActions {
        FileActions::on(self.clone())
    }
}

/// An op's bytes and its inputs (digest, output index).
type RawOp = (Vec<u8>, Vec<(String, i64)>);

/// A definition the client built (a frontend input), checked: every op
/// decodes and every input it names is in the definition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForeignDefinition {
    /// Each op, by digest.
    ops: BTreeMap<String, RawOp>,
    metadata: BTreeMap<String, pb::OpMetadata>,
    /// The result: an op's digest and output index (`None`: scratch).
    head: Option<(String, i64)>,
}

impl ForeignDefinition {
    pub fn parse(def: &pb::Definition) -> Result<Self, String> {
        use prost::Message;
        let mut ops = BTreeMap::new();
        let mut head = None;
        for bytes in &def.def {
            let op = pb::Op::decode(bytes.as_slice())
                .map_err(|e| format!("an op of the definition does not decode: {e}"))?;
            if op.op.is_none() {
                // The terminal op: only the input to return.
                let input = op
                    .inputs
                    .first()
                    .ok_or("the definition's terminal op has no input")?;
                head = Some((input.digest.clone(), input.index));
                continue;
            }
            let inputs = op
                .inputs
                .iter()
                .map(|i| (i.digest.clone(), i.index))
                .collect();
            ops.insert(marshal::digest_of(bytes), (bytes.clone(), inputs));
        }
        let parsed = ForeignDefinition {
            ops,
            metadata: def.metadata.clone(),
            head,
        };
        if let Some((digest, _)) = &parsed.head {
            parsed.check(digest, &mut BTreeMap::new(), 0)?;
        }
        Ok(parsed)
    }

    /// Every op reachable from `digest` exists, without cycles (digests
    /// chain like a hash tree, so a cycle means a forged digest) and within
    /// a depth that cannot exhaust the stack.
    fn check(
        &self,
        digest: &str,
        state: &mut BTreeMap<String, bool>,
        depth: usize,
    ) -> Result<(), String> {
        match state.get(digest) {
            Some(true) => return Ok(()),
            Some(false) => return Err(format!("the definition has a cycle at {digest}")),
            None => {}
        }
        if depth > 4096 {
            return Err("the definition is nested too deeply".into());
        }
        let (_, inputs) = self
            .ops
            .get(digest)
            .ok_or_else(|| format!("the definition has no op {digest}"))?;
        state.insert(digest.to_string(), false);
        for (input, _) in inputs {
            self.check(input, state, depth + 1)?;
        }
        state.insert(digest.to_string(), true);
        Ok(())
    }

    /// The node of op `digest`, its inputs first (checked by [`Self::parse`]).
    fn node(&self, digest: &str, built: &mut BTreeMap<String, Rc<Node>>) -> Rc<Node> {
        if let Some(node) = built.get(digest) {
            return node.clone();
        }
        let (bytes, op_inputs) = self.ops.get(digest).cloned().unwrap_or_default();
        let inputs = op_inputs
            .iter()
            .map(|(d, index)| Output {
                node: self.node(d, built),
                index: *index,
            })
            .collect();
        let node = Rc::new(Node {
            kind: OpKind::Foreign(Box::new(ForeignOp {
                bytes,
                metadata: self.metadata.get(digest).cloned(),
            })),
            inputs,
            platform: None,
            caps: Vec::new(),
            options: OpOptions::default(),
        });
        built.insert(digest.to_string(), node.clone());
        node
    }
}

/// Collects an op's distinct inputs and hands out their indexes.
#[derive(Default)]
pub(crate) struct InputSet {
    pub(crate) inputs: Vec<Output>,
}

impl InputSet {
    /// The index of `state` among the inputs, or -1 for scratch.
    pub(crate) fn index_of(&mut self, state: &State) -> i64 {
        let Some(out) = &state.output else {
            return -1;
        };
        if let Some(i) = self
            .inputs
            .iter()
            .position(|o| Rc::ptr_eq(&o.node, &out.node) && o.index == out.index)
        {
            return i as i64;
        }
        self.inputs.push(out.clone());
        (self.inputs.len() - 1) as i64
    }
}

/// Builds the `OpMetadata` BuildKit stores beside an op; `ignore_cache`
/// comes from the whole graph's [`MarshalOptions`].
pub(crate) fn op_metadata(node: &Node, ignore_cache: bool) -> pb::OpMetadata {
    let mut description = BTreeMap::new();
    if let Some(name) = &node.options.name {
        description.insert("llb.customname".to_string(), name.clone());
    }
    let mut caps = BTreeMap::new();
    for cap in &node.caps {
        caps.insert((*cap).to_string(), true);
    }
    if node.options.name.is_some() {
        caps.insert("meta.description".to_string(), true);
    }
    if ignore_cache {
        caps.insert("meta.ignorecache".to_string(), true);
    }
    if node.platform.is_some() {
        caps.insert("platform".to_string(), true);
    }
    caps.insert("constraints".to_string(), true);
    pb::OpMetadata {
        ignore_cache,
        description,
        caps,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests;
