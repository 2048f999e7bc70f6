//! The LLBBridge client over the process's stdin/stdout.
//!
//! BuildKit starts the frontend with a pipe on fd 0 (daemon → frontend) and
//! fd 1 (frontend → daemon) and serves gRPC (h2c, prior knowledge) on them.
//! Traps this module handles (see docs/pitfalls in the README):
//! * the pipes are driven by epoll (`tokio::net::unix::pipe`), never by
//!   tokio's blocking stdin thread, which would hang the exit forever (P1);
//! * nothing but HTTP/2 is ever written to stdout (P2);
//! * the header-list limit is raised to 16 MiB, because BuildKit's error
//!   trailers carry stack traces and source maps (P5);
//! * messages up to 16 MiB are accepted; requests stay under 4 MiB (P6);
//! * the connector refuses to connect twice: a dead pipe fails fast (P5).

use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::sync::Mutex;
use std::time::Duration;

use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::google::rpc::Status as RpcStatus;
use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::pb;
use fe::llb_bridge_client::LlbBridgeClient;
use hyper_util::rt::TokioIo;
use prost::Message;
use tonic::transport::{Channel, Endpoint, Uri};

/// gRPC's own default on the client side (grpc-go), and BuildKit's since v0.14.
pub const MAX_MESSAGE: usize = 16 << 20;
/// Docker ≤ 26 (BuildKit ≤ v0.13) rejects requests above grpc-go's 4 MiB.
pub const MAX_REQUEST: usize = 4 << 20;

/// A failure to report through `Return`: a message for the user plus any
/// typed details (the daemon's own, forwarded unchanged, and our source
/// locations) so newer clients can print context.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub details: Vec<Any>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Wrap a daemon error, keeping its details (vertex, source, stack).
    pub fn from_status(context: &str, status: &tonic::Status) -> Self {
        let details = RpcStatus::decode(status.details())
            .map(|s| s.details)
            .unwrap_or_default();
        Failure {
            message: format!("{context}: {}", status.message()),
            details,
        }
    }

    pub fn to_rpc_status(&self) -> RpcStatus {
        RpcStatus {
            // Unknown: the daemon prints the message alone (no "<Code>: " prefix).
            code: tonic::Code::Unknown as i32,
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The frontend opts (`BUILDKIT_FRONTEND_OPT_<n>=key=value`). Their
/// numbering is random (Go map order), so they are read into a map.
#[derive(Clone, Debug, Default)]
pub struct Opts(pub BTreeMap<String, String>);

impl Opts {
    pub fn from_env() -> Self {
        Self::from_pairs(std::env::vars())
    }

    pub fn from_pairs(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in vars {
            if k.starts_with("BUILDKIT_FRONTEND_OPT_") {
                // Split on the first '=' only: values may contain '='.
                if let Some((key, value)) = v.split_once('=') {
                    map.insert(key.to_string(), value.to_string());
                }
            }
        }
        Opts(map)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Values of the keys with `prefix`, the prefix removed.
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
            .collect()
    }
}

/// What a build returns: one image, or one per platform.
#[derive(Clone, Debug, PartialEq)]
pub enum Refs {
    /// No ref at all, only metadata: subrequest results (`--call outline`
    /// …). Sent as `Ref{id: ""}`, as BuildKit's Go client does for a nil ref.
    None,
    Single(String),
    /// (platform ID, ref id) pairs.
    PerPlatform(Vec<(String, String)>),
}

/// An in-toto attestation of one platform's image: its predicate is the
/// file at `path` in the solved ref `reference`; with no subjects,
/// BuildKit makes the image manifest its subject.
#[derive(Clone, Debug, PartialEq)]
pub struct Attestation {
    /// The platform ID, as in `refs.platforms`.
    pub platform: String,
    pub reference: String,
    pub path: String,
    pub predicate_type: String,
    /// `reason` metadata: `sbom` tells BuildKit that the SBOM is there,
    /// so it runs no scanner.
    pub reason: Option<String>,
}

/// The options of a build warning (Go's `client.WarnOpts`), sent with
/// [`Bridge::warn`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarnOpts {
    /// 1 (the daemon turns 0 into 1; the dockerfile frontend always sends 1).
    pub level: i64,
    /// Lines printed under the short message (`docker --debug`, buildx
    /// `--debug`): the dockerfile frontend sends the rule's description.
    pub detail: Vec<Vec<u8>>,
    /// Printed as `More info: <url>`.
    pub url: String,
    /// The spec file, so clients print the excerpt around `ranges`.
    pub source: Option<pb::SourceInfo>,
    /// 1-based lines; each range needs both `start` and `end` (clients
    /// dereference both).
    pub ranges: Vec<pb::Range>,
}

/// The connected bridge.
#[derive(Clone)]
pub struct Bridge {
    client: LlbBridgeClient<Channel>,
    /// Named in every solve, so `--cache-from` reaches our graphs.
    cache_imports: Vec<fe::CacheOptionsEntry>,
}

/// Connect to BuildKit over stdin/stdout.
pub async fn connect() -> Result<Bridge, String> {
    // Duplicate the descriptors so we own them safely; O_NONBLOCK is set on
    // the shared file description, which only this process uses.
    let read = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("stdin: {e}"))?;
    let write = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("stdout: {e}"))?;
    let rx = tokio::net::unix::pipe::Receiver::from_owned_fd(read)
        .map_err(|e| format!("stdin is not a pipe from BuildKit ({e}); run gofront through `docker build`, or use a subcommand (see `gofront help`)"))?;
    let tx = tokio::net::unix::pipe::Sender::from_owned_fd(write)
        .map_err(|e| format!("stdout is not a pipe to BuildKit ({e})"))?;
    let io = Mutex::new(Some(tokio::io::join(rx, tx)));
    let connector = tower::service_fn(move |_: Uri| {
        let taken = io.lock().ok().and_then(|mut slot| slot.take());
        async move {
            taken.map(TokioIo::new).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "the stdio connection to BuildKit is closed (reconnect attempted)",
                )
            })
        }
    });
    let channel = Endpoint::from_static("http://localhost")
        .http2_max_header_list_size(16 << 20)
        .connect_timeout(Duration::from_secs(15))
        .connect_with_connector(connector)
        .await
        .map_err(|e| format!("cannot speak gRPC to BuildKit over stdio: {e}"))?;
    let client = LlbBridgeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    Ok(Bridge {
        client,
        cache_imports: Vec::new(),
    })
}

/// What Ping tells about the daemon.
#[derive(Clone, Debug, Default)]
pub struct Caps {
    pub gateway: Vec<String>,
    pub llb: Vec<String>,
    pub worker_platforms: Vec<pb::Platform>,
    /// The first worker's labels (`org.mobyproject.buildkit.worker.*`).
    pub worker_labels: BTreeMap<String, String>,
}

/// Gateway cap of the `Warn` RPC (`frontend/gateway/pb/caps.go`,
/// `CapGatewayWarnings`, BuildKit v0.10+; absent from Docker 20.10's v0.8).
pub const CAP_WARNINGS: &str = "gateway.warnings";

/// Gateway cap of the `Inputs` RPC (`CapFrontendInputs`).
pub const CAP_INPUTS: &str = "frontend.inputs";
/// `Result.attestations` (BuildKit v0.11+).
pub const CAP_ATTESTATIONS: &str = "reference.attestations";

impl Caps {
    /// Whether the daemon takes build warnings ([`Bridge::warn`]).
    pub fn has_warnings(&self) -> bool {
        self.has_gateway(CAP_WARNINGS)
    }
    pub fn has_llb(&self, cap: &str) -> bool {
        self.llb.iter().any(|c| c == cap)
    }
    pub fn has_gateway(&self, cap: &str) -> bool {
        self.gateway.iter().any(|c| c == cap)
    }
}

/// v0.8 has a daemon-side race on concurrent reads of one ref (P11);
/// retry the calls it affects a few times.
fn retryable(status: &tonic::Status) -> bool {
    status.message().contains("flightcontrol")
}

impl Bridge {
    pub async fn ping(&mut self) -> Result<Caps, Failure> {
        let pong = tokio::time::timeout(
            Duration::from_secs(15),
            self.client.ping(fe::PingRequest {}),
        )
        .await
        .map_err(|_| Failure::new("BuildKit did not answer Ping within 15 s"))?
        .map_err(|s| Failure::from_status("ping", &s))?
        .into_inner();
        let enabled = |caps: Vec<bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap>| {
            caps.into_iter()
                .filter(|c| c.enabled)
                .map(|c| c.id)
                .collect()
        };
        Ok(Caps {
            gateway: enabled(pong.frontend_api_caps),
            llb: enabled(pong.llb_caps),
            worker_labels: pong
                .workers
                .first()
                .map(|w| w.labels.clone().into_iter().collect())
                .unwrap_or_default(),
            worker_platforms: pong.workers.into_iter().flat_map(|w| w.platforms).collect(),
        })
    }

    /// Import these caches in every later solve.
    pub fn import_caches(&mut self, imports: Vec<fe::CacheOptionsEntry>) {
        self.cache_imports = imports;
    }

    /// Solve a definition; returns the result's ref id. With `evaluate`,
    /// the graph runs now and its errors come back here (P4: Solve is lazy).
    pub async fn solve(
        &mut self,
        definition: pb::Definition,
        evaluate: bool,
        what: &str,
    ) -> Result<String, Failure> {
        let req = fe::SolveRequest {
            definition: Some(definition),
            allow_result_return: true,
            allow_result_array_ref: true,
            evaluate,
            cache_imports: self.cache_imports.clone(),
            ..Default::default()
        };
        if req.encoded_len() > MAX_REQUEST {
            return Err(Failure::new(format!(
                "{what}: the build graph is {} bytes, over the 4 MiB older daemons accept",
                req.encoded_len()
            )));
        }
        let resp = self
            .client
            .solve(req)
            .await
            .map_err(|s| Failure::from_status(what, &s))?
            .into_inner();
        match resp.result.and_then(|r| r.result) {
            Some(fe::result::Result::Ref(r)) => Ok(r.id),
            Some(fe::result::Result::RefDeprecated(id)) => Ok(id),
            None => Ok(String::new()),
            Some(_) => Err(Failure::new(format!("{what}: unexpected multi-ref result"))),
        }
    }

    /// The LLB definitions the client handed over as frontend inputs
    /// (cap `frontend.inputs`): by name, e.g. `context`, `dockerfile`.
    pub async fn inputs(&mut self) -> Result<BTreeMap<String, pb::Definition>, Failure> {
        let resp = self
            .client
            .inputs(fe::InputsRequest {})
            .await
            .map_err(|s| Failure::from_status("frontend inputs", &s))?
            .into_inner();
        Ok(resp.definitions.into_iter().collect())
    }

    /// Read a whole file from a solved ref, in chunks that stay well under
    /// every daemon's message limit.
    pub async fn read_file(
        &mut self,
        reference: &str,
        path: &str,
        limit: usize,
    ) -> Result<Vec<u8>, Failure> {
        const CHUNK: i64 = 1 << 20;
        let mut data = Vec::new();
        loop {
            let req = fe::ReadFileRequest {
                r#ref: reference.to_string(),
                file_path: path.to_string(),
                range: Some(fe::FileRange {
                    offset: data.len() as i64,
                    length: CHUNK,
                }),
                ..Default::default()
            };
            let mut attempt = 0;
            let chunk = loop {
                match self.client.read_file(req.clone()).await {
                    Ok(r) => break r.into_inner().data,
                    Err(s) if retryable(&s) && attempt < 3 => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                    }
                    Err(s) => return Err(Failure::from_status(&format!("read {path}"), &s)),
                }
            };
            let n = chunk.len();
            data.extend_from_slice(&chunk);
            if data.len() > limit {
                return Err(Failure::new(format!("{path} is larger than {limit} bytes")));
            }
            if (n as i64) < CHUNK {
                return Ok(data);
            }
        }
    }

    /// List a directory of a solved ref; `None` if it does not exist.
    pub async fn read_dir(
        &mut self,
        reference: &str,
        path: &str,
    ) -> Result<Option<Vec<fsutil_stat::Stat>>, Failure> {
        let req = fe::ReadDirRequest {
            r#ref: reference.to_string(),
            dir_path: path.to_string(),
            include_pattern: String::new(),
            ..Default::default()
        };
        let mut attempt = 0;
        loop {
            match self.client.read_dir(req.clone()).await {
                Ok(r) => return Ok(Some(r.into_inner().entries)),
                Err(s) if retryable(&s) && attempt < 3 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
                Err(s)
                    if s.message().contains("no such file or directory")
                        || s.message().contains("not a directory") =>
                {
                    return Ok(None);
                }
                Err(s) => return Err(Failure::from_status(&format!("list {path}"), &s)),
            }
        }
    }

    /// The config of `reference` for `platform`, as JSON bytes, and the
    /// digest it was resolved to (empty when the daemon names none).
    pub async fn resolve_image_config(
        &mut self,
        reference: &str,
        platform: &pb::Platform,
        resolve_mode: &str,
    ) -> Result<(String, Vec<u8>), Failure> {
        let req = fe::ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform: Some(platform.clone()),
            resolve_mode: resolve_mode.to_string(),
            log_name: format!("[gofront] resolve image config for {reference}"),
            ..Default::default()
        };
        let resp = self
            .client
            .resolve_image_config(req)
            .await
            .map_err(|s| Failure::from_status(&format!("resolve image {reference}"), &s))?
            .into_inner();
        Ok((resp.digest, resp.config))
    }

    /// Report a build warning (`LLBBridge.Warn`). `digest` is the vertex
    /// it belongs to: the progress display shows it under that vertex (the
    /// dockerfile frontend uses the head of the definition that loaded the
    /// spec); with an empty or unknown digest it only appears in the
    /// client's end-of-build summary (`N warnings found`). Needs
    /// [`Caps::has_warnings`]: older daemons answer `Unimplemented`.
    pub async fn warn(&mut self, digest: &str, short: &str, opts: WarnOpts) -> Result<(), Failure> {
        let req = fe::WarnRequest {
            digest: digest.to_string(),
            level: if opts.level == 0 { 1 } else { opts.level },
            short: short.as_bytes().to_vec(),
            detail: opts.detail,
            url: opts.url,
            info: opts.source,
            ranges: opts.ranges,
        };
        self.client
            .warn(req)
            .await
            .map(|_| ())
            .map_err(|s| Failure::from_status("warn", &s))
    }

    /// Return the result: one ref, one per platform (keyed by platform
    /// ID), or none (subrequests), plus metadata (the image configs, or a
    /// subrequest's `result.json` …).
    pub async fn return_result(
        &mut self,
        refs: Refs,
        metadata: Vec<(String, Vec<u8>)>,
        attestations: Vec<Attestation>,
    ) -> Result<(), String> {
        self.r#return(fe::ReturnRequest {
            result: Some(result_message(refs, metadata, attestations)),
            error: None,
        })
        .await
    }

    pub async fn return_error(&mut self, failure: &Failure) -> Result<(), String> {
        self.r#return(fe::ReturnRequest {
            result: None,
            error: Some(failure.to_rpc_status()),
        })
        .await
    }

    async fn r#return(&mut self, req: fe::ReturnRequest) -> Result<(), String> {
        self.client
            .r#return(req)
            .await
            .map(|_| ())
            .map_err(|s| format!("Return failed: {}", s.message()))
    }
}

/// The `Result` message of a successful `Return`.
fn result_message(
    refs: Refs,
    metadata: Vec<(String, Vec<u8>)>,
    attestations: Vec<Attestation>,
) -> fe::Result {
    let as_ref = |id: String| fe::Ref { id, def: None };
    let mut by_platform: std::collections::HashMap<String, fe::Attestations> =
        std::collections::HashMap::new();
    for a in attestations {
        let mut metadata = std::collections::HashMap::new();
        if let Some(reason) = a.reason {
            metadata.insert("reason".to_string(), reason.into_bytes());
        }
        by_platform
            .entry(a.platform)
            .or_default()
            .attestation
            .push(fe::Attestation {
                kind: fe::AttestationKind::InToto as i32,
                metadata,
                r#ref: Some(as_ref(a.reference)),
                path: a.path,
                in_toto_predicate_type: a.predicate_type,
                in_toto_subjects: Vec::new(),
            });
    }
    fe::Result {
        metadata: metadata.into_iter().collect(),
        attestations: by_platform,
        result: Some(match refs {
            Refs::None => fe::result::Result::Ref(as_ref(String::new())),
            Refs::Single(id) => fe::result::Result::Ref(as_ref(id)),
            Refs::PerPlatform(map) => fe::result::Result::Refs(fe::RefMap {
                refs: map.into_iter().map(|(k, id)| (k, as_ref(id))).collect(),
            }),
        }),
    }
}

/// `fsutil.types.Stat`, re-exported under a name that says what it is.
pub mod fsutil_stat {
    pub use bollard_buildkit_proto::fsutil::types::Stat;
    /// Go's `os.ModeDir` bit (not POSIX `S_IFDIR`).
    pub const MODE_DIR: u32 = 1 << 31;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opts_split_on_first_equals_in_any_order() {
        let opts = Opts::from_pairs(vec![
            ("BUILDKIT_FRONTEND_OPT_3".into(), "build-arg:V=a=b c".into()),
            (
                "BUILDKIT_FRONTEND_OPT_0".into(),
                "filename=gofront.yaml".into(),
            ),
            ("BUILDKIT_FRONTEND_OPT_1".into(), "no-cache=".into()),
            ("BUILDKIT_FRONTEND_OPT_2".into(), "label:a.b=c".into()),
            ("PATH".into(), "/bin".into()),
        ]);
        assert_eq!(opts.get("filename"), Some("gofront.yaml"));
        assert_eq!(opts.get("no-cache"), Some(""));
        assert_eq!(
            opts.with_prefix("build-arg:").get("V").map(String::as_str),
            Some("a=b c")
        );
        assert_eq!(
            opts.with_prefix("label:").get("a.b").map(String::as_str),
            Some("c")
        );
        assert_eq!(opts.get("PATH"), None);
    }

    #[test]
    fn a_subrequest_result_has_an_empty_ref_and_metadata_only() {
        let r = result_message(
            Refs::None,
            vec![("result.json".into(), b"{}".to_vec())],
            Vec::new(),
        );
        assert_eq!(
            r.result,
            Some(fe::result::Result::Ref(fe::Ref {
                id: String::new(),
                def: None
            }))
        );
        assert_eq!(
            r.metadata.get("result.json").map(Vec::as_slice),
            Some(&b"{}"[..])
        );
        assert!(r.attestations.is_empty());
    }

    #[test]
    fn attestations_are_keyed_by_platform_and_the_sbom_says_so() {
        let att = |platform: &str, path: &str, reason: Option<&str>| Attestation {
            platform: platform.into(),
            reference: "ref-1".into(),
            path: path.into(),
            predicate_type: "https://spdx.dev/Document".into(),
            reason: reason.map(str::to_string),
        };
        let r = result_message(
            Refs::PerPlatform(vec![("linux/amd64".into(), "img".into())]),
            Vec::new(),
            vec![
                att("linux/amd64", "/sbom.spdx.json", Some("sbom")),
                att("linux/amd64", "/vex.json", None),
                att("linux/arm64", "/sbom.spdx.json", Some("sbom")),
            ],
        );
        let amd64 = &r.attestations["linux/amd64"].attestation;
        assert_eq!(amd64.len(), 2);
        assert_eq!(amd64[0].kind, fe::AttestationKind::InToto as i32);
        assert_eq!(amd64[0].r#ref.as_ref().unwrap().id, "ref-1");
        assert_eq!(amd64[0].path, "/sbom.spdx.json");
        assert_eq!(amd64[0].metadata["reason"], b"sbom");
        // No subjects: BuildKit makes the platform's image the subject.
        assert!(amd64[0].in_toto_subjects.is_empty());
        assert!(amd64[1].metadata.is_empty());
        assert_eq!(r.attestations["linux/arm64"].attestation.len(), 1);
    }

    #[test]
    fn warnings_need_the_gateway_warnings_cap() {
        let mut caps = Caps::default();
        assert!(!caps.has_warnings());
        caps.gateway.push("gateway.warnings".into());
        assert!(caps.has_warnings());
    }

    #[test]
    fn failure_keeps_daemon_details_and_uses_code_unknown() {
        let inner = RpcStatus {
            code: 2,
            message: "boom".into(),
            details: vec![Any {
                type_url: "github.com/moby/buildkit/errdefs.Vertex+json".into(),
                value: br#"{"digest":"sha256:x"}"#.to_vec(),
            }],
        };
        let status =
            tonic::Status::with_details(tonic::Code::Unknown, "boom", inner.encode_to_vec().into());
        let f = Failure::from_status("go build", &status);
        assert_eq!(f.message, "go build: boom");
        let rpc = f.to_rpc_status();
        assert_eq!(rpc.code, 2);
        assert_eq!(rpc.details.len(), 1);
    }
}
