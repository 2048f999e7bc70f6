//! A failed step, told the way a user can act on it: which gofront step,
//! which spec line made it, and a hint.

use crate::gateway::Failure;

/// What the graph's solve is called in errors before `explain_step_failure`
/// replaces it with the failed step.
pub(super) const BUILD: &str = "[gofront] build";

/// The digest of the failed vertex, from BuildKit's `errdefs.Vertex` detail.
fn failed_vertex(f: &Failure) -> Option<String> {
    f.details
        .iter()
        .filter(|d| d.type_url.ends_with("errdefs.Vertex+json"))
        .find_map(|d| {
            let v: serde_json::Value = serde_json::from_slice(&d.value).ok()?;
            v.get("digest")?.as_str().map(str::to_string)
        })
}

/// Say which gofront step failed and which spec line made it, in front of
/// the daemon's message (Docker 20.10 does not print source excerpts).
pub(super) fn explain_step_failure(
    mut f: Failure,
    def: &bollard_buildkit_proto::pb::Definition,
    file: &str,
) -> Failure {
    let step = failed_vertex(&f).and_then(|digest| {
        let name = def
            .metadata
            .get(&digest)?
            .description
            .get("llb.customname")?
            .clone();
        let line = def
            .source
            .as_ref()
            .and_then(|s| s.locations.get(&digest))
            .and_then(|l| l.locations.first())
            .and_then(|l| l.ranges.first())
            .and_then(|r| r.start.as_ref())
            .map(|p| p.line);
        Some((name, line))
    });
    let daemon = f
        .message
        .strip_prefix(BUILD)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&f.message)
        .to_string();
    // A required secret the client did not send: say how to send it.
    let hint = match daemon
        .split("secret ")
        .nth(1)
        .and_then(|r| r.split(" not found").next())
    {
        Some(id) if daemon.contains(" not found") => format!(
            "pass it with --secret id={id},src=FILE, e.g. --secret id=netrc,src=$HOME/.netrc"
        ),
        _ => "the step's output above shows why".to_string(),
    };
    f.message = match step {
        Some((name, line)) => {
            let name = name.trim_start_matches("[gofront] ");
            let at = line.map(|l| format!("{file}:{l}: ")).unwrap_or_default();
            format!("{at}{name} failed: {daemon} (hint: {hint})")
        }
        None => {
            format!("{BUILD} failed: {daemon} (hint: the step's output above shows why)")
        }
    };
    f
}
