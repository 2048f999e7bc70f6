#!/usr/bin/env bash
# Start a local image registry on 127.0.0.1:5000 for the tests.
#
# Why: the test machines reach no container registry. The second BuildKit
# daemon (scripts/buildkit-up.sh) resolves every image through registry
# mirrors, and this registry is that mirror: tests/standins/push-multiplatform.sh
# fills it with the stand-in images under the mirrored paths
# (docker.io/library/golang -> 127.0.0.1:5000/library/golang, ...).
#
# It is Debian's `docker-registry` package (the distribution registry, 2.8),
# run directly as a background process -- not as a container (no image to
# pull) and not via systemd (PID 1 here is not systemd; the package's own
# service is also left alone, with its own config and port).
#
# Idempotent: exits at once when the registry already answers.
# Needs root (apt, /var/lib, /var/log).
#
# Usage: scripts/registry-up.sh
# Stop:  kill "$(cat /run/gofront-registry.pid)"
set -euo pipefail

ADDR=127.0.0.1:5000                       # loopback only: nothing outside this host
URL="http://$ADDR/v2/"
CONF_DIR=/etc/gofront                     # config written by this script, not the package's
CONF="$CONF_DIR/registry.yml"
DATA=/var/lib/gofront-registry            # blobs and manifests
LOG=/var/log/gofront-registry.log
PIDFILE=/run/gofront-registry.pid
RUN_AS=docker-registry                    # unprivileged user created by the package

log() { printf 'registry-up: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

answers() { curl -fsS -o /dev/null --max-time 2 "$URL" 2>/dev/null; }

# Fast path: already running (from an earlier call, or started by hand).
if answers; then
    log "registry answers on $URL"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (apt, $DATA, $LOG)"

# Something else holding the port would make the registry fail with an
# unhelpful "address already in use" in its log; say so directly.
if command -v ss >/dev/null && ss -Hltn "sport = :${ADDR##*:}" | grep -q .; then
    die "port ${ADDR##*:} is taken but $URL does not answer like a registry: $(ss -Hltnp "sport = :${ADDR##*:}")"
fi

if ! command -v docker-registry >/dev/null || ! command -v curl >/dev/null; then
    log "installing docker-registry (Debian's distribution registry) and curl"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The package's postinst tries to start its own service; policy-rc.d or
    # the missing systemd stops that, which is fine: we start our own below.
    apt-get install -y -qq --no-install-recommends docker-registry curl >/dev/null
fi

mkdir -p "$CONF_DIR" "$DATA"
if id "$RUN_AS" >/dev/null 2>&1; then
    chown "$RUN_AS:$RUN_AS" "$DATA"
else
    RUN_AS=root
fi

# Our own config: the package's default listens on all interfaces and
# enables htpasswd auth; we want loopback, no auth, and deletes allowed (so
# tests can remove what they pushed). Rewritten every start so edits to this
# script take effect.
cat >"$CONF.tmp" <<EOF
# Written by scripts/registry-up.sh (gofront tests). Do not edit: rewritten on start.
version: 0.1
log:
  level: info
  fields:
    service: gofront-registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $DATA
  delete:
    enabled: true
http:
  addr: $ADDR
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
mv "$CONF.tmp" "$CONF"

log "starting docker-registry on $ADDR (data $DATA, log $LOG)"
# setsid: own session, so it survives the calling shell and its job control;
# setpriv drops root (the registry needs none). stdin from /dev/null so it
# never holds the caller's terminal or pipe open.
if [ "$RUN_AS" = root ]; then
    setsid nohup /usr/bin/docker-registry serve "$CONF" </dev/null >>"$LOG" 2>&1 &
else
    setsid nohup setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups \
        /usr/bin/docker-registry serve "$CONF" </dev/null >>"$LOG" 2>&1 &
fi
pid=$!
echo "$pid" >"$PIDFILE"

for _ in $(seq 1 100); do                 # up to 10 s; usually < 0.5 s
    if answers; then
        log "registry answers on $URL (pid $pid)"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
tail -n 20 "$LOG" >&2
die "registry did not answer on $URL (log: $LOG)"
