//! The attestations of one platform's image, made from what the build
//! itself ran: the SBOM from each binary's Go build info, and govulncheck's
//! verdict with its OpenVEX document. The documents are `attest`'s; here
//! they are solved, read, reported and attached.

use crate::attest::{self, spdx, vulncheck};
use crate::convert;
use crate::gateway::{Attestation, Bridge, Failure};
use crate::lint;
use crate::plan::{self, Plan};
use crate::request::Sbom;
use crate::spec::{self, SpecError, VulnCheck};

use super::{Client, SpecFile, solve_explained};

/// Largest report or build info read back: far above a real one.
const READ_LIMIT: usize = 32 << 20;

/// govulncheck's run, as the build reports it.
pub enum VulnVerdict {
    /// The report: reachable vulnerabilities were warned about (or there
    /// were none).
    Report(vulncheck::Report),
    /// govulncheck could not run to the end (`warn` only: `fail` stops the
    /// build): the warning that says why.
    Failed(String),
}

impl Client {
    /// Whether the result may carry attestations: the client asked for
    /// some (so its exporter takes them) and the daemon can hold them. An
    /// SBOM asked of a daemon that cannot is refused before anything runs.
    pub fn takes_attestations(&self) -> Result<bool, Failure> {
        let asked = &self.request.attest;
        if !asked.wanted {
            return Ok(false);
        }
        if !self.request.daemon.attestations {
            if asked.sbom == Sbom::Gofront {
                return Err(Failure::new(
                    "--sbom: this BuildKit cannot attach attestations to an image (capability `reference.attestations`, BuildKit v0.11+, Docker 23+ with the containerd image store)",
                ));
            }
            return Ok(false);
        }
        Ok(true)
    }

    /// What runs govulncheck: a bridge of its own, so that its solve can
    /// go beside the image's.
    pub fn vulncheck_runner(&self) -> VulnRunner {
        VulnRunner {
            bridge: self.bridge.clone(),
        }
    }

    /// govulncheck's outcome judged by the spec's mode: under `fail`, a
    /// reachable vulnerability or a failed run stops the build with every
    /// detail; under `warn`, each is a build warning.
    pub async fn judge_vulncheck(
        &mut self,
        spec: &spec::Spec,
        file: &SpecFile,
        plan: &Plan,
        outcome: Option<VulnOutcome>,
    ) -> Result<Option<VulnVerdict>, Failure> {
        let (Some(v), Some(outcome)) = (&plan.vulncheck, outcome) else {
            return Ok(None);
        };
        let judged = judge(v, outcome);
        if let Some(message) = judged.fatal {
            let hint = match judged.verdict {
                VulnVerdict::Failed(_) => FAILED_HINT,
                VulnVerdict::Report(_) => FOUND_HINT,
            };
            return Err(file.failure(&at_vulncheck(spec, v, message, hint)));
        }
        self.warn(&judged.findings, file).await;
        Ok(Some(judged.verdict))
    }

    /// `--call check`: govulncheck's findings as check findings, whatever
    /// the mode (a check reports; it does not build).
    pub async fn vulncheck_findings(
        &mut self,
        file: &SpecFile,
        plan: &Plan,
        options: &convert::Options,
    ) -> Result<Vec<lint::Finding>, Failure> {
        let outcome = self.vulncheck_runner().run(file, plan, options).await?;
        Ok(match (&plan.vulncheck, outcome) {
            (Some(v), Some(outcome)) => judge(v, outcome).findings,
            _ => Vec::new(),
        })
    }

    /// The SPDX document of `plan`'s image, from the Go build info and
    /// SHA-256 of each binary, read by a step of the build.
    pub async fn sbom(
        &mut self,
        file: &SpecFile,
        plan: &Plan,
        options: &convert::Options,
        runtime_digest: Option<String>,
        platform_id: &str,
    ) -> Result<Vec<u8>, Failure> {
        let reference = self
            .solve_build(convert::build_info_llb(plan, options), file)
            .await?;
        let mut binaries = Vec::new();
        for (compile, (_, path)) in plan.compiles.iter().zip(&plan.final_stage.binaries) {
            let name = &compile.binary;
            let text = self
                .bridge
                .read_file(&reference, &format!("/{name}.buildinfo"), READ_LIMIT)
                .await?;
            let mut info =
                spdx::parse_go_version_m(&String::from_utf8_lossy(&text)).map_err(|e| {
                    Failure::new(format!(
                        "SBOM: the binary {name} has no readable Go build info: {e} (step \"{}\")",
                        plan.build_info.name
                    ))
                })?;
            // Go leaves -ldflags out of the build info of a -trimpath build
            // (golang/go#52372): the SBOM takes them from the plan's step.
            if !info.settings.iter().any(|(k, _)| k == "-ldflags")
                && let Some(flags) = compile
                    .step
                    .argv
                    .iter()
                    .find_map(|a| a.strip_prefix("-ldflags="))
            {
                info.settings
                    .push(("-ldflags".to_string(), flags.to_string()));
            }
            let sum = self
                .bridge
                .read_file(&reference, &format!("/{name}.sha256"), 4096)
                .await?;
            let sha256 = String::from_utf8_lossy(&sum)
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            binaries.push(spdx::Binary {
                path: path.clone(),
                sha256,
                info,
            });
        }
        let document = spdx::Document {
            image_name: plan
                .compiles
                .first()
                .map(|c| c.binary.clone())
                .unwrap_or_default(),
            platform: platform_id.to_string(),
            binaries,
            runtime: plan.runtime.as_ref().map(|r| spdx::BaseImage {
                reference: r.reference.clone(),
                digest: runtime_digest,
            }),
            created: attest::created(plan),
            creator_tool: attest::CREATOR.to_string(),
        };
        serde_json::to_vec_pretty(&spdx::spdx_json(&document))
            .map_err(|e| Failure::new(format!("SBOM: {e}")))
    }

    /// Solve the attestations' files and point the result at them.
    pub async fn attach(
        &mut self,
        platform_id: &str,
        plan: &Plan,
        documents: Vec<attest::Document>,
    ) -> Result<Vec<Attestation>, Failure> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let files: Vec<(String, Vec<u8>)> = documents
            .iter()
            .map(|d| (d.path.to_string(), d.data.clone()))
            .collect();
        let graph = convert::files_llb(&files, &plan.builder.platform);
        let reference = self
            .bridge
            .solve(graph.definition, true, "[gofront] attestations")
            .await?;
        Ok(documents
            .into_iter()
            .map(|d| Attestation {
                platform: platform_id.to_string(),
                reference: reference.clone(),
                path: d.path.to_string(),
                predicate_type: d.predicate_type.to_string(),
                reason: d.reason.map(str::to_string),
            })
            .collect())
    }
}

/// govulncheck's report, or why there is none.
pub type VulnOutcome = Result<vulncheck::Report, String>;

/// Runs govulncheck on a bridge of its own ([`Client::vulncheck_runner`]).
pub struct VulnRunner {
    bridge: Bridge,
}

impl VulnRunner {
    /// Solve the govulncheck graph and read what it left: the report, or
    /// why there is none.
    /// `None` when the spec has no `vulncheck`.
    pub async fn run(
        mut self,
        file: &SpecFile,
        plan: &Plan,
        options: &convert::Options,
    ) -> Result<Option<VulnOutcome>, Failure> {
        let (Some(v), Some(graph)) = (&plan.vulncheck, convert::vulncheck_llb(plan, options))
        else {
            return Ok(None);
        };
        let reference = solve_explained(&mut self.bridge, graph, file).await?;
        // The ref is the step's output mount: its files are at the root.
        let read = |name: &str| format!("/{name}");
        let status = self
            .bridge
            .read_file(&reference, &read("status"), 64)
            .await?;
        let status = String::from_utf8_lossy(&status).trim().to_string();
        let stderr = self
            .bridge
            .read_file(&reference, &read("stderr"), READ_LIMIT)
            .await?;
        let report = self
            .bridge
            .read_file(&reference, &read("report.json"), READ_LIMIT)
            .await?;
        if status != "0" {
            return Ok(Some(Err(govulncheck_failure(
                &status,
                &String::from_utf8_lossy(&stderr),
                &v.db,
            ))));
        }
        Ok(Some(
            vulncheck::parse(&String::from_utf8_lossy(&report))
                .map_err(|e| format!("its report is unreadable: {e}")),
        ))
    }
}

/// govulncheck's run judged by the spec's mode.
struct Judged {
    verdict: VulnVerdict,
    /// A build warning, or a check finding, each.
    findings: Vec<lint::Finding>,
    /// Under `fail`: the build's error.
    fatal: Option<String>,
}

fn judge(v: &plan::VulnCheckPlan, outcome: Result<vulncheck::Report, String>) -> Judged {
    let fail = v.mode == VulnCheck::Fail;
    match outcome {
        Err(why) => {
            let message = format!("govulncheck could not check the code: {why}");
            Judged {
                findings: vec![lint::vulncheck_failed(v.pos, message.clone())],
                fatal: fail.then(|| format!("vulncheck: {message}")),
                verdict: VulnVerdict::Failed(message),
            }
        }
        Ok(report) => {
            let reachable: Vec<&vulncheck::Vuln> =
                report.vulns.iter().filter(|r| r.reachable()).collect();
            let findings = reachable
                .iter()
                .map(|r| lint::reachable_vulnerability(v.pos, r.describe()))
                .collect();
            let fatal = (fail && !reachable.is_empty()).then(|| {
                let details: Vec<String> = reachable.iter().map(|r| r.details()).collect();
                format!(
                    "vulncheck: the code calls {} known {} (database {}):\n{}",
                    reachable.len(),
                    if reachable.len() == 1 {
                        "vulnerability"
                    } else {
                        "vulnerabilities"
                    },
                    v.db,
                    details.join("\n")
                )
            });
            Judged {
                verdict: VulnVerdict::Report(report),
                findings,
                fatal,
            }
        }
    }
}

const FOUND_HINT: &str = "upgrade each module to its fixed version (the `go get` above), or set `vulncheck: warn` to build anyway";
const FAILED_HINT: &str = "check the build arg GOVULNDB (a URL the build steps can reach: https://…, or file://…), or set `vulncheck: warn` to build anyway";

/// An error at the `vulncheck:` line.
fn at_vulncheck(
    spec: &spec::Spec,
    v: &plan::VulnCheckPlan,
    message: String,
    hint: &str,
) -> SpecError {
    SpecError {
        file: spec.file.clone(),
        pos: v.pos,
        message,
        hint: Some(hint.to_string()),
    }
}

/// govulncheck's exit status and its own words, shortened to what says why.
fn govulncheck_failure(status: &str, stderr: &str, db: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = lines[lines.len().saturating_sub(6)..].join("\n");
    let why = if tail.is_empty() {
        "no message".to_string()
    } else {
        tail
    };
    format!("exit status {status}, database {db}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Pos;

    fn plan_of(mode: VulnCheck) -> plan::VulnCheckPlan {
        let step = plan::Step::default();
        plan::VulnCheckPlan {
            mode,
            pos: Pos {
                line: 4,
                column: 12,
            },
            db: "http://127.0.0.1:9".into(),
            install: step.clone(),
            scan: step,
        }
    }

    fn report() -> vulncheck::Report {
        vulncheck::parse(include_str!("../attest/testdata/govulncheck-two.json")).unwrap()
    }

    #[test]
    fn fail_stops_on_the_reachable_entry_only() {
        let j = judge(&plan_of(VulnCheck::Fail), Ok(report()));
        let fatal = j.fatal.expect("a reachable vulnerability fails the build");
        assert!(fatal.contains("calls 1 known vulnerability"), "{fatal}");
        assert!(fatal.contains("GO-2099-0001") && !fatal.contains("GO-2099-0002"));
        assert_eq!(j.findings.len(), 1);
        assert_eq!(j.findings[0].rule, "ReachableVulnerability");
        assert_eq!(j.findings[0].pos.line, 4);
    }

    #[test]
    fn warn_reports_and_goes_on() {
        let j = judge(&plan_of(VulnCheck::Warn), Ok(report()));
        assert!(j.fatal.is_none());
        assert_eq!(j.findings.len(), 1);
        assert!(j.findings[0].detail.starts_with("GO-2099-0001"));
        let none =
            vulncheck::parse(include_str!("../attest/testdata/govulncheck-none.json")).unwrap();
        let j = judge(&plan_of(VulnCheck::Fail), Ok(none));
        assert!(j.fatal.is_none() && j.findings.is_empty());
    }

    #[test]
    fn a_run_that_did_not_finish_is_a_warning_or_the_error() {
        let why = govulncheck_failure(
            "1",
            "creating client: unrecognized vulndb format; see https://go.dev/security/vuln/database#api\n",
            "http://127.0.0.1:9",
        );
        assert_eq!(
            why,
            "exit status 1, database http://127.0.0.1:9: creating client: unrecognized vulndb format; see https://go.dev/security/vuln/database#api"
        );
        let j = judge(&plan_of(VulnCheck::Warn), Err(why.clone()));
        assert!(j.fatal.is_none());
        assert_eq!(j.findings[0].rule, "VulnCheckFailed");
        let j = judge(&plan_of(VulnCheck::Fail), Err(why));
        assert!(
            j.fatal
                .unwrap()
                .starts_with("vulncheck: govulncheck could not check the code: exit status 1")
        );
    }
}
