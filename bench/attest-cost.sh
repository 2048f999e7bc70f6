#!/usr/bin/env bash
# What the supply-chain steps cost: examples/api built on Docker 29 (the
# containerd image store) four ways, side by side in one run:
#   plain      no attestation asked, no vulncheck
#   sbom       --sbom=true (gofront reads each binary's Go build info)
#   vulncheck  `vulncheck: warn` (govulncheck installed and run)
#   both       the two
# Each cold (build cache pruned first: the module download, the compile and
# the govulncheck install all run) and after a one-line edit (median of
# REPS). govulncheck reads the test database of tests/fixtures/vulndb,
# served on loopback (the build uses the host's network for it).
#
# Usage: bench/attest-cost.sh [REPS]   (default 3)
# Needs Docker 29, the stand-ins and the frontend image (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
# shellcheck source=/dev/null
. scripts/docker29-env.sh
DOCKER=("$GOFRONT_DOCKER29_CLI")

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.43.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.43.0.1 "$port" --directory tests/fixtures/vulndb >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT

go_args=(--network host --build-arg "GOVULNDB=http://127.43.0.1:$port")
for key in GOPROXY GOSUMDB; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done

for variant in plain sbom vulncheck both; do
    cp -r examples/api "$work/$variant"
    case $variant in
        vulncheck|both) printf 'vulncheck: warn\n' >> "$work/$variant/gofront.yaml" ;;
    esac
done

now() { date +%s.%N; }
build() { # variant -> seconds
    local v=$1 extra=() t
    case $v in sbom|both) extra=(--sbom=true) ;; esac
    t=$(now)
    "${DOCKER[@]}" build --progress=plain -f "$work/$v/gofront.yaml" -t "bench/attest-$v" \
        "${go_args[@]}" "${extra[@]}" "$work/$v" > "$work/$v.log" 2>&1 \
        || { cat "$work/$v.log" >&2; exit 1; }
    awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.2f", a - b }'
}
edit() { # a one-line edit of the api's leaf package, new to the cache
    sed -i "s/^const greeting = .*/const greeting = \"attest-cost $RANDOM-$(date +%s%N)\"/" \
        "$work/$1/internal/api/handlers.go"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
lowest() { sort -n | head -1; }
# The seconds of the supply-chain steps in the last build of `v` (progress
# lines "#N [gofront] …" then "#N DONE 3.7s"; 0 when cached or absent).
steps() {
    awk '
        match($0, /^#[0-9]+ \[gofront\] (read the Go build info|install govulncheck|govulncheck \(|attestations)/) {
            id = $1; s = substr($0, RSTART, RLENGTH)
            if (s ~ /build info/) n[id] = "buildinfo"; else if (s ~ /install/) n[id] = "install";
            else if (s ~ /attestations/) n[id] = "attach"; else n[id] = "scan"
        }
        $2 == "DONE" && ($1 in n) { t[n[$1]] += $3 + 0 }
        END { printf "buildinfo %.1fs, install %.1fs, scan %.1fs, attach %.1fs", t["buildinfo"], t["install"], t["scan"], t["attach"] }
    ' "$work/$1.log"
}

grep -q '^const greeting = ' "$work/plain/internal/api/handlers.go" \
    || { echo "attest-cost: examples/api's greeting constant moved" >&2; exit 1; }

declare -A colds edits cold_steps edit_steps
# Cold twice, interleaved: the module downloads through the proxy are noisy.
for _ in 1 2; do
    for v in plain sbom vulncheck both; do
        "${DOCKER[@]}" builder prune -af >/dev/null
        colds[$v]+="$(build "$v") "
        cold_steps[$v]=$(steps "$v")
    done
done
for _ in $(seq "$REPS"); do
    for v in plain sbom vulncheck both; do
        edit "$v"
        edits[$v]+="$(build "$v") "
        edit_steps[$v]=$(steps "$v")
    done
done
printf '%-10s %10s %10s   %s\n' variant "cold" "edit" "the steps (last cold | last edit)"
for v in plain sbom vulncheck both; do
    printf '%-10s %9ss %9ss   %s | %s\n' "$v" \
        "$(tr ' ' '\n' <<< "${colds[$v]}" | grep . | lowest)" \
        "$(tr ' ' '\n' <<< "${edits[$v]}" | grep . | median)" \
        "${cold_steps[$v]}" "${edit_steps[$v]}"
done
echo "(cold: the lower of 2 after pruning the build cache; edit: median of $REPS one-line edits)"
