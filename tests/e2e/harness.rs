//! Helpers for the end-to-end tests: run docker, read images, talk HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Debian's Docker 20.10 client (the 28.x client on PATH lacks buildx and
/// refuses BuildKit builds without it). `GOFRONT_TEST_DOCKER` overrides.
pub fn docker() -> Command {
    let bin = std::env::var("GOFRONT_TEST_DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into());
    let mut c = Command::new(bin);
    c.env("DOCKER_BUILDKIT", "1");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A private copy of `examples/<name>`.
pub fn copy_example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("examples").join(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn unique_tag(what: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "gofront-test/{what}:{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The Go settings of this machine, passed as build args as a user would.
fn go_setting_args() -> Vec<String> {
    let mut args = Vec::new();
    for key in ["GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOFLAGS"] {
        let out = Command::new("go").args(["env", key]).output();
        if let Ok(out) = out {
            let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !v.is_empty() {
                args.push("--build-arg".into());
                args.push(format!("{key}={v}"));
            }
        }
    }
    args
}

pub struct Build {
    pub ok: bool,
    pub log: String,
}

pub struct StepLog {
    pub cached: bool,
    pub lines: Vec<String>,
}

impl Build {
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.ok, "the build failed:\n{}", self.log);
    }

    /// The build failed with an error that contains every `needle` and is
    /// not a bare exit code.
    #[track_caller]
    pub fn assert_failed_with(&self, needles: &[&str]) {
        assert!(!self.ok, "the build should fail:\n{}", self.log);
        let error: String = self
            .log
            .lines()
            .skip_while(|l| !l.contains("failed to solve"))
            .collect::<Vec<_>>()
            .join("\n");
        for n in needles {
            assert!(
                error.contains(n),
                "error should contain {n:?}:\n{error}\n--- full log:\n{}",
                self.log
            );
        }
        assert!(
            !error.trim_end().ends_with("exit code: 1"),
            "a bare exit code:\n{error}"
        );
    }

    /// The lines of the progress step whose name starts with `name`
    /// (`--progress=plain` prefixes every line of step N with `#N `).
    pub fn step(&self, name: &str) -> StepLog {
        let header = self
            .log
            .lines()
            .find(|l| {
                l.starts_with('#')
                    && l.split_once(' ')
                        .is_some_and(|(_, rest)| rest.starts_with(name))
            })
            .unwrap_or_else(|| panic!("no step {name:?} in:\n{}", self.log));
        let id = header.split_once(' ').unwrap().0.to_string();
        let prefix = format!("{id} ");
        let lines: Vec<String> = self
            .log
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .map(|l| {
                let rest = &l[prefix.len()..];
                // Drop the "0.123 " timestamp of output lines.
                match rest.split_once(' ') {
                    Some((t, text)) if t.parse::<f64>().is_ok() => text.to_string(),
                    _ => rest.to_string(),
                }
            })
            .collect();
        StepLog {
            cached: lines.iter().any(|l| l == "CACHED"),
            lines,
        }
    }
}

/// `docker build --progress=plain -f <spec> -t <tag> <args> <context>`,
/// killed after 10 minutes: a hung frontend (pitfall P1) fails the test.
pub fn build(context: &Path, spec: &str, tag: &str, args: &[&str]) -> Build {
    let mut cmd = docker();
    cmd.arg("build")
        .arg("--progress=plain")
        .arg("-f")
        .arg(context.join(spec))
        .arg("-t")
        .arg(tag);
    cmd.args(go_setting_args());
    cmd.args(args);
    cmd.arg(context);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("docker build starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("docker build did not finish in 10 minutes (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = format!(
        "{}{}",
        out_reader.join().unwrap(),
        err_reader.join().unwrap()
    );
    Build {
        ok: status.success(),
        log,
    }
}

pub fn inspect(image: &str) -> serde_json::Value {
    let out = run_ok(docker().args(["image", "inspect", image]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

pub fn image_size(image: &str) -> i64 {
    inspect(image)["Size"].as_i64().unwrap()
}

pub fn remove_image(image: &str) {
    let _ = run(docker().args(["rmi", "-f", image]));
}

/// `docker run --rm <image> <args>`: the output.
pub fn run_args(image: &str, args: &[&str]) -> String {
    run_ok(
        docker()
            .args(["run", "--rm", "--network", "none", image])
            .args(args),
    )
}

pub struct ImageFile {
    pub path: String,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub is_dir: bool,
    pub data: Vec<u8>,
}

/// Every file of the image's filesystem (`docker export`), sorted by path.
pub fn image_files(image: &str) -> Vec<ImageFile> {
    let id = run_ok(docker().args(["create", image])).trim().to_string();
    let out = run(docker().args(["export", &id]));
    let _ = run(docker().args(["rm", "-f", &id]));
    assert!(out.status.success(), "docker export failed");
    let mut archive = tar::Archive::new(out.stdout.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let h = entry.header().clone();
        let path = entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        // Docker adds these to every container filesystem.
        if path.starts_with(".dockerenv")
            || path.starts_with("dev")
            || path.starts_with("proc")
            || path.starts_with("sys")
            || path == "etc/hostname"
            || path == "etc/hosts"
            || path == "etc/resolv.conf"
            || path == "etc/mtab"
        {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        files.push(ImageFile {
            path,
            mode: h.mode().unwrap(),
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            mtime: h.mtime().unwrap(),
            is_dir: h.entry_type().is_dir(),
            data,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

pub const ELF_X86_64: u16 = 62;
pub const ELF_AARCH64: u16 = 183;

/// An ELF executable for `machine` without a dynamic loader (PT_INTERP).
pub fn is_static_elf(data: &[u8], machine: u16) -> bool {
    if data.len() < 64 || &data[..4] != b"\x7fELF" || data[4] != 2 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([data[o], data[o + 1]]);
    let u64_at = |o: usize| u64::from_le_bytes(data[o..o + 8].try_into().unwrap());
    if u16_at(18) != machine {
        return false;
    }
    let (phoff, phentsize, phnum) = (
        u64_at(32) as usize,
        u16_at(54) as usize,
        u16_at(56) as usize,
    );
    (0..phnum).all(|i| {
        let at = phoff + i * phentsize;
        at + 4 <= data.len() && u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) != 3
    })
}

/// A container serving on a random loopback port; removed on drop.
pub struct Server {
    id: String,
    port: u16,
}

impl Server {
    pub fn start(image: &str) -> Server {
        let id = run_ok(docker().args(["run", "-d", "-p", "127.0.0.1::8080", image]))
            .trim()
            .to_string();
        let port_out = run_ok(docker().args(["port", &id, "8080/tcp"]));
        let port = port_out
            .lines()
            .next()
            .and_then(|l| l.rsplit(':').next())
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {port_out:?}"));
        let server = Server { id, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.try_get("/healthz").is_none() {
            if Instant::now() > deadline {
                let logs = run(docker().args(["logs", &server.id]));
                panic!(
                    "{image} did not answer on port {port}: {}",
                    String::from_utf8_lossy(&logs.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn try_get(&self, path: &str) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok()?;
        let (head, body) = resp.split_once("\r\n\r\n")?;
        head.starts_with("HTTP/1.").then(|| body.to_string())
    }

    pub fn get(&self, path: &str) -> String {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path} failed"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = run(docker().args(["rm", "-f", &self.id]));
    }
}
