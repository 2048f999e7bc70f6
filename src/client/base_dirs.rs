//! The folders of the runtime base that the final stage would make again
//! (the workdir, `dirs`, the files' folders and their parents): their
//! owner and mode are kept, as a Dockerfile's WORKDIR keeps them, so that
//! `workdir: /home/nonroot` leaves distroless's 0700 home its own.

use std::collections::BTreeMap;

use crate::gateway::{Bridge, Failure, fsutil_stat};
use crate::llb::{self, OpOptions};
use crate::plan::{DirMeta, SourceImage};
use crate::request::BuildRequest;

use super::solve_state;

/// Look `paths` up in `image`; those that are folders there, with their
/// owner and mode.
pub(super) async fn lookup(
    bridge: &mut Bridge,
    request: &BuildRequest,
    image: &SourceImage,
    paths: &[String],
) -> Result<BTreeMap<String, DirMeta>, Failure> {
    let mut found = BTreeMap::new();
    // Another build's result has no registry reference to read it by;
    // its folders are made as for scratch.
    if paths.is_empty() || image.input.is_some() {
        return Ok(found);
    }
    let state = llb::image(
        &image.reference,
        &image.platform,
        &request.resolve_mode,
        OpOptions::named(format!(
            "[gofront] runtime {} ({})",
            image.reference, image.platform
        )),
    );
    let (reference, _) = solve_state(bridge, &state, "read the runtime image's folders").await?;
    // One listing per parent: the paths share most of theirs.
    let mut by_parent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for path in paths {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = if parent.is_empty() { "/" } else { parent };
        by_parent.entry(parent).or_default().push(name);
    }
    for (parent, names) in by_parent {
        let Some(entries) = bridge.read_dir(&reference, parent).await? else {
            continue;
        };
        for e in entries {
            if names.contains(&e.path.as_str()) && e.mode & fsutil_stat::MODE_DIR != 0 {
                let path = if parent == "/" {
                    format!("/{}", e.path)
                } else {
                    format!("{parent}/{}", e.path)
                };
                found.insert(
                    path,
                    DirMeta {
                        uid: e.uid,
                        gid: e.gid,
                        mode: e.mode & 0o777,
                    },
                );
            }
        }
    }
    Ok(found)
}
