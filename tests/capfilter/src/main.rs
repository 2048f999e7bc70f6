//! `capfilter PROGRAM [ARGS...]`: a test fixture that makes a BuildKit look
//! like it lacks capabilities, so the e2e tests can check how the frontend
//! refuses such a daemon without any test switch in the frontend itself.
//!
//! BuildKit runs a frontend with the LLBBridge gRPC service (HTTP/2 without
//! TLS) on the process's stdin/stdout; the frontend is the client. As the
//! frontend image's entrypoint, capfilter starts the real frontend
//! (PROGRAM) on pipes of its own, serves HTTP/2 to it there, and forwards
//! every request to BuildKit on its own stdin/stdout as it came (method,
//! path, headers, streamed body, trailers), and every answer back. The one
//! change: in the answer to `Ping`, the caps named in the comma-separated
//! env `GOFRONT_CAPFILTER_DROP` are removed. PROGRAM inherits the env
//! (BuildKit's `BUILDKIT_FRONTEND_OPT_*` and the rest) and stderr.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::PongResponse;
use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::combinators::WithTrailers;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use prost::Message;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::unix::pipe;

const PING: &str = "/moby.buildkit.v1.frontend.LLBBridge/Ping";

/// BuildKit's error trailers can be large (they carry the spec as a source
/// map): the frontend accepts 16 MiB of headers, so must the proxy.
const MAX_HEADER_LIST: u32 = 16 << 20;

/// What goes back to the frontend: BuildKit's answer as it streams in, or
/// a rewritten `Ping` answer with the original trailers (`grpc-status`).
type Body =
    Either<Incoming, WithTrailers<Full<Bytes>, Ready<Option<Result<HeaderMap, Infallible>>>>>;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: capfilter PROGRAM [ARGS...]");
        std::process::exit(2);
    };
    let drop: Vec<String> = std::env::var("GOFRONT_CAPFILTER_DROP")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    let mut child = Command::new(&program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!("capfilter: cannot start {}: {e}", program.to_string_lossy());
            std::process::exit(127);
        });
    let (Some(to_child), Some(from_child)) = (child.stdin.take(), child.stdout.take()) else {
        unreachable!("both are piped");
    };
    // The proxy runs on its own thread; this one waits for the frontend.
    // When it has exited, BuildKit has had its Return (or the frontend
    // failed without one), so nothing is left to forward.
    std::thread::spawn(move || {
        let proxied = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| format!("no runtime: {e}"))
            .and_then(|rt| rt.block_on(proxy(to_child.into(), from_child.into(), drop)));
        if let Err(e) = proxied {
            eprintln!("capfilter: {e}");
        }
    });
    let status = child.wait().unwrap_or_else(|e| {
        eprintln!("capfilter: waiting for {}: {e}", program.to_string_lossy());
        std::process::exit(1);
    });
    std::process::exit(exit_code(status));
}

/// The frontend's exit code, or 128 + the signal that ended it, as a shell
/// reports it.
fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// BuildKit on stdin/stdout, the frontend on its pipes; returns when the
/// frontend's connection ends.
async fn proxy(to_child: OwnedFd, from_child: OwnedFd, drop: Vec<String>) -> Result<(), String> {
    // Pipes registered with tokio's reactor (epoll), not tokio::io::stdin,
    // whose blocking reads cannot be cancelled. Duplicated descriptors,
    // so that stdin and stdout stay owned by std.
    let dup = |fd: std::io::Result<OwnedFd>| fd.map_err(|e| format!("stdio: {e}"));
    let stdin = dup(std::io::stdin().as_fd().try_clone_to_owned())?;
    let stdout = dup(std::io::stdout().as_fd().try_clone_to_owned())?;
    let buildkit = tokio::io::join(
        pipe::Receiver::from_owned_fd(stdin).map_err(|e| format!("stdin is not a pipe: {e}"))?,
        pipe::Sender::from_owned_fd(stdout).map_err(|e| format!("stdout is not a pipe: {e}"))?,
    );
    let frontend = tokio::io::join(
        pipe::Receiver::from_owned_fd(from_child).map_err(|e| e.to_string())?,
        pipe::Sender::from_owned_fd(to_child).map_err(|e| e.to_string())?,
    );
    relay(buildkit, frontend, drop).await
}

/// HTTP/2 client to BuildKit, HTTP/2 server to the frontend, each call
/// handed over by `forward`.
async fn relay<B, F>(buildkit: B, frontend: F, drop: Vec<String>) -> Result<(), String>
where
    B: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    F: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (upstream, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .max_header_list_size(MAX_HEADER_LIST)
        .handshake(TokioIo::new(buildkit))
        .await
        .map_err(|e| format!("HTTP/2 to BuildKit: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("capfilter: connection to BuildKit: {e}");
        }
    });

    let drop = Arc::new(drop);
    let service =
        hyper::service::service_fn(move |req| forward(upstream.clone(), req, drop.clone()));
    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .max_header_list_size(MAX_HEADER_LIST)
        // No `date` header of the proxy's own in BuildKit's answers.
        .auto_date_header(false)
        .serve_connection(TokioIo::new(frontend), service)
        .await
        .map_err(|e| format!("HTTP/2 to the frontend: {e}"))
}

/// One call, forwarded both ways; the body of a `Ping` answer is read
/// whole and rewritten, every other body streams through.
async fn forward(
    mut upstream: SendRequest<Incoming>,
    req: Request<Incoming>,
    drop: Arc<Vec<String>>,
) -> Result<Response<Body>, hyper::Error> {
    let ping = req.uri().path() == PING;
    let resp = upstream.send_request(req).await?;
    if !ping {
        return Ok(resp.map(Either::Left));
    }
    let (mut parts, body) = resp.into_parts();
    let body = body.collect().await?;
    let trailers = body.trailers().cloned();
    let original = body.to_bytes();
    let bytes = match drop_caps(&original, &drop) {
        Ok(rewritten) => Bytes::from(rewritten),
        Err(e) => {
            eprintln!("capfilter: Ping answer forwarded unchanged: {e}");
            original
        }
    };
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let body = Full::new(bytes).with_trailers(ready(trailers.map(Ok)));
    Ok(Response::from_parts(parts, Either::Right(body)))
}

/// The gRPC message of a `Ping` answer (1 byte compressed flag, 4 bytes
/// big-endian length, a `PongResponse`) without the caps whose id is in
/// `drop`, gateway and LLB caps alike. Fields the proto crate does not
/// know are lost in the round trip; the frontend decodes with the same
/// crate, so it would not see them either.
fn drop_caps(message: &[u8], drop: &[String]) -> Result<Vec<u8>, String> {
    let [compressed, l0, l1, l2, l3, payload @ ..] = message else {
        return Err(format!("{} bytes, no gRPC message", message.len()));
    };
    if *compressed != 0 {
        return Err("the message is compressed".into());
    }
    let len = u32::from_be_bytes([*l0, *l1, *l2, *l3]) as usize;
    if len != payload.len() {
        return Err(format!(
            "length prefix {len}, {} bytes follow",
            payload.len()
        ));
    }
    let mut pong = PongResponse::decode(payload).map_err(|e| format!("not a PongResponse: {e}"))?;
    let before = pong.frontend_api_caps.len() + pong.llb_caps.len();
    pong.frontend_api_caps.retain(|c| !drop.contains(&c.id));
    pong.llb_caps.retain(|c| !drop.contains(&c.id));
    let removed = before - pong.frontend_api_caps.len() - pong.llb_caps.len();
    eprintln!("capfilter: Ping: {removed} caps removed (asked: {drop:?})");
    let payload = pong.encode_to_vec();
    let len = u32::try_from(payload.len()).map_err(|_| "the answer outgrew 4 GiB")?;
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(0);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
    use bollard_buildkit_proto::moby::buildkit::v1::types::WorkerRecord;

    fn cap(id: &str) -> ApiCap {
        ApiCap {
            id: id.into(),
            enabled: true,
            ..Default::default()
        }
    }

    fn framed(pong: &PongResponse) -> Vec<u8> {
        let payload = pong.encode_to_vec();
        let mut out = vec![0];
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&payload);
        out
    }

    fn ids(caps: &[ApiCap]) -> Vec<&str> {
        caps.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn ping_answer_loses_the_dropped_caps_and_keeps_the_rest() {
        let pong = PongResponse {
            frontend_api_caps: vec![cap("solve.base"), cap("readdir"), cap("readfile")],
            llb_caps: vec![
                cap("exec.mount.cache"),
                cap("exec.mount.cache.sharing"),
                cap("mergeop"),
            ],
            workers: vec![WorkerRecord {
                id: "w0".into(),
                ..Default::default()
            }],
        };
        let drop = ["exec.mount.cache".to_string(), "readdir".to_string()];
        let out = drop_caps(&framed(&pong), &drop).unwrap();
        assert_eq!(out[0], 0, "uncompressed");
        let len = u32::from_be_bytes(out[1..5].try_into().unwrap()) as usize;
        assert_eq!(len, out.len() - 5);
        let got = PongResponse::decode(&out[5..]).unwrap();
        assert_eq!(ids(&got.frontend_api_caps), ["solve.base", "readfile"]);
        // Only the exact id: exec.mount.cache.sharing stays.
        assert_eq!(ids(&got.llb_caps), ["exec.mount.cache.sharing", "mergeop"]);
        assert_eq!(got.workers, pong.workers);
    }

    #[test]
    fn nothing_to_drop_gives_the_same_bytes() {
        let pong = PongResponse {
            frontend_api_caps: vec![cap("readdir")],
            llb_caps: vec![cap("exec.mount.cache")],
            workers: vec![],
        };
        assert_eq!(drop_caps(&framed(&pong), &[]).unwrap(), framed(&pong));
    }

    /// Through the real HTTP/2 plumbing, in memory: a stand-in BuildKit
    /// echoes each call's path and body back with trailers; the proxy sits
    /// between it and a client.
    #[test]
    fn calls_go_through_with_headers_bodies_and_trailers_and_ping_is_filtered() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        rt.block_on(async {
            let (buildkit, proxy_up) = tokio::io::duplex(1 << 16);
            let (proxy_down, frontend) = tokio::io::duplex(1 << 16);
            let stand_in = hyper::service::service_fn(|req: Request<Incoming>| async move {
                let path = req.uri().path().to_string();
                let asked = req.headers()["x-asked"].clone();
                let body = req.into_body().collect().await?.to_bytes();
                let body = match path.as_str() {
                    PING => Bytes::from(framed(&PongResponse {
                        frontend_api_caps: vec![cap("readdir"), cap("readfile")],
                        llb_caps: vec![cap("exec.mount.cache")],
                        workers: vec![],
                    })),
                    _ => body,
                };
                let mut trailers = HeaderMap::new();
                trailers.insert("grpc-status", "0".parse().unwrap());
                trailers.insert("x-path", path.parse().unwrap());
                let resp = Response::builder()
                    .header("content-type", "application/grpc")
                    .header("x-asked", asked)
                    .body(Full::new(body).with_trailers(ready(Some(Ok(trailers)))))
                    .unwrap();
                Ok::<_, hyper::Error>(resp)
            });
            tokio::spawn(
                hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(buildkit), stand_in),
            );
            tokio::spawn(relay(proxy_up, proxy_down, vec!["readdir".into()]));
            let (mut client, connection) =
                hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                    .handshake(TokioIo::new(frontend))
                    .await
                    .unwrap();
            tokio::spawn(connection);

            for (path, body) in [
                (
                    "/moby.buildkit.v1.frontend.LLBBridge/ReadFile",
                    &b"\0\0\0\0\x02hi"[..],
                ),
                (PING, &b"\0\0\0\0\0"[..]),
            ] {
                let req = Request::post(format!("http://localhost{path}"))
                    .header("content-type", "application/grpc")
                    .header("x-asked", path)
                    .body(Full::new(Bytes::from_static(body)))
                    .unwrap();
                let resp = client.send_request(req).await.unwrap();
                assert_eq!(resp.headers()["x-asked"], path);
                let got = resp.into_body().collect().await.unwrap();
                let trailers = got.trailers().unwrap().clone();
                assert_eq!(trailers["grpc-status"], "0");
                assert_eq!(trailers["x-path"], path);
                let data = got.to_bytes();
                if path == PING {
                    let pong = PongResponse::decode(&data[5..]).unwrap();
                    assert_eq!(ids(&pong.frontend_api_caps), ["readfile"]);
                    assert_eq!(ids(&pong.llb_caps), ["exec.mount.cache"]);
                } else {
                    assert_eq!(data, body, "the body comes back as sent");
                }
            }
        });
    }

    #[test]
    fn malformed_messages_are_refused_not_panicked_on() {
        let good = framed(&PongResponse {
            llb_caps: vec![cap("readdir")],
            ..Default::default()
        });
        let mut compressed = good.clone();
        compressed[0] = 1;
        let mut short = good.clone();
        short.pop();
        let garbage = [0, 0, 0, 0, 3, 0xff, 0xff, 0xff];
        for bad in [&[][..], &good[..3], &compressed, &short, &garbage] {
            assert!(drop_caps(bad, &["readdir".into()]).is_err(), "{bad:?}");
        }
    }
}
