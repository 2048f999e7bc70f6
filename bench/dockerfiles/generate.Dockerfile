# Hand-written equivalent of examples/generate/gofront.yaml (`go generate`
# before `go build`; the generated status_string.go is not in the context):
# what a careful Go team writes. No `# syntax=` line, like the other bench
# Dockerfiles: Docker 20.10's built-in Dockerfile frontend runs it.
#
# Cache mounts for the module and build caches (stringer, a go.mod `tool`,
# is built once and cached there), the source bind-mounted read-write so
# `go generate` can write into it (the writes are discarded after the RUN),
# cross-compiled from the build platform.
FROM --platform=$BUILDPLATFORM golang:1.26-alpine AS build
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download -x
ARG TARGETOS
ARG TARGETARCH
# GOOS/GOARCH only for `go build`: `go generate` must run stringer built for
# the build platform.
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=.,rw \
    go generate ./internal/... && \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -buildvcs=false -ldflags "-s -w" -o /out/server .

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/server /usr/local/bin/server
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/server"]
