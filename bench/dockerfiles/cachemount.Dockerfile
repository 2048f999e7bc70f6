# Docker's Go guide recipe (baseline recipe "e"): cache mounts for the
# module and build caches, the source bind-mounted, cross-compiled from the
# build platform. Same flags and base as gofront.
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
ARG MAIN=./cmd/server
ARG VERSION_VAR=main.version
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -buildvcs=false -ldflags "-s -w -X ${VERSION_VAR}=${VERSION}" -o /bin/server ${MAIN}

FROM gcr.io/distroless/static-debian12
COPY --from=build /bin/server /usr/local/bin/server
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/server"]
