#!/usr/bin/env bash
# Start a second, current BuildKit daemon for the tests, and a buildx builder
# `gofront` that points at it.
#
# Why: Docker 20.10's embedded BuildKit is old. This daemon is a current
# release, runs beside dockerd (never touching it), and resolves every image
# through registry mirrors served by the local registry (scripts/registry-up.sh,
# filled by tests/standins/push-multiplatform.sh). So
#     .tools/bin/buildx --builder gofront build -f gofront.yaml ...
# with `# syntax=ourorg/gofront` works exactly as it would against a real
# registry: the frontend needs no test-only switch.
#
# Steps (each skipped when already done; the whole script takes well under
# 2 s when everything is up):
#   1. scripts/registry-up.sh
#   2. build pinned buildkitd, buildctl and buildx into .tools/bin (git-ignored)
#   3. install Debian's runc if missing (the OCI worker runs steps with it)
#   4. write the buildkitd config and start buildkitd on $SOCK
#   5. register the buildx builder `gofront` (remote driver) on that socket
#
# Usage: scripts/buildkit-up.sh
# Then:  .tools/bin/buildctl --addr unix:///run/gofront-buildkit/buildkitd.sock debug workers
#        .tools/bin/buildx --builder gofront build ...
# Stop:  kill "$(cat /run/gofront-buildkit/buildkitd.pid)"
# Needs root (buildkitd runs containers with runc; apt).
set -euo pipefail

# Pinned releases: the newest stable tags on the Go module proxy when this
# was written (`go list -m -versions github.com/moby/buildkit`,
# `go list -m -versions github.com/docker/buildx`). Bump here; the next run
# rebuilds.
BUILDKIT_VERSION=v0.34.2
BUILDX_VERSION=v0.38.2

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
RUN_DIR=/run/gofront-buildkit
SOCK="$RUN_DIR/buildkitd.sock"
ADDR="unix://$SOCK"
PIDFILE="$RUN_DIR/buildkitd.pid"
STATE=/var/lib/gofront-buildkit            # buildkitd root: snapshots, cache, metadata
CONF=/etc/gofront/buildkitd.toml           # written by this script
LOG=/var/log/gofront-buildkitd.log
REGISTRY=127.0.0.1:5000                    # scripts/registry-up.sh
BUILDER=gofront

log() { printf 'buildkit-up: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (buildkitd runs build steps with runc)"

# 1. The registry the daemon mirrors docker.io and gcr.io to.
"$ROOT/scripts/registry-up.sh"

# ---------------------------------------------------------------------------
# 2. Tools
# ---------------------------------------------------------------------------
# Built from the module proxy (scripts/go-tools.sh says how), buildkitd with
# its release build tags, the version stamped in so `buildctl debug
# workers`/`buildx inspect` show it.
# shellcheck source=scripts/go-tools.sh
. "$ROOT/scripts/go-tools.sh"

# installed_version BINARY VERSION-ARGS...: prints the version line, or nothing.
installed_version() {
    local bin=$1
    shift
    [ -x "$BIN/$bin" ] || return 0
    "$BIN/$bin" "$@" 2>/dev/null | head -n 1 || true
}

# build_module MODULE VERSION "TAGS" PKG: into $BIN.
build_module() {
    local module=$1 version=$2 tags=$3 pkg=$4
    log "building $module $version (${pkg##*/}) -- a few minutes the first time"
    go_build_tool "$module" "$version" "$tags" "$pkg" "$BIN/${pkg##*/}"
}

mkdir -p "$BIN"
# .tools holds ~150 MB of binaries and the buildx state; never commit it
# (also listed in the top-level .gitignore).
[ -f "$TOOLS/.gitignore" ] || printf '*\n' >"$TOOLS/.gitignore"

case "$(installed_version buildkitd --version)" in
    *" $BUILDKIT_VERSION "*|*" $BUILDKIT_VERSION") ;;
    *) build_module github.com/moby/buildkit "$BUILDKIT_VERSION" "osusergo netgo static_build seccomp" ./cmd/buildkitd ;;
esac
case "$(installed_version buildctl --version)" in
    *" $BUILDKIT_VERSION "*|*" $BUILDKIT_VERSION") ;;
    *) build_module github.com/moby/buildkit "$BUILDKIT_VERSION" "" ./cmd/buildctl ;;
esac
case "$(installed_version buildx version)" in
    *" $BUILDX_VERSION "*|*" $BUILDX_VERSION") ;;
    *) build_module github.com/docker/buildx "$BUILDX_VERSION" "" ./cmd/buildx ;;
esac

# ---------------------------------------------------------------------------
# 3./4. buildkitd
# ---------------------------------------------------------------------------
workers_answer() { "$BIN/buildctl" --addr "$ADDR" --timeout 3 debug workers >/dev/null 2>&1; }

running_version() {
    "$BIN/buildctl" --addr "$ADDR" --timeout 3 debug info 2>/dev/null |
        sed -n 's/^BuildKit:[[:space:]]*//p' | head -n 1
}

# Emulation is off: gofront never runs a step for a foreign platform, and
# the tests must fail if one ever did. bench/qemu-vs-cross.sh turns it on
# (GOFRONT_BUILDKIT_EMULATION=1) to time a Dockerfile that does run `go
# build` under emulation: BuildKit then wraps foreign-platform steps with a
# `buildkit-qemu-<arch>` it finds in its PATH (Debian's static qemu-user).
EMULATION=${GOFRONT_BUILDKIT_EMULATION:-0}
EMU_DIR="$ROOT/.tools/emulators"

render_config() {
    if [ "$EMULATION" = 1 ]; then
        echo "# emulation: buildkit-qemu-* from $EMU_DIR"
    fi
    cat <<EOF
# Written by scripts/buildkit-up.sh (gofront tests). Do not edit: a changed
# file makes the script restart the daemon with its own version.
root = "$STATE"

[grpc]
  address = ["$ADDR"]

# Build steps run with runc (Debian's), snapshots in the daemon's own root.
[worker.oci]
  enabled = true
  snapshotter = "auto"      # overlayfs when the kernel allows it, else native
  # RUN steps share the host's network (no CNI plugins here): they reach
  # the Go module proxy like the host does. Same as the "auto" fallback,
  # but explicit so a stray /etc/buildkit/cni.json cannot change it.
  networkMode = "host"
  gc = true
  # A test daemon on a shared disk (dockerd's images live there too): cap
  # the build cache instead of the default share of the whole disk.
  maxUsedSpace = "20GB"

[worker.containerd]
  enabled = false           # no containerd for this daemon; dockerd's is not ours

# No registry is reachable: resolve Docker Hub and gcr.io images from the
# local registry. BuildKit keeps the repository path under the mirror (and
# adds ?ns=<registry>, which the registry ignores):
#   docker.io/library/golang:1.26-alpine    -> $REGISTRY/library/golang:1.26-alpine
#   docker.io/ourorg/gofront:latest         -> $REGISTRY/ourorg/gofront:latest
#   gcr.io/distroless/static-debian12       -> $REGISTRY/distroless/static-debian12
# An image missing from the mirror falls through to the real host and
# fails with a network error naming it.
[registry."docker.io"]
  mirrors = ["$REGISTRY"]

[registry."gcr.io"]
  mirrors = ["$REGISTRY"]

[registry."$REGISTRY"]
  http = true
EOF
}
config=$(render_config)

# Up to date: answers, runs the pinned version, and was started with this
# exact config. Otherwise (re)start -- but only a daemon we started.
if workers_answer && [[ " $(running_version) " == *" $BUILDKIT_VERSION "* ]] &&
   [ "$(cat "$CONF" 2>/dev/null)" = "$config" ]; then
    log "buildkitd $BUILDKIT_VERSION answers on $ADDR"
else
    if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        pid=$(cat "$PIDFILE")
        log "restarting our buildkitd (pid $pid): down, another version, or config changed"
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && die "buildkitd pid $pid did not stop"
    elif workers_answer; then
        die "a buildkitd not started by this script answers on $ADDR; stop it first"
    fi

    if ! command -v runc >/dev/null; then
        log "installing Debian's runc (the OCI worker's runtime)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends runc >/dev/null
    fi

    mkdir -p "$RUN_DIR" "$STATE" "$(dirname "$CONF")"
    printf '%s\n' "$config" >"$CONF.tmp"
    mv "$CONF.tmp" "$CONF"

    # A socket left by a killed daemon would make the new one fail to bind.
    rm -f "$SOCK"

    log "starting buildkitd $BUILDKIT_VERSION on $ADDR (root $STATE, log $LOG)"
    # setsid: own session, survives the calling shell; stdin from /dev/null.
    path=$PATH
    if [ "$EMULATION" = 1 ]; then
        command -v qemu-aarch64-static >/dev/null ||
            { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null; }
        mkdir -p "$EMU_DIR"
        for arch in aarch64 arm riscv64 ppc64le s390x i386; do
            # A copy, not a symlink: BuildKit bind-mounts the file it finds.
            [ -x "/usr/bin/qemu-$arch-static" ] && install -m 0755 "/usr/bin/qemu-$arch-static" "$EMU_DIR/buildkit-qemu-$arch"
        done
        path="$EMU_DIR:$PATH"
    fi
    PATH=$path setsid nohup "$BIN/buildkitd" --config "$CONF" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    echo "$pid" >"$PIDFILE"
    for _ in $(seq 1 300); do                # up to 30 s; usually about 1 s
        workers_answer && break
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$LOG" >&2
            die "buildkitd exited (log: $LOG)"
        fi
        sleep 0.1
    done
    workers_answer || { tail -n 30 "$LOG" >&2; die "buildkitd did not answer on $ADDR (log: $LOG)"; }
    log "buildkitd answers (pid $pid)"
fi

# ---------------------------------------------------------------------------
# 5. buildx builder
# ---------------------------------------------------------------------------
# buildx runs standalone (not as a docker CLI plugin) and keeps its builder
# list in the default place, ~/.docker/buildx (or $BUILDX_CONFIG), so
# `.tools/bin/buildx --builder gofront ...` finds it without extra env.
if "$BIN/buildx" inspect "$BUILDER" 2>/dev/null | grep -q "^Endpoint: *$ADDR\$"; then
    log "buildx builder '$BUILDER' -> $ADDR"
else
    "$BIN/buildx" rm "$BUILDER" >/dev/null 2>&1 || true   # stale: other endpoint/driver
    "$BIN/buildx" create --name "$BUILDER" --driver remote "$ADDR" >/dev/null
    "$BIN/buildx" inspect "$BUILDER" --bootstrap >/dev/null
    log "buildx builder '$BUILDER' created -> $ADDR"
fi
