//! Private modules from the git server of tests/fixtures/gitserver: a
//! `netrc` secret over HTTP, the ssh agent forwarded.

use crate::harness::*;

/// examples/private: a module only a password-protected git server on
/// loopback serves. The `netrc` secret reaches `go mod download` and no
/// layer; without it the download fails.
pub fn private_module_over_a_git_server_with_a_netrc_secret(d: Daemon) {
    let _server = GitServer::start();
    let ctx = copy_example("private");
    let netrc = ctx.path().join("../netrc-private");
    std::fs::write(
        &netrc,
        "machine git.gofront.test login gofront password s3cret\n",
    )
    .unwrap();
    let secret = format!("id=netrc,src={}", netrc.display());
    let mut args = vec![
        "--add-host",
        "git.gofront.test:127.42.0.1",
        "--build-arg",
        "GOINSECURE=git.gofront.test",
    ];
    args.extend(host_network(d));
    let mut with_secret = args.clone();
    with_secret.extend(["--secret", secret.as_str()]);
    let img = Image::build(d, ctx.path(), "private", &with_secret);
    assert_eq!(img.serve().get("/"), "hello from a private module\n");
    let files = img.files();
    assert!(
        !files
            .iter()
            .any(|f| f.path.ends_with(".netrc")
                || String::from_utf8_lossy(&f.data).contains("s3cret")),
        "the secret is in no layer"
    );
    drop(img);

    // Without the secret: a clear error with a hint.
    args.push("--no-cache");
    let b = build(d, ctx.path(), "gofront.yaml", &unique_tag("private"), &args);
    b.assert_failed_with(&["secret netrc", "not found", "--secret id=netrc,src="]);

    // With a wrong password the git server refuses the download.
    std::fs::write(
        &netrc,
        "machine git.gofront.test login gofront password wrong\n",
    )
    .unwrap();
    let mut wrong = args.clone();
    wrong.extend(["--secret", secret.as_str()]);
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("private"),
        &wrong,
    );
    b.assert_failed_with(&["go mod download failed"]);
    b.assert_logged("git.gofront.test/team/greeting");
}

/// `private: { ssh: true, known_hosts: [...] }`: the module is fetched by
/// git over ssh (sshd on 127.42.0.1:22, key auth only) with the client's key
/// forwarded through `--ssh default`, and the host key checked.
pub fn private_module_over_ssh_with_the_agent_forwarded(d: Daemon) {
    let server = GitServer::start();
    let ssh_up = repo_root().join("tests/fixtures/gitserver/ssh-up.sh");
    let out = std::process::Command::new(ssh_up)
        .arg(server.state.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "ssh-up: {out:?}");
    let ssh_dir = server.state.path().join("ssh");
    let known_hosts = std::fs::read_to_string(ssh_dir.join("known_hosts")).unwrap();
    let ctx = copy_example("private");
    write_spec(
        ctx.path(),
        &format!(
            "main: .\ngoprivate: git.gofront.test\nprivate:\n  ssh: true\n  known_hosts: [\"{}\"]\n",
            known_hosts.trim()
        ),
    );
    let key = format!("default={}", ssh_dir.join("id_ed25519").display());
    let mut args = vec![
        "--add-host",
        "git.gofront.test:127.42.0.1",
        "--build-arg",
        "GOINSECURE=git.gofront.test",
        "--ssh",
        key.as_str(),
    ];
    args.extend(host_network(d));
    let img = Image::build(d, ctx.path(), "private-ssh", &args);
    assert_eq!(img.serve().get("/"), "hello from a private module\n");
    drop(img);

    // A wrong host key is refused.
    write_spec(
        ctx.path(),
        "main: .\ngoprivate: git.gofront.test\nprivate:\n  ssh: true\n  known_hosts: [\"git.gofront.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBadBadBadBadBadBadBadBadBadBadBadBadBadBadBad\"]\n",
    );
    args.push("--no-cache");
    let b = build(
        d,
        ctx.path(),
        "gofront.yaml",
        &unique_tag("private-ssh"),
        &args,
    );
    b.assert_failed_with(&["go mod download failed"]);
    b.assert_logged("Host key verification failed");
}

/// The git server listens on loopback. Docker 20.10 and Docker 29 run build
/// steps on their bridge network, so those builds ask for the host's;
/// buildkitd here runs them on the host's already (scripts/buildkit-up.sh).
fn host_network(d: Daemon) -> &'static [&'static str] {
    match d {
        Daemon::Docker | Daemon::Docker29 | Daemon::Docker29Classic => &["--network", "host"],
        Daemon::Buildkit => &[],
    }
}
