//! gofront: a BuildKit frontend that builds Go services from a short YAML spec.
//!
//! The pipeline, one module per stage:
//! `spec` (parse, validate, positions) → `plan` (pure data) → `convert` +
//! `llb` (graph, deterministic marshaling) → `gateway` (LLBBridge over
//! stdio) → `image` (OCI config). `frontend` drives one build through them;
//! `cli` offers the same pipeline offline.

pub mod attest;
pub mod cli;
pub mod client;
pub mod convert;
pub mod frontend;
pub mod gateway;
pub mod golang;
pub mod image;
pub mod imageref;
pub mod introspect;
pub mod lint;
pub mod llb;
pub mod plan;
pub mod platform;
pub mod request;
pub mod schema;
pub mod sourcemap;
pub mod spec;
pub mod subrequest;
