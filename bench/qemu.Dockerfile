# The Docker guide's cache-mount recipe, built for a foreign platform the
# way most Go Dockerfiles are: the whole golang stage runs for the target
# platform, so under QEMU emulation. (bench/qemu-vs-cross.sh compares it
# with gofront, which cross-compiles at the build platform.)
FROM golang:1.26-alpine AS build
ARG GOPROXY GOSUMDB GOFLAGS
ENV GOPROXY=$GOPROXY GOSUMDB=$GOSUMDB GOFLAGS=$GOFLAGS
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/server /usr/local/bin/server
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/server"]
