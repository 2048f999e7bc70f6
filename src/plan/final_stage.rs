//! The final stage (what gofront adds to the runtime base, file operations
//! only) and the image's config.

use std::collections::BTreeMap;

use crate::image::{History, ImageSettings};
use crate::spec::{Spec, value_map, values};

use super::images::Images;
use super::{
    BIN_DIR, CA_BUNDLE, Compile, FinalStage, Inputs, PlanError, TOOLBOX_DIR, Target, spec_error,
};

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
