//! Paths and names in a Go build: where the module's folder and its
//! packages are inside the build context, and what a binary is called.

/// A path relative to the context root ("" for the root) from the module
/// dir and a path inside the module, both normalized (`.` or `./x`).
pub fn context_dir(dir: &str, path: &str) -> String {
    [dir, path]
        .iter()
        .map(|p| p.trim_start_matches('.').trim_start_matches('/'))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// The name `go build` gives the binary of `main` (a normalized package
/// path, `.` or `./cmd/x`): its last element, or the module's short name
/// for the module root.
pub fn binary_name(main: &str, module: &super::GoMod) -> String {
    match main {
        "." => module.short_name(),
        m => m.rsplit('/').next().unwrap_or_default().to_string(),
    }
}
