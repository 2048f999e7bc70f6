#!/usr/bin/env bash
# The main job: build the gofront frontend image, use it to build
# examples/hello with `docker build`, run the image, and show the result.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1

scripts/docker-up.sh
tests/standins/build.sh golang:1.26-alpine gcr.io/distroless/static-debian12
scripts/build-frontend-image.sh

# This machine's Go settings (module proxy, checksum DB, ...) become build
# args, which gofront sets in its Go steps.
go_args=()
for key in GOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOFLAGS; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done

echo "==> docker build -f examples/hello/gofront.yaml examples/hello"
"$DOCKER" build -f examples/hello/gofront.yaml -t gofront-example/hello \
    --build-arg VERSION=1.0.0 "${go_args[@]}" examples/hello

name=gofront-demo-$$
"$DOCKER" rm -f "$name" >/dev/null 2>&1 || true
"$DOCKER" run -d --name "$name" -p 127.0.0.1::8080 gofront-example/hello >/dev/null
trap '"$DOCKER" rm -f "$name" >/dev/null 2>&1 || true' EXIT
port=$("$DOCKER" port "$name" 8080/tcp | head -1 | sed 's/.*://')
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

echo
echo "image:      gofront-example/hello"
echo "size:       $("$DOCKER" image inspect gofront-example/hello --format '{{.Size}}') bytes"
echo "user:       $("$DOCKER" image inspect gofront-example/hello --format '{{.Config.User}}')"
echo "GET /       $(curl -fsS "http://127.0.0.1:$port/")"
echo "GET /healthz $(curl -fsS "http://127.0.0.1:$port/healthz")"
