//! The spec file as BuildKit's source types carry it (dalec's
//! `sourcemap.go` is the model): one type, [`SpecSource`], gives the
//! `pb.SourceInfo` of the LLB source map and of build warnings, the
//! `errdefs.Source` detail of an error, the `pb.Range`s of a position and
//! the excerpt clients print under an error or a warning. Positions are the
//! spec's own [`Pos`]: `line` 1-based, `column` 1-based; `line` 0 means none.

use base64::Engine;
use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::pb;
use serde::Serialize;

use crate::spec::Pos;

/// The spec file, as the client sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecSource {
    /// As the user knows it (`gofront.yaml`): the `filename` opt without
    /// its folders.
    pub name: String,
    /// The whole file.
    pub text: String,
}

/// The linguist name BuildKit's clients use to highlight the excerpt.
pub const LANGUAGE: &str = "YAML";

impl SpecSource {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SpecSource {
            name: name.into(),
            text: text.into(),
        }
    }

    /// `pb.SourceInfo` (no `definition`: the file is read from the context).
    pub fn info(&self) -> pb::SourceInfo {
        pb::SourceInfo {
            filename: self.name.clone(),
            data: self.text.as_bytes().to_vec(),
            definition: None,
            language: LANGUAGE.to_string(),
        }
    }

    /// The `errdefs.Source` detail of an error at `pos`, as BuildKit sends
    /// it (a JSON `Any`): clients that render it print the excerpt.
    pub fn error_detail(&self, pos: Pos) -> Any {
        /// `errdefs.Source` (`solver/errdefs/errdefs.proto`).
        #[derive(Serialize)]
        struct JsonSource<'a> {
            info: JsonSourceInfo<'a>,
            ranges: Vec<JsonRange>,
        }
        let value = JsonSource {
            info: self.json_info(),
            ranges: JsonLocation::of(Some(pos)).ranges,
        };
        Any {
            type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
            value: serde_json::to_vec(&value).expect("json serializes"),
        }
    }

    /// `errdefs.Source.Print`: the file name and first line, then the lines
    /// around `start..=end` with `>>>` on those in the range.
    pub fn excerpt(&self, start: u32, end: u32) -> String {
        let lines: Vec<&str> = self.text.split('\n').collect();
        let n = lines.len();
        let (mut start, mut end) = (start as usize, (end.max(start)) as usize);
        let in_range = (start, end);
        if start > n || start < 1 {
            return String::new();
        }
        end = end.min(n);
        let pad = if end == start { 4 } else { 2 };
        let first = start;
        let mut p = 0;
        while p < pad {
            if start > 1 {
                start -= 1;
                p += 1;
            }
            if end != n {
                end += 1;
                p += 1;
            }
            p += 1;
        }
        let mut out = format!("{}:{first}\n--------------------\n", self.name);
        for (i, l) in lines.iter().enumerate().take(end).skip(start - 1) {
            let i = i + 1;
            let mark = if (in_range.0..=in_range.1).contains(&i) {
                ">>>"
            } else {
                "   "
            };
            out.push_str(&format!(" {i:>3} | {mark} {l}\n"));
        }
        out.push_str("--------------------\n");
        out
    }

    /// `pb.SourceInfo` as Go's JSON writes it.
    pub(crate) fn json_info(&self) -> JsonSourceInfo<'_> {
        JsonSourceInfo {
            filename: &self.name,
            data: self.text.as_bytes(),
            language: LANGUAGE,
        }
    }
}

/// The `pb.Range` BuildKit expects of a position: start and end both set
/// (the Go printers dereference both), here the same point; `character`
/// is 0-based.
pub fn range(pos: Pos) -> pb::Range {
    let at = pb::Position {
        line: clamp(pos.line),
        character: clamp(pos.column.saturating_sub(1)),
    };
    pb::Range {
        start: Some(at),
        end: Some(at),
    }
}

/// No ranges for an unknown position.
pub fn ranges(pos: Option<Pos>) -> Vec<pb::Range> {
    pos.filter(|p| p.line > 0).map(range).into_iter().collect()
}

fn clamp(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

// The Go structs of source positions, as JSON: field order, names and
// `omitempty` as in BuildKit.

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

fn b64<S: serde::Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
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
pub(crate) struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// `pb.Location` (`sourceIndex,omitempty`, `ranges,omitempty`).
#[derive(Serialize)]
pub(crate) struct JsonLocation {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero_i32")]
    source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) ranges: Vec<JsonRange>,
}

impl JsonLocation {
    /// A location in source 0 (the spec), possibly with no ranges.
    pub(crate) fn of(pos: Option<Pos>) -> JsonLocation {
        JsonLocation {
            source_index: 0,
            ranges: ranges(pos)
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
    pub(crate) fn optional(pos: Option<Pos>) -> Option<JsonLocation> {
        let l = JsonLocation::of(pos);
        (!l.ranges.is_empty()).then_some(l)
    }
}

/// `pb.SourceInfo` (`filename`, `data` base64, `definition`, `language`;
/// all `omitempty`).
#[derive(Serialize)]
pub(crate) struct JsonSourceInfo<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    filename: &'a str,
    #[serde(serialize_with = "b64", skip_serializing_if = "<[u8]>::is_empty")]
    data: &'a [u8],
    #[serde(skip_serializing_if = "str::is_empty")]
    language: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_pads_like_errdefs_source_print() {
        let s = SpecSource::new("f", "a\nb\nc");
        assert_eq!(
            s.excerpt(1, 1),
            "f:1\n--------------------\n   1 | >>> a\n   2 |     b\n   3 |     c\n--------------------\n"
        );
        assert_eq!(s.excerpt(4, 4), "");
        assert_eq!(s.excerpt(0, 0), "");
    }

    #[test]
    fn the_error_detail_is_buildkit_json() {
        let any =
            SpecSource::new("gofront.yaml", "main: x\n").error_detail(Pos { line: 1, column: 7 });
        assert_eq!(any.type_url, "github.com/moby/buildkit/errdefs.Source+json");
        let v: serde_json::Value = serde_json::from_slice(&any.value).unwrap();
        assert_eq!(v["info"]["filename"], "gofront.yaml");
        assert_eq!(v["info"]["language"], "YAML");
        assert_eq!(v["ranges"][0]["start"]["line"], 1);
        assert_eq!(v["ranges"][0]["start"]["character"], 6);
        assert_eq!(v["info"]["data"], "bWFpbjogeAo=");
    }
}
