//! How Go is told what to build for and with what: the target environment
//! of a platform, the Go settings users pass as build args, and how a word
//! survives the go command's `-ldflags` splitting.

use std::collections::BTreeMap;

use crate::platform::Platform;

/// Go settings a user (or a corporate network) passes as build args; each
/// one given is set in the environment of the Go steps.
pub const GO_SETTING_ARGS: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GOINSECURE",
    "GOFLAGS",
];

/// Go's target environment for a platform.
pub fn go_target_env(p: &Platform) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    env.insert("GOOS".to_string(), p.os.clone());
    env.insert("GOARCH".to_string(), p.architecture.clone());
    match (p.architecture.as_str(), p.variant.as_str()) {
        ("arm", v) if !v.is_empty() => {
            let n = v.trim_start_matches('v');
            if !matches!(n, "5" | "6" | "7") {
                return Err(format!("platform {p}: Go supports arm v5, v6 and v7"));
            }
            env.insert("GOARM".to_string(), n.to_string());
        }
        ("amd64", v) if !v.is_empty() && v != "v1" => {
            if !matches!(v, "v2" | "v3" | "v4") {
                return Err(format!("platform {p}: Go supports amd64 v1 to v4"));
            }
            env.insert("GOAMD64".to_string(), v.to_string());
        }
        _ => {}
    }
    Ok(env)
}

/// Quote one `-ldflags` word so that Go's `quoted.Split` gives it back whole.
/// Go splits on whitespace and takes a leading `'` or `"` as a quote with no
/// escapes inside, so a value that needs quoting can use whichever quote it
/// does not contain; one with whitespace and both quotes cannot be passed.
pub fn quote_ldflag_word(word: &str) -> Result<String, String> {
    let needs = word.is_empty()
        || word.chars().any(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        || word.starts_with('\'')
        || word.starts_with('"');
    if !needs {
        return Ok(word.to_string());
    }
    if !word.contains('\'') {
        Ok(format!("'{word}'"))
    } else if !word.contains('"') {
        Ok(format!("\"{word}\""))
    } else {
        Err(
            "it contains whitespace and both kinds of quote, which Go's -ldflags cannot carry"
                .into(),
        )
    }
}
