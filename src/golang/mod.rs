//! What gofront knows about Go itself, in one place: `go.mod` and
//! `go.work`, package clauses, paths and binary names, and the environment
//! and flags the go command takes; build constraints, requirements that
//! need cgo, and what a Go file obviously does (`source`, for `gofront
//! init`). Pure functions, no I/O; the spec, the plan, the client and the
//! CLI all ask here.

mod constraint;
mod env;
mod gomod;
mod package;
mod paths;
mod requires;
pub mod source;

pub use constraint::linux_exclusion;
pub use env::{GO_SETTING_ARGS, go_target_env, quote_ldflag_word};
pub use gomod::{GoMod, GoWork, is_go_version, minor, parse, parse_work};
pub use package::package_clause;
pub use paths::{binary_name, context_dir};
pub use requires::{
    CGO_ONLY_MODULES, CgoOnly, Require, cgo_only, cgo_only_requirements, requires, tools,
};
