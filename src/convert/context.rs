//! The build context as LLB: the client's directory, a repository or a
//! tarball BuildKit fetches, or a definition the client handed over; and
//! the module files alone, the only input of the dependency step.

use crate::llb::{self, CopyOptions, GitSource, LocalOptions, OpOptions, State};
use crate::plan::Plan;
use crate::platform::Platform;
use crate::request::{CONTEXT_LOCAL, ContextSource};

use super::Options;

/// The build context as a state: the client's directory minus
/// `.dockerignore` excludes, a git repository or tarball BuildKit fetches,
/// or a definition the client handed over.
pub fn context_source(
    context: &ContextSource,
    excludes: &[String],
    session_id: &str,
    platform: &Platform,
) -> State {
    match context {
        ContextSource::Local => llb::local(
            CONTEXT_LOCAL,
            &LocalOptions {
                session_id: session_id.to_string(),
                shared_key_hint: CONTEXT_LOCAL.to_string(),
                exclude_patterns: excludes.to_vec(),
                ..Default::default()
            },
            platform,
            OpOptions::named("[gofront] load build context"),
        ),
        ContextSource::Git(git) => {
            let host_path = format!("{}{}", git.host, git.path);
            let shown = if git.reference.is_empty() {
                host_path.clone()
            } else {
                format!("{host_path}#{}", git.reference)
            };
            let repo = llb::git(
                &GitSource {
                    remote: git.remote.clone(),
                    host_path,
                    reference: git.reference.clone(),
                    checksum: git.checksum.clone(),
                    keep_git_dir: git.keep_git_dir,
                    skip_submodules: !git.submodules,
                    ssh: git.scheme == "ssh",
                },
                platform,
                OpOptions::named(format!("[gofront] load git context {shown}")),
            );
            if git.subdir.is_empty() {
                return repo;
            }
            // A copy rather than the source's `#ref:subdir`, which BuildKit
            // v0.8 refuses ("subdir not supported yet").
            State::scratch()
                .file()
                .copy(
                    &repo,
                    &format!("/{}/", git.subdir),
                    "/",
                    CopyOptions::default(),
                )
                .finish(
                    platform,
                    OpOptions::named(format!("[gofront] git context folder {}", git.subdir)),
                )
        }
        ContextSource::Tarball { url } => {
            // Clients serve a context on stdin under these names.
            let shown = if url.starts_with("http://buildkit-session/")
                || url.starts_with("http://build-context-")
            {
                "the tarball the client sends"
            } else {
                url.as_str()
            };
            let archive = llb::http(
                url,
                TARBALL_FILE,
                platform,
                OpOptions::named(format!("[gofront] download context {shown}")),
            );
            State::scratch()
                .file()
                .copy(
                    &archive,
                    &format!("/{TARBALL_FILE}"),
                    "/",
                    CopyOptions {
                        unpack: true,
                        ..Default::default()
                    },
                )
                .finish(platform, OpOptions::named("[gofront] unpack the context"))
        }
        ContextSource::Input { definition, .. } => State::from_foreign(definition),
    }
}

/// The name the http source gives a downloaded context tarball.
const TARBALL_FILE: &str = "context";

/// Only the module files (go.mod, go.sum, go.work …): the input of the
/// dependency step, so that it re-runs only when they change.
pub(super) fn gomod_source(plan: &Plan, options: &Options, context: &State) -> State {
    if options.context != ContextSource::Local {
        // From a fetched context: a copy of each file. BuildKit keys a copy
        // on the content it copies, so an edit elsewhere keeps this cached.
        let mut files = State::scratch().file();
        for path in &plan.module_files {
            files = files.copy(
                context,
                &format!("/{path}"),
                &format!("/{path}"),
                CopyOptions {
                    optional: true,
                    ..Default::default()
                },
            );
        }
        return files.finish(
            &plan.builder.platform,
            OpOptions::named("[gofront] go.mod and go.sum"),
        );
    }
    llb::local(
        CONTEXT_LOCAL,
        &LocalOptions {
            session_id: options.session_id.clone(),
            shared_key_hint: format!("{CONTEXT_LOCAL}-gomod"),
            include_patterns: plan.module_files.clone(),
            exclude_patterns: options.excludes.clone(),
            ..Default::default()
        },
        &plan.builder.platform,
        OpOptions::named("[gofront] load go.mod and go.sum"),
    )
}

/// Only some paths of the context (a folder, a few files; none: all of
/// it): a step keyed on them alone. From the client's directory, a transfer of just those
/// paths; from a fetched context, a copy of each (missing ones skipped).
pub(super) fn context_subset(
    options: &Options,
    context: &State,
    paths: &[String],
    excludes: &[String],
    platform: &Platform,
    name: &str,
) -> State {
    if options.context != ContextSource::Local {
        if paths.is_empty() {
            return context.clone();
        }
        let mut files = State::scratch().file();
        for path in paths {
            files = files.copy(
                context,
                &format!("/{path}"),
                &format!("/{path}"),
                CopyOptions {
                    optional: true,
                    ..Default::default()
                },
            );
        }
        return files.finish(platform, OpOptions::named(format!("[gofront] {name}")));
    }
    let mut exclude_patterns = options.excludes.clone();
    exclude_patterns.extend(excludes.iter().cloned());
    llb::local(
        CONTEXT_LOCAL,
        &LocalOptions {
            session_id: options.session_id.clone(),
            // One per subset: BuildKit keeps what it transferred for each.
            shared_key_hint: format!("{CONTEXT_LOCAL}-{}", paths.join(",")),
            include_patterns: paths.to_vec(),
            exclude_patterns,
            ..Default::default()
        },
        platform,
        OpOptions::named(format!("[gofront] load {name}")),
    )
}
