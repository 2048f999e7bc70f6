#!/usr/bin/env bash
# Seven platforms in one gofront build vs seven single-platform builds, on
# the current buildkitd (scripts/buildkit-up.sh), for examples/api.
# Each measurement starts from a pruned BuildKit cache (cold: the Go build
# cache mount is empty too), and the two are interleaved REPS times.
#
# Usage: bench/platforms.sh [REPS]   (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-1}
BUILDX=.tools/bin/buildx
BUILDCTL=".tools/bin/buildctl --addr unix:///run/gofront-buildkit/buildkitd.sock"
PLATFORMS=(linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/api "$work/api"
go_args=()
for key in GOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOFLAGS; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done

now() { date +%s.%N; }
build() {
    "$BUILDX" --builder gofront build -q -f "$work/api/gofront.yaml" --platform "$1" \
        --output "type=oci,dest=$work/out.tar" "${go_args[@]}" "$work/api" >/dev/null
}
seconds() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

all=$(IFS=,; echo "${PLATFORMS[*]}")
for i in $(seq "$REPS"); do
    $BUILDCTL prune --all >/dev/null
    t=$(now); build "$all"; together=$(seconds "$t")

    $BUILDCTL prune --all >/dev/null
    t=$(now); build linux/amd64; one=$(seconds "$t")
    separate=$one
    for p in "${PLATFORMS[@]:1}"; do
        $BUILDCTL prune --all >/dev/null
        t=$(now); build "$p"; s=$(seconds "$t")
        separate=$(awk -v a="$separate" -v b="$s" 'BEGIN { print a + b }')
    done
    printf 'rep %s: 7 platforms in one build %ss; 7 single-platform cold builds %ss (sum); linux/amd64 alone %ss\n' \
        "$i" "$together" "$separate" "$one"
    printf '  ratio vs the sum of 7 single builds: %s; vs 7 x linux/amd64: %s\n' \
        "$(awk -v a="$together" -v b="$separate" 'BEGIN { printf "%.2f", a / b }')" \
        "$(awk -v a="$together" -v b="$one" 'BEGIN { printf "%.2f", a / (7 * b) }')"
done
