//! The spec file as BuildKit's source types carry it: `pb.SourceInfo`,
//! the `errdefs.Source` detail of an error, `pb.Range`s, and the excerpt
//! clients print under an error or a warning.

use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::pb;
use serde::Serialize;

use super::Location;
use super::gojson::{JsonLocation, JsonRange, JsonSourceInfo};

impl Location {
    /// The `pb.Range` BuildKit expects: start and end both set (the Go
    /// printers dereference both), here the same point.
    pub fn to_pb_range(self) -> pb::Range {
        let at = pb::Position {
            line: clamp(self.line),
            character: clamp(self.column.saturating_sub(1)),
        };
        pb::Range {
            start: Some(at),
            end: Some(at),
        }
    }

    /// No ranges for an unknown position.
    pub fn to_pb_ranges(loc: Option<Location>) -> Vec<pb::Range> {
        loc.filter(|l| l.line > 0)
            .map(|l| vec![l.to_pb_range()])
            .unwrap_or_default()
    }
}

fn clamp(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The spec file, as the client sent it.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// As the user knows it (`gofront.yaml`), the `filename` opt.
    pub filename: &'a str,
    /// The whole file.
    pub data: &'a [u8],
    /// A linguist name: `YAML`.
    pub language: &'a str,
}

impl SourceFile<'_> {
    /// `pb.SourceInfo` (no `definition`: callers may add the one that
    /// loaded the file).
    pub fn to_pb(&self) -> pb::SourceInfo {
        pb::SourceInfo {
            filename: self.filename.to_string(),
            data: self.data.to_vec(),
            definition: None,
            language: self.language.to_string(),
        }
    }
}

/// `errdefs.Source` (`solver/errdefs/errdefs.proto`): the file and the
/// ranges an error points at.
#[derive(Serialize)]
struct JsonSource<'a> {
    info: JsonSourceInfo<'a>,
    ranges: Vec<JsonRange>,
}

/// The `errdefs.Source` detail of an error at `loc` in `src`, as BuildKit
/// sends it (a JSON `Any`): clients that render it print the excerpt.
pub fn source_detail(src: &SourceFile, loc: Location) -> Any {
    let value = JsonSource {
        info: JsonSourceInfo {
            filename: src.filename,
            data: src.data,
            language: src.language,
        },
        ranges: JsonLocation::of(Some(loc)).ranges,
    };
    Any {
        type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
        value: serde_json::to_vec(&value).expect("json serializes"),
    }
}

/// `errdefs.Source.Print`: the file name and first line, then the lines
/// around `start..=end` with `>>>` on those in the range.
pub fn excerpt(src: &SourceFile, start: u32, end: u32) -> String {
    let text = String::from_utf8_lossy(src.data);
    let lines: Vec<&str> = text.split('\n').collect();
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
    let mut out = format!("{}:{first}\n--------------------\n", src.filename);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_pads_like_errdefs_source_print() {
        let s = SourceFile {
            filename: "f",
            data: b"a\nb\nc",
            language: "YAML",
        };
        assert_eq!(
            excerpt(&s, 1, 1),
            "f:1\n--------------------\n   1 | >>> a\n   2 |     b\n   3 |     c\n--------------------\n"
        );
        assert_eq!(excerpt(&s, 4, 4), "");
        assert_eq!(excerpt(&s, 0, 0), "");
    }
}
