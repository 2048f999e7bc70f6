#!/usr/bin/env bash
# The Dockerfile frontend as an external frontend image (what
# `# syntax=docker/dockerfile:1` runs), built from BuildKit's own source at
# the release buildkitd runs, so the no-op overhead of a frontend that runs
# in a container can be told apart from gofront's own work. Nothing can be
# pulled here, hence the build from the Go module proxy.
#   -> bench/dockerfile-frontend:v0.34.2 in Docker's store and in the registry
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=v0.34.2
IMAGE=bench/dockerfile-frontend:$VERSION
REGISTRY=127.0.0.1:5000
if /usr/bin/docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "dfe: $IMAGE present"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # Built inside BuildKit's module (its go.mod has excludes, so
    # `go install pkg@version` refuses it).
    dir=$(GOFLAGS= go mod download -json "github.com/moby/buildkit@$VERSION" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    (cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
        -o "$work/dockerfile-frontend" ./frontend/dockerfile/cmd/dockerfile-frontend)
    cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY dockerfile-frontend /bin/dockerfile-frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/bin/dockerfile-frontend"]
DOCKERFILE
    DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t "$IMAGE" "$work" >/dev/null
    echo "dfe: built $IMAGE"
fi
/usr/bin/docker tag "$IMAGE" "$REGISTRY/$IMAGE"
/usr/bin/docker push -q "$REGISTRY/$IMAGE" >/dev/null
echo "dfe: pushed $REGISTRY/$IMAGE"
