#!/usr/bin/env bash
# Run the whole benchmark and write BENCHMARKS.md (and bench/results.json).
# Starts what it needs like scripts/test.sh does: Docker 20.10, buildkitd and
# buildx, Docker 29, the local registry, the stand-in images, the frontend image; adds
# ko (pinned) and the caching, counting module proxy on 127.0.0.1:3130.
#
# usage: bench/run.sh [bench.py options]   e.g. --reps 5 (the default),
#        --workloads api, --parts sequences, --daemons buildkit docker29
# Takes a long while with the defaults (both workloads, three daemons, five
# repetitions); nothing else should use the daemons meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
KO_VERSION=v0.18.1

scripts/docker-up.sh
tests/standins/build.sh
scripts/buildkit-up.sh
scripts/build-frontend-image.sh --push 127.0.0.1:5000/ourorg/gofront
tests/standins/push-multiplatform.sh
scripts/docker29-up.sh
bench/dfe/build.sh
if ! .tools/bin/ko version 2>/dev/null | grep -qx "$KO_VERSION"; then
    GOBIN="$PWD/.tools/bin" GOFLAGS="" go install "github.com/google/ko@$KO_VERSION"
fi

state=$(mktemp -d /tmp/gofront-goproxy.XXXXXX)
cache=${GOFRONT_BENCH_PROXY_CACHE:-/var/cache/gofront-bench-goproxy}
mkdir -p "$cache"
python3 bench/goproxy.py --cache "$cache" --pid-file "$state/pid" >"$state/log" 2>&1 &
trap 'kill $(cat "$state/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$state"' EXIT
for _ in $(seq 50); do
    curl -sf http://127.0.0.1:3130/_stats >/dev/null && break
    sleep 0.1
done
python3 bench/bench.py "$@"
echo "bench: wrote BENCHMARKS.md"
