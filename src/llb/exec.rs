//! Exec operations: run an argv vector in a container.
//!
//! There is deliberately no "shell" form: callers give an argv vector, so no
//! user value can ever be interpreted by a shell.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::{InputSet, Node, OpKind, OpOptions, Platform, State};

/// How concurrent builds share a cache mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheSharing {
    /// Concurrent writers share the directory (safe for Go's caches,
    /// which lock and write atomically).
    Shared,
    Private,
    Locked,
}

#[derive(Clone, Debug)]
enum MountSource {
    /// A bind mount of a state; `writable` mounts produce an output.
    Bind {
        state: State,
        writable: bool,
        /// Writable, but what is written is thrown away (no output).
        discard: bool,
    },
    Cache {
        id: String,
        sharing: CacheSharing,
        /// The cache starts as a copy of this state; BuildKit keeps one
        /// cache directory per (id, seed result).
        seed: Option<State>,
    },
    /// A build secret (`--secret id=…`), never part of any layer.
    Secret {
        id: String,
        mode: u32,
        optional: bool,
    },
    /// The client's SSH agent socket (`--ssh id`).
    Ssh { id: String, optional: bool },
}

/// The network an exec sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// The daemon's default (a sandbox network, or whatever it is configured for).
    #[default]
    Default,
    Host,
    None,
}

#[derive(Clone, Debug)]
struct MountSpec {
    dest: String,
    source: MountSource,
}

/// Describes an exec before it is turned into a graph node.
#[derive(Clone, Debug)]
pub struct Exec {
    rootfs: State,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: String,
    user: String,
    mounts: Vec<MountSpec>,
    network: Network,
    /// `/etc/hosts` additions (host, IP).
    extra_hosts: Vec<(String, String)>,
    platform: Platform,
    options: OpOptions,
}

/// The outputs of an exec: the root filesystem and every writable mount.
#[derive(Clone, Debug)]
pub struct ExecOutputs {
    pub root: State,
    mounts: BTreeMap<String, State>,
}

impl ExecOutputs {
    /// The state a writable mount at `dest` ends in.
    pub fn mount(&self, dest: &str) -> Option<State> {
        self.mounts.get(dest).cloned()
    }
}

impl Exec {
    pub fn new(rootfs: State, args: Vec<String>, platform: &Platform, options: OpOptions) -> Self {
        Exec {
            rootfs,
            args,
            env: BTreeMap::new(),
            cwd: "/".to_string(),
            user: String::new(),
            mounts: Vec::new(),
            network: Network::Default,
            extra_hosts: Vec::new(),
            platform: platform.clone(),
            options,
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    pub fn cwd(mut self, cwd: &str) -> Self {
        self.cwd = cwd.to_string();
        self
    }

    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_string();
        self
    }

    /// Bind `state` read-only at `dest`; it never becomes part of a layer.
    pub fn mount_readonly(self, dest: &str, state: &State) -> Self {
        self.bind(dest, state, false, false)
    }

    /// Bind `state` writable at `dest`; what the command leaves there is an
    /// output of the exec (see [`ExecOutputs::mount`]).
    pub fn mount_output(self, dest: &str, state: &State) -> Self {
        self.bind(dest, state, true, false)
    }

    /// Bind `state` writable at `dest`, discarding whatever the command
    /// writes there (cap `exec.mount.bind.readwrite-nooutput`, BuildKit 0.6.1+).
    pub fn mount_writable_discarded(self, dest: &str, state: &State) -> Self {
        self.bind(dest, state, true, true)
    }

    fn bind(mut self, dest: &str, state: &State, writable: bool, discard: bool) -> Self {
        self.mounts.push(MountSpec {
            dest: dest.to_string(),
            source: MountSource::Bind {
                state: state.clone(),
                writable,
                discard,
            },
        });
        self
    }

    /// A persistent cache directory at `dest`, shared across builds by `id`.
    pub fn mount_cache(self, dest: &str, id: &str, sharing: CacheSharing) -> Self {
        self.cache(dest, id, sharing, None)
    }

    /// A persistent cache directory at `dest` that starts as a copy of
    /// `seed` (Dockerfile's `--mount=type=cache,from=…`). BuildKit keys the
    /// directory on `id` and the seed's result, so a new seed starts a new
    /// directory, and builds with the same seed share one.
    pub fn mount_cache_seeded(
        self,
        dest: &str,
        id: &str,
        sharing: CacheSharing,
        seed: &State,
    ) -> Self {
        self.cache(dest, id, sharing, Some(seed.clone()))
    }

    fn cache(mut self, dest: &str, id: &str, sharing: CacheSharing, seed: Option<State>) -> Self {
        self.mounts.push(MountSpec {
            dest: dest.to_string(),
            source: MountSource::Cache {
                id: id.to_string(),
                sharing,
                seed,
            },
        });
        self
    }

    /// Mount the build secret `id` as a file at `dest` (read-only, `mode`).
    /// An `optional` secret that the client did not send is simply absent.
    pub fn mount_secret(mut self, dest: &str, id: &str, mode: u32, optional: bool) -> Self {
        self.mounts.push(MountSpec {
            dest: dest.to_string(),
            source: MountSource::Secret {
                id: id.to_string(),
                mode,
                optional,
            },
        });
        self
    }

    /// Mount the client's SSH agent `id` as a socket at `dest`.
    pub fn mount_ssh(mut self, dest: &str, id: &str, optional: bool) -> Self {
        self.mounts.push(MountSpec {
            dest: dest.to_string(),
            source: MountSource::Ssh {
                id: id.to_string(),
                optional,
            },
        });
        self
    }

    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    pub fn extra_host(mut self, host: &str, ip: &str) -> Self {
        self.extra_hosts.push((host.to_string(), ip.to_string()));
        self
    }

    /// Turn the description into a graph node.
    pub fn run(self) -> ExecOutputs {
        let mut inputs = InputSet::default();
        let mut caps = vec!["exec.meta.base", "exec.mount.bind"];
        let mut pb_mounts = Vec::new();
        // The root filesystem is always output 0.
        pb_mounts.push(pb::Mount {
            input: inputs.index_of(&self.rootfs),
            dest: "/".to_string(),
            output: 0,
            mount_type: pb::MountType::Bind as i32,
            ..Default::default()
        });
        let mut next_output = 1;
        let mut writable = Vec::new();
        // Mounts are ordered by destination so that the op bytes do not
        // depend on the order the caller added them in.
        let mut mounts = self.mounts.clone();
        mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
        for m in &mounts {
            match &m.source {
                MountSource::Bind {
                    state,
                    writable: rw,
                    discard,
                } => {
                    if *discard {
                        caps.push("exec.mount.bind.readwrite-nooutput");
                    }
                    let output = if *rw && !*discard {
                        writable.push((m.dest.clone(), next_output));
                        next_output += 1;
                        next_output - 1
                    } else {
                        -1
                    };
                    pb_mounts.push(pb::Mount {
                        input: inputs.index_of(state),
                        dest: m.dest.clone(),
                        output,
                        readonly: !rw,
                        mount_type: pb::MountType::Bind as i32,
                        ..Default::default()
                    });
                }
                MountSource::Cache { id, sharing, seed } => {
                    caps.push("exec.mount.cache");
                    caps.push("exec.mount.cache.sharing");
                    pb_mounts.push(pb::Mount {
                        input: seed.as_ref().map_or(-1, |s| inputs.index_of(s)),
                        dest: m.dest.clone(),
                        output: -1,
                        mount_type: pb::MountType::Cache as i32,
                        cache_opt: Some(pb::CacheOpt {
                            id: id.clone(),
                            sharing: match sharing {
                                CacheSharing::Shared => pb::CacheSharingOpt::Shared,
                                CacheSharing::Private => pb::CacheSharingOpt::Private,
                                CacheSharing::Locked => pb::CacheSharingOpt::Locked,
                            } as i32,
                        }),
                        ..Default::default()
                    });
                }
                MountSource::Secret { id, mode, optional } => {
                    caps.push("exec.mount.secret");
                    pb_mounts.push(pb::Mount {
                        input: -1,
                        dest: m.dest.clone(),
                        output: -1,
                        mount_type: pb::MountType::Secret as i32,
                        secret_opt: Some(pb::SecretOpt {
                            id: id.clone(),
                            mode: *mode,
                            optional: *optional,
                            ..Default::default()
                        }),
                        ..Default::default()
                    });
                }
                MountSource::Ssh { id, optional } => {
                    caps.push("exec.mount.ssh");
                    pb_mounts.push(pb::Mount {
                        input: -1,
                        dest: m.dest.clone(),
                        output: -1,
                        mount_type: pb::MountType::Ssh as i32,
                        ssh_opt: Some(pb::SshOpt {
                            id: id.clone(),
                            mode: 0o600,
                            optional: *optional,
                            ..Default::default()
                        }),
                        ..Default::default()
                    });
                }
            }
        }
        let network = match self.network {
            Network::Default => pb::NetMode::Unset,
            Network::Host => pb::NetMode::Host,
            Network::None => pb::NetMode::None,
        };
        if network != pb::NetMode::Unset {
            caps.push("exec.meta.network");
        }
        caps.sort_unstable();
        caps.dedup();
        let env = self.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let op = pb::ExecOp {
            meta: Some(pb::Meta {
                args: self.args.clone(),
                env,
                cwd: self.cwd.clone(),
                user: self.user.clone(),
                extra_hosts: self
                    .extra_hosts
                    .iter()
                    .map(|(host, ip)| pb::HostIp {
                        host: host.clone(),
                        ip: ip.clone(),
                    })
                    .collect(),
                ..Default::default()
            }),
            mounts: pb_mounts,
            network: network as i32,
            security: pb::SecurityMode::Sandbox as i32,
            ..Default::default()
        };
        let node = std::rc::Rc::new(Node {
            kind: OpKind::Exec(Box::new(op)),
            inputs: inputs.inputs,
            platform: Some(self.platform.clone()),
            caps,
            options: self.options.clone(),
        });
        let state_at = |index: i64| State {
            output: Some(super::Output {
                node: node.clone(),
                index,
            }),
        };
        ExecOutputs {
            root: state_at(0),
            mounts: writable
                .into_iter()
                .map(|(dest, index)| (dest, state_at(index)))
                .collect(),
        }
    }
}
