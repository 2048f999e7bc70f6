#!/usr/bin/env bash
# The frontend image as users pull it: the index scripts/build-frontend-image.sh
# --push put in the local registry (what buildkitd and Docker 29 resolve
# `# syntax=ourorg/gofront` to) and its copy in Docker 20.10.
#
#   * every tag (X.Y.Z, X.Y, X, latest) names the same index, with one image
#     per platform and a provenance attestation for each;
#   * each image's config names its platform and carries the labels; its one
#     layer is bin/gofront, static, for that platform's ELF machine;
#   * each binary runs (arm64 under qemu-user) and prints the version and
#     commit the labels carry;
#   * Docker 20.10's ourorg/gofront:latest is the index's linux/amd64 image.
#
#   tests/frontend-image.sh [REGISTRY]   (default 127.0.0.1:5000)
set -euo pipefail
cd "$(dirname "$0")/.."

REGISTRY=${1:-127.0.0.1:5000}
PLATFORMS=(linux/amd64 linux/arm64)
version=$(scripts/version.sh version)
revision=$(scripts/version.sh revision)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL frontend image: $*" >&2; exit 1; }

platform_args=()
for p in "${PLATFORMS[@]}"; do platform_args+=(--platform "$p"); done
python3 tests/frontend_image.py registry "$REGISTRY" ourorg/gofront \
    "$version" "${version%.*}" "${version%%.*}" latest \
    "${platform_args[@]}" --provenance --version "$version" --revision "$revision" \
    --source https://github.com/ourorg/gofront --out "$out/bin" --json "$out/index.json"

for p in "${PLATFORMS[@]}"; do
    arch=${p#linux/} runner=()
    [ "$arch" = amd64 ] || runner=("qemu-${arch/arm64/aarch64}-static")
    got=$("${runner[@]}" "$out/bin/linux_$arch/gofront" version)
    [ "$got" = "gofront $version (commit $revision)" ] || fail "$p: gofront version says '$got'"
    echo "ok   $p: $got"
done

id20=$(/usr/bin/docker image inspect -f '{{.Id}}' "ourorg/gofront:latest")
amd64=$(jq -r '.images[] | select(.platform == "linux/amd64") | .config' "$out/index.json")
[ "$id20" = "$amd64" ] || fail "Docker 20.10's ourorg/gofront:latest is $id20, the index's linux/amd64 image $amd64"
for t in "$version" "${version%.*}" "${version%%.*}"; do
    [ "$(/usr/bin/docker image inspect -f '{{.Id}}' "ourorg/gofront:$t")" = "$id20" ] ||
        fail "Docker 20.10's ourorg/gofront:$t is not :latest"
done
echo "ok   Docker 20.10: ourorg/gofront:{$version,${version%.*},${version%%.*},latest} = the index's linux/amd64 image"
