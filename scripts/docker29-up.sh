#!/usr/bin/env bash
# Start a third daemon for the tests: Docker Engine 29 with the containerd
# image store, beside Docker 20.10 (scripts/docker-up.sh) and buildkitd
# (scripts/buildkit-up.sh), never touching either; and, with --store
# classic, a fourth: the same Docker 29 with the classic image store
# (graphdriver overlay2), beside all three.
#
# Why: Docker 20.10's BuildKit is v0.8 and buildkitd is BuildKit alone; what
# most users run is a current Docker Engine, whose `docker build` goes through
# buildx's `docker` driver into the daemon's embedded BuildKit, and whose
# containerd image store keeps image indexes, attestations and several
# platforms the way a registry does. The classic store is in wide use too
# (Docker 23-28 default to it, Docker 29 keeps it on an upgraded host): one
# image per tag, its ID the config's digest, layers kept by the graphdriver.
#
# Everything is built from the Go module proxy with the machine's Go, pinned
# below, into .tools/ (git-ignored); a second run reuses it. Nothing is pulled
# from a container registry: this daemon uses the local registry
# (scripts/registry-up.sh, 127.0.0.1:5000, filled by
# tests/standins/push-multiplatform.sh) as the mirror of docker.io and
# gcr.io, as buildkitd does, so the stand-ins and the frontend image
# ourorg/gofront are the registry's, for every platform it has.
#
# The two stores are two daemons with nothing in common but the binaries,
# the registry and gcr.io's hosts.toml: each has its own socket, data root,
# exec root, containerd (its own socket, state and root), bridge, subnet,
# cgroup parent, NAT rules (commented with its name), logs and client config.
# Starting or stopping one leaves the other, Docker 20.10 and buildkitd alone.
#
# Steps (each skipped when already done; about half a second when all is up):
#   1. build containerd, dockerd, docker-proxy, the docker CLI, buildx and
#      compose into .tools/ (only what is missing or was built from another pin)
#   2. the configs, the store's bridge, NAT for this daemon's addresses only
#   3. if the daemon answers with this version and these configs, leave it
#      running, else (re)start containerd and dockerd
#   4. pull the stand-ins and the frontend image from the mirror when the
#      image store does not have the registry's current ones
#
# Usage: scripts/docker29-up.sh [--store containerd|classic] [--stop]
#          --store containerd  (the default) the containerd image store:
#                              unix:///run/gofront-docker29/docker.sock
#          --store classic     the classic image store (overlay2):
#                              unix:///run/gofront-docker29-classic/docker.sock
#          --stop              stop that store's dockerd and containerd
#                              (its bridge and NAT rules stay; harmless)
# Then:  . scripts/docker29-env.sh [--store classic]; docker info; docker build -f gofront.yaml .
# Needs root (containers, the bridge, iptables) and Go >= 1.26.3.
#
# Env knobs:
#   GOFRONT_DOCKER29_SUBNET  the containerd-store daemon's addresses (default
#                            10.29.0.0/16: the bridge gets the first /24, user
#                            networks /24s from the upper half); must not
#                            overlap the host's
#   GOFRONT_DOCKER29_CLASSIC_SUBNET  the same for the classic-store daemon
#                            (default 10.30.0.0/16)
#   DOCKER29_TIMEOUT         seconds to wait for the API (default 60)
set -euo pipefail

# Pinned releases (bump here; the next run rebuilds and restarts):
# * The engine is the Go module github.com/moby/moby/v2; its betas are the
#   Docker 29 releases (`go list -m -versions github.com/moby/moby/v2`; the
#   release is `last:` in releases/versions.yaml of the module). beta.24 is
#   Docker 29.8.0 with BuildKit v0.33.0, the newest on the proxy when this
#   was written. DOCKER29_VERSION is what the daemon reports.
MOBY_VERSION=v2.0.0-beta.24
DOCKER29_VERSION=29.8.0
# * containerd: the release Docker 29.8.0 is built and tested against (the
#   module's go.mod and Dockerfile). Debian 12's 1.6 is too old for it.
CONTAINERD_VERSION=v2.3.5
# * The docker CLI of the same line, 29.8.x (github.com/docker/cli): its
#   `docker build` is buildx's, as a Docker 29 user's is (Debian's 20.10
#   client builds through its own old BuildKit client instead).
CLI_VERSION=v29.8.2
# * Compose: Docker 29.8.0's pin; v5.6.0 and later need Go >= 1.26.8/1.26.10.
COMPOSE_VERSION=v5.5.1
# * buildx: the project's one pin, shared with buildkit-up.sh (same binary).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILDX_VERSION=$(sed -n 's/^BUILDX_VERSION=\([^[:space:]]*\).*/\1/p' "$ROOT/scripts/buildkit-up.sh")
TOOLS="$ROOT/.tools"
D29="$TOOLS/docker29"
BIN="$D29/bin"                        # dockerd, docker-proxy, containerd, its shim
CLI_DIR="$D29/cli"                    # docker (docker29-env.sh puts it first in PATH)
BUILT_PLUGINS="$D29/config/cli-plugins" # compose is built here (each store's client config links it)
STAMPS="$D29/stamps"                  # what each binary was built from
BUILDX="$TOOLS/bin/buildx"            # shared with scripts/buildkit-up.sh
DOCKER="$CLI_DIR/docker"

log() { printf 'docker29-up%s: %s\n' "${STORE_TAG:-}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

STORE=containerd
STOP=0
while [ $# -gt 0 ]; do
    case $1 in
        --stop) STOP=1 ;;
        --store) [ $# -ge 2 ] || die "--store needs a value: containerd or classic"; STORE=$2; shift ;;
        --store=*) STORE=${1#--store=} ;;
        *) die "unknown argument $1 (usage: $0 [--store containerd|classic] [--stop])" ;;
    esac
    shift
done

# What is the store's own. The containerd store keeps the names it had
# before the classic one came.
CONTAINERD_SUBNET=${GOFRONT_DOCKER29_SUBNET:-10.29.0.0/16}
CLASSIC_SUBNET=${GOFRONT_DOCKER29_CLASSIC_SUBNET:-10.30.0.0/16}
case $STORE in
    containerd)
        NAME=gofront-docker29         # run and state dirs, logs, cgroup, NAT comment
        CONF_NAME=docker29            # /etc/gofront/$CONF_NAME-*.{json,toml}
        BRIDGE=gofront29
        SUBNET=$CONTAINERD_SUBNET
        DOCKER_CONFIG_DIR="$D29/config"           # the client's DOCKER_CONFIG: cli-plugins, buildx state
        OTHER_BRIDGE=gofront29c                   # the classic store's: must survive us
        SNAPSHOTTER=true
        STORAGE_DRIVER=""
        CTRD_SERVES="; Docker 20.10 has its own."
        ;;
    classic)
        STORE_TAG=" (classic)"
        NAME=gofront-docker29-classic
        CONF_NAME=docker29-classic
        BRIDGE=gofront29c
        SUBNET=$CLASSIC_SUBNET
        DOCKER_CONFIG_DIR="$D29/config-classic"   # buildx's state apart from the other daemon's
        OTHER_BRIDGE=gofront29
        SNAPSHOTTER=false
        STORAGE_DRIVER='
  "storage-driver": "overlay2",'
        CTRD_SERVES=" with the classic image store (it runs its containers;
# the images are dockerd's). The others have their own."
        ;;
    *) die "unknown store '$STORE' (containerd or classic)" ;;
esac
[ "${CONTAINERD_SUBNET%/*}" != "${CLASSIC_SUBNET%/*}" ] ||
    die "GOFRONT_DOCKER29_SUBNET and GOFRONT_DOCKER29_CLASSIC_SUBNET are the same ($SUBNET): each daemon needs its own"
PLUGINS="$DOCKER_CONFIG_DIR/cli-plugins"

RUN_DIR=/run/$NAME
SOCK="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/docker.pid"
EXEC_ROOT="$RUN_DIR/exec"             # netns, runc state, fifos
CTRD_STATE="$RUN_DIR/containerd"
CTRD_SOCK="$CTRD_STATE/containerd.sock"
CTRD_PIDFILE="$CTRD_STATE/containerd.pid"
STATE=/var/lib/$NAME
DATA_ROOT="$STATE/docker"             # the classic store's images and layers live here
CTRD_ROOT="$STATE/containerd"         # the containerd store's image store lives here
CONF_DIR=/etc/gofront
DAEMON_JSON="$CONF_DIR/$CONF_NAME-daemon.json"
CTRD_CONF="$CONF_DIR/$CONF_NAME-containerd.toml"
LOG=/var/log/$NAME.log
CTRD_LOG=/var/log/$NAME-containerd.log
REGISTRY=127.0.0.1:5000
# gcr.io has no daemon.json mirror setting; the containerd image store reads
# containerd's hosts.toml from the daemon's certs directory (fixed), and so
# does the embedded BuildKit of either store (daemon/hosts.go). Docker 20.10
# reads only *.crt/*.cert/*.key there, so this file is ours alone.
GCR_HOSTS_TOML=/etc/docker/certs.d/gcr.io/hosts.toml
TIMEOUT=${DOCKER29_TIMEOUT:-60}

# A shell that sourced docker29-env.sh must not send Docker 20.10's calls
# (here and in the scripts run from here) to Docker 29.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG

[ "$(id -u)" -eq 0 ] || die "must run as root (containers, bridge, iptables)"

# ---------------------------------------------------------------------------
# Daemon processes
# ---------------------------------------------------------------------------
api() { curl -fsS --max-time 3 --unix-socket "$SOCK" "http://docker$1" 2>/dev/null; }
# The engine's version: the first "Version" of /version (the Engine component's).
server_version() { api /version | tr ',' '\n' | sed -n 's/^"Version":"\([^"]*\)"$/\1/p' | head -n 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() {   # stop_pid PIDFILE NAME SECONDS
    local pid
    alive "$1" || return 0
    pid=$(cat "$1")
    log "stopping $2 (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 $(($3 * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    die "$2 (pid $pid) did not stop within $3 s"
}
stop_daemons() {
    local ids
    # live-restore (below) keeps containers running without dockerd: stop
    # them first, so a stop or a restart leaves none behind.
    if alive "$PIDFILE" && [ -x "$DOCKER" ] && ids=$(DOCKER_HOST="unix://$SOCK" "$DOCKER" ps -q 2>/dev/null) && [ -n "$ids" ]; then
        # shellcheck disable=SC2086 # one ID per word
        DOCKER_HOST="unix://$SOCK" "$DOCKER" stop -t 5 $ids >/dev/null || true
    fi
    stop_pid "$PIDFILE" dockerd 30
    stop_pid "$CTRD_PIDFILE" containerd 20
    check_bridges
}

# The other daemons' bridges must survive whatever happens here (see
# live-restore): Docker 20.10's docker0 and the other store's.
HAD_DOCKER0=0
ip link show docker0 >/dev/null 2>&1 && HAD_DOCKER0=1
HAD_OTHER=0
ip link show "$OTHER_BRIDGE" >/dev/null 2>&1 && HAD_OTHER=1
check_bridges() {
    if [ "$HAD_DOCKER0" = 1 ] && ! ip link show docker0 >/dev/null 2>&1; then
        die "docker0 (Docker 20.10's bridge) is gone; Docker 20.10 cannot start containers until it is back (restart it, or recreate the bridge with its address)"
    fi
    if [ "$HAD_OTHER" = 1 ] && ! ip link show "$OTHER_BRIDGE" >/dev/null 2>&1; then
        die "$OTHER_BRIDGE (the other Docker 29's bridge) is gone; run scripts/docker29-up.sh for that store to recreate it"
    fi
}

if [ "$STOP" = 1 ]; then
    stop_daemons
    log "stopped"
    exit 0
fi

# ---------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------
# Built from the module proxy as scripts/go-tools.sh says, with the release
# build tags and the version stamped in.
# shellcheck source=scripts/go-tools.sh
. "$ROOT/scripts/go-tools.sh"

command -v go >/dev/null || die "no 'go' in PATH (needed to build the pinned tools)"
mkdir -p "$BIN" "$CLI_DIR" "$BUILT_PLUGINS" "$PLUGINS" "$STAMPS"
[ -f "$TOOLS/.gitignore" ] || printf '*\n' >"$TOOLS/.gitignore"

# up_to_date FILE RECIPE: FILE exists and was built from RECIPE.
up_to_date() {
    [ -x "$1" ] && [ "$(cat "$STAMPS/${1##*/}" 2>/dev/null)" = "$2" ]
}

# build NAME OUT RECIPE FUNCTION: run FUNCTION unless OUT is up to date; time it.
build() {
    local name=$1 out=$2 recipe=$3 fn=$4 start=$SECONDS
    up_to_date "$out" "$recipe" && return 0
    log "building $name ($recipe) -- minutes the first time"
    "$fn" "$out"
    printf '%s\n' "$recipe" >"$STAMPS/${out##*/}"
    log "built $name in $((SECONDS - start)) s"
}

CTRD_TAGS="urfave_cli_no_docs osusergo netgo static_build no_cri"   # no Kubernetes CRI
CTRD_MODULE=github.com/containerd/containerd/v2
build_containerd() { go_build_tool "$CTRD_MODULE" "$CONTAINERD_VERSION" "$CTRD_TAGS" ./cmd/containerd "$1"; }
build_shim()       { go_build_tool "$CTRD_MODULE" "$CONTAINERD_VERSION" "$CTRD_TAGS no_grpc" ./cmd/containerd-shim-runc-v2 "$1"; }

MOBY_TAGS="netgo osusergo static_build nri_no_wasm"                # hack/make.sh's
MOBY_LDFLAGS="-X github.com/moby/moby/v2/dockerversion.Version=$DOCKER29_VERSION -X github.com/moby/moby/v2/dockerversion.GitCommit=$MOBY_VERSION"
# (The source directory is looked up first: a failed download stops the script.)
build_dockerd() { local d; d=$(go_module_dir "github.com/moby/moby/v2@$MOBY_VERSION"); go_build_in "$d" "$1" "$MOBY_TAGS" "$MOBY_LDFLAGS" ./cmd/dockerd; }
build_proxy()   { local d; d=$(go_module_dir "github.com/moby/moby/v2@$MOBY_VERSION"); go_build_in "$d" "$1" "$MOBY_TAGS" "$MOBY_LDFLAGS" ./cmd/docker-proxy; }

# docker/cli has no go.mod (CalVer, "+incompatible"): its vendor.mod is the
# module file, as docker/cli's own scripts/with-go-mod.sh does it. Built in
# a writable copy of the source.
build_cli() {
    local d src
    d=$(go_module_dir "github.com/docker/cli@$CLI_VERSION+incompatible")
    src=$(mktemp -d "$TOOLS/cli-src.XXXXXX")
    cp -r "$d/." "$src"
    chmod -R u+w "$src"
    rm -rf "$src/vendor"
    cp "$src/vendor.mod" "$src/go.mod"
    cp "$src/vendor.sum" "$src/go.sum"
    go_build_in "$src" "$1" "osusergo netgo static_build grpcnotrace" \
        "-X github.com/docker/cli/cli/version.Version=${CLI_VERSION#v} -X github.com/docker/cli/cli/version.GitCommit=$CLI_VERSION" ./cmd/docker
    rm -rf "$src"
}

build_compose() { local d; d=$(go_module_dir "github.com/docker/compose/v5@$COMPOSE_VERSION"); go_build_in "$d" "$1" "" "-X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" ./cmd; }

# buildx as scripts/buildkit-up.sh builds it (the same recipe, the same pin).
build_buildx() { go_build_tool github.com/docker/buildx "$BUILDX_VERSION" "" ./cmd/buildx "$1"; }

build containerd               "$BIN/containerd"              "containerd $CONTAINERD_VERSION $CTRD_TAGS"         build_containerd
build containerd-shim-runc-v2  "$BIN/containerd-shim-runc-v2" "containerd $CONTAINERD_VERSION $CTRD_TAGS no_grpc" build_shim
build dockerd                  "$BIN/dockerd"                 "moby $MOBY_VERSION $DOCKER29_VERSION $MOBY_TAGS"   build_dockerd
build docker-proxy             "$BIN/docker-proxy"            "moby $MOBY_VERSION $DOCKER29_VERSION $MOBY_TAGS"   build_proxy
build "docker CLI"             "$DOCKER"                      "cli $CLI_VERSION"                                  build_cli
build "docker compose"         "$BUILT_PLUGINS/docker-compose"      "compose $COMPOSE_VERSION"                          build_compose
# buildx: scripts/buildkit-up.sh builds the same binary; reuse it when it
# reports the pin, whoever built it.
[ -n "$BUILDX_VERSION" ] || die "no BUILDX_VERSION= line in scripts/buildkit-up.sh"
if ! { [ -x "$BUILDX" ] && "$BUILDX" version 2>/dev/null | grep -q " $BUILDX_VERSION\( \|$\)"; }; then
    mkdir -p "$TOOLS/bin"
    rm -f "$STAMPS/buildx"
    build buildx "$BUILDX" "buildx $BUILDX_VERSION" build_buildx
fi
# The CLI finds plugins in $DOCKER_CONFIG/cli-plugins; relative links so the
# checkout can move (both config dirs are in .tools/docker29/).
ln -sfn ../../../bin/buildx "$PLUGINS/docker-buildx"
if [ "$PLUGINS" != "$BUILT_PLUGINS" ]; then
    ln -sfn "../../${BUILT_PLUGINS#"$D29"/}/docker-compose" "$PLUGINS/docker-compose"
fi

# ---------------------------------------------------------------------------
# 2. Configs, bridge and NAT
# ---------------------------------------------------------------------------
for cmd in runc iptables ip curl; do
    command -v "$cmd" >/dev/null || missing="${missing:-} $cmd"
done
if [ -n "${missing:-}" ]; then
    log "installing Debian's runc, iptables, iproute2, curl (missing:$missing)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends runc iptables iproute2 curl >/dev/null
fi

# Addresses: the bridge gets the first /24 of $SUBNET, user networks
# (compose) /24s from its upper half. Docker's default pools (172.17-31.x,
# 192.168.x) stay Docker 20.10's.
net=${SUBNET%/*}
IFS=. read -r o1 o2 _ _ <<<"$net"
[ "${SUBNET#*/}" = 16 ] || die "the $STORE store's subnet must be a /16 (got $SUBNET)"
BRIDGE_CIDR="$o1.$o2.0.1/24"
POOL="$o1.$o2.128.0/17"

# Containers get the uplink's MTU when it is below 1500 (tunnels, VMs), as
# scripts/docker-up.sh does for Docker 20.10: big TLS packets get lost otherwise.
MTU=1500
uplink=$(ip -o route show default 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}')
if [ -n "$uplink" ] && [ -r "/sys/class/net/$uplink/mtu" ] && [ "$(cat "/sys/class/net/$uplink/mtu")" -lt 1500 ]; then
    MTU=$(cat "/sys/class/net/$uplink/mtu")
fi

render_containerd() {
    cat <<EOF
# Written by scripts/docker29-up.sh (gofront tests). Do not edit: a changed
# file makes the script restart the daemon. This containerd serves only the
# Docker 29 daemon$CTRD_SERVES
version = 4
root = "$CTRD_ROOT"
state = "$CTRD_STATE"
# Kubernetes CRI is not built in (no_cri); NRI would listen on a fixed host
# path (/var/run/nri/nri.sock) that is not ours.
disabled_plugins = ["io.containerd.nri.v1.nri"]

[plugins."io.containerd.server.v1.grpc"]
  address = "$CTRD_SOCK"

[plugins."io.containerd.server.v1.ttrpc"]
  address = "$CTRD_SOCK.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_ROOT/opt"
EOF
}

render_daemon_json() {
    cat <<EOF
{
  "hosts": ["unix://$SOCK"],
  "pidfile": "$PIDFILE",
  "data-root": "$DATA_ROOT",
  "exec-root": "$EXEC_ROOT",
  "containerd": "$CTRD_SOCK",
  "features": {
    "containerd-snapshotter": $SNAPSHOTTER,
    "time-namespaces": false
  },$STORAGE_DRIVER
  "bridge": "$BRIDGE",
  "default-address-pools": [{"base": "$POOL", "size": 24}],
  "iptables": false,
  "ip6tables": false,
  "userland-proxy": true,
  "userland-proxy-path": "$BIN/docker-proxy",
  "mtu": $MTU,
  "cgroup-parent": "/$NAME",
  "live-restore": true,
  "registry-mirrors": ["http://$REGISTRY"],
  "insecure-registries": ["$REGISTRY"]
}
EOF
}
# Why the daemon.json is the way it is:
# * features.containerd-snapshotter: true is Docker 29's default already (it
#   logs so); set so the test bed does not depend on that default. false
#   (--store classic) is the classic store, with "storage-driver": "overlay2"
#   named, as an upgraded Docker 23-28 host has it.
# * features.time-namespaces=false: Debian 12's runc 1.1.5 has no time
#   namespace; without it every container fails (namespace {"time" ""} does
#   not exist).
# * bridge: our own bridge, created below ("bridge" must name an existing
#   device). Never "none" (dockerd then deletes docker0, Docker 20.10's), and
#   never the default: both daemons would use docker0.
# * iptables=false: with iptables on, dockerd 29 deletes and recreates the
#   DOCKER, DOCKER-ISOLATION-STAGE-* chains at start (and its nftables
#   backend deletes them as "an old daemon's"): Docker 20.10's NAT, port
#   mappings and isolation would be gone. So this daemon writes no firewall
#   rules; published ports go through docker-proxy (fine for 127.0.0.1:PORT),
#   and this script adds NAT for $SUBNET only.
# * cgroup-parent: containers under /$NAME, not Docker 20.10's /docker.
# * default-address-pools: user networks (compose) from our subnet, not
#   from the pools Docker 20.10 uses, and NATed by our rule.
# * live-restore: at every start after the first, dockerd deletes its stale
#   default network and then, when default-address-pools is set and
#   live-restore is off, the interface named docker0 -- hard-coded, whatever
#   "bridge" says (configureNetworking in daemon/daemon_unix.go). That is
#   Docker 20.10's bridge. stop_daemons stops the containers itself.
# * registry-mirrors: docker.io through the local registry; gcr.io through
#   $GCR_HOSTS_TOML (no daemon.json key for other registries).

render_hosts_toml() {
    cat <<EOF
# Written by scripts/docker29-up.sh (gofront tests): the containerd image store
# of the Docker 29 test daemon resolves gcr.io through the local registry,
# which keeps the path (gcr.io/distroless/static-debian12 ->
# $REGISTRY/distroless/static-debian12), as buildkitd's mirror does.
server = "https://gcr.io"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
}

ctrd_conf=$(render_containerd)
daemon_json=$(render_daemon_json)

# ---------------------------------------------------------------------------
# Bridge and NAT (every run: cheap, and repairs what a reboot removed)
# ---------------------------------------------------------------------------
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "creating bridge $BRIDGE ($BRIDGE_CIDR)"
    ip link add name "$BRIDGE" type bridge
fi
ip link set "$BRIDGE" mtu "$MTU"
ip -4 addr show dev "$BRIDGE" | grep -q "inet $BRIDGE_CIDR " || ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
ip link set "$BRIDGE" up
sysctl -qw net.ipv4.ip_forward=1 2>/dev/null || true

# ensure_rule TABLE CHAIN RULE...: append unless present (iptables -C).
ensure_rule() {
    local table=$1 chain=$2
    shift 2
    iptables -t "$table" -C "$chain" "$@" 2>/dev/null || iptables -t "$table" -A "$chain" "$@"
}
TAG=(-m comment --comment "$NAME")
ensure_rule nat POSTROUTING -s "$SUBNET" ! -d "$SUBNET" "${TAG[@]}" -j MASQUERADE
# Needed when FORWARD's policy is DROP (Docker 20.10 sets it when it turns
# forwarding on itself); appended after Docker 20.10's own jumps, which only
# act on docker0.
ensure_rule filter FORWARD -s "$SUBNET" "${TAG[@]}" -j ACCEPT
ensure_rule filter FORWARD -d "$SUBNET" -m conntrack --ctstate RELATED,ESTABLISHED "${TAG[@]}" -j ACCEPT

mkdir -p "$CONF_DIR" "$(dirname "$GCR_HOSTS_TOML")"
hosts_toml=$(render_hosts_toml)
if [ "$(cat "$GCR_HOSTS_TOML" 2>/dev/null)" != "$hosts_toml" ]; then
    printf '%s\n' "$hosts_toml" >"$GCR_HOSTS_TOML"   # read at each pull: no restart
fi

# ---------------------------------------------------------------------------
# 3. containerd and dockerd
# ---------------------------------------------------------------------------
if [ "$(server_version)" = "$DOCKER29_VERSION" ] &&
   [ "$(cat "$DAEMON_JSON" 2>/dev/null)" = "$daemon_json" ] &&
   [ "$(cat "$CTRD_CONF" 2>/dev/null)" = "$ctrd_conf" ] &&
   alive "$CTRD_PIDFILE"; then
    log "Docker $DOCKER29_VERSION answers on unix://$SOCK"
else
    if alive "$PIDFILE" || alive "$CTRD_PIDFILE"; then
        log "restarting our daemons: down, another version, or a config changed"
        stop_daemons
    elif api /_ping >/dev/null; then
        die "a dockerd not started by this script answers on $SOCK; stop it first"
    fi
    mkdir -p "$RUN_DIR" "$EXEC_ROOT" "$CTRD_STATE" "$DATA_ROOT" "$CTRD_ROOT"
    printf '%s\n' "$ctrd_conf" >"$CTRD_CONF"
    printf '%s\n' "$daemon_json" >"$DAEMON_JSON"
    # Sockets left by killed daemons would make the new ones fail to bind.
    rm -f "$SOCK" "$CTRD_SOCK" "$CTRD_SOCK.ttrpc" "$PIDFILE"

    # Our bin first: containerd starts the shim (containerd-shim-runc-v2) from
    # PATH, and Debian's 1.6 shim is in /usr/bin. runc is the host's.
    path="$BIN:$PATH"
    case ":$path:" in *:/usr/sbin:*) ;; *) path="$path:/usr/sbin:/sbin" ;; esac

    log "starting containerd $CONTAINERD_VERSION on $CTRD_SOCK (log $CTRD_LOG)"
    # setsid: own session, survives the calling shell; stdin from /dev/null.
    PATH=$path setsid nohup "$BIN/containerd" --config "$CTRD_CONF" </dev/null >>"$CTRD_LOG" 2>&1 &
    echo $! >"$CTRD_PIDFILE"
    for _ in $(seq 1 200); do
        [ -S "$CTRD_SOCK" ] && break
        alive "$CTRD_PIDFILE" || { tail -n 30 "$CTRD_LOG" >&2; die "containerd exited (log: $CTRD_LOG)"; }
        sleep 0.1
    done
    [ -S "$CTRD_SOCK" ] || die "containerd made no socket $CTRD_SOCK in 20 s (log: $CTRD_LOG)"

    log "starting dockerd $DOCKER29_VERSION on unix://$SOCK (log $LOG)"
    PATH=$path setsid nohup "$BIN/dockerd" --config-file "$DAEMON_JSON" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    deadline=$((SECONDS + TIMEOUT))
    until api /_ping >/dev/null; do
        kill -0 "$pid" 2>/dev/null || { tail -n 40 "$LOG" >&2; die "dockerd exited (log: $LOG)"; }
        [ "$SECONDS" -lt "$deadline" ] || { tail -n 40 "$LOG" >&2; die "dockerd did not answer within ${TIMEOUT}s (log: $LOG)"; }
        sleep 0.2
    done
    [ "$(server_version)" = "$DOCKER29_VERSION" ] ||
        die "the daemon on $SOCK reports version '$(server_version)', expected $DOCKER29_VERSION"
    check_bridges
    log "Docker $(server_version) answers (pid $pid)"
fi

# ---------------------------------------------------------------------------
# 4. Images
# ---------------------------------------------------------------------------
d29() { DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$DOCKER" "$@"; }

# On the containerd store, BuildKit resolves an image name (`# syntax=`, the
# bases) through the registry first and uses a local image only when that
# fails (ResolveMode "default"), so what builds on this daemon use is what
# the mirror serves: the stand-ins and the frontend image exactly as
# buildkitd gets them. They are also pulled into the image store (host
# platform; the others come on first use), again whenever the registry has a
# new one, so `docker run`, `docker image inspect` and an unreachable
# registry see the same images.
#
# On the classic store it is the other way round: "default" there means
# "prefer local" (daemon/internal/builder-next/adapters/containerimage/
# pull.go), as on Docker 20.10, and the registry is asked only for another
# platform than the local image's. So this pull is what keeps its builds on
# the registry's frontend and stand-ins. Its pulls of gcr.io do not read
# hosts.toml (only its BuildKit does): those come from $REGISTRY by path and
# are tagged with their gcr.io name.
IMAGES=(
    "golang:1.26-alpine                 library/golang:1.26-alpine"
    "golang:1.26-bookworm               library/golang:1.26-bookworm"
    "busybox:1.37-musl                  library/busybox:1.37-musl"
    "alpine:3.21                        library/alpine:3.21"
    "gcr.io/distroless/static-debian12  distroless/static-debian12:latest"
    "gcr.io/distroless/base-debian12    distroless/base-debian12:latest"
    "ourorg/gofront:latest              ourorg/gofront:latest"
)
ACCEPT='application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'
registry_digest() {   # registry_digest REPO:TAG: the manifest (or index) digest, or nothing
    curl -fsSI --max-time 5 -H "Accept: $ACCEPT" "http://$REGISTRY/v2/${1%:*}/manifests/${1##*:}" 2>/dev/null |
        tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

"$ROOT/scripts/registry-up.sh"
for entry in "${IMAGES[@]}"; do
    read -r _ path <<<"$entry"
    if [ -z "$(registry_digest "$path")" ]; then
        case $path in
            ourorg/gofront:*) die "$REGISTRY has no $path: run scripts/build-frontend-image.sh --push $REGISTRY/ourorg/gofront" ;;
        esac
        log "the registry lacks $path: filling it (tests/standins/push-multiplatform.sh)"
        "$ROOT/tests/standins/push-multiplatform.sh"
        break
    fi
done
for entry in "${IMAGES[@]}"; do
    read -r ref path <<<"$entry"
    want=$(registry_digest "$path")
    [ -n "$want" ] || die "$REGISTRY has no $path after tests/standins/push-multiplatform.sh"
    if [ "$STORE" = containerd ]; then
        # In the containerd image store an image's ID is its manifest/index digest.
        [ "$(d29 image inspect -f '{{.Id}}' "$ref" 2>/dev/null)" != "$want" ] || continue
    else
        # In the classic store the ID is the config's digest; what was
        # pulled is in RepoDigests (name@digest, the name it was pulled by).
        case " $(d29 image inspect -f '{{join .RepoDigests " "}}' "$ref" 2>/dev/null) " in
            *"@$want "*) continue ;;
        esac
    fi
    log "pulling $ref ($want, from $REGISTRY/$path)"
    case $STORE/$ref in
        classic/gcr.io/*) d29 pull -q "$REGISTRY/$path" >/dev/null && d29 tag "$REGISTRY/$path" "$ref" ;;
        *) d29 pull -q "$ref" >/dev/null ;;
    esac
done

# The frontend a checkout builds (scripts/build-frontend-image.sh) lands in
# Docker 20.10; with --push it goes to the registry as an index first, and
# Docker 20.10's copy is pulled from it (so its image ID is the config digest
# of the index's linux/amd64 manifest). Say so when the registry serves
# another one.
id20=$(/usr/bin/docker image inspect -f '{{.Id}}' ourorg/gofront:latest 2>/dev/null || true)
# amd64_config: the config digest of the registry's linux/amd64 frontend image.
amd64_config() {
    local m digest
    m=$(curl -fsS --max-time 5 -H "Accept: $ACCEPT" "http://$REGISTRY/v2/ourorg/gofront/manifests/latest") || return 0
    if [ "$(jq -r '.manifests != null' <<<"$m")" = true ]; then
        digest=$(jq -r '[.manifests[] | select(.platform.os == "linux" and .platform.architecture == "amd64")][0].digest' <<<"$m")
        m=$(curl -fsS --max-time 5 -H "Accept: $ACCEPT" "http://$REGISTRY/v2/ourorg/gofront/manifests/$digest") || return 0
    fi
    jq -r .config.digest <<<"$m"
}
config=$(amd64_config)
if [ -n "$id20" ] && [ "$config" != "$id20" ]; then
    log "WARNING: the registry's ourorg/gofront:latest (linux/amd64 config $config) is not Docker 20.10's ($id20);"
    log "         Docker 29 builds use the registry's: run scripts/build-frontend-image.sh --push $REGISTRY/ourorg/gofront to publish this one"
fi

env_args=""
[ "$STORE" = containerd ] || env_args=" --store $STORE"
log "ready: . scripts/docker29-env.sh$env_args  (DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$DOCKER_CONFIG_DIR)"
