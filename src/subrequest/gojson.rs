//! Go's JSON and `text/tabwriter` output, emulated: the parts of
//! BuildKit's Go structs that several results share, serialized as
//! `json.MarshalIndent` writes them, and the table layout of its `Print*`
//! functions.

use base64::Engine;
use serde::Serialize;

use super::VERSION;

// The Go structs, as JSON. Field order, names and `omitempty` as in
// BuildKit; those of source positions are in `crate::sourcemap`.

pub(super) fn is_false(v: &bool) -> bool {
    !*v
}

pub(super) fn b64_list<S: serde::Serializer>(data: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(data.len()))?;
    for d in data {
        seq.serialize_element(&base64::engine::general_purpose::STANDARD.encode(d))?;
    }
    seq.end()
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
    use crate::lint::Finding;
    use crate::subrequest::lint;
    use crate::subrequest::test_support::*;
    use serde_json::Value;

    #[test]
    fn json_escapes_like_go() {
        let w = [Finding {
            rule: "R",
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
