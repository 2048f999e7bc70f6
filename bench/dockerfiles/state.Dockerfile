# Hand-written equivalent of examples/state/gofront.yaml (cgo, a state
# directory): what a careful Go team writes. No `# syntax=` line, like the
# other bench Dockerfiles: Docker 20.10's built-in Dockerfile frontend runs it
# (RUN --mount and COPY --chown are stable there), nothing is pulled.
#
# cgo (github.com/mattn/go-sqlite3): the build stage runs on the *target*
# platform (no --platform=$BUILDPLATFORM: cross-compiling C needs a cross
# toolchain), on golang:bookworm for gcc and the glibc that
# distroless/base-debian12 has at run time.
FROM golang:1.26-bookworm AS build
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download -x
RUN --mount=type=cache,target=/go/pkg/mod/ \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=1 go build -trimpath -buildvcs=false -ldflags "-s -w" -o /out/notes .
# The state directory for the runtime image, which has no shell to mkdir or
# chown in: made here owned by nonroot (65532) with mode 0700, then copied
# as a directory entry (COPY keeps owner and mode of what it copies).
RUN mkdir -p /out/rootfs/var/lib/notes && \
    chown 65532:65532 /out/rootfs/var/lib/notes && \
    chmod 0700 /out/rootfs/var/lib/notes

FROM gcr.io/distroless/base-debian12
COPY --from=build /out/rootfs/var/lib/ /var/lib/
COPY --from=build /out/notes /usr/local/bin/notes
USER 65532:65532
WORKDIR /var/lib/notes
VOLUME ["/var/lib/notes"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/notes"]
