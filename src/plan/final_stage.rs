//! The final stage (what gofront adds to the runtime base, file operations
//! only) and the image's config.

use std::collections::{BTreeMap, BTreeSet};

use crate::image::{History, ImageSettings};
use crate::spec::{Spec, value_map, values};

use super::images::Images;
use super::{
    BIN_DIR, CA_BUNDLE, Compile, DirMeta, FinalStage, Inputs, MadeDir, PlanError, TOOLBOX_DIR,
    Target, spec_error,
};

/// A folder nobody asked anything of: root's, 0755, as `mkdir -p` makes it.
const ROOT_DIR: DirMeta = DirMeta {
    uid: 0,
    gid: 0,
    mode: 0o755,
};

/// Every folder the final stage makes for the spec's `workdir`, `dirs` and
/// `files` (their parents), with all their parents, parents first. The
/// client looks them up in the runtime base: one that is there keeps its
/// owner and mode, as a Dockerfile's WORKDIR keeps them.
pub fn made_dirs(spec: &Spec) -> Vec<String> {
    let mut wanted: Vec<&str> = Vec::new();
    if let Some(w) = &spec.workdir {
        wanted.push(&w.value);
    }
    wanted.extend(spec.dirs.iter().map(|d| d.path.as_str()));
    wanted.extend(
        spec.files
            .iter()
            .filter_map(|f| f.dst.rsplit_once('/').map(|(parent, _)| parent)),
    );
    let mut all = BTreeSet::new();
    for path in wanted {
        let mut at = path;
        while !at.is_empty() && at != "/" {
            all.insert(at.to_string());
            at = at.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }
    // Sorted, a folder comes before everything under it.
    all.into_iter().collect()
}

/// The owner and mode of each folder the final stage makes: what `dirs`
/// says, else what the runtime base has, else the owner of a file that
/// asks for its folders (`own_dirs`), else root's 0755.
fn dir_layout(spec: &Spec, inputs: &Inputs) -> Vec<MadeDir> {
    made_dirs(spec)
        .into_iter()
        .map(|path| {
            let meta = if let Some(d) = spec.dirs.iter().find(|d| d.path == path) {
                DirMeta {
                    uid: d.owner.0,
                    gid: d.owner.1,
                    mode: d.mode,
                }
            } else if let Some(base) = inputs.base_dirs.get(&path) {
                *base
            } else if let Some(f) = spec
                .files
                .iter()
                .find(|f| f.own_dirs && f.dst.starts_with(&format!("{path}/")))
            {
                DirMeta {
                    uid: f.owner.0,
                    gid: f.owner.1,
                    mode: 0o755,
                }
            } else {
                ROOT_DIR
            };
            MadeDir { path, meta }
        })
        .collect()
}

/// What goes onto the base: the binaries (at `/usr/local/bin`, or at the
/// root for the `binary` target), the spec's files and workdir, and what
/// scratch lacks (CA certificates, a passwd entry).
pub(super) fn final_stage(
    spec: &Spec,
    inputs: &Inputs,
    compiles: &[Compile],
    images: &Images,
    epoch: Option<i64>,
) -> FinalStage {
    let target = inputs.target;
    let dir = if target == Target::Binary {
        ""
    } else {
        BIN_DIR
    };
    let binaries: Vec<(String, String)> = compiles
        .iter()
        .map(|c| (c.binary.clone(), format!("{dir}/{}", c.binary)))
        .collect();
    let scratch = images.runtime.is_none() && target != Target::Binary;
    let image_stage = target != Target::Binary;
    FinalStage {
        name: format!("[gofront] add {} to the runtime image", {
            binaries
                .iter()
                .map(|b| b.1.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        binaries: binaries.clone(),
        files: if image_stage {
            spec.files.clone()
        } else {
            Vec::new()
        },
        workdir: spec
            .workdir
            .as_ref()
            .filter(|_| image_stage)
            .map(|w| w.value.clone()),
        dirs: if image_stage {
            dir_layout(spec, inputs)
        } else {
            Vec::new()
        },
        ca_certificates: scratch,
        passwd: if scratch {
            spec.user.value.ids.map(|(u, g)| passwd_for(u, g))
        } else {
            None
        },
        toolbox: images.toolbox.clone(),
        timestamp: epoch,
        pos: Some(spec.runtime.pos).filter(|p| p.line > 0),
    }
}

/// The image config gofront sets over the base's: entrypoint, user, env,
/// ports, labels, health check, and the history of what it added.
/// `version` is the version injected (its label).
pub(super) fn image_settings(
    spec: &Spec,
    inputs: &Inputs,
    final_stage: &FinalStage,
    version: Option<&str>,
) -> Result<ImageSettings, PlanError> {
    let image_stage = inputs.target != Target::Binary;
    let entry = match &spec.entrypoint {
        Some(ep) => final_stage
            .binaries
            .iter()
            .position(|c| c.0 == ep.value)
            .ok_or_else(|| {
                spec_error(
                    spec,
                    ep.pos,
                    format!("entrypoint: there is no binary named \"{}\"", ep.value),
                    Some(format!(
                        "the binaries are: {}",
                        final_stage
                            .binaries
                            .iter()
                            .map(|c| c.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )
            })?,
        None => 0,
    };

    let entrypoint_path = final_stage.binaries[entry].1.clone();
    let mut labels = value_map(&spec.labels);
    if let Some(v) = version {
        labels.insert("org.opencontainers.image.version".into(), v.to_string());
    }
    labels.extend(inputs.labels.clone());
    let mut added: Vec<String> = final_stage.binaries.iter().map(|b| b.1.clone()).collect();
    added.extend(final_stage.files.iter().map(|f| f.dst.clone()));
    added.extend(spec.dirs.iter().map(|d| d.path.clone()));
    if final_stage.ca_certificates {
        added.push(CA_BUNDLE.to_string());
        added.push("/etc/passwd".to_string());
    }
    if final_stage.toolbox.is_some() {
        added.push(TOOLBOX_DIR.to_string());
    }
    let mut env = value_map(&spec.env);
    if final_stage.toolbox.is_some() {
        env.insert(
            "PATH".into(),
            format!("{}:{TOOLBOX_DIR}", crate::image::DEFAULT_PATH),
        );
    }
    let main_list = spec
        .binaries
        .iter()
        .map(|b| b.main.value.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(ImageSettings {
        platform: Some(inputs.target_platform.clone()),
        entrypoint: if image_stage {
            vec![entrypoint_path]
        } else {
            Vec::new()
        },
        cmd: if image_stage {
            values(&spec.args)
        } else {
            Vec::new()
        },
        user: if image_stage {
            spec.user.value.spec.clone()
        } else {
            String::new()
        },
        env: if image_stage { env } else { BTreeMap::new() },
        exposed_ports: if image_stage {
            spec.ports.iter().map(|p| p.value.to_string()).collect()
        } else {
            Vec::new()
        },
        volumes: if image_stage {
            spec.dirs
                .iter()
                .filter(|d| d.volume)
                .map(|d| d.path.clone())
                .collect()
        } else {
            Vec::new()
        },
        labels,
        working_dir: final_stage.workdir.clone(),
        stop_signal: spec
            .stop_signal
            .as_ref()
            .filter(|_| image_stage)
            .map(|s| s.value.clone()),
        healthcheck: spec.healthcheck.clone().filter(|_| image_stage),
        history: vec![
            History {
                created_by: format!(
                    "gofront: COPY {} (go build {main_list}, {}, cgo {})",
                    added.join(" "),
                    inputs.target_platform,
                    if spec.cgo.value { "on" } else { "off" }
                ),
                comment: "gofront".into(),
                ..Default::default()
            },
            History {
                created_by: format!(
                    "gofront: ENTRYPOINT, USER {} and config from {}",
                    spec.user.value.spec, spec.file
                ),
                comment: "gofront".into(),
                empty_layer: true,
                ..Default::default()
            },
        ],
        created: final_stage.timestamp.map(crate::image::rfc3339),
    })
}

/// The user and group lines a scratch image needs for a numeric user.
fn passwd_for(uid: u32, gid: u32) -> (String, String) {
    let mut passwd = String::from("root:x:0:0:root:/root:/sbin/nologin\n");
    let mut group = String::from("root:x:0:\n");
    if uid != 0 {
        passwd.push_str(&format!(
            "nonroot:x:{uid}:{gid}:nonroot:/home/nonroot:/sbin/nologin\n"
        ));
    }
    if gid != 0 {
        group.push_str(&format!("nonroot:x:{gid}:\n"));
    }
    (passwd, group)
}
