//! Where the Go module and build caches live.

use serde::Serialize;

use super::CACHE_ARG;

/// Where the Go module and build caches live.
///
/// BuildKit never exports cache mounts, so `--cache-to`/`--cache-from`
/// carry only layers; but a layer starts empty whenever its key changes,
/// while a cache mount keeps everything that is still valid. Each is the
/// better choice in one place: mounts where the daemon's cache persists
/// (a laptop), layers where only the exported cache does (a CI runner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    /// GOMODCACHE and GOCACHE are cache mounts shared by every build on the
    /// daemon: a dependency bump fetches and compiles only what changed.
    Mounts,
    /// The modules are the download step's layer (keyed on go.mod/go.sum),
    /// and the dependencies are compiled ahead into a layer keyed on the
    /// module files and the list of imported packages; `go build`'s cache
    /// mount starts from it. `--cache-to … mode=max` exports both, so a
    /// fresh runner downloads nothing and compiles only the main module.
    Layers,
}

impl CacheMode {
    /// `GOFRONT_CACHE` (`auto`, `mounts`, `layers`); `auto` (the default)
    /// is layers when the build imports a cache, mounts otherwise.
    pub fn choose(arg: Option<&str>, cache_imported: bool) -> Result<CacheMode, String> {
        match arg.map(str::trim) {
            None | Some("" | "auto") if cache_imported => Ok(CacheMode::Layers),
            None | Some("" | "auto") => Ok(CacheMode::Mounts),
            Some("mounts") => Ok(CacheMode::Mounts),
            Some("layers") => Ok(CacheMode::Layers),
            Some(_) => Err(format!(
                "build arg {CACHE_ARG}={:?}: the choices are auto, mounts and layers (hint: auto uses layers, which --cache-to can export, when the build has --cache-from, and cache mounts otherwise)",
                arg.unwrap_or_default()
            )),
        }
    }
}
