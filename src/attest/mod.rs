//! The documents gofront attests for an image, made from what the build
//! ran rather than guessed from the files: the SPDX SBOM from each binary's
//! Go build info (`spdx`), and govulncheck's verdict as OpenVEX
//! (`vulncheck`). Pure: text in, JSON out.

use crate::plan::Plan;

pub mod spdx;
pub mod vulncheck;

/// The in-toto predicate types BuildKit and scanners look for.
pub const SPDX_PREDICATE: &str = "https://spdx.dev/Document";
pub const OPENVEX_PREDICATE: &str = "https://openvex.dev/ns/v0.2.0";

/// Who made the documents.
pub const CREATOR: &str = concat!("gofront-", env!("CARGO_PKG_VERSION"));

/// One attestation's predicate, as a file of the attestations' ref.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub path: &'static str,
    pub data: Vec<u8>,
    pub predicate_type: &'static str,
    /// `sbom` for the SBOM: BuildKit then runs no scanner.
    pub reason: Option<&'static str>,
}

impl Document {
    pub fn sbom(data: Vec<u8>) -> Document {
        Document {
            path: "/sbom.spdx.json",
            data,
            predicate_type: SPDX_PREDICATE,
            reason: Some("sbom"),
        }
    }

    pub fn openvex(data: Vec<u8>) -> Document {
        Document {
            path: "/vulncheck.openvex.json",
            data,
            predicate_type: OPENVEX_PREDICATE,
            reason: None,
        }
    }
}

/// When the documents were made: the image's `created` (SOURCE_DATE_EPOCH),
/// so that a reproducible build gives the same attestations; else now.
pub fn created(plan: &Plan) -> String {
    plan.image.created.clone().unwrap_or_else(|| {
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
    })
}
