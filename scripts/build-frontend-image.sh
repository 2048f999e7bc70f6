#!/usr/bin/env bash
# Build the frontend image `ourorg/gofront` from static binaries
# cross-compiled on this machine (scripts/rust-cross.sh: no emulation, one
# pinned compiler for every platform), without a registry.
#
#   scripts/build-frontend-image.sh
#       Docker 20.10 gets this machine's platform's image (the only one its
#       store can hold; only that binary is built) as ourorg/gofront:latest,
#       :X.Y.Z, :X.Y and :X (X.Y.Z from Cargo.toml).
#   scripts/build-frontend-image.sh --push REPO
#       Also the image index of every platform, pushed to REPO (e.g.
#       127.0.0.1:5000/ourorg/gofront) with the same four tags by buildx on
#       the `gofront` builder (scripts/buildkit-up.sh), with a provenance
#       attestation as a release has; Docker 20.10's copy is then pulled
#       from REPO, so that it is the index's image for this platform, not
#       another build of it.
#
# GOFRONT_PLATFORMS (default linux/amd64,linux/arm64): the index's platforms
# with --push.
# The image is frontend.Dockerfile's `prebuilt` target: the same labels and
# layout as its source build (`frontend`), which tests/frontend-dockerfile.sh
# builds and compares.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER=/usr/bin/docker
BUILDX=.tools/bin/buildx
PLATFORMS=${GOFRONT_PLATFORMS:-linux/amd64,linux/arm64}
die() { echo "build-frontend-image: $*" >&2; exit 1; }

push=
case "${1:-}" in
    --push) [ -n "${2:-}" ] || die "--push needs a repository (e.g. 127.0.0.1:5000/ourorg/gofront)"; push=$2 ;;
    "") ;;
    *) die "usage: $0 [--push REPO]" ;;
esac

version=$(scripts/version.sh version)
# The tags users pin: 1.2.3, 1.2, 1 and latest.
tags=("$version" "${version%.*}" "${version%%.*}" latest)
revision=$(scripts/version.sh revision)
# The commit's time: the same commit gives the same per-platform images.
epoch=$(git log -1 --format=%ct)

# One directory per platform, as the `prebuilt` stage COPYs them.
stage=target/frontend-image
rm -rf "$stage" && mkdir -p "$stage"
host_platform=linux/$("$DOCKER" version -f '{{.Server.Arch}}')
[ -n "$push" ] || PLATFORMS=$host_platform
IFS=, read -r -a platforms <<<"$PLATFORMS"
printf '%s\n' "${platforms[@]}" | grep -qx "$host_platform" ||
    die "GOFRONT_PLATFORMS ($PLATFORMS) lacks this machine's $host_platform"
for p in "${platforms[@]}"; do
    echo "==> the static frontend binary for $p"
    bin=$(scripts/rust-cross.sh build "$p" | tail -1)
    # TARGETOS_TARGETARCH (linux/arm64/v8 is linux_arm64).
    dir=$stage/${p%%/*}_$(cut -d/ -f2 <<<"$p")
    mkdir -p "$dir"
    cp "$bin" "$dir/gofront"
done

build_args=(--build-arg "GOFRONT_VERSION=$version" --build-arg "GOFRONT_REVISION=$revision")

if [ -z "$push" ]; then
    echo "==> ourorg/gofront:{${tags[*]}} for $host_platform into Docker 20.10"
    tag_args=()
    for t in "${tags[@]}"; do tag_args+=(-t "ourorg/gofront:$t"); done
    SOURCE_DATE_EPOCH=$epoch DOCKER_BUILDKIT=1 "$DOCKER" build --quiet -f frontend.Dockerfile --target prebuilt \
        "${build_args[@]}" "${tag_args[@]}" "$stage" >/dev/null
else
    [ -x "$BUILDX" ] || die "$BUILDX missing: run scripts/buildkit-up.sh"
    echo "==> $push:{${tags[*]}} for $PLATFORMS"
    names=$(printf "$push:%s," "${tags[@]}")
    # rewrite-timestamp: file times become SOURCE_DATE_EPOCH, so each
    # platform's image depends on the binary only (the provenance
    # attestation records the build's time, so the index digest does not).
    SOURCE_DATE_EPOCH=$epoch "$BUILDX" build --builder gofront --progress quiet \
        -f frontend.Dockerfile --target prebuilt --platform "$PLATFORMS" "${build_args[@]}" \
        --provenance mode=max \
        --output "type=image,\"name=${names%,}\",push=true,oci-mediatypes=true,rewrite-timestamp=true" \
        "$stage" >/dev/null
    echo "==> ourorg/gofront:{${tags[*]}} into Docker 20.10, pulled from $push"
    "$DOCKER" pull --quiet "$push:$version" >/dev/null
    for t in "${tags[@]}"; do "$DOCKER" tag "$push:$version" "ourorg/gofront:$t"; done
    "$DOCKER" image rm "$push:$version" >/dev/null
fi
"$DOCKER" image inspect ourorg/gofront:latest --format 'ourorg/gofront:latest {{.Id}} {{.Os}}/{{.Architecture}} {{.Size}} bytes'
