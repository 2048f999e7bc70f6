#!/usr/bin/env bash
# Smoke-test the stand-in images (building missing ones first via build.sh).
#
# Checks what the gofront tests rely on: Go toolchain works, module downloads
# over HTTPS work from inside containers (network + CA bundle), cgo works in
# the bookworm image, distroless images run the binaries they should and have
# no shell, the node image has node/npm/corepack/yarn and reaches the npm
# registry, and a BuildKit build can start FROM a local stand-in (no pull).
#
# Usage: tests/standins/verify.sh      (exit status = number of failed checks)
# The check functions below are called indirectly through check().
# shellcheck disable=SC2317
# (and the commands in single quotes are for the container's shell)
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1

"$HERE/build.sh"

T="$HERE/.work/verify"
rm -rf "$T"
mkdir -p "$T/purego" "$T/cgo" "$T/ctx"
trap 'rm -rf "$T"; "$DOCKER" image rm gofront-standin-smoke:latest >/dev/null 2>&1 || true' EXIT

# Forward the host's module proxy settings (may point at a local proxy);
# without a host Go, the image's own defaults (from go.env) apply.
GOENV=()
if command -v go >/dev/null; then
    GOENV=(-e "GOPROXY=$(go env GOPROXY)" -e "GOSUMDB=$(go env GOSUMDB)")
fi

FAILED=0
check() {   # check "description" command...
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        printf 'PASS  %s\n' "$desc"
    else
        printf 'FAIL  %s\n%s\n' "$desc" "$(printf '%s\n' "$out" | tail -n 15 | sed 's/^/      /')"
        FAILED=$((FAILED + 1))
    fi
}
run() { "$DOCKER" run --rm "$@"; }

# A pure-Go program with a third-party dependency that also exercises what
# distroless/static provides: CA bundle, tzdata, /etc/passwd.
cat >"$T/purego/go.mod" <<'EOF'
module example.com/purego

go 1.26
EOF
cat >"$T/purego/main.go" <<'EOF'
package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/google/uuid"
)

func main() {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		panic(fmt.Sprint("cert pool: ", err))
	}
	if _, err := time.LoadLocation("Europe/Berlin"); err != nil {
		panic(err)
	}
	u, err := user.LookupId(fmt.Sprint(os.Getuid()))
	if err != nil {
		panic(err)
	}
	fmt.Printf("uid=%d user=%s home=%s id=%d\n", os.Getuid(), u.Username, u.HomeDir, len(uuid.NewString()))
}
EOF

cat >"$T/cgo/go.mod" <<'EOF'
module example.com/cgohello

go 1.26
EOF
cat >"$T/cgo/main.go" <<'EOF'
package main

/*
#include <stdlib.h>
static int twice(int x) { return 2 * x; }
*/
import "C"

import "fmt"

func main() { fmt.Println("cgo", int(C.twice(21))) }
EOF

# Each check is a function; check() runs it and reports PASS/FAIL.
go_version()     { run golang:1.26-alpine go version | grep 'go1\.26'; }
alpine_no_tools() { ! run golang:1.26-alpine sh -c 'command -v git gcc bash'; }
alpine_no_cgo()  { test "$(run golang:1.26-alpine go env CGO_ENABLED)" = 0; }
alpine_modules() {
    run -v "$T/purego:/src" -w /src "${GOENV[@]}" -e CGO_ENABLED=0 golang:1.26-alpine \
        sh -c 'go mod tidy && go build -o /src/app . && ./app'
}
bookworm_cgo() {
    run -v "$T/cgo:/src" -w /src -e CGO_ENABLED=1 golang:1.26-bookworm \
        sh -c 'go build -o /src/cgohello . && ./cgohello | grep -qx "cgo 42" && ldd ./cgohello | grep libc.so.6'
}
# Negative checks must fail for the right reason, not because docker broke.
# (pipefail is on, hence the `|| true` before grep.)
no_shell()       { { run "$1" /bin/sh -c true 2>&1 || true; } | grep 'no such file or directory'; }
busybox_static() { run busybox:1.37-musl sh -c 'test "$(stat -c %h /bin/busybox)" -gt 100 && echo toolbox' | grep -qx toolbox; }
# gofront's debug target copies the image's /bin elsewhere: the applets must
# be files (hard links), not symlinks to /bin/busybox, and need no libc.
busybox_copied() {
    run busybox:1.37-musl sh -c 'mkdir /tmp/t && cp -a /bin/. /tmp/t/ && test ! -L /tmp/t/ls &&
        test ! -e /lib/ld-musl-x86_64.so.1 && test ! -e /lib64/ld-linux-x86-64.so.2 &&
        /tmp/t/ls /tmp/t/sh && PATH=/tmp/t /tmp/t/sh -c "echo copied"' | grep -qx copied
}
# frontend.Dockerfile's build stage: apt knows the suite, nothing is installed
# that the Dockerfile does not install itself.
debian_plain()   {
    run debian:trixie sh -c '! command -v gcc cc rustc cargo &&
        grep -q "^Suites: trixie trixie-updates" /etc/apt/sources.list.d/debian.sources &&
        . /etc/os-release && echo "$VERSION_CODENAME"' | grep -qx trixie
}
alpine_plain()   { run alpine:3.21 sh -c '! command -v bash && cat /etc/alpine-release'; }
static_nonroot() {
    run -u 65532 -v "$T/purego/app:/app:ro" gcr.io/distroless/static-debian12 /app |
        grep 'uid=65532 user=nonroot home=/home/nonroot'
}
base_cgo() {
    run -v "$T/cgo/cgohello:/c:ro" gcr.io/distroless/base-debian12 /c &&
    run -u 65532 -v "$T/cgo/cgohello:/c:ro" gcr.io/distroless/base-debian12 /c
}
static_no_libc() {   # the kernel cannot find the ELF interpreter -> ENOENT
    { run -v "$T/cgo/cgohello:/c:ro" gcr.io/distroless/static-debian12 /c 2>&1 || true; } |
        grep 'no such file or directory'
}
# node:24-bookworm-slim (gofront's `web` step): the tools the official image
# has, its entrypoint (`docker run node:... -e CODE` runs node), no compiler
# or git (the real slim image has none), and the npm registry over HTTPS.
NODE_IMAGE=node:24-bookworm-slim
node_tools() {
    run "$NODE_IMAGE" sh -c 'node --version && npm --version && corepack --version && yarn --version' |
        sed -n 4p | grep -x '1\.22\.[0-9]*'
}
node_entrypoint() { run "$NODE_IMAGE" -e 'console.log("node " + process.versions.node)' | grep '^node '; }
node_no_tools()  { ! run "$NODE_IMAGE" sh -c 'command -v gcc g++ cc make git python3'; }
node_registry()  { run "$NODE_IMAGE" npm view --no-update-notifier yarn@1.22.22 version | grep -x 1.22.22; }
buildkit_from_standin() {
    cp "$T/purego/app" "$T/ctx/app"
    cat >"$T/ctx/Dockerfile" <<'DOCKERFILE'
FROM gcr.io/distroless/static-debian12
COPY app /app
USER 65532
ENTRYPOINT ["/app"]
DOCKERFILE
    "$DOCKER" build -q -t gofront-standin-smoke:latest "$T/ctx" &&
    run gofront-standin-smoke:latest | grep uid=65532
}

check "busybox:1.37-musl: static busybox, applets as hard links"   busybox_static
check "busybox:1.37-musl: applets run from a copy of /bin, no libc" busybox_copied
check "golang:1.26-alpine: go version is 1.26"                     go_version
check "golang:1.26-alpine: no git, gcc, bash"                      alpine_no_tools
check "golang:1.26-alpine: cgo off by default (no C compiler)"     alpine_no_cgo
check "golang:1.26-alpine: module download + CGO_ENABLED=0 build"  alpine_modules
check "golang:1.26-bookworm: CGO_ENABLED=1 build, dynamic binary"  bookworm_cgo
check "distroless/static: no /bin/sh"                              no_shell gcr.io/distroless/static-debian12
check "distroless/base: no /bin/sh"                                no_shell gcr.io/distroless/base-debian12
check "alpine:3.21: busybox sh works, no bash"                     alpine_plain
check "debian:trixie: minbase with trixie's apt sources, no compiler" debian_plain
check "distroless/static: static binary as 65532 (CA, tz, passwd)" static_nonroot
check "distroless/base: cgo binary runs as root and 65532"         base_cgo
check "distroless/static: cgo binary does NOT run (no libc)"       static_no_libc
check "node:24-bookworm-slim: node, npm, corepack, yarn 1.22 run"  node_tools
check "node:24-bookworm-slim: entrypoint runs node for -e"         node_entrypoint
check "node:24-bookworm-slim: no gcc, make, git, python3"          node_no_tools
check "node:24-bookworm-slim: npm reaches the registry (HTTPS)"    node_registry
check "BuildKit: build FROM local distroless stand-in, then run"   buildkit_from_standin

echo "verify: $FAILED check(s) failed"
exit "$FAILED"
