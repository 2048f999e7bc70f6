#!/usr/bin/env bash
# Build the frontend image `ourorg/gofront` from a static binary built on
# this machine (no registry needed: the Rust builder image of
# frontend.Dockerfile cannot be pulled here).
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER=/usr/bin/docker
triple=x86_64-unknown-linux-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

echo "==> building the static frontend binary ($triple)"
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$triple" --quiet

stage=target/frontend-image
rm -rf "$stage" && mkdir -p "$stage"
cp "target/$triple/release/gofront" "$stage/gofront"
# The binary must not need a dynamic loader: the image has nothing else.
if readelf -l "$stage/gofront" | grep -q "Requesting program interpreter"; then
    echo "error: $stage/gofront is dynamically linked" >&2
    exit 1
fi

echo "==> building image ourorg/gofront:latest and :$version"
DOCKER_BUILDKIT=1 "$DOCKER" build --quiet -f frontend.Dockerfile --target prebuilt \
    -t ourorg/gofront:latest -t "ourorg/gofront:$version" "$stage" >/dev/null
"$DOCKER" image inspect ourorg/gofront:latest --format 'ourorg/gofront:latest {{.Id}} {{.Size}} bytes'
