//! The one pass over the module's files that `gofront init` makes: every
//! folder's non-test Go files, read and scanned, and the folders with a
//! `package.json`. Folders the go command ignores are not entered.

use std::io::Read;
use std::path::Path;

use crate::golang::{self, source::SourceFacts};

/// Folders looked into at most (a safety net for huge trees).
const MAX_DIRS: usize = 20_000;
/// The most read of one Go file: a file of generated data can be huge, and
/// what init looks for is near the top of the code.
const MAX_FILE: u64 = 1 << 20;
/// The most read of all Go files; after that, only their first bytes (the
/// header and the package clause).
const MAX_TOTAL: u64 = 64 << 20;
const HEAD: u64 = 16 << 10;

/// A non-test Go file.
#[derive(Clone, Debug)]
pub(in crate::cli) struct GoFile {
    pub name: String,
    /// Why the go command leaves it out of a Linux build, if it does.
    pub excluded: Option<String>,
    pub facts: SourceFacts,
}

/// A folder with a `package.json`.
#[derive(Clone, Debug, Default)]
pub(in crate::cli) struct NodeDir {
    pub package_json: String,
    /// `vite.config.{ts,js,mjs,mts}`, for its `outDir`.
    pub vite_config: Option<String>,
}

/// A folder of the module with Go files or a `package.json`.
#[derive(Clone, Debug, Default)]
pub(in crate::cli) struct Dir {
    /// Relative to the module's folder, `/`-separated; "" for the module's.
    pub rel: String,
    pub go_files: Vec<GoFile>,
    pub node: Option<NodeDir>,
}

impl Dir {
    /// The folder as a package path: `.` or `./a/b`.
    pub fn package(&self) -> String {
        package_path(&self.rel)
    }

    /// The Go files the go command compiles for Linux.
    pub fn built(&self) -> impl Iterator<Item = &GoFile> {
        self.go_files.iter().filter(|f| f.excluded.is_none())
    }

    /// A file of this folder, relative to the module (`a/b/main.go`).
    pub fn file(&self, name: &str) -> String {
        if self.rel.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.rel)
        }
    }
}

/// `.` or `./a/b` for a folder relative to the module.
pub(super) fn package_path(rel: &str) -> String {
    if rel.is_empty() {
        ".".to_string()
    } else {
        format!("./{rel}")
    }
}

/// The module's folders, sorted by path.
#[derive(Clone, Debug, Default)]
pub(in crate::cli) struct Tree {
    pub dirs: Vec<Dir>,
    /// Folders with their own `go.mod`: other modules, not entered.
    pub nested_modules: Vec<String>,
    /// Go files read only in part (the module is very large).
    pub partly_read: usize,
}

/// Walk the module in `root`: as `go build ./...` sees it (no `vendor`,
/// `testdata`, `.` or `_` folders, no nested modules), and no
/// `node_modules`. Symbolic links are not followed.
pub(in crate::cli) fn walk(root: &Path) -> Result<Tree, String> {
    let mut tree = Tree::default();
    let mut budget = MAX_TOTAL;
    let mut stack = vec![(root.to_path_buf(), String::new())];
    let mut seen = 0;
    while let Some((dir, rel)) = stack.pop() {
        seen += 1;
        if seen > MAX_DIRS {
            return Err(format!(
                "more than {MAX_DIRS} folders under {}; run gofront init in the module's folder",
                root.display()
            ));
        }
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        let mut here = Dir {
            rel: rel.clone(),
            ..Dir::default()
        };
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            // Go ignores files and folders whose names start with . or _.
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if kind.is_dir() {
                if matches!(name.as_str(), "vendor" | "testdata" | "node_modules") {
                    continue;
                }
                if path.join("go.mod").exists() {
                    tree.nested_modules.push(child);
                    continue;
                }
                stack.push((path, child));
            } else if kind.is_file() && name.ends_with(".go") && !name.ends_with("_test.go") {
                let limit = if budget > 0 { MAX_FILE } else { HEAD };
                let Ok(bytes) = read_at_most(&path, limit) else {
                    continue;
                };
                budget = budget.saturating_sub(bytes.len() as u64);
                if limit == HEAD {
                    tree.partly_read += 1;
                }
                let src = String::from_utf8_lossy(&bytes);
                here.go_files.push(GoFile {
                    excluded: golang::linux_exclusion(&name, &src),
                    facts: golang::source::scan(&src),
                    name,
                });
            } else if kind.is_file() && name == "package.json" {
                let Ok(package_json) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let vite_config = [
                    "vite.config.ts",
                    "vite.config.js",
                    "vite.config.mjs",
                    "vite.config.mts",
                ]
                .iter()
                .find_map(|f| std::fs::read_to_string(dir.join(f)).ok());
                here.node = Some(NodeDir {
                    package_json,
                    vite_config,
                });
            }
        }
        if !here.go_files.is_empty() || here.node.is_some() {
            tree.dirs.push(here);
        }
    }
    tree.dirs.sort_by(|a, b| a.rel.cmp(&b.rel));
    tree.nested_modules.sort();
    Ok(tree)
}

fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
