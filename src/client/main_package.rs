//! The main-package check: each `main` of the spec exists in the context
//! and is `package main`, so that a typo fails with the spec line rather
//! than with `go build`'s exit code.

use crate::gateway::{Bridge, Failure, fsutil_stat};
use crate::golang::{context_dir, package_clause};
use crate::spec::{self, SpecError};

use super::SpecFile;

/// Check that each main package exists and is `package main`, so that a
/// typo fails with the spec line rather than with `go build`'s exit code.
pub(super) async fn check_all(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    file: &SpecFile,
) -> Result<(), Failure> {
    for binary in &spec.binaries {
        check_one(bridge, context_ref, spec, &binary.main, file).await?;
    }
    Ok(())
}

async fn check_one(
    bridge: &mut Bridge,
    context_ref: &str,
    spec: &spec::Spec,
    main: &spec::Located<String>,
    file: &SpecFile,
) -> Result<(), Failure> {
    let in_context = context_dir(&spec.dir.value, &main.value);
    let dir = if in_context.is_empty() {
        "/"
    } else {
        in_context.as_str()
    };
    let shown = if spec.dir.value == "." {
        main.value.clone()
    } else {
        format!("{} (in {})", main.value, spec.dir.value)
    };
    let fail = |message: String, hint: &str| {
        file.failure(&SpecError {
            file: spec.file.clone(),
            pos: main.pos,
            message,
            hint: Some(hint.to_string()),
        })
    };
    let Some(entries) = bridge.read_dir(context_ref, dir).await? else {
        return Err(fail(
            format!("main: {shown} does not exist in the build context"),
            "check the path, and that .dockerignore does not exclude it",
        ));
    };
    let mut go_files: Vec<String> = entries
        .iter()
        .filter(|e| e.mode & fsutil_stat::MODE_DIR == 0)
        .map(|e| e.path.clone())
        .filter(|p| p.ends_with(".go") && !p.ends_with("_test.go"))
        .collect();
    go_files.sort();
    if go_files.is_empty() {
        return Err(fail(
            format!("main: {shown} has no .go files"),
            "point `main` at the directory of your main package, e.g. ./cmd/server",
        ));
    }
    let mut packages = Vec::new();
    // A few files are enough: every non-test file of a directory is in one package.
    for name in go_files.iter().take(3) {
        let path = if dir == "/" {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        let text = bridge.read_file(context_ref, &path, 4 << 20).await?;
        if let Some(pkg) = package_clause(&String::from_utf8_lossy(&text)) {
            if pkg == "main" {
                return Ok(());
            }
            packages.push(pkg);
        }
    }
    match packages.first() {
        Some(pkg) => Err(fail(
            format!("main: {shown} is package {pkg}, not a main package"),
            "`main` must name a directory whose files say `package main`",
        )),
        None => Ok(()),
    }
}
