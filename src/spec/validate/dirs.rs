//! `dirs`: the folders the service writes, owned by its user.

use serde_saphyr::Spanned;

use super::super::raw::RawDir;
use super::{Errors, image_path, octal_mode, owner_ids};
use crate::spec::{Located, Pos, SpecError, StateDir, User, short};

/// A state folder's mode when the spec gives none: the owner writes,
/// everyone may read, as `mkdir` makes it.
pub const DEFAULT_DIR_MODE: u32 = 0o755;

pub(super) fn state_dirs(
    e: &Errors,
    raw: Vec<Spanned<RawDir>>,
    user: &Located<User>,
) -> Result<Vec<StateDir>, SpecError> {
    let mut dirs: Vec<StateDir> = Vec::new();
    for entry in raw {
        let pos = Pos::from(&entry);
        let (path, path_pos, mode, owner, volume) = match entry.value {
            RawDir::Path(p) => (p, pos, None, None, false),
            RawDir::Map(m) => {
                let path = m.path.ok_or_else(|| {
                    e.at(
                        pos,
                        "dirs: `path` is missing",
                        "the absolute path of the folder in the image, e.g. /var/lib/app",
                    )
                })?;
                let path_pos = Pos::from(&path);
                let mode = m.mode.map(|m| octal_mode(e, m, "dirs.mode")).transpose()?;
                let owner = m.owner.map(|o| owner_ids(e, o, "dirs.owner")).transpose()?;
                (
                    path.value,
                    path_pos,
                    mode,
                    owner,
                    m.volume.is_some_and(|v| v.value),
                )
            }
        };
        let path = image_path(&path).map_err(|why| {
            e.at(
                path_pos,
                format!("dirs: {why}"),
                "an absolute path such as /var/lib/app",
            )
        })?;
        if path == "/" {
            return Err(e.at(path_pos, "dirs: \"/\" is the image's root", ""));
        }
        let owner = match (owner, user.value.ids) {
            (Some(o), _) => o,
            (None, Some(ids)) => ids,
            (None, None) => {
                return Err(e.at(
                    pos,
                    format!(
                        "dirs: {path} would be owned by the user \"{}\", a name; a folder's owner is numeric",
                        short(&user.value.spec)
                    ),
                    "give the folder an owner, e.g. owner: \"65532:65532\", or write `user` as uid:gid",
                ));
            }
        };
        if dirs.iter().any(|d| d.path == path) {
            return Err(e.at(
                path_pos,
                format!("dirs: {path} is listed twice"),
                "list each folder once",
            ));
        }
        dirs.push(StateDir {
            path,
            mode: mode.unwrap_or(DEFAULT_DIR_MODE),
            owner,
            volume,
            pos,
        });
    }
    dirs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(dirs)
}
