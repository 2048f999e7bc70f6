//! What gofront needs of the daemon's BuildKit, checked before anything is
//! read: a daemon without one of these caps would fail later with an
//! error about some op, far from the reason. The message names every
//! missing cap, what gofront uses it for, and the versions that have it.

use crate::gateway::{Caps, Failure};

/// The oldest BuildKit gofront builds on, and the Docker Engine that ships
/// it: every cap below is in it (the end-to-end tests run there).
pub const MIN_BUILDKIT: &str = "BuildKit v0.8+ (Docker 20.10+)";

/// Where BuildKit announces a cap in its `Ping` answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `LLBCaps` (`solver/pb/caps.go`): what a definition may contain.
    Llb,
    /// `FrameworkCaps` (`frontend/gateway/pb/caps.go`): the gateway calls.
    Gateway,
}

struct Need {
    kind: Kind,
    cap: &'static str,
    /// What gofront does with it, for the user who reads the error.
    used_for: &'static str,
}

const NEEDS: &[Need] = &[
    Need {
        kind: Kind::Llb,
        cap: "source.image",
        used_for: "the Go builder and runtime base images",
    },
    Need {
        kind: Kind::Llb,
        cap: "source.local",
        used_for: "the build context",
    },
    Need {
        kind: Kind::Llb,
        cap: "source.local.includepatterns",
        used_for: "reading only go.mod and go.sum for the module download",
    },
    Need {
        kind: Kind::Llb,
        cap: "source.local.excludepatterns",
        used_for: ".dockerignore",
    },
    Need {
        kind: Kind::Llb,
        cap: "source.local.followpaths",
        used_for: "reading the spec and module files without the whole context",
    },
    Need {
        kind: Kind::Llb,
        cap: "exec.mount.bind",
        used_for: "mounting the sources into go build",
    },
    Need {
        kind: Kind::Llb,
        cap: "exec.mount.cache",
        used_for: "cache mounts that keep Go's module and build caches between builds",
    },
    Need {
        kind: Kind::Llb,
        cap: "exec.mount.cache.sharing",
        used_for: "sharing the Go caches between the platforms of one build",
    },
    Need {
        kind: Kind::Llb,
        cap: "exec.mount.bind.readwrite-nooutput",
        used_for: "writable source mounts that leave no layer",
    },
    Need {
        kind: Kind::Llb,
        cap: "file.base",
        used_for: "assembling the runtime image's files",
    },
    Need {
        kind: Kind::Gateway,
        cap: "solve.base",
        used_for: "solving the build",
    },
    Need {
        kind: Kind::Gateway,
        cap: "readfile",
        used_for: "reading the spec, go.mod and go.work",
    },
    Need {
        kind: Kind::Gateway,
        cap: "readdir",
        used_for: "checking the main packages before compiling",
    },
    Need {
        kind: Kind::Gateway,
        cap: "resolveimage",
        used_for: "the base images' configs",
    },
    Need {
        kind: Kind::Gateway,
        cap: "return",
        used_for: "returning the image or the error",
    },
];

/// Refuse a daemon that lacks any cap of [`NEEDS`], naming all of them.
pub fn check(caps: &Caps) -> Result<(), Failure> {
    let missing: Vec<String> = NEEDS
        .iter()
        .filter(|n| match n.kind {
            Kind::Llb => !caps.has_llb(n.cap),
            Kind::Gateway => !caps.has_gateway(n.cap),
        })
        .map(|n| format!("`{}` ({})", n.cap, n.used_for))
        .collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(Failure::new(format!(
            "this BuildKit lacks the capability {one}; gofront needs {MIN_BUILDKIT}, which has it (hint: update Docker, or build with `docker buildx build` on a current builder)"
        ))),
        many => Err(Failure::new(format!(
            "this BuildKit lacks the capabilities {}; gofront needs {MIN_BUILDKIT}, which has them (hint: update Docker, or build with `docker buildx build` on a current builder)",
            many.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_caps() -> Caps {
        Caps {
            gateway: NEEDS
                .iter()
                .filter(|n| n.kind == Kind::Gateway)
                .map(|n| n.cap.to_string())
                .collect(),
            llb: NEEDS
                .iter()
                .filter(|n| n.kind == Kind::Llb)
                .map(|n| n.cap.to_string())
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_daemon_with_every_cap_passes() {
        assert!(check(&all_caps()).is_ok());
    }

    #[test]
    fn each_missing_cap_is_named_with_the_versions_that_have_it() {
        for need in NEEDS {
            let mut caps = all_caps();
            caps.llb.retain(|c| c != need.cap);
            caps.gateway.retain(|c| c != need.cap);
            let err = check(&caps).unwrap_err().message;
            assert!(
                err.contains(&format!("capability `{}` ({})", need.cap, need.used_for)),
                "{err}"
            );
            assert!(err.contains("BuildKit v0.8+ (Docker 20.10+)"), "{err}");
        }
    }

    #[test]
    fn several_missing_caps_are_all_named() {
        let mut caps = all_caps();
        caps.llb.retain(|c| c != "exec.mount.cache");
        caps.gateway.retain(|c| c != "readdir");
        let err = check(&caps).unwrap_err().message;
        assert!(err.contains("capabilities `exec.mount.cache`"), "{err}");
        assert!(
            err.contains("`readdir` (checking the main packages"),
            "{err}"
        );
    }

    /// An LLB cap announced only as a gateway cap (or the other way round)
    /// is still missing: the two lists are different namespaces.
    #[test]
    fn caps_are_looked_up_in_their_own_list() {
        let mut caps = all_caps();
        caps.llb.retain(|c| c != "file.base");
        caps.gateway.push("file.base".into());
        assert!(check(&caps).unwrap_err().message.contains("`file.base`"));
    }
}
