# The seeds' best hand-written production Dockerfile (baseline recipe "c"):
# multi-stage, go.mod first so `go mod download` is its own layer, static
# and stripped, non-root, CA certificates (distroless has them). Build args
# give it the workload's main package and version variable.
FROM golang:1.26-alpine AS build
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG MAIN=./cmd/server
ARG VERSION_VAR=main.version
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X ${VERSION_VAR}=${VERSION}" -o /out/server ${MAIN}

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/server /usr/local/bin/server
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/server"]
