# Hand-written equivalent of examples/webui/gofront.yaml (a web UI built with
# npm, embedded by the Go binary): what a careful Go team writes. No
# `# syntax=` line, like the other bench Dockerfiles: Docker 20.10's built-in
# Dockerfile frontend runs it.
#
# The UI is built once, on the build platform (its output is the same for
# every target): package*.json first so `npm ci` is its own cached step,
# npm's download cache in a cache mount.
FROM --platform=$BUILDPLATFORM node:24-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci
COPY web/ ./
RUN npm run build

# Go: cache mounts for the module and build caches, cross-compiled from the
# build platform. The context has no web/dist (.dockerignore); the stage
# copies the source and then the UI in before `go build` embeds it.
FROM --platform=$BUILDPLATFORM golang:1.26-alpine AS build
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
# No go.sum: the module has no requirements (yet); this keeps the pattern.
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download -x
COPY . .
COPY --from=web /src/web/dist ./web/dist
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -buildvcs=false -ldflags "-s -w" -o /out/server .

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/server /usr/local/bin/server
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/server"]
