#!/usr/bin/env bash
# examples/api for linux/arm64, cold, on the current buildkitd: gofront
# (Go runs at the build platform and cross-compiles) vs the Docker guide's
# cache-mount Dockerfile (bench/qemu.Dockerfile), whose golang stage runs
# under QEMU emulation. Restarts buildkitd with emulators for the run and
# without them afterwards.
#
# Usage: bench/qemu-vs-cross.sh [REPS]   (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-1}
BUILDX=.tools/bin/buildx
BUILDCTL=(.tools/bin/buildctl --addr unix:///run/gofront-buildkit/buildkitd.sock)

# Emulation, for this run only: BuildKit wraps the first process of a
# foreign-platform step with qemu (GOFRONT_BUILDKIT_EMULATION), and the
# kernel's binfmt_misc runs the programs that process starts (Debian's
# qemu-user-static registration, with the F flag so it works in containers).
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt"
registered=0
if [ ! -e "$binfmt/qemu-aarch64" ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register"
    registered=1
fi
cleanup() {
    [ "$registered" = 1 ] && echo -1 >"$binfmt/qemu-aarch64"
    scripts/buildkit-up.sh >/dev/null 2>&1 || true
}
trap cleanup EXIT
GOFRONT_BUILDKIT_EMULATION=1 scripts/buildkit-up.sh

work=$(mktemp -d)
cp -r examples/api "$work/api"
cp bench/qemu.Dockerfile "$work/api/Dockerfile"
go_args=()
for key in GOPROXY GOSUMDB GOFLAGS; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done
now() { date +%s.%N; }
seconds() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
build() {   # build SPEC
    "$BUILDX" --builder gofront build -q -f "$work/api/$1" --platform linux/arm64 \
        --output "type=oci,dest=$work/out.tar" "${go_args[@]}" "$work/api" >/dev/null
}

for i in $(seq "$REPS"); do
    "${BUILDCTL[@]}" prune --all >/dev/null
    t=$(now); build gofront.yaml; cross=$(seconds "$t")
    "${BUILDCTL[@]}" prune --all >/dev/null
    t=$(now); build Dockerfile; emulated=$(seconds "$t")
    printf 'rep %s, linux/arm64 cold: gofront (cross-compiled) %ss; Dockerfile under QEMU %ss; gofront is %sx faster\n' \
        "$i" "$cross" "$emulated" "$(awk -v a="$emulated" -v b="$cross" 'BEGIN { printf "%.1f", a / b }')"
done
rm -rf "$work"
