//! What a module depends on, from its `go.mod`: the `require` lines and
//! the `tool` lines (Go 1.24+), and which of those requirements cannot work
//! without cgo. No network and no `go` command: `go.mod` is enough, since
//! from Go 1.17 on it lists every module that provides a package the
//! module's packages import, directly or not (`// indirect`).

/// One `require` line of a `go.mod`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    /// Marked `// indirect`: another module needs it.
    pub indirect: bool,
    /// 1-based line in go.mod.
    pub line: u32,
}

/// The `require` lines of a `go.mod`, single or in blocks.
pub fn requires(gomod: &str) -> Vec<Require> {
    directive_lines(gomod, "require")
        .into_iter()
        .filter_map(|(line, words, comment)| {
            let mut words = words.into_iter();
            let path = words.next()?;
            let version = words.next().unwrap_or_default();
            let indirect = comment.split(';').any(|part| part.trim() == "indirect");
            Some(Require {
                path,
                version,
                indirect,
                line,
            })
        })
        .collect()
}

/// The package paths of a `go.mod`'s `tool` lines (`go get -tool`).
pub fn tools(gomod: &str) -> Vec<String> {
    directive_lines(gomod, "tool")
        .into_iter()
        .filter_map(|(_, words, _)| words.into_iter().next())
        .collect()
}

/// Every use of `verb` (`require x v1`, or a line of a `require ( … )`
/// block): its line, its words unquoted, and its `//` comment.
fn directive_lines(gomod: &str, verb: &str) -> Vec<(u32, Vec<String>, String)> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for (i, raw) in gomod.lines().enumerate() {
        let (code, comment) = match raw.split_once("//") {
            Some((code, comment)) => (code.trim(), comment.trim()),
            None => (raw.trim(), ""),
        };
        let words: Vec<String> = code
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '`').to_string())
            .collect();
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if let Some(current) = &block {
            if code == ")" {
                block = None;
            } else if current == verb && !words.is_empty() {
                out.push((line, words, comment.to_string()));
            }
            continue;
        }
        match words.as_slice() {
            [v, open] if open == "(" => block = Some(v.clone()),
            [v, rest @ ..] if v == verb && !rest.is_empty() => {
                out.push((line, rest.to_vec(), comment.to_string()));
            }
            _ => {}
        }
    }
    out
}

/// A module that does nothing useful with cgo off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CgoOnly {
    /// The module path; its major versions (`/v2`) match too.
    pub module: &'static str,
    /// What happens with `CGO_ENABLED=0`.
    pub without_cgo: &'static str,
    /// What cgo alone does not bring, if anything.
    pub also_needs: Option<&'static str>,
}

/// Modules that cannot work without cgo. Short on purpose: a module is
/// here only when its Go API is a wrapper around C code, so that a build
/// with cgo off either fails or links a stub. Pure-Go alternatives exist for
/// most (modernc.org/sqlite, franz-go, segmentio/kafka-go), and modules
/// with an optional cgo path (go-gl's GLFW, GUI toolkits: no services
/// anyway) are left out.
pub const CGO_ONLY_MODULES: &[CgoOnly] = &[
    // SQLite's C source compiled by cgo; with cgo off a stub driver is
    // registered whose every call returns "Binary was compiled with
    // 'CGO_ENABLED=0', go-sqlite3 requires cgo to work. This is a stub".
    CgoOnly {
        module: "github.com/mattn/go-sqlite3",
        without_cgo: "the binary builds and fails at start",
        also_needs: None,
    },
    // librdkafka through cgo (a static librdkafka for glibc is bundled);
    // every Go file of the package imports "C".
    CgoOnly {
        module: "github.com/confluentinc/confluent-kafka-go",
        without_cgo: "the build fails (undefined: kafka.NewProducer)",
        also_needs: None,
    },
    CgoOnly {
        module: "gopkg.in/confluentinc/confluent-kafka-go.v1",
        without_cgo: "the build fails (undefined: kafka.NewProducer)",
        also_needs: None,
    },
    // RocksDB's C API through cgo, linked against a librocksdb the module
    // does not bundle.
    CgoOnly {
        module: "github.com/linxGnu/grocksdb",
        without_cgo: "the build fails (build constraints exclude all Go files)",
        also_needs: Some("the RocksDB C library (librocksdb-dev) in the builder and the runtime"),
    },
    CgoOnly {
        module: "github.com/tecbot/gorocksdb",
        without_cgo: "the build fails (build constraints exclude all Go files)",
        also_needs: Some("the RocksDB C library (librocksdb-dev) in the builder and the runtime"),
    },
];

/// The cgo-only module a module path is (or is a major version of).
pub fn cgo_only(path: &str) -> Option<&'static CgoOnly> {
    CGO_ONLY_MODULES.iter().find(|c| {
        path == c.module
            || path
                .strip_prefix(c.module)
                .and_then(|rest| rest.strip_prefix("/v"))
                .is_some_and(|major| !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The requirements of a `go.mod` that need cgo, direct ones first.
pub fn cgo_only_requirements(gomod: &str) -> Vec<(Require, &'static CgoOnly)> {
    let mut found: Vec<(Require, &'static CgoOnly)> = requires(gomod)
        .into_iter()
        .filter_map(|r| cgo_only(&r.path).map(|c| (r, c)))
        .collect();
    found.sort_by_key(|(r, _)| (r.indirect, r.line));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOMOD: &str = "module example.com/shop // the shop\n\ngo 1.24\n\n\
        require github.com/go-chi/chi/v5 v5.2.1\n\
        require (\n\
        \tgithub.com/confluentinc/confluent-kafka-go/v2 v2.10.0\n\
        \t\"github.com/mattn/go-sqlite3\" v1.14.28 // indirect\n\
        \tgithub.com/mattn/go-sqlite3-extra v1.0.0\n\
        )\n\
        replace (\n\tgithub.com/tecbot/gorocksdb => ../gorocksdb\n)\n\
        exclude github.com/linxGnu/grocksdb v1.0.0\n\
        tool golang.org/x/tools/cmd/stringer\n\
        tool (\n\tgithub.com/sqlc-dev/sqlc/cmd/sqlc\n)\n";

    #[test]
    fn requires_and_tools() {
        let r = requires(GOMOD);
        let paths: Vec<(&str, &str, bool, u32)> = r
            .iter()
            .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect, r.line))
            .collect();
        assert_eq!(
            paths,
            [
                ("github.com/go-chi/chi/v5", "v5.2.1", false, 5),
                (
                    "github.com/confluentinc/confluent-kafka-go/v2",
                    "v2.10.0",
                    false,
                    7
                ),
                ("github.com/mattn/go-sqlite3", "v1.14.28", true, 8),
                ("github.com/mattn/go-sqlite3-extra", "v1.0.0", false, 9),
            ]
        );
        assert_eq!(
            tools(GOMOD),
            [
                "golang.org/x/tools/cmd/stringer",
                "github.com/sqlc-dev/sqlc/cmd/sqlc"
            ]
        );
    }

    #[test]
    fn cgo_only_modules_by_path_and_major_version() {
        let found: Vec<(&str, bool)> = cgo_only_requirements(GOMOD)
            .iter()
            .map(|(r, c)| (c.module, r.indirect))
            .collect();
        // Not replace or exclude lines, not a longer path.
        assert_eq!(
            found,
            [
                ("github.com/confluentinc/confluent-kafka-go", false),
                ("github.com/mattn/go-sqlite3", true),
            ]
        );
        assert!(cgo_only("github.com/mattn/go-sqlite3/v2").is_some());
        assert!(cgo_only("github.com/mattn/go-sqlite3/vx").is_none());
        assert!(cgo_only("modernc.org/sqlite").is_none());
        assert!(cgo_only("github.com/mattn/go-sqlite").is_none());
    }
}
