//! File operations: copy, mkdir and mkfile, chained into one FileOp.
//!
//! BuildKit's "unset" for `mode` and `timestamp` is -1, not the proto3
//! default 0 (which means chmod 000 and 1970): every action starts from -1.

use bollard_buildkit_proto::pb;

use super::{InputSet, Node, OpKind, OpOptions, Platform, State};

/// File owner as numeric ids (names would need an `/etc/passwd` lookup in
/// the target, which scratch images do not have).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    fn to_pb(self) -> pb::ChownOpt {
        let id = |v: u32| pb::UserOpt {
            user: Some(pb::user_opt::User::ById(v)),
        };
        pb::ChownOpt {
            user: Some(id(self.uid)),
            group: Some(id(self.gid)),
        }
    }
}

/// Options of one copy action.
#[derive(Clone, Debug, Default)]
pub struct CopyOptions {
    /// Permission bits, e.g. `0o755`; `None` keeps the source's.
    pub mode: Option<i32>,
    pub owner: Option<Owner>,
    /// Unix seconds for the copied files' mtime; `None` keeps the source's.
    pub timestamp: Option<i64>,
    /// A missing source copies nothing instead of failing: BuildKit's
    /// wildcard copy with `allow_empty_wildcard`. BuildKit computes the cache
    /// key of a path without glob characters as an exact lookup, which fails
    /// on a missing file, so the path's last letter is written as a
    /// one-letter class (`go.su[m]`), which matches only the path itself.
    pub optional: bool,
    /// Unpack `src` when it is an archive (tar, gzip, bzip2, xz), as
    /// `ADD` does.
    pub unpack: bool,
}

enum Action {
    Copy {
        from: State,
        src: String,
        dest: String,
        options: CopyOptions,
    },
    Mkdir {
        path: String,
        mode: i32,
        owner: Option<Owner>,
        timestamp: Option<i64>,
    },
    Mkfile {
        path: String,
        mode: i32,
        data: Vec<u8>,
        owner: Option<Owner>,
        timestamp: Option<i64>,
    },
    Rm {
        path: String,
    },
}

/// A chain of file actions applied in order on top of a base state.
pub struct FileActions {
    base: State,
    actions: Vec<Action>,
}

/// `path` as a glob pattern that matches only itself: its last letter or
/// digit as a one-letter class. Paths of other characters only are kept.
fn as_pattern(path: &str) -> String {
    let last_name = path.rfind('/').map_or(0, |i| i + 1);
    match path[last_name..]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_alphanumeric())
    {
        Some((i, c)) => {
            let at = last_name + i;
            format!("{}[{c}]{}", &path[..at], &path[at + 1..])
        }
        None => path.to_string(),
    }
}

/// BuildKit takes FileOp timestamps in nanoseconds; -1 means "keep".
fn timestamp_ns(seconds: Option<i64>) -> i64 {
    seconds
        .map(|s| s.saturating_mul(1_000_000_000))
        .unwrap_or(-1)
}

impl FileActions {
    pub(crate) fn on(base: State) -> Self {
        FileActions {
            base,
            actions: Vec::new(),
        }
    }

    /// Copy `src` (a path in `from`) to `dest`, creating parent directories.
    pub fn copy(mut self, from: &State, src: &str, dest: &str, options: CopyOptions) -> Self {
        self.actions.push(Action::Copy {
            from: from.clone(),
            src: src.to_string(),
            dest: dest.to_string(),
            options,
        });
        self
    }

    pub fn mkdir(
        mut self,
        path: &str,
        mode: i32,
        owner: Option<Owner>,
        timestamp: Option<i64>,
    ) -> Self {
        self.actions.push(Action::Mkdir {
            path: path.to_string(),
            mode,
            owner,
            timestamp,
        });
        self
    }

    pub fn mkfile(
        mut self,
        path: &str,
        mode: i32,
        data: Vec<u8>,
        owner: Option<Owner>,
        timestamp: Option<i64>,
    ) -> Self {
        self.actions.push(Action::Mkfile {
            path: path.to_string(),
            mode,
            data,
            owner,
            timestamp,
        });
        self
    }

    /// Remove `path` (a file or a whole folder); nothing there is fine.
    pub fn rm(mut self, path: &str) -> Self {
        self.actions.push(Action::Rm {
            path: path.to_string(),
        });
        self
    }

    /// Turn the chain into one FileOp node. Each action works on the result
    /// of the previous one: an action input `>= len(inputs)` names the
    /// output of action `input - len(inputs)`.
    pub fn finish(self, platform: &Platform, options: OpOptions) -> State {
        if self.actions.is_empty() {
            return self.base;
        }
        let mut inputs = InputSet::default();
        let base_index = inputs.index_of(&self.base);
        // Secondary inputs are registered first so that the input count is
        // known before chaining indexes are computed.
        let secondary: Vec<i64> = self
            .actions
            .iter()
            .map(|a| match a {
                Action::Copy { from, .. } => inputs.index_of(from),
                _ => -1,
            })
            .collect();
        let n_inputs = inputs.inputs.len() as i64;
        let last = self.actions.len() - 1;
        let mut pb_actions = Vec::new();
        for (i, action) in self.actions.into_iter().enumerate() {
            let input = if i == 0 {
                base_index
            } else {
                n_inputs + i as i64 - 1
            };
            let output = if i == last { 0 } else { -1 };
            let kind = match action {
                Action::Copy {
                    src, dest, options, ..
                } => pb::file_action::Action::Copy(pb::FileActionCopy {
                    src: if options.optional {
                        as_pattern(&src)
                    } else {
                        src
                    },
                    dest,
                    owner: options.owner.map(Owner::to_pb),
                    mode: options.mode.unwrap_or(-1),
                    follow_symlink: true,
                    dir_copy_contents: true,
                    create_dest_path: true,
                    allow_wildcard: options.optional,
                    allow_empty_wildcard: options.optional,
                    attempt_unpack_docker_compatibility: options.unpack,
                    timestamp: timestamp_ns(options.timestamp),
                    ..Default::default()
                }),
                Action::Mkdir {
                    path,
                    mode,
                    owner,
                    timestamp,
                } => pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                    path,
                    mode,
                    make_parents: true,
                    owner: owner.map(Owner::to_pb),
                    timestamp: timestamp_ns(timestamp),
                }),
                Action::Mkfile {
                    path,
                    mode,
                    data,
                    owner,
                    timestamp,
                } => pb::file_action::Action::Mkfile(pb::FileActionMkFile {
                    path,
                    mode,
                    data,
                    owner: owner.map(Owner::to_pb),
                    timestamp: timestamp_ns(timestamp),
                }),
                Action::Rm { path } => pb::file_action::Action::Rm(pb::FileActionRm {
                    path,
                    allow_not_found: true,
                    allow_wildcard: false,
                }),
            };
            pb_actions.push(pb::FileAction {
                input,
                secondary_input: secondary[i],
                output,
                action: Some(kind),
            });
        }
        State::from_node(
            Node {
                kind: OpKind::File(pb::FileOp {
                    actions: pb_actions,
                }),
                inputs: inputs.inputs,
                platform: Some(platform.clone()),
                caps: vec!["file.base"],
                options,
            },
            0,
        )
    }
}
