#!/usr/bin/env python3
"""Render bench/results.json (written by bench/bench.py) as BENCHMARKS.md."""
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
OUT = ROOT / "BENCHMARKS.md"

NAMES = {
    "gofront": "gofront",
    "best": "best hand-written Dockerfile",
    "bestext": "same Dockerfile, Dockerfile frontend as an external image (`# syntax=`)",
    "cachemount": "Docker guide cache-mount recipe",
    "ko": "ko",
    "host": "host `go build` (floor)",
}
DAEMONS = {"buildkit": "buildkitd v0.34.2 (buildx)", "docker": "Docker 20.10 (BuildKit v0.8)",
           "docker29": "Docker 29.8.0 (BuildKit v0.33, containerd image store, `docker build`)"}
SCENARIOS = ["cold", "nochange", "edit", "depbump"]
SCENARIO_NAMES = {"cold": "cold", "nochange": "no change", "edit": "1-line edit",
                  "depbump": "dep bump"}


def med(r, key):
    e = r.get(key)
    return statistics.median(e["seconds"]) if e and e["seconds"] else None


def fmt(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def cell(r, key):
    e = r.get(key)
    if not e or not e["seconds"]:
        return "–"
    s = e["seconds"]
    return f"{statistics.median(s):.2f} ({min(s):.2f})"


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def sequences_table(r, daemon, wl):
    rows = [f"| contender | {' | '.join(SCENARIO_NAMES[s] for s in SCENARIOS)} | modules fetched (cold / dep bump) |",
            "|---|" + "---:|" * (len(SCENARIOS) + 1)]
    for c in NAMES:
        keys = [f"{daemon}|{wl}|{c}|{s}" for s in SCENARIOS]
        if not any(k in r for k in keys):
            continue
        zips = []
        for s in ("cold", "depbump"):
            e = r.get(f"{daemon}|{wl}|{c}|{s}")
            zips.append(str(int(statistics.median(e["zips"]))) if e and e["zips"] else "–")
        rows.append(f"| {NAMES[c]} | " + " | ".join(cell(r, k) for k in keys) + f" | {' / '.join(zips)} |")
    ratios = ["", "Ratios (median / median):", "",
              f"| contender | {' | '.join(SCENARIO_NAMES[s] + ' vs host' for s in SCENARIOS)} | 1-line edit vs cache-mount recipe |",
              "|---|" + "---:|" * (len(SCENARIOS) + 1)]
    for c in NAMES:
        if c == "host" or f"{daemon}|{wl}|{c}|cold" not in r:
            continue
        vs_host = [ratio(med(r, f"{daemon}|{wl}|{c}|{s}"), med(r, f"{daemon}|{wl}|host|{s}"))
                   for s in SCENARIOS]
        vs_cm = ratio(med(r, f"{daemon}|{wl}|{c}|edit"), med(r, f"{daemon}|{wl}|cachemount|edit"))
        ratios.append(f"| {NAMES[c]} | " + " | ".join(vs_host) + f" | {vs_cm} |")
    return "\n".join(rows + ratios)


def export_table(r, daemon, wl):
    """The exporter's share: the "exporting to image" step of each build."""
    keys = [f"{daemon}|{wl}|{c}|{s}-export" for c in NAMES for s in SCENARIOS]
    if not any(k in r for k in keys):
        return ""
    rows = ["The exporter's share (\"exporting to image\", seconds, median (min)):", "",
            f"| contender | {' | '.join(SCENARIO_NAMES[s] for s in SCENARIOS)} |",
            "|---|" + "---:|" * len(SCENARIOS)]
    for c in NAMES:
        cells = [cell(r, f"{daemon}|{wl}|{c}|{s}-export") for s in SCENARIOS]
        if any(x != "–" for x in cells):
            rows.append(f"| {NAMES[c]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def goal_rows(r):
    rows = ["| goal | measured (buildkitd; [Docker 20.10]; {Docker 29}) | met? |", "|---|---|---|"]

    def both(fn):
        return [fn("buildkit"), fn("docker"), fn("docker29")]

    for wl in ("heavy", "api"):
        def edit_host(d):
            return _r(med(r, f"{d}|{wl}|gofront|edit"), med(r, f"{d}|{wl}|host|edit"))

        def edit_cm(d):
            return _r(med(r, f"{d}|{wl}|gofront|edit"), med(r, f"{d}|{wl}|cachemount|edit"))

        def dep(d):
            return _r(med(r, f"{d}|{wl}|gofront|depbump"), med(r, f"{d}|{wl}|host|depbump"))

        def cold(d):
            return _r(med(r, f"{d}|{wl}|gofront|cold"), med(r, f"{d}|{wl}|host|cold"))

        def noop(d):
            return _r(med(r, f"{d}|{wl}|gofront|nochange"), med(r, f"{d}|{wl}|best|nochange"))

        for text, fn, limit in [
            (f"{wl}: 1-line edit ≤ 1.3× host", edit_host, 1.3),
            (f"{wl}: 1-line edit ≤ 0.7× cache-mount recipe", edit_cm, 0.7),
            (f"{wl}: dep bump ≤ 1.5× host", dep, 1.5),
            (f"{wl}: cold ≤ 1.1× host", cold, 1.1),
            (f"{wl}: no-op rebuild ≤ 1.3× built-in Dockerfile frontend", noop, 1.3),
        ]:
            vals = both(fn)
            if all(v is None for v in vals):
                continue
            shown = f"{fmt(vals[0])}× [{fmt(vals[1])}×]"
            if vals[2] is not None:
                shown += f" {{{fmt(vals[2])}×}}"
            met = all(v is None or v <= limit for v in vals)
            rows.append(f"| {text} | {shown} | {'yes' if met else '**no**'} |")
        size = r.get(f"size|{wl}|gofront")
        binary = r.get(f"size|{wl}|binary")
        base = r.get("size|base-distroless")
        if size and binary:
            extra = size["bytes"] - binary - (base or 0)
            rows.append(f"| {wl}: image ≤ binary + 300 KiB (above the base) | binary {binary / 1e6:.2f} MB, image {size['bytes'] / 1e6:.2f} MB, base {((base or 0) / 1e6):.2f} MB: +{extra / 1024:.0f} KiB | {'yes' if extra <= 300 * 1024 else '**no**'} |")
    for wl in ("api", "heavy"):
        g, b, x = (med(r, f"buildkit|{wl}|{c}|noop") for c in ("gofront", "best", "bestext"))
        if g and b:
            rows.append(f"| {wl}: no-op rebuild ≤ 1.3× built-in Dockerfile frontend (overhead part) | {g:.3f} s vs {b:.3f} s: {g / b:.2f}× (the Dockerfile frontend as an external image: {fmt(x, 3)} s, {fmt(_r(x, b))}×) | {'yes' if g / b <= 1.3 else '**no**'} |")
    p1 = med(r, "buildkit|api|gofront|platforms1")
    p7 = med(r, "buildkit|api|gofront|platforms7")
    if p1 and p7:
        rows.append(f"| 7 platforms ≤ 1.1 × 7 × one platform (api, cold) | {p7:.1f} s vs 7 × {p1:.1f} s = {7 * p1:.1f} s: {p7 / (7 * p1):.2f} | {'yes' if p7 <= 1.1 * 7 * p1 else '**no**'} |")
    for wl in ("heavy", "api"):
        e = r.get(f"buildkit|{wl}|gofront|freshrunner")
        if e and e["zips"]:
            z = max(e["zips"])
            rows.append(f"| {wl}: fresh CI runner with `--cache-from` downloads no module | {z} module zips fetched (max over runs) | {'yes' if z == 0 else '**no**'} |")
    img = r.get("size|frontend-image")
    if img:
        rows.append(f"| frontend image ≤ 5 MB | {img / 1e6:.2f} MB | {'yes' if img <= 5e6 else '**no**'} |")
    rss = r.get("frontend_rss_kib")
    if rss and max(rss) > 0:
        rows.append(f"| frontend peak RSS ≤ 20 MB | {max(rss) / 1024:.1f} MiB (max over {len(rss)} sampled cold builds) | {'yes' if max(rss) <= 20 * 1024 else '**no**'} |")
    return "\n".join(rows)


def _r(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    r = json.loads(RESULTS.read_text())
    parts = ["# Benchmarks", "",
             "Generated by `bench/run.sh` (→ `bench/bench.py`, `bench/report.py`) from "
             "`bench/results.json`. Runs that made these figures (each part's repetitions "
             "are interleaved within one run):", ""]
    parts += [f"- `{x['command']}` at commit `{x.get('commit', '?')}`, {x['started']} → {x.get('finished', 'unfinished')}"
              + (f" (resumed {', '.join(x['resumed'])} on a restarted machine)" if x.get("resumed") else "")
              for x in r.get("runs", [])]
    parts += ["",
             "## Goals", "", goal_rows(r), ""]
    findings = ROOT / "bench" / "findings.md"
    if findings.exists():
        # Hand-written: what the profiles showed behind each missed goal.
        parts += [findings.read_text().rstrip(), ""]
    for daemon in DAEMONS:
        for wl in ("heavy", "api"):
            if not any(k.startswith(f"{daemon}|{wl}|") and k.endswith(tuple(SCENARIOS)) for k in r):
                continue
            parts += [f"## {wl} on {DAEMONS[daemon]}", "",
                      "Wall seconds, median (min) of the repetitions.", "",
                      sequences_table(r, daemon, wl), ""]
            exported = export_table(r, daemon, wl)
            if exported:
                parts += [exported, ""]
    plat = [k for k in r if k.endswith(("platforms1", "platforms2", "platforms7"))]
    if plat:
        parts += ["## Platforms (cold, buildkitd)", "", "| contender | 1 | 2 | 7 | 7 vs 7 × 1 |", "|---|---:|---:|---:|---:|"]
        wl = plat[0].split("|")[1]
        for c in NAMES:
            cells = [cell(r, f"buildkit|{wl}|{c}|platforms{n}") for n in (1, 2, 7)]
            if all(x == "–" for x in cells):
                continue
            one, seven = med(r, f"buildkit|{wl}|{c}|platforms1"), med(r, f"buildkit|{wl}|{c}|platforms7")
            parts.append(f"| {NAMES[c]} | " + " | ".join(cells) + f" | {ratio(seven, 7 * one if one else None)} |")
        parts.append("")
    ov = [k for k in r if k.endswith("|noop")]
    if ov:
        parts += ["## Frontend overhead: no-op rebuilds (buildkitd, everything cached)", "",
                  "| workload | how | seconds, median (min) | vs built-in |", "|---|---|---:|---:|"]
        for k in sorted(ov):
            _, wl, c, _ = k.split("|")
            parts.append(f"| {wl} | {NAMES[c]} | {cell(r, k)} | {ratio(med(r, k), med(r, f'buildkit|{wl}|best|noop'))} |")
        parts.append("")
    fr = [k for k in r if k.endswith("freshrunner")]
    if fr:
        parts += ["## Fresh CI runner (buildkitd, empty cache, `--cache-from` the previous run's registry cache)", "",
                  "Both runs pass `--cache-from` and `--cache-to …,mode=max`, as CI workflows do. "
                  "The first is a cold build plus the export; the second, after a one-line edit, "
                  "starts from an empty BuildKit.", "",
                  "| workload | contender | first run: cold + export, s | fresh runner, s | module zips fetched |",
                  "|---|---|---:|---:|---:|"]
        for k in sorted(fr):
            _, wl, c, _ = k.split("|")
            write = cell(r, k.replace("freshrunner", "ciwrite"))
            parts.append(f"| {wl} | {NAMES[c]} | {write} | {cell(r, k)} | {', '.join(map(str, r[k]['zips']))} |")
        parts.append("")
    sz = [k for k in r if k.startswith("size|") and k.count("|") == 2 and not k.endswith("binary")]
    if sz:
        parts += ["## Images", "", "| workload | contender | size | layers |", "|---|---|---:|---:|"]
        for k in sorted(sz):
            _, wl, c = k.split("|")
            v = r[k]
            parts.append(f"| {wl} | {NAMES.get(c, c)} | {v['bytes'] / 1e6:.2f} MB | {v['layers']} |")
        for k in sorted(x for x in r if x.endswith("|binary")):
            parts.append(f"| {k.split('|')[1]} | binary alone (host build) | {r[k] / 1e6:.2f} MB | – |")
        parts.append("")
    parts += ["## Raw numbers", "", "```json",
              json.dumps({k: v for k, v in r.items() if isinstance(v, dict) and "seconds" in v},
                         indent=1, sort_keys=True), "```", ""]
    OUT.write_text("\n".join(parts))


if __name__ == "__main__":
    main()
