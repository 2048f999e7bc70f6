#!/usr/bin/env bash
# Run every test: static checks, unit and golden tests, then the end-to-end
# tests on four daemons (Docker 20.10, buildkitd, Docker 29 with the
# containerd image store and with the classic one). Installs and starts what
# it needs (Docker 20.10 from Debian, the stand-in base images, buildkitd and
# the registry, both Docker 29s, the frontend image).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step with the time it starts: where a run's minutes go.
step() { printf '\n==> [%s, %ss] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*"; }

step "Docker engine"
scripts/docker-up.sh

step "stand-in base images"
tests/standins/build.sh
tests/standins/verify.sh

step "current BuildKit, buildx and the local registry"
scripts/buildkit-up.sh
# qemu-user runs the cross-compiled arm binaries in the platform tests
# (the builds themselves never use emulation).
if ! command -v qemu-aarch64-static >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >/dev/null
fi

step "SPDX validator (the SBOM tests)"
scripts/spdx-tools-up.sh

step "format and lints"
# The workspace: gofront and the e2e tests' proxy (tests/capfilter).
cargo fmt --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "GitHub workflows (actionlint)"
scripts/actionlint.sh

step "the frontend binary of each image platform renders the same LLB"
# Cross-compiled with Debian's Rust (scripts/rust-cross.sh; a first run
# fetches the pinned toolchain), the arm64 one run under qemu-user.
tests/cross-llb.sh linux/amd64 linux/arm64

step "the CLI's release archives, installed with the README's line"
tests/cli-release.sh

step "frontend image: an index for linux/amd64 and linux/arm64"
# Into the registry (buildkitd and Docker 29 resolve docker.io/ourorg/gofront
# through it) as users pull it, and from there into Docker 20.10; the
# stand-ins beside it.
scripts/build-frontend-image.sh --push 127.0.0.1:5000/ourorg/gofront
tests/frontend-image.sh
tests/standins/push-multiplatform.sh

step "frontend.Dockerfile: both platforms from source, cross-compiled"
tests/frontend-dockerfile.sh

step "Docker 29 (containerd image store)"
# After the push: it pulls the registry's current frontend image and
# stand-ins into its store.
scripts/docker29-up.sh

step "Docker 29 (classic image store)"
# Its BuildKit takes a local image before the registry's: this pull of the
# registry's current frontend image and stand-ins is what it builds with.
scripts/docker29-up.sh --store classic

step "unit, golden and end-to-end tests"
# The end-to-end tests are #[ignore]d for a plain `cargo test`. They run one
# at a time: BuildKit v0.8 in Docker 20.10 can panic ("failed to get edge",
# moby/moby#42414) when concurrent builds share steps.
cargo test --workspace --locked -- --include-ignored --test-threads=1

step "all passed"
