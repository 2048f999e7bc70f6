# The gofront frontend image: a static binary in an otherwise empty image.
#
# For users (with a registry):
#   docker buildx build -f frontend.Dockerfile -t ourorg/gofront .
# Without a registry (how the tests build it), from a host-built binary:
#   scripts/build-frontend-image.sh   (uses --target prebuilt)

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
ARG TARGETARCH
WORKDIR /src
COPY . .
# Static glibc binary (pitfall P12): RUSTFLAGS only with an explicit
# --target, or they leak into proc-macros.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    case "$TARGETARCH" in \
      amd64) triple=x86_64-unknown-linux-gnu ;; \
      arm64) triple=aarch64-unknown-linux-gnu ;; \
      *) echo "unsupported TARGETARCH $TARGETARCH" >&2; exit 1 ;; \
    esac && \
    RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$triple" && \
    cp "target/$triple/release/gofront" /gofront

# What BuildKit needs to know about the frontend.
FROM scratch AS frontend-base
# No network in the frontend container: it only talks gRPC on stdio.
LABEL moby.buildkit.frontend.network.none="true"
# Frontend capabilities implemented: named contexts (`--build-context` for
# the frontend image itself and for every image the graph uses) and
# subrequests (`--call outline|targets|check|subrequests.describe`). BuildKit
# refuses requests that need others (inputs: a context or spec handed over as
# an LLB input, from bake targets or git URLs with a query string).
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring"
LABEL org.opencontainers.image.title="gofront" \
      org.opencontainers.image.description="BuildKit frontend: a short YAML spec becomes an optimized Go service image"
ENTRYPOINT ["/bin/gofront"]

# From a binary built on the host (scripts/build-frontend-image.sh).
FROM frontend-base AS prebuilt
COPY gofront /bin/gofront

# Default: built from source in the build stage.
FROM frontend-base AS frontend
COPY --from=build /gofront /bin/gofront
