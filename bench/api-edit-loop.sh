#!/usr/bin/env bash
# examples/api: cold, no-change and one-line-edit builds with gofront on
# Docker 20.10, side by side with the host `go build` using the same flags
# (CGO_ENABLED=0 -trimpath -buildvcs=false -ldflags "-s -w -X ...").
# Runs are interleaved (gofront, host, gofront, host, ...); prints medians.
#
# Usage: bench/api-edit-loop.sh [REPS]   (default 3)
# Needs the engine, the stand-ins and the frontend image (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/api "$work/api"
hostcache="$work/host"
mkdir -p "$hostcache"

go_args=()
for key in GOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOFLAGS; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done
var=example.com/gofront/examples/api/internal/version.Version

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }

gofront_build() {
    "$DOCKER" build -q -f "$work/api/gofront.yaml" -t gofront-bench/api \
        --build-arg VERSION=bench "${go_args[@]}" "$work/api" >/dev/null
}
host_build() {
    (cd "$work/api" && GOCACHE="$hostcache/cache" GOMODCACHE="$hostcache/mod" CGO_ENABLED=0 \
        go build -trimpath -buildvcs=false -ldflags "-s -w -X $var=bench" -o "$work/server" ./cmd/server)
}
edit() {
    sed -i "s/^const greeting = .*/const greeting = \"bench edit $1 $$ $(now)\"/" "$work/api/internal/api/handlers.go"
}
time_it() { local t; t=$(now); "$@"; elapsed "$t"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A results
for scenario in cold nochange edit; do results[gofront-$scenario]=""; results[host-$scenario]=""; done

for i in $(seq "$REPS"); do
    # cold: BuildKit's cache (and its cache mounts) pruned; the host's
    # module and build caches emptied.
    "$DOCKER" builder prune -af >/dev/null
    results[gofront-cold]+="$(time_it gofront_build) "
    chmod -R u+w "$hostcache" 2>/dev/null || true; rm -rf "$hostcache"; mkdir -p "$hostcache"
    results[host-cold]+="$(time_it host_build) "

    results[gofront-nochange]+="$(time_it gofront_build) "
    results[host-nochange]+="$(time_it host_build) "

    edit "$i"
    results[gofront-edit]+="$(time_it gofront_build) "
    results[host-edit]+="$(time_it host_build) "
done

binary=$(stat -c %s "$work/server")
image=$("$DOCKER" image inspect gofront-bench/api --format '{{.Size}}')
base=$("$DOCKER" image inspect gcr.io/distroless/static-debian12 --format '{{.Size}}')

printf '\nexamples/api, %s repetitions, seconds (median; all runs)\n' "$REPS"
printf '| scenario | gofront (Docker 20.10) | host go build | ratio |\n|---|---:|---:|---:|\n'
for scenario in cold nochange edit; do
    g=$(echo "${results[gofront-$scenario]}" | tr ' ' '\n' | grep . | median)
    h=$(echo "${results[host-$scenario]}" | tr ' ' '\n' | grep . | median)
    printf '| %s | %.2f (%s) | %.2f (%s) | %.2f |\n' "$scenario" "$g" "${results[gofront-$scenario]% }" "$h" \
        "${results[host-$scenario]% }" "$(awk -v g="$g" -v h="$h" 'BEGIN { print g / h }')"
done
printf '\nimage %s bytes = base %s + %s added; host binary %s bytes\n' "$image" "$base" "$((image - base))" "$binary"
