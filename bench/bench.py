#!/usr/bin/env python3
"""gofront against the best Dockerfiles, ko and the host `go build`, side by
side in one run; writes BENCHMARKS.md and bench/results.json.

Run through bench/run.sh, which starts the daemons, the registry, the
stand-in images, the frontend image, ko and the module proxy first.

Method (see BENCHMARKS.md for the full text):
* every build of every contender goes through one caching, counting module
  proxy on loopback (bench/goproxy.py), so downloads cost what a LAN proxy
  costs and each build's module downloads are counted;
* repetitions are interleaved: each repetition runs every contender's
  scenario sequence in turn, in an order rotated per repetition (A B C, B C
  A, …), so drift of the machine spreads over all contenders;
* a sequence starts cold (BuildKit's cache pruned, cache mounts included;
  the host's and ko's GOCACHE/GOMODCACHE emptied) on a fresh copy of the
  workload, then: no change, a one-line edit (a new string constant in the
  leaf package `internal/api`), a dependency bump (github.com/google/uuid to
  the next version, go.mod and go.sum only);
* figures are medians of the repetitions; the raw seconds are kept;
* a run is a list of units (one contender's sequence in one repetition, one
  platform build, …); bench/results.json is saved after each unit, so a run
  that is stopped (a session that ends) is resumed by the same command on
  the same code: the units done are skipped, the rest run.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "bin"
DOCKER = "/usr/bin/docker"
BUILDX = str(TOOLS / "buildx")
BUILDCTL = [str(TOOLS / "buildctl"), "--addr", "unix:///run/gofront-buildkit/buildkitd.sock"]
# Docker 29 (containerd image store) of scripts/docker29-up.sh: its CLI with
# the buildx plugin, so `docker build` is buildx's docker driver, as users
# type it (scripts/docker29-env.sh sets the same).
DOCKER29 = str(ROOT / ".tools" / "docker29" / "cli" / "docker")
DOCKER29_ENV = {"DOCKER_HOST": "unix:///run/gofront-docker29/docker.sock",
                "DOCKER_CONFIG": str(ROOT / ".tools" / "docker29" / "config")}
KO = str(TOOLS / "ko")
REGISTRY = "127.0.0.1:5000"
PROXY = "http://127.0.0.1:3130"
GO_FLAGS = ["-trimpath", "-buildvcs=false"]

WORKLOADS = {
    "api": {
        "dir": ROOT / "examples" / "api",
        "main": "./cmd/server",
        "var": "example.com/gofront/examples/api/internal/version.Version",
    },
    "heavy": {
        "dir": ROOT / "bench" / "workloads" / "heavy",
        "main": "./cmd/server",
        "var": "example.com/gofront/bench/heavy/internal/version.Version",
    },
}
EDIT_FILE = "internal/api/handlers.go"
BUMP_MODULE = "github.com/google/uuid"

SEQUENCE = ["cold", "nochange", "edit", "depbump"]
DFE_IMAGE = "bench/dockerfile-frontend:v0.34.2"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(argv, cwd=None, env=None, stdin=None, check=True, timeout=3600):
    """Run argv; (seconds, combined output)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    t = time.monotonic()
    p = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=full_env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
    )
    took = time.monotonic() - t
    out = p.stdout.decode(errors="replace")
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({p.returncode}):\n{out[-4000:]}")
    return took, out


def proxy(path):
    with urllib.request.urlopen(PROXY + path, timeout=10) as r:
        return json.loads(r.read())


class RssSampler:
    """Peak RSS (VmHWM) of the frontend processes (`/bin/gofront`) that run
    while it is active: BuildKit starts the frontend as a container process
    on this host, so /proc shows it."""

    def __init__(self):
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv0 = f.read().split(b"\0", 1)[0]
                    if argv0 != b"/bin/gofront":
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except OSError:
                    continue
            self._stop.wait(0.02)


class Daemon:
    def __init__(self, name):
        self.name = name

    def prune(self):
        """Empty the build cache (cache mounts included) but keep the base
        images, as Docker's image store keeps them: "cold" counts no pull."""
        if self.name == "docker":
            run([DOCKER, "builder", "prune", "-af"])
            return
        if self.name == "docker29":
            run([DOCKER29, "builder", "prune", "-af"], env=DOCKER29_ENV)
            return
        run(BUILDCTL + ["prune", "--all"])
        # buildkitd keeps images in its cache: pull the bases (and the
        # frontend image) back, untimed.
        ctx = Path(tempfile.mkdtemp(prefix="gofront-bench-warm-"))
        (ctx / "Dockerfile").write_text(
            "FROM golang:1.26-alpine AS builder\n"
            "FROM ourorg/gofront AS frontend\n"
            "FROM gcr.io/distroless/static-debian12\n"
            "COPY --from=builder /etc/os-release /a\n"
            "COPY --from=frontend /bin/gofront /b\n")
        run([BUILDX, "--builder", "gofront", "build", "--output", "type=cacheonly", ctx])
        shutil.rmtree(ctx)

    def build(self, spec, context, tag, build_args, platforms=None, extra=()):
        args = []
        for k, v in build_args.items():
            args += ["--build-arg", f"{k}={v}"]
        if self.name == "docker":
            argv = [DOCKER, "build", "--progress=plain", "--network", "host", "-f", spec, "-t", tag]
            env = {"DOCKER_BUILDKIT": "1"}
        elif self.name == "docker29":
            argv = [DOCKER29, "build", "--progress=plain", "--network", "host", "-f", spec, "-t", tag]
            env = DOCKER29_ENV
        else:
            argv = [BUILDX, "--builder", "gofront", "build", "--progress=plain", "-f", spec,
                    "--output", f"type=image,name={tag},push=false"]
            if platforms:
                argv += ["--platform", ",".join(platforms)]
            env = {}
        return run(argv + args + list(extra) + [context], env=env)


class Contender:
    """One way to build a workload into an image."""

    def __init__(self, name, work, wl, state):
        self.name, self.work, self.wl, self.state = name, work, wl, state

    def build_args(self, version):
        base = {"VERSION": version, "GOPROXY": PROXY, "GOSUMDB": "off"}
        if self.name in ("best", "bestext", "cachemount"):
            base.update({"MAIN": self.wl["main"], "VERSION_VAR": self.wl["var"]})
        return base

    def spec(self):
        if self.name == "gofront":
            return self.work / "gofront.yaml"
        if self.name == "bestext":
            # The same Dockerfile, run by the Dockerfile frontend as an
            # external frontend image (what `# syntax=docker/dockerfile:1`
            # does), built by bench/dfe/build.sh.
            spec = self.state / "bestext.Dockerfile"
            spec.write_text(f"# syntax={DFE_IMAGE}\n"
                            + (ROOT / "bench" / "dockerfiles" / "best.Dockerfile").read_text())
            return spec
        return ROOT / "bench" / "dockerfiles" / f"{self.name}.Dockerfile"

    def reset_caches(self):
        for sub in ("gocache", "gomodcache"):
            d = self.state / sub
            if d.exists():
                run(["chmod", "-R", "u+w", d], check=False)
                shutil.rmtree(d)
            d.mkdir(parents=True)

    def go_env(self):
        return {
            "GOCACHE": str(self.state / "gocache"),
            "GOMODCACHE": str(self.state / "gomodcache"),
            "GOPROXY": PROXY,
            "GOSUMDB": "off",
            "GOFLAGS": "",
            "CGO_ENABLED": "0",
        }

    def build(self, daemon, tag, version, platforms=None, extra=()):
        if self.name == "host":
            out = self.state / "server"
            ld = f"-s -w -X {self.wl['var']}={version}"
            return run(["go", "build"] + GO_FLAGS + ["-ldflags", ld, "-o", out, self.wl["main"]],
                       cwd=self.work, env=self.go_env())
        if self.name == "ko":
            env = self.go_env()
            env.update({
                "KO_DOCKER_REPO": f"{REGISTRY}/bench-ko",
                "KO_DEFAULTBASEIMAGE": f"{REGISTRY}/distroless/static-debian12:latest",
                "VERSION": version,
            })
            (self.work / ".ko.yaml").write_text(
                "builds:\n- id: server\n  main: " + self.wl["main"] + "\n"
                "  flags: [-trimpath, -buildvcs=false]\n"
                "  ldflags: [\"-s -w -X " + self.wl["var"] + "={{.Env.VERSION}}\"]\n"
            )
            argv = [KO, "build", "--bare", "--sbom=none", "--push=false",
                    "--platform", ",".join(platforms or ["linux/amd64"]), self.wl["main"]]
            return run(argv, cwd=self.work, env=env)
        return daemon.build(self.spec(), self.work, tag, self.build_args(version), platforms, extra)

    def edit(self, n):
        f = self.work / EDIT_FILE
        text = f.read_text()
        text, count = re.subn(r"^const greeting = .*$", f'const greeting = "bench edit {n} {time.time_ns()}"',
                              text, flags=re.M)
        assert count == 1, f"no `const greeting` in {f}"
        f.write_text(text)

    def bump(self, to):
        env = {"GOPROXY": PROXY, "GOSUMDB": "off", "GOFLAGS": "-mod=mod",
               "GOMODCACHE": str(self.state.parent / "bump-modcache")}
        run(["go", "get", f"{BUMP_MODULE}@{to}"], cwd=self.work, env=env)
        run(["go", "mod", "tidy"], cwd=self.work, env=env)


def next_version(work):
    """The version of BUMP_MODULE after the one go.mod requires (the one
    before when it requires the newest: the same go.mod/go.sum change)."""
    _, out = run(["go", "list", "-m", "-json", BUMP_MODULE], cwd=work,
                 env={"GOPROXY": PROXY, "GOSUMDB": "off", "GOFLAGS": "-mod=mod"})
    current = json.loads(out)["Version"]
    _, out = run(["go", "list", "-m", "-versions", BUMP_MODULE], cwd=work,
                 env={"GOPROXY": PROXY, "GOSUMDB": "off", "GOFLAGS": "-mod=mod"})
    versions = out.split()[1:]
    i = versions.index(current)
    return versions[i + 1] if i + 1 < len(versions) else versions[i - 1]


def fresh_copy(wl, dest):
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(wl["dir"], dest, ignore=shutil.ignore_patterns(".ko.yaml"))


def record(results, key, seconds, zips=None, extra=None):
    entry = results.setdefault("|".join(key), {"seconds": [], "zips": []})
    entry["seconds"].append(round(seconds, 3))
    if zips is not None:
        entry["zips"].append(zips)
    if extra:
        entry.update(extra)


def export_seconds(out):
    """What the "exporting to image" step took, from plain progress: the
    exporter's share of a build (compressing and, with the containerd image
    store, unpacking the layers)."""
    m = re.search(r"^#(\d+) exporting to image$", out, flags=re.M)
    if not m:
        return None
    done = re.search(rf"^#{m.group(1)} DONE ([0-9.]+)s$", out, flags=re.M)
    return float(done.group(1)) if done else None


def timed_build(c, daemon, tag, version, results, key, platforms=None, extra=()):
    proxy("/_reset")
    took, out = c.build(daemon, tag, version, platforms, extra)
    record(results, key, took, proxy("/_stats")["zip"])
    exported = export_seconds(out) if c.name not in ("host", "ko") else None
    if exported is not None:
        record(results, key[:-1] + (key[-1] + "-export",), exported)
    return out


def sequences(args, results, state):
    """cold, no change, edit, dependency bump; interleaved repetitions."""
    for daemon_name in args.daemons:
        daemon = Daemon(daemon_name)
        for wl_name in args.workloads:
            wl = WORKLOADS[wl_name]
            names = ["gofront", "best", "cachemount", "host"]
            if daemon_name in ("buildkit", "docker29"):
                # ko needs no daemon; it runs beside the daemon it is
                # compared with, in the same interleaving.
                names.append("ko")
            names = [n for n in names if n in args.contenders]
            bump_to = None
            for rep in range(args.reps):
                order = names[rep % len(names):] + names[: rep % len(names)]
                for name in order:
                    unit = f"sequences|{daemon_name}|{wl_name}|{name}|{rep}"
                    if is_done(results, unit):
                        continue
                    cstate = state / daemon_name / wl_name / name
                    cstate.mkdir(parents=True, exist_ok=True)
                    c = Contender(name, cstate / "src", wl, cstate)
                    fresh_copy(wl, c.work)
                    bump_to = bump_to or next_version(c.work)
                    tag = f"bench/{wl_name}-{name}:latest"
                    log(f"[{daemon_name} {wl_name} rep {rep + 1}/{args.reps}] {name}")
                    if name in ("host", "ko"):
                        c.reset_caches()
                    else:
                        daemon.prune()
                    key = (daemon_name, wl_name, name)
                    # No RSS sampling here: polling /proc costs CPU and would
                    # slow the contender it watches (see `sizes`).
                    timed_build(c, daemon, tag, "bench", results, key + ("cold",))
                    timed_build(c, daemon, tag, "bench", results, key + ("nochange",))
                    c.edit(rep)
                    timed_build(c, daemon, tag, "bench", results, key + ("edit",))
                    c.bump(bump_to)
                    timed_build(c, daemon, tag, "bench", results, key + ("depbump",))
                    mark_done(results, unit)


def platforms(args, results, state):
    """Cold builds of 1, 2 and 7 platforms on buildkitd."""
    daemon = Daemon("buildkit")
    sets = {1: ["linux/amd64"], 2: ["linux/amd64", "linux/arm64"],
            7: ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le",
                "linux/s390x", "linux/riscv64"]}
    wl_name = args.platform_workload
    wl = WORKLOADS[wl_name]
    names = [n for n in ["gofront", "cachemount", "ko"] if n in args.contenders]
    for rep in range(args.reps):
        for count, plats in sets.items():
            order = names[rep % len(names):] + names[: rep % len(names)]
            for name in order:
                unit = f"platforms|{wl_name}|{name}|{count}|{rep}"
                if is_done(results, unit):
                    continue
                cstate = state / "platforms" / wl_name / name
                cstate.mkdir(parents=True, exist_ok=True)
                c = Contender(name, cstate / "src", wl, cstate)
                fresh_copy(wl, c.work)
                if name == "ko":
                    c.reset_caches()
                daemon.prune()
                log(f"[platforms {count} rep {rep + 1}] {name}")
                timed_build(c, daemon, f"bench/{wl_name}-{name}-p:latest", "bench", results,
                            ("buildkit", wl_name, name, f"platforms{count}"), plats)
                mark_done(results, unit)


def fresh_runner(args, results, state):
    """A CI runner with an empty BuildKit: `--cache-from` a registry cache
    that the previous run wrote with `--cache-to … mode=max`. Both runs pass
    both flags, as CI workflows do (the first finds nothing to import);
    the first run (cold build + export) is timed too."""
    daemon = Daemon("buildkit")
    for wl_name in args.workloads:
        wl = WORKLOADS[wl_name]
        names = [n for n in ["gofront", "best", "cachemount"] if n in args.contenders]
        for rep in range(args.reps):
            order = names[rep % len(names):] + names[: rep % len(names)]
            for name in order:
                unit = f"freshrunner|{wl_name}|{name}|{rep}"
                if is_done(results, unit):
                    continue
                cstate = state / "ci" / wl_name / name
                cstate.mkdir(parents=True, exist_ok=True)
                c = Contender(name, cstate / "src", wl, cstate)
                fresh_copy(wl, c.work)
                # A ref of this run's own: a cache left in the registry by an
                # earlier run would make the first build warm.
                run_id = re.sub(r"\D", "", results["runs"][-1]["started"])
                ref = f"{REGISTRY}/bench-cache/{wl_name}-{name}:{run_id}-rep{rep}"
                log(f"[fresh runner {wl_name} rep {rep + 1}] {name}")
                ci = ["--cache-from", f"type=registry,ref={ref}",
                      "--cache-to", f"type=registry,ref={ref},mode=max"]
                daemon.prune()
                timed_build(c, daemon, "bench/ci:latest", "bench", results,
                            ("buildkit", wl_name, name, "ciwrite"), None, ci)
                c.edit(rep)  # the next commit
                daemon.prune()
                timed_build(c, daemon, "bench/ci:latest", "bench", results,
                            ("buildkit", wl_name, name, "freshrunner"), None, ci)
                mark_done(results, unit)


def overhead(args, results, state):
    """The frontend's own cost: no-op rebuilds (everything cached) of the
    same workload by the built-in Dockerfile frontend, the same Dockerfile
    through the Dockerfile frontend as an external image (`# syntax=`),
    and gofront; after one warm build each, repetitions interleaved."""
    if is_done(results, "overhead"):
        return
    daemon = Daemon("buildkit")
    wl_name = "api" if "api" in args.workloads else args.workloads[0]
    wl = WORKLOADS[wl_name]
    names = ["best", "bestext", "gofront"]
    contenders = {}
    for name in names:
        cstate = state / "overhead" / name
        cstate.mkdir(parents=True, exist_ok=True)
        c = Contender(name, cstate / "src", wl, cstate)
        fresh_copy(wl, c.work)
        c.build(daemon, f"bench/overhead-{name}:latest", "bench")
        contenders[name] = c
    for rep in range(args.reps * 2):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for name in order:
            log(f"[overhead {wl_name} rep {rep + 1}] {name}")
            timed_build(contenders[name], daemon, f"bench/overhead-{name}:latest", "bench",
                        results, ("buildkit", wl_name, name, "noop"))
    mark_done(results, "overhead")


def sizes(args, results, state):
    """Image size and layer count of each contender's image (Docker 20.10
    store; ko's image pushed to the registry and pulled)."""
    if is_done(results, "sizes"):
        return
    for wl_name in args.workloads:
        wl = WORKLOADS[wl_name]
        for name in ["gofront", "best", "cachemount", "ko", "host"]:
            if name not in args.contenders:
                continue
            cstate = state / "sizes" / wl_name / name
            cstate.mkdir(parents=True, exist_ok=True)
            c = Contender(name, cstate / "src", wl, cstate)
            fresh_copy(wl, c.work)
            tag = f"bench/{wl_name}-{name}:size"
            if name == "host":
                c.build(None, tag, "bench")
                results[f"size|{wl_name}|binary"] = (cstate / "server").stat().st_size
                continue
            if name == "ko":
                env = c.go_env()
                env.update({"KO_DOCKER_REPO": f"{REGISTRY}/bench-ko",
                            "KO_DEFAULTBASEIMAGE": f"{REGISTRY}/distroless/static-debian12:latest",
                            "VERSION": "bench"})
                c.build(None, tag, "bench")  # writes .ko.yaml
                _, out = run([KO, "build", "--bare", "--sbom=none", wl["main"]], cwd=c.work, env=env)
                ref = out.strip().splitlines()[-1]
                run([DOCKER, "pull", ref])
                run([DOCKER, "tag", ref, tag])
            elif name == "gofront":
                # Untimed: the frontend's peak RSS over a cold build here and
                # on buildkitd (polling /proc would slow a timed build).
                with RssSampler() as sampler:
                    c.build(Daemon("docker"), tag, "bench")
                    Daemon("buildkit").prune()
                    c.build(Daemon("buildkit"), tag, "bench")
                results.setdefault("frontend_rss_kib", []).append(sampler.peak_kib)
            else:
                c.build(Daemon("docker"), tag, "bench")
            _, out = run([DOCKER, "image", "inspect", tag])
            info = json.loads(out)[0]
            results[f"size|{wl_name}|{name}"] = {
                "bytes": info["Size"], "layers": len(info["RootFS"]["Layers"])}
    _, out = run([DOCKER, "image", "inspect", "ourorg/gofront"])
    results["size|frontend-image"] = json.loads(out)[0]["Size"]
    _, out = run([DOCKER, "image", "inspect", "gcr.io/distroless/static-debian12"])
    results["size|base-distroless"] = json.loads(out)[0]["Size"]
    mark_done(results, "sizes")


RESULTS = ROOT / "bench" / "results.json"


def save(results):
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def is_done(results, unit):
    return unit in results["runs"][-1].get("done", [])


def mark_done(results, unit):
    """A unit's figures reach the file only with the unit marked done, so a
    run stopped mid-unit resumes with that unit from its start."""
    results["runs"][-1].setdefault("done", []).append(unit)
    save(results)


def code_commit():
    """The last commit that changed anything but the figures: a run resumes
    only on the code it started on."""
    _, out = run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", ".",
                  ":!BENCHMARKS.md", ":!bench/results.json", ":!bench/findings.md",
                  ":!README.md"])
    return out.strip()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--workloads", nargs="+", default=["api", "heavy"])
    p.add_argument("--daemons", nargs="+", default=["buildkit", "docker", "docker29"])
    p.add_argument("--contenders", nargs="+",
                   default=["gofront", "best", "cachemount", "ko", "host"])
    p.add_argument("--parts", nargs="+",
                   default=["sizes", "overhead", "freshrunner", "sequences", "platforms"])
    p.add_argument("--platform-workload", default="api")
    p.add_argument("--keep", action="store_true", help="add to bench/results.json")
    p.add_argument("--restart", action="store_true",
                   help="start over even if an unfinished run of this command could be resumed")
    args = p.parse_args()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    command = "bench/run.sh " + " ".join(sys.argv[1:]).replace("--restart", "").strip()
    commit = code_commit()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    last = (results.get("runs") or [{}])[-1]
    if (not args.restart and last and "finished" not in last
            and last.get("command") == command and last.get("commit") == commit):
        last.setdefault("resumed", []).append(now)
        log(f"resuming the run started {last['started']}: {len(last.get('done', []))} units done")
    else:
        if not args.keep:
            results = {}
        results.setdefault("runs", []).append(
            {"command": command, "commit": commit, "started": now})
    this_run = results["runs"][-1]
    with tempfile.TemporaryDirectory(prefix="gofront-bench-") as tmp:
        state = Path(tmp)
        for part in args.parts:
            {"sizes": sizes, "sequences": sequences, "platforms": platforms,
             "freshrunner": fresh_runner, "overhead": overhead}[part](args, results, state)
    this_run["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    save(results)
    subprocess.run([sys.executable, str(ROOT / "bench" / "report.py")], check=True)


if __name__ == "__main__":
    main()
