#!/usr/bin/env bash
# frontend.Dockerfile, as a release builds it: from source, for linux/amd64
# and linux/arm64 in one build on buildkitd (buildx, the `gofront` builder),
# its build stage on the build platform only (cross-compiled, no emulation),
# from the debian:trixie stand-in (tests/standins) with Debian's packages
# fetched by apt inside the build.
#
#   * the build log shows the toolchain and build stages run once per target
#     platform *on* linux/amd64 ("linux/amd64->arm64"), never as linux/arm64;
#   * the result is the same kind of image as the scripts' index
#     (tests/frontend_image.py: platforms, labels, one static binary each);
#   * both binaries render every example to the same LLB as the one
#     scripts/rust-cross.sh builds (tests/cross-llb.sh, arm64 under qemu-user).
#
# Needs: scripts/buildkit-up.sh and the stand-ins in the registry
# (tests/standins/push-multiplatform.sh). A cold run fetches the Rust
# packages and crates and compiles twice: minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILDX=.tools/bin/buildx
version=$(scripts/version.sh version)
revision=$(scripts/version.sh revision)
out=target/frontend-dockerfile
rm -rf "$out" && mkdir -p "$out"
fail() { echo "FAIL frontend.Dockerfile: $*" >&2; exit 1; }

# The Dockerfile installs the compiler scripts/rust-cross.sh pins.
pin() { sed -n "s/^$1=\([^ ]*\)\$/\1/p" "$2" | head -1; }
[ "$(pin 'ARG RUST_DEB_VERSION' frontend.Dockerfile)" = "$(pin RUST_DEB_VERSION scripts/rust-cross.sh)" ] ||
    fail "RUST_DEB_VERSION differs from scripts/rust-cross.sh's"

echo "==> buildx build -f frontend.Dockerfile --platform linux/amd64,linux/arm64 (log: $out/build.log)"
t0=$SECONDS
if ! "$BUILDX" build --builder gofront --progress plain -f frontend.Dockerfile \
        --platform linux/amd64,linux/arm64 \
        --build-arg "GOFRONT_VERSION=$version" --build-arg "GOFRONT_REVISION=$revision" \
        --output "type=oci,dest=$out/layout,tar=false" . >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    fail "the build failed (log: $out/build.log)"
fi
echo "     built in $((SECONDS - t0))s"

# BuildKit names a step "[linux/amd64->arm64 build 3/4]" when it runs on the
# build platform for another target, "[linux/arm64 build 3/4]" when it runs
# as that platform (which here could only be emulation).
for stage in toolchain build; do
    grep -q "\[linux/amd64->arm64 $stage " "$out/build.log" ||
        fail "no '$stage' step ran on linux/amd64 for linux/arm64"
    if grep -q "\[linux/arm64 $stage " "$out/build.log"; then
        fail "the '$stage' stage ran as linux/arm64 (emulated): $(grep -m1 "\[linux/arm64 $stage " "$out/build.log")"
    fi
done
echo "ok   the toolchain and build stages ran on linux/amd64 for both targets"

python3 tests/frontend_image.py oci "$out/layout" --platform linux/amd64 --platform linux/arm64 \
    --version "$version" --revision "$revision" --source https://github.com/ourorg/gofront \
    --out "$out/bin"

tests/cross-llb.sh linux/amd64 "linux/amd64=$out/bin/linux_amd64/gofront" "linux/arm64=$out/bin/linux_arm64/gofront"
