//! Go's JSON and `text/tabwriter` output, emulated: the parts of
//! BuildKit's Go structs that several results share, serialized as
//! `json.MarshalIndent` writes them, and the table layout of its `Print*`
//! functions.

use base64::Engine;
use bollard_buildkit_proto::pb;
use serde::Serialize;

use super::{Location, VERSION};

// The Go structs, as JSON. Field order, names and `omitempty` as in BuildKit.

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

pub(super) fn is_false(v: &bool) -> bool {
    !*v
}

fn b64<S: serde::Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
}

pub(super) fn b64_list<S: serde::Serializer>(data: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(data.len()))?;
    for d in data {
        seq.serialize_element(&base64::engine::general_purpose::STANDARD.encode(d))?;
    }
    seq.end()
}

/// `pb.Position` (`solver/pb/ops.pb.go`: `line,omitempty`, `character,omitempty`).
#[derive(Serialize, Clone, Copy)]
struct JsonPosition {
    #[serde(skip_serializing_if = "is_zero_i32")]
    line: i32,
    #[serde(skip_serializing_if = "is_zero_i32")]
    character: i32,
}

/// `pb.Range` (`start,omitempty`, `end,omitempty`, pointers).
#[derive(Serialize)]
pub(super) struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// `pb.Location` (`sourceIndex,omitempty`, `ranges,omitempty`).
#[derive(Serialize)]
pub(super) struct JsonLocation {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero_i32")]
    source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) ranges: Vec<JsonRange>,
}

impl JsonLocation {
    /// A location in source 0 (the spec), possibly with no ranges.
    pub(super) fn of(loc: Option<Location>) -> JsonLocation {
        JsonLocation {
            source_index: 0,
            ranges: Location::to_pb_ranges(loc)
                .into_iter()
                .map(|r| {
                    let p = |p: Option<pb::Position>| {
                        let p = p.unwrap_or_default();
                        JsonPosition {
                            line: p.line,
                            character: p.character,
                        }
                    };
                    JsonRange {
                        start: p(r.start),
                        end: p(r.end),
                    }
                })
                .collect(),
        }
    }

    /// `*pb.Location` with `omitempty`, as the dockerfile frontend's
    /// `toSourceLocation` makes it: nil when there are no ranges.
    pub(super) fn optional(loc: Option<Location>) -> Option<JsonLocation> {
        let l = JsonLocation::of(loc);
        (!l.ranges.is_empty()).then_some(l)
    }
}

/// `pb.SourceInfo` (`filename`, `data` base64, `definition`, `language`;
/// all `omitempty`).
#[derive(Serialize)]
pub(super) struct JsonSourceInfo<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(super) filename: &'a str,
    #[serde(serialize_with = "b64", skip_serializing_if = "<[u8]>::is_empty")]
    pub(super) data: &'a [u8],
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(super) language: &'a str,
}

/// `json.MarshalIndent(v, "", "  ")`, with Go's default escaping of
/// `<`, `>`, `&`, U+2028 and U+2029 (those bytes only occur inside strings).
pub(super) fn go_json<T: Serialize>(v: &T) -> Vec<u8> {
    let raw = serde_json::to_string_pretty(v).expect("json serializes");
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.into_bytes()
}

/// Go's `text/tabwriter` with minwidth 0, tabwidth 0, padding `padding`,
/// padchar ' ', no flags, for a table whose rows have the same number of
/// cells: every cell but the last of a row is padded to its column's widest
/// cell (in runes) plus `padding`; the last cell is written as is.
pub(super) fn tabwrite(rows: &[Vec<String>], padding: usize, out: &mut String) {
    let columns = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; columns.saturating_sub(1)];
    for row in rows {
        for (j, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[j] = widths[j].max(cell.chars().count() + padding);
        }
    }
    for row in rows {
        for (j, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < row.len() {
                let pad = widths[j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
}

pub(super) fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

pub(super) fn result(json: Vec<u8>, txt: String) -> Vec<(String, Vec<u8>)> {
    vec![
        ("result.json".to_string(), json),
        ("result.txt".to_string(), txt.into_bytes()),
        ("version".to_string(), VERSION.as_bytes().to_vec()),
    ]
}

#[cfg(test)]
mod tests {
    use crate::subrequest::test_support::*;
    use crate::subrequest::{Warning, lint};
    use serde_json::Value;

    #[test]
    fn json_escapes_like_go() {
        let w = [Warning {
            rule: "R".into(),
            detail: "a <b> & c".into(),
            ..Default::default()
        }];
        let raw = String::from_utf8(meta(&lint(&w, &src(), None), "result.json")).unwrap();
        assert!(
            raw.contains(r#""detail": "a \u003cb\u003e \u0026 c""#),
            "{raw}"
        );
        let v: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(v["warnings"][0]["detail"], "a <b> & c");
    }
}
