//! The attestations the client asks for: `attest:<type>` opts (buildx
//! `--sbom`, `--provenance`, `--attest`), or the `BUILDKIT_ATTEST_<TYPE>`
//! build args, parsed as BuildKit's `frontend/attestations` parses them.

use std::collections::BTreeMap;

use crate::gateway::Opts;

const ATTEST_PREFIX: &str = "attest:";
const ATTEST_ARG_PREFIX: &str = "build-arg:BUILDKIT_ATTEST_";

/// What the build asks of the attestations gofront can write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttestRequest {
    /// An SBOM, and who writes it.
    pub sbom: Sbom,
    /// The client asked for some attestation, so the exporter it talks to
    /// takes them: gofront's own (the OpenVEX of `vulncheck:`) go along.
    pub wanted: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Sbom {
    #[default]
    None,
    /// gofront writes it, from the Go build info.
    Gofront,
    /// `generator=IMAGE`: the user chose a scanner. gofront writes none,
    /// so BuildKit runs that scanner over the image, as it would for any
    /// frontend that leaves the SBOM to it.
    Generator(String),
}

/// The parameters gofront reads; any other is refused rather than ignored.
const SBOM_PARAMS: &[&str] = &["type", "generator", "disabled"];

impl AttestRequest {
    pub fn parse(opts: &Opts) -> Result<AttestRequest, String> {
        let mut wanted = false;
        let mut sbom_value: Option<String> = None;
        for (key, value) in &opts.0 {
            let kind = key
                .strip_prefix(ATTEST_PREFIX)
                .or_else(|| key.strip_prefix(ATTEST_ARG_PREFIX));
            let Some(kind) = kind else { continue };
            wanted = true;
            if kind.eq_ignore_ascii_case("sbom") {
                sbom_value = Some(value.to_string());
            }
        }
        let sbom = match sbom_value {
            None => Sbom::None,
            Some(v) => parse_sbom(&v)?,
        };
        Ok(AttestRequest { sbom, wanted })
    }
}

/// `attest:sbom`'s value: comma-separated `key=value` (a key alone is
/// `key=`), as BuildKit reads it.
fn parse_sbom(value: &str) -> Result<Sbom, String> {
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    for field in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (k, v) = field.split_once('=').unwrap_or((field, ""));
        params.insert(k.trim().to_string(), v.trim().to_string());
    }
    if let Some(unknown) = params.keys().find(|k| !SBOM_PARAMS.contains(&k.as_str())) {
        return Err(format!(
            "--attest type=sbom,{unknown}=…: gofront writes the SBOM itself, exactly, from the Go build info of the binaries, and takes no parameter {unknown:?} (hint: drop it, or name a scanner image with generator=IMAGE to have BuildKit scan the image instead)"
        ));
    }
    if params
        .get("disabled")
        .is_some_and(|v| v.is_empty() || v.eq_ignore_ascii_case("true"))
    {
        return Ok(Sbom::None);
    }
    match params.get("generator") {
        Some(g) if g.is_empty() => {
            Err("--attest type=sbom,generator=: the scanner image is empty (hint: drop generator= to get gofront's SBOM, or name an image)".to_string())
        }
        Some(g) => Ok(Sbom::Generator(g.clone())),
        None => Ok(Sbom::Gofront),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<AttestRequest, String> {
        let opts = Opts::from_pairs(
            pairs
                .iter()
                .enumerate()
                .map(|(i, (k, v))| (format!("BUILDKIT_FRONTEND_OPT_{i}"), format!("{k}={v}"))),
        );
        AttestRequest::parse(&opts)
    }

    #[test]
    fn no_attest_opt_asks_for_nothing() {
        assert_eq!(
            parse(&[("filename", "gofront.yaml")]).unwrap(),
            AttestRequest::default()
        );
    }

    #[test]
    fn sbom_true_is_gofronts_and_provenance_alone_only_wants_attestations() {
        let r = parse(&[("attest:sbom", "")]).unwrap();
        assert_eq!(r.sbom, Sbom::Gofront);
        assert!(r.wanted);
        let r = parse(&[("attest:provenance", "mode=min,inline-only=true")]).unwrap();
        assert_eq!(r.sbom, Sbom::None);
        assert!(r.wanted);
        let r = parse(&[("build-arg:BUILDKIT_ATTEST_SBOM", "")]).unwrap();
        assert_eq!(r.sbom, Sbom::Gofront);
    }

    #[test]
    fn a_generator_leaves_the_sbom_to_buildkit() {
        let r = parse(&[("attest:sbom", "generator=example.com/scanner:1")]).unwrap();
        assert_eq!(r.sbom, Sbom::Generator("example.com/scanner:1".into()));
        assert!(parse(&[("attest:sbom", "generator=")]).is_err());
    }

    #[test]
    fn disabled_and_unknown_parameters() {
        let r = parse(&[("attest:sbom", "disabled=true")]).unwrap();
        assert_eq!(r.sbom, Sbom::None);
        let e = parse(&[("attest:sbom", "scan-context=true")]).unwrap_err();
        assert!(
            e.contains("\"scan-context\"") && e.contains("generator=IMAGE"),
            "{e}"
        );
    }
}
