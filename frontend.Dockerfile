# The gofront frontend image: a static binary in an otherwise empty image,
# for every platform the index offers (linux/amd64, linux/arm64; riscv64,
# ppc64le and s390x build too).
#
#   docker buildx build -f frontend.Dockerfile \
#       --platform linux/amd64,linux/arm64 -t REGISTRY/gofront --push .
#
# The compiler runs on the build platform and cross-compiles for each target
# platform: no emulation, whatever --platform asks for. It is Debian's Rust
# (trixie's rustc-web, the one scripts/rust-cross.sh pins), because Debian
# ships its standard library for every target architecture as a package, so
# one apt-get gives the compiler, the target's std and the cross linker from
# one signed archive (rustup would fetch a std per target from another
# server). Same compiler, same binaries as the scripts' build.
#
# Without a registry (how the tests load Docker 20.10), from binaries built on
# the host by scripts/rust-cross.sh: scripts/build-frontend-image.sh, which
# uses --target prebuilt.

# The Debian release of the build stage, and the exact rustc-web it installs
# (scripts/rust-cross.sh pins the same; `scripts/rust-cross.sh pins` prints
# the current one when Debian replaces it).
ARG DEBIAN_IMAGE=debian:trixie
ARG RUST_DEB_VERSION=1.96.0+dfsg1-1~deb13u1+b1

# --- the compiler, for the build platform (shared by every target)
FROM --platform=$BUILDPLATFORM ${DEBIAN_IMAGE} AS rust
ARG RUST_DEB_VERSION
# Debian's images delete apt's downloads after each install (docker-clean);
# here a cache mount keeps them between builds instead.
RUN rm -f /etc/apt/apt.conf.d/docker-clean
RUN --mount=type=cache,id=gofront-apt-cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,id=gofront-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      ca-certificates gcc libc6-dev \
      "rustc-web=$RUST_DEB_VERSION" "cargo-web=$RUST_DEB_VERSION" && \
    rustc -vV && cargo -V

# --- what TARGETPLATFORM adds: its standard library and a cross linker
FROM rust AS toolchain
ARG RUST_DEB_VERSION
ARG TARGETARCH
# The target's Debian architecture, GNU triplet and Rust triple, kept in
# /target for the build stage.
RUN --mount=type=cache,id=gofront-apt-cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,id=gofront-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    set -eu; \
    case "$TARGETARCH" in \
      amd64)   debarch=amd64   gnu=x86_64-linux-gnu      triple=x86_64-unknown-linux-gnu ;; \
      arm64)   debarch=arm64   gnu=aarch64-linux-gnu     triple=aarch64-unknown-linux-gnu ;; \
      riscv64) debarch=riscv64 gnu=riscv64-linux-gnu     triple=riscv64gc-unknown-linux-gnu ;; \
      ppc64le) debarch=ppc64el gnu=powerpc64le-linux-gnu triple=powerpc64le-unknown-linux-gnu ;; \
      s390x)   debarch=s390x   gnu=s390x-linux-gnu       triple=s390x-unknown-linux-gnu ;; \
      *) echo "frontend.Dockerfile: no Rust target for TARGETARCH=$TARGETARCH" >&2; exit 1 ;; \
    esac; \
    mkdir -p /target; \
    echo "$gnu" >/target/gnu; echo "$triple" >/target/triple; \
    if [ "$debarch" != "$(dpkg --print-architecture)" ]; then \
      dpkg --add-architecture "$debarch"; \
      apt-get update -q; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "gcc-$(echo "$gnu" | tr _ -)" "libc6-dev-$debarch-cross" \
        "libstd-rust-web-dev:$debarch=$RUST_DEB_VERSION"; \
    fi; \
    "$gnu-gcc" --version | head -1

# --- the static binary for TARGETPLATFORM
FROM toolchain AS build
# Set by the release (and scripts/build-frontend-image.sh): `gofront version`
# prints it.
ARG GOFRONT_REVISION
WORKDIR /src
COPY . .
# Static glibc (pitfall P12: RUSTFLAGS only with an explicit --target, or
# they leak into proc-macros); the cargo home remapped as rust-cross.sh does.
# One target dir for every platform: build scripts and proc-macros are the
# build platform's and built once. The registry mount is locked: cargo's
# package-cache lock lives in CARGO_HOME, outside the mount, so two
# platforms unpacking the same crate at once collide ("failed to unpack
# package … File exists"); the second platform's build waits instead (on a
# builder's few cores they would share the CPU anyway).
RUN --mount=type=cache,id=gofront-cargo-registry,target=/root/.cargo/registry,sharing=locked \
    --mount=type=cache,id=gofront-cargo-target,target=/src/target \
    set -eu; \
    gnu=$(cat /target/gnu) triple=$(cat /target/triple); \
    upper=$(echo "$triple" | tr 'a-z-' 'A-Z_'); \
    export "CARGO_TARGET_${upper}_LINKER=$gnu-gcc"; \
    CARGO_ENCODED_RUSTFLAGS="$(printf '%s\037%s' -Ctarget-feature=+crt-static --remap-path-prefix=/root/.cargo=/cargo)" \
      cargo build --release --locked --target "$triple"; \
    cp "target/$triple/release/gofront" /gofront; \
    if readelf -l /gofront 2>/dev/null | grep -q 'program interpreter'; then \
      echo "frontend.Dockerfile: /gofront is dynamically linked" >&2; exit 1; \
    fi

# --- what BuildKit needs to know about the frontend
FROM scratch AS frontend-base
# No network in the frontend container: it only talks gRPC on stdio.
LABEL moby.buildkit.frontend.network.none="true"
# Frontend capabilities implemented: named contexts (`--build-context` for
# the frontend image itself and for every image the graph uses) and
# subrequests (`--call outline|targets|check|subrequests.describe`). BuildKit
# refuses requests that need others (inputs: a context or spec handed over as
# an LLB input, from bake targets or git URLs with a query string).
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring"
# What users pin: the release (metadata-action) sets these too.
ARG GOFRONT_VERSION=dev
ARG GOFRONT_REVISION=unknown
ARG GOFRONT_SOURCE=https://github.com/ourorg/gofront
LABEL org.opencontainers.image.title="gofront" \
      org.opencontainers.image.description="BuildKit frontend: a short YAML spec becomes an optimized Go service image" \
      org.opencontainers.image.version="${GOFRONT_VERSION}" \
      org.opencontainers.image.revision="${GOFRONT_REVISION}" \
      org.opencontainers.image.source="${GOFRONT_SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/bin/gofront"]

# From binaries built on the host, one directory per platform
# (scripts/build-frontend-image.sh: linux_amd64/gofront, linux_arm64/gofront).
FROM frontend-base AS prebuilt
ARG TARGETOS
ARG TARGETARCH
COPY ${TARGETOS}_${TARGETARCH}/gofront /bin/gofront

# Default: built from source in the build stage.
FROM frontend-base AS frontend
COPY --from=build /gofront /bin/gofront
