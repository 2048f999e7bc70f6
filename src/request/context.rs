//! Where the build context comes from.
//!
//! A client names the main context in one of four ways, and gofront reads
//! all of them the way BuildKit's Dockerfile frontend does
//! (`frontend/dockerui/context.go`):
//! * the `context` local of its session (`docker build .`): [`ContextSource::Local`];
//! * a git URL in the `context` opt (`docker build https://host/repo.git#main`),
//!   which BuildKit fetches: [`ContextSource::Git`];
//! * an http(s) URL of a tarball, or `-` (a tarball on stdin, which the
//!   client serves as `http://buildkit-session/…`): [`ContextSource::Tarball`];
//! * an LLB definition handed over as a frontend input (cap
//!   `moby.buildkit.frontend.inputs`: buildx sends a git URL with a query
//!   string that way under `BUILDX_SEND_GIT_QUERY_AS_INPUT`, bake and
//!   forwarding frontends their own states): [`ContextSource::Input`].

use serde::Serialize;

use crate::llb::ForeignDefinition;

/// The main build context.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ContextSource {
    /// The client's directory, streamed from its session minus the
    /// `.dockerignore` excludes; the dependency step gets only the module
    /// files through a second, filtered transfer.
    #[default]
    Local,
    /// A git repository fetched by BuildKit.
    Git(GitRef),
    /// An archive fetched by BuildKit's http source and unpacked.
    Tarball { url: String },
    /// A frontend input: an LLB definition the client built.
    Input {
        name: String,
        #[serde(skip)]
        definition: ForeignDefinition,
    },
}

/// A git URL as `docker build` takes it: `URL#ref:subdir`, or (BuildKit
/// v0.19+ syntax) `URL?ref=…&subdir=…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GitRef {
    /// The repository's URL without fragment and query, as git fetches it.
    pub remote: String,
    /// `https`, `http`, `git` or `ssh` (also for `git@host:path`).
    pub scheme: String,
    pub host: String,
    /// The repository's path on the host (`/org/repo.git`).
    pub path: String,
    /// Branch, tag, full ref or commit; empty for the remote's HEAD.
    pub reference: String,
    /// A folder of the repository to use as the context (empty: the root).
    pub subdir: String,
    /// The commit the reference must resolve to (`?checksum=`/`?commit=`).
    pub checksum: String,
    /// Keep `.git` in the context (`?keep-git-dir=true` or the build arg
    /// `BUILDKIT_CONTEXT_KEEP_GIT_DIR`).
    pub keep_git_dir: bool,
    /// Check out submodules (the default; `?submodules=false` skips them).
    pub submodules: bool,
}

/// The context the client's `context` opt names: a git repository or a
/// tarball BuildKit fetches, or else the client's own directory.
/// `keep_git_dir` is the build arg `BUILDKIT_CONTEXT_KEEP_GIT_DIR`.
pub fn from_opt(value: &str, keep_git_dir: Option<bool>) -> Result<ContextSource, String> {
    if let Some(mut git) = parse_git_url(value)? {
        if let Some(keep) = keep_git_dir {
            git.keep_git_dir |= keep;
        }
        return Ok(ContextSource::Git(git));
    }
    if is_http_url(value) {
        return Ok(ContextSource::Tarball {
            url: value.to_string(),
        });
    }
    Ok(ContextSource::Local)
}

/// Whether the client's `context` opt is a URL BuildKit can fetch as a
/// tarball (an http(s) URL that is not a git repository).
pub fn is_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Parse a git URL context: `Ok(None)` when `value` is not a git URL (a
/// local name, a tarball URL), an error when it is one but malformed.
///
/// Git URLs are those BuildKit's `ParseGitRef` takes: `git://`, `ssh://`,
/// `git@host:path` (scp style), `github.com/org/repo`, and http(s) URLs whose
/// path ends in `.git`.
pub fn parse_git_url(value: &str) -> Result<Option<GitRef>, String> {
    if value.is_empty() || value.starts_with("./") || value.starts_with("../") {
        return Ok(None);
    }
    // `github.com/org/repo` is a git URL even without `.git` (deprecated
    // in BuildKit, still accepted).
    let github = value.starts_with("github.com/");
    let (url_text, scp) = if github {
        (format!("https://{value}"), false)
    } else if let Some((scheme, _)) = value.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "git" | "ssh") {
            return Ok(None);
        }
        (value.to_string(), false)
    } else if let Some(url) = scp_to_url(value) {
        (url, true)
    } else {
        return Ok(None);
    };
    let url = url::Url::parse(&url_text).map_err(|e| format!("git URL {value}: {e}"))?;
    let scheme = url.scheme().to_string();
    if !github && matches!(scheme.as_str(), "http" | "https") && !url.path().ends_with(".git") {
        return Ok(None);
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("git URL {value}: no host"))?;
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let mut remote = url.clone();
    remote.set_fragment(None);
    remote.set_query(None);
    let remote = if scp {
        // Give git back the form the user wrote: `git@host:org/repo.git`.
        value.split(['#', '?']).next().unwrap_or(value).to_string()
    } else {
        remote.to_string()
    };
    let mut git = GitRef {
        remote,
        scheme,
        host,
        path: url.path().to_string(),
        reference: String::new(),
        subdir: String::new(),
        checksum: String::new(),
        keep_git_dir: false,
        submodules: true,
    };
    if let Some(fragment) = url.fragment() {
        let fragment = percent_decode(fragment);
        let (reference, subdir) = fragment.split_once(':').unwrap_or((&fragment, ""));
        git.reference = reference.to_string();
        git.subdir = clean_subdir(subdir)?;
    }
    load_query(&mut git, &url).map_err(|e| format!("git URL {value}: {e}"))?;
    Ok(Some(git))
}

/// `user@host:path` → `ssh://user@host/path`.
fn scp_to_url(value: &str) -> Option<String> {
    let (user, rest) = value.split_once('@')?;
    let (host, path) = rest.split_once(':')?;
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    if !word(user) || !word(host) || path.is_empty() || path.starts_with('/') {
        return None;
    }
    Some(format!("ssh://{user}@{host}/{path}"))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A subfolder of the repository, normalized and kept inside it.
fn clean_subdir(subdir: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in subdir.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("subdir {subdir} leaves the repository"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// The query string keys of BuildKit's git URLs (`dfgitutil.GitRef`).
fn load_query(git: &mut GitRef, url: &url::Url) -> Result<(), String> {
    let mut tag = None;
    let mut branch = None;
    let mut seen = std::collections::BTreeSet::new();
    for (key, value) in url.query_pairs() {
        if !seen.insert(key.to_string()) {
            return Err(format!("query {key:?} has multiple values"));
        }
        let flag = |v: &str| match v {
            "" => Ok(true),
            v => parse_bool(v).ok_or_else(|| format!("invalid {key} value: {v:?}")),
        };
        if value.is_empty() && !matches!(&*key, "submodules" | "keep-git-dir") {
            return Err(format!("query {key:?} has no value"));
        }
        match &*key {
            "ref" => set_once(&mut git.reference, &value, "ref")?,
            "tag" => tag = Some(value.to_string()),
            "branch" => branch = Some(value.to_string()),
            "subdir" => {
                let subdir = clean_subdir(&value)?;
                set_once(&mut git.subdir, &subdir, "subdir")?;
            }
            "checksum" | "commit" => git.checksum = value.to_string(),
            "keep-git-dir" => git.keep_git_dir = flag(&value)?,
            "submodules" => git.submodules = flag(&value)?,
            other => return Err(format!("unexpected query {other:?}")),
        }
    }
    if let Some(tag) = tag {
        if branch.is_some() {
            return Err("branch conflicts with tag".into());
        }
        let full = if tag.starts_with("refs/tags/") {
            tag
        } else {
            format!("refs/tags/{tag}")
        };
        set_once(&mut git.reference, &full, "ref")?;
    }
    if let Some(branch) = branch {
        let full = if branch.starts_with("refs/heads/") {
            branch
        } else {
            format!("refs/heads/{branch}")
        };
        set_once(&mut git.reference, &full, "ref")?;
    }
    Ok(())
}

fn set_once(slot: &mut String, value: &str, what: &str) -> Result<(), String> {
    if !slot.is_empty() && slot != value {
        return Err(format!("{what} conflicts: {slot:?} vs {value:?}"));
    }
    *slot = value.to_string();
    Ok(())
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(value: &str) -> GitRef {
        parse_git_url(value).unwrap().unwrap()
    }

    #[test]
    fn local_names_and_tarballs_are_not_git() {
        for value in [
            "",
            "context",
            "./svc",
            "../svc",
            "https://example.com/ctx.tar.gz",
            "http://buildkit-session/abc",
            "ftp://example.com/repo.git",
            "/abs/path",
        ] {
            assert_eq!(parse_git_url(value), Ok(None), "{value}");
        }
    }

    #[test]
    fn fragment_gives_ref_and_subdir() {
        let g = git("https://git.example.com/org/repo.git#v1.2.0:services/api");
        assert_eq!(g.remote, "https://git.example.com/org/repo.git");
        assert_eq!(
            (g.scheme.as_str(), g.host.as_str()),
            ("https", "git.example.com")
        );
        assert_eq!(g.path, "/org/repo.git");
        assert_eq!(g.reference, "v1.2.0");
        assert_eq!(g.subdir, "services/api");
        assert!(g.submodules && !g.keep_git_dir);
        let plain = git("http://127.42.0.1:8080/public/hello.git");
        assert_eq!(plain.host, "127.42.0.1:8080");
        assert_eq!((plain.reference.as_str(), plain.subdir.as_str()), ("", ""));
    }

    #[test]
    fn query_string_as_buildkit_reads_it() {
        let g = git("https://h/o/r.git?branch=dev&subdir=a/./b&keep-git-dir=true&submodules=false");
        assert_eq!(g.reference, "refs/heads/dev");
        assert_eq!(g.subdir, "a/b");
        assert!(g.keep_git_dir && !g.submodules);
        let g = git("https://h/o/r.git?tag=v1&commit=0123abc");
        assert_eq!(
            (g.reference.as_str(), g.checksum.as_str()),
            ("refs/tags/v1", "0123abc")
        );
        assert_eq!(g.remote, "https://h/o/r.git");
        for (bad, why) in [
            (
                "https://h/o/r.git?tag=v1&branch=x",
                "branch conflicts with tag",
            ),
            ("https://h/o/r.git#main?ref=dev", ""),
            ("https://h/o/r.git?ref=a&ref=b", "multiple values"),
            (
                "https://h/o/r.git?colour=blue",
                "unexpected query \"colour\"",
            ),
            ("https://h/o/r.git?ref=", "has no value"),
            (
                "https://h/o/r.git?keep-git-dir=maybe",
                "invalid keep-git-dir",
            ),
            (
                "https://h/o/r.git?subdir=../../etc",
                "leaves the repository",
            ),
        ] {
            match parse_git_url(bad) {
                Err(e) => assert!(e.contains(why), "{bad}: {e}"),
                // `#main?ref=dev`: the query is part of the fragment.
                Ok(Some(g)) if why.is_empty() => assert_eq!(g.reference, "main?ref=dev"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn ssh_forms() {
        let g = git("git@github.com:org/repo.git#main");
        assert_eq!(g.scheme, "ssh");
        assert_eq!(g.remote, "git@github.com:org/repo.git");
        assert_eq!(
            (g.host.as_str(), g.path.as_str()),
            ("github.com", "/org/repo.git")
        );
        assert_eq!(g.reference, "main");
        let g = git("ssh://git@host:2222/org/repo.git");
        assert_eq!(g.host, "host:2222");
        let g = git("github.com/org/repo");
        assert_eq!(g.remote, "https://github.com/org/repo");
    }
}
