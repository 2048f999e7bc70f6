#!/usr/bin/env bash
# The frontend image is an index with one binary per platform, and BuildKit
# may run any of them: each must compile a spec to the same LLB, byte for
# byte, or the same build would be cached (and behave) differently on an
# arm64 daemon. This builds the static binary of each platform with
# scripts/rust-cross.sh (cross-compiled, no emulation), runs the foreign ones
# under qemu-user, and compares `gofront render --format llb` for every
# examples/*/gofront.yaml, rendered for several target platforms.
#
#   tests/cross-llb.sh [PLATFORM[=BINARY]...]   (default: linux/amd64
#       linux/arm64; the first one is the reference). A BINARY is used as it
#       is (e.g. one taken from an image) instead of building it.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -gt 0 ] || set -- linux/amd64 linux/arm64
# What the specs are rendered for: both index platforms, and arm/v7 for the
# GOARM path.
targets=(linux/amd64 linux/arm64 linux/arm/v7)
# examples/multi needs BUILDER; the others ignore what they do not use.
build_args=(--build-arg BUILDER=ci --build-arg VERSION=1.2.3)

# runner PLATFORM: how this machine runs that platform's binary.
runner() {
    case $1 in
        linux/amd64) echo "" ;;
        linux/arm64 | linux/arm64/v8) echo qemu-aarch64-static ;;
        linux/riscv64) echo qemu-riscv64-static ;;
        linux/ppc64le) echo qemu-ppc64le-static ;;
        linux/s390x) echo qemu-s390x-static ;;
        *) echo "cross-llb: no runner for $1" >&2; exit 2 ;;
    esac
}

if ! command -v qemu-aarch64-static >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >/dev/null
fi

plats=() bins=() runs=()
for arg in "$@"; do
    p=${arg%%=*}
    plats+=("$arg")
    if [ "$p" != "$arg" ]; then
        bins+=("${arg#*=}")
    else
        bins+=("$(scripts/rust-cross.sh build "$p" | tail -1)")
    fi
    runs+=("$(runner "$p")")
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
for spec in examples/*/gofront.yaml; do
    for t in "${targets[@]}"; do
        # What each binary does: exit status, stdout (the LLB) and stderr;
        # a refusal must be the same refusal everywhere too.
        results=()
        for i in "${!bins[@]}"; do
            rc=0
            # shellcheck disable=SC2086 # no runner for the native binary
            ${runs[$i]} "${bins[$i]}" render "$spec" --platform "$t" --format llb "${build_args[@]}" \
                >"$out/$i.out" 2>"$out/$i.err" || rc=$?
            results+=("exit $rc, stdout $(sha256sum <"$out/$i.out" | cut -c1-16), stderr $(sha256sum <"$out/$i.err" | cut -c1-16)")
        done
        bad=
        for i in "${!results[@]}"; do
            if [ "${results[$i]}" != "${results[0]}" ]; then
                echo "FAIL $spec $t: ${plats[$i]}: ${results[$i]}; ${plats[0]}: ${results[0]}" >&2
                bad=1
            fi
        done
        # The platforms of the frontend image must render every example.
        case $t in linux/amd64 | linux/arm64)
            if [ "${results[0]%%,*}" != "exit 0" ] || [ ! -s "$out/0.out" ]; then
                echo "FAIL $spec $t: no LLB ($(head -c 300 "$out/0.err"))" >&2
                bad=1
            fi ;;
        esac
        if [ -n "$bad" ]; then
            failed=$((failed + 1))
        elif [ "${results[0]%%,*}" = "exit 0" ]; then
            passed=$((passed + 1))
            echo "ok   $spec $t: same LLB from ${#bins[@]} binaries (${results[0]#*stdout })"
        else
            passed=$((passed + 1))
            echo "ok   $spec $t: same refusal from ${#bins[@]} binaries: $(head -n1 "$out/0.err" | cut -c1-120)"
        fi
    done
done
echo "cross-llb: $passed passed, $failed failed"
[ "$failed" = 0 ]
