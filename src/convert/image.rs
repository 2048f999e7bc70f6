//! The final stage: everything gofront adds to the image, staged in one
//! tree and laid onto the runtime base with file operations only, so no
//! step ever runs for the target platform.

use crate::llb::{self, CopyOptions, OpOptions, Owner, State};
use crate::plan::{BIN_DIR, CA_BUNDLE, Plan, TOOLBOX_DIR, Target};

use super::{Options, Toolchain, line_of, source_image};

/// The image (or the `binary` target's tree): `binaries[i]` holds the
/// binary of `plan.compiles[i]`.
pub(super) fn final_image(
    plan: &Plan,
    options: &Options,
    t: &Toolchain,
    binaries: &[State],
) -> State {
    let f = &plan.final_stage;
    let target_platform = plan
        .runtime
        .as_ref()
        .map(|r| r.platform.clone())
        .or_else(|| plan.image.platform.clone())
        .unwrap_or_else(|| plan.builder.platform.clone());
    let staged = staged_files(plan, options, t, binaries).finish(
        &target_platform,
        OpOptions::named("[gofront] stage the image files"),
    );
    // Copy the whole staged tree onto `onto`. A copy sets the mtime of every
    // file *and directory* it writes (to SOURCE_DATE_EPOCH when set), which
    // writing into a directory does not.
    let copy_tree = |onto: &State, name: String| {
        onto.file()
            .copy(
                &staged,
                "/",
                "/",
                CopyOptions {
                    timestamp: f.timestamp,
                    ..Default::default()
                },
            )
            .finish(&target_platform, OpOptions::named(name))
    };
    let layer = match f.timestamp {
        Some(_) => copy_tree(
            &State::scratch(),
            "[gofront] stamp the files with SOURCE_DATE_EPOCH".into(),
        ),
        None => staged.clone(),
    };
    match (&plan.runtime, options.merge) {
        // Scratch (and the binary target): the staged tree is the image.
        (None, _) => layer,
        (Some(r), merge) => {
            let base = source_image(
                r,
                options,
                OpOptions::named(format!(
                    "[gofront] runtime {} ({})",
                    r.reference, r.platform
                ))
                .at(line_of(f.pos)),
            );
            if merge {
                // The binaries' layer does not depend on the base: a new
                // base reuses it, and a new binary reuses the base's layers.
                State::merge(
                    &[base, layer],
                    &target_platform,
                    OpOptions::named("[gofront] layer the files onto the runtime image"),
                )
            } else {
                // BuildKit before v0.10 has no MergeOp: copy the tree onto the base.
                copy_tree(&base, f.name.clone())
            }
        }
    }
}

/// Everything gofront adds, laid out in a staging tree first and then
/// copied onto the base in one copy. A copy sets the mtime of every file
/// *and directory* it writes, so with SOURCE_DATE_EPOCH the layer is
/// byte-identical from build to build (writing files straight into the
/// base would leave their parent directories with the current time).
fn staged_files(
    plan: &Plan,
    options: &Options,
    t: &Toolchain,
    binaries: &[State],
) -> llb::FileActions {
    let f = &plan.final_stage;
    let root = Owner { uid: 0, gid: 0 };
    let mut staging = State::scratch().file();
    if plan.target != Target::Binary {
        staging = staging.mkdir(BIN_DIR, 0o755, Some(root), f.timestamp);
    }
    if f.ca_certificates || f.passwd.is_some() {
        staging = staging.mkdir("/etc/ssl/certs", 0o755, Some(root), f.timestamp);
    }
    if f.ca_certificates {
        staging = staging.copy(
            &t.builder,
            CA_BUNDLE,
            CA_BUNDLE,
            CopyOptions {
                mode: Some(0o644),
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    if let Some((passwd, group)) = &f.passwd {
        staging = staging
            .mkfile(
                "/etc/passwd",
                0o644,
                passwd.clone().into_bytes(),
                Some(root),
                f.timestamp,
            )
            .mkfile(
                "/etc/group",
                0o644,
                group.clone().into_bytes(),
                Some(root),
                f.timestamp,
            );
    }
    // The workdir, `dirs` and the files' folders, parents first, each with
    // its owner and mode (a folder of the base keeps its own). Made before
    // the files: a copy that creates a folder would give it the file's mode
    // (BuildKit ≥ v0.1x), and a 0444 folder cannot be entered.
    for dir in &f.dirs {
        staging = staging.mkdir(
            &dir.path,
            dir.meta.mode as i32,
            Some(Owner {
                uid: dir.meta.uid,
                gid: dir.meta.gid,
            }),
            f.timestamp,
        );
    }
    for file in &f.files {
        staging = staging.copy(
            &t.context,
            &format!("/{}", file.src),
            &file.dst,
            CopyOptions {
                mode: file.mode.map(|m| m as i32),
                owner: Some(Owner {
                    uid: file.owner.0,
                    gid: file.owner.1,
                }),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    if let Some(toolbox) = &f.toolbox {
        let image = source_image(
            toolbox,
            options,
            OpOptions::named(format!("[gofront] debug toolbox {}", toolbox.reference)),
        );
        staging = staging.copy(
            &image,
            "/bin",
            TOOLBOX_DIR,
            CopyOptions {
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    for (binary, (name, path)) in binaries.iter().zip(&f.binaries) {
        staging = staging.copy(
            binary,
            &format!("/{name}"),
            path,
            CopyOptions {
                mode: Some(0o755),
                owner: Some(root),
                timestamp: f.timestamp,
                ..Default::default()
            },
        );
    }
    staging
}
