//! gofront: a BuildKit frontend that builds Go services from a short YAML spec.
//!
//! Started by BuildKit (no arguments, gRPC on stdin/stdout) it runs one
//! build; with a subcommand it works offline (see `gofront help`).

use gofront::{cli, frontend, gateway};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = if args.is_empty() {
        run_frontend()
    } else {
        cli::run(&args)
    };
    // Exit at once: never wait on runtime shutdown or the daemon's pipes (P1).
    std::process::exit(code);
}

/// Run as a BuildKit frontend: connect, build, `Return` exactly once.
fn run_frontend() -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gofront: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let mut bridge = match gateway::connect().await {
            Ok(b) => b,
            Err(e) => {
                eprintln!("gofront: {e}");
                return 1;
            }
        };
        let opts = gateway::Opts::from_env();
        // The build runs in its own task so that a panic becomes a Return
        // error instead of a bare exit code (P3).
        let task = tokio::task::spawn_local(frontend::build(bridge.clone(), opts));
        let outcome = match task.await {
            Ok(result) => result,
            Err(e) => {
                let why = if e.is_panic() {
                    let payload = e.into_panic();
                    payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into())
                } else {
                    e.to_string()
                };
                Err(gateway::Failure::new(format!(
                    "gofront crashed: {why} (this is a bug in gofront; please report it with the spec)"
                )))
            }
        };
        let returned = match outcome {
            Ok(o) => bridge.return_result(o.refs, o.metadata, o.attestations).await,
            Err(f) => {
                eprintln!("gofront: {}", f.message);
                bridge.return_error(&f).await
            }
        };
        match returned {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("gofront: {e}");
                1
            }
        }
    })
}
