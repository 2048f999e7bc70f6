#!/usr/bin/env python3
"""Where a build's time goes, step by step: runs a contender's sequence
(cold, no change, one-line edit, dependency bump) on buildkitd with
`--progress=rawjson` and prints each build's wall time split into BuildKit's
vertices (steps, exporter) and the time outside any vertex (client start,
frontend start and its own work, session teardown).

Run after bench/run.sh has started the daemons, the registry and the
frontend image (it starts the module proxy itself when none answers):

    python3 bench/profile.py --workload heavy --contenders gofront cachemount

The figures of bench/findings.md come from it; nothing here is timed into
BENCHMARKS.md.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def parse_time(stamp):
    """RFC 3339 with nanoseconds (BuildKit's) to seconds since the epoch."""
    head, _, frac = stamp.rstrip("Z").partition(".")
    base = datetime.fromisoformat(head + "+00:00").timestamp()
    return base + (float("0." + frac[:9]) if frac else 0.0)


def vertices(output):
    """{digest: (name, started, completed, cached)} from rawjson lines."""
    seen = {}
    for line in output.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            status = json.loads(line)
        except json.JSONDecodeError:
            continue
        for v in status.get("vertexes") or []:
            name, start, end, cached = seen.get(v["digest"], (v.get("name", "?"), None, None, False))
            if v.get("started"):
                t = parse_time(v["started"])
                start = t if start is None else min(start, t)
            if v.get("completed"):
                t = parse_time(v["completed"])
                end = t if end is None else max(end, t)
            seen[v["digest"]] = (name, start, end, cached or bool(v.get("cached")))
    return seen


def covered(intervals):
    """Length of the union of (start, end) intervals."""
    total, last_end = 0.0, None
    for s, e in sorted(intervals):
        if last_end is None or s > last_end:
            total += e - s
            last_end = e
        elif e > last_end:
            total += e - last_end
            last_end = e
    return total


def profiled_build(c, daemon, tag):
    t0 = time.time()
    took, out = c.build(daemon, tag, "bench", extra=("--progress=rawjson",))
    steps = [(n, s, e, cached) for n, s, e, cached in vertices(out).values() if s and e]
    inside = covered([(s, e) for _, s, e, _ in steps])
    first = min((s for _, s, _, _ in steps), default=t0) - t0
    return took, first, took - inside, sorted(steps, key=lambda x: x[1])


def report(label, took, first, outside, steps):
    print(f"\n## {label}: {took:.2f} s wall; first step after {first:.2f} s; "
          f"{outside:.2f} s outside any step")
    for name, s, e, cached in steps:
        if e - s >= 0.02 or not cached:
            print(f"  {e - s:7.3f} s  {'cached ' if cached else ''}{name}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workload", default="heavy", choices=sorted(bench.WORKLOADS))
    p.add_argument("--contenders", nargs="+", default=["gofront", "cachemount"])
    p.add_argument("--scenarios", nargs="*", default=bench.SEQUENCE)
    p.add_argument("--more-edits", type=int, default=0,
                   help="after the sequence, this many more one-line edits, one line each")
    args = p.parse_args()
    proxy = None
    try:
        bench.proxy("/_stats")
    except OSError:
        # The same module cache as bench/run.sh's proxy.
        cache = os.environ.get("GOFRONT_BENCH_PROXY_CACHE", "/var/cache/gofront-bench-goproxy")
        Path(cache).mkdir(parents=True, exist_ok=True)
        proxy = subprocess.Popen([sys.executable, str(Path(__file__).parent / "goproxy.py"),
                                  "--cache", cache],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                bench.proxy("/_stats")
                break
            except OSError:
                time.sleep(0.1)
    try:
        daemon = bench.Daemon("buildkit")
        wl = bench.WORKLOADS[args.workload]
        with tempfile.TemporaryDirectory(prefix="gofront-profile-") as tmp:
            for name in args.contenders:
                state = Path(tmp) / name
                state.mkdir()
                c = bench.Contender(name, state / "src", wl, state)
                bench.fresh_copy(wl, c.work)
                bump_to = bench.next_version(c.work)
                tag = f"bench/profile-{args.workload}-{name}:latest"
                daemon.prune()
                for scenario in bench.SEQUENCE:
                    if scenario == "edit":
                        c.edit(0)
                    elif scenario == "depbump":
                        c.bump(bump_to)
                    result = profiled_build(c, daemon, tag)
                    if scenario in args.scenarios:
                        report(f"{args.workload} {name} {scenario}", *result)
                for n in range(args.more_edits):
                    c.edit(n + 1)
                    took, first, outside, steps = profiled_build(c, daemon, tag)
                    slowest = sorted(steps, key=lambda x: x[2] - x[1], reverse=True)[:3]
                    print(f"{name} edit {n + 1}: {took:.2f} s wall, {outside:.2f} s outside steps; "
                          + "; ".join(f"{n_}: {e - s_:.2f} s" for n_, s_, e, _ in slowest))
    finally:
        if proxy:
            proxy.terminate()


if __name__ == "__main__":
    main()
