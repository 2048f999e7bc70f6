//! What the subrequest tests share: a spec file and readers for a result's
//! metadata.

use serde_json::Value;

use super::Location;
use crate::sourcemap::SpecSource;

pub(super) const SPEC: &str = "# syntax=ourorg/gofront\nmain: ./cmd/server\nruntime: alpine:latest\nuser: root\nports: [8080]\n";

pub(super) fn src() -> SpecSource {
    SpecSource::new("gofront.yaml", SPEC)
}

pub(super) fn meta(out: &[(String, Vec<u8>)], key: &str) -> Vec<u8> {
    out.iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .1
        .clone()
}

pub(super) fn json_of(out: &[(String, Vec<u8>)]) -> Value {
    serde_json::from_slice(&meta(out, "result.json")).unwrap()
}

pub(super) fn txt_of(out: &[(String, Vec<u8>)]) -> String {
    String::from_utf8(meta(out, "result.txt")).unwrap()
}

pub(super) fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

pub(super) fn at(line: u32, column: u32) -> Option<Location> {
    Some(Location { line, column })
}
