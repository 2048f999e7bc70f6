#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine.
#
# - If `/usr/bin/docker info` already works: do nothing.
# - Otherwise install Debian's docker.io (Docker 20.10, BuildKit inside) and
#   start dockerd directly in the background. Test machines usually have no
#   systemd as PID 1, so `systemctl start docker` is not an option.
#
# We always use /usr/bin/docker (the Debian 20.10 client): a newer client that
# may sit earlier in PATH (/usr/local/bin/docker) lacks buildx and would not
# match the daemon's API defaults.
#
# Safe to run any number of times.
#
# Env knobs:
#   DOCKERD_LOG       log file for dockerd        (default /var/log/dockerd.log)
#   DOCKERD_TIMEOUT   seconds to wait for the API  (default 60)
set -euo pipefail

DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd   # Debian puts the daemon in sbin
LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
TIMEOUT=${DOCKERD_TIMEOUT:-60}

log() { printf 'docker-up: %s\n' "$*" >&2; }

docker_answers() {
    # `timeout` so a wedged daemon socket can't hang us forever.
    [ -x "$DOCKER" ] && timeout 10 "$DOCKER" info >/dev/null 2>&1
}

if docker_answers; then
    log "docker already answers ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root to install/start dockerd"
    exit 1
fi

# ---------------------------------------------------------------------------
# 1. Install packages that are missing.
# ---------------------------------------------------------------------------
# docker.io already depends on containerd, runc, iptables; we name them anyway
# so a half-removed install gets repaired. tini is used by `docker run --init`.
PKGS=(docker.io containerd runc iptables ca-certificates)
missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    # Without systemd, the package's postinst would try to start the daemon via
    # the sysvinit script (invoke-rc.d). We want to start it ourselves with our
    # own flags/log, so forbid service starts during install with a temporary
    # policy-rc.d (exit 101 = "action forbidden") -- only if none exists yet.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        created_policy=1
    fi
    cleanup_policy() { [ "$created_policy" = 1 ] && rm -f "$policy"; return 0; }
    trap cleanup_policy EXIT

    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: skips apparmor/needrestart/git etc. that
    # docker.io recommends but a build host does not need.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

    cleanup_policy
    trap - EXIT
fi

# ---------------------------------------------------------------------------
# 2. Start dockerd (unless one is already running but just slow).
# ---------------------------------------------------------------------------
if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd process exists (pid $(pgrep -x dockerd | tr '\n' ' ')), waiting for it"
else
    # If PID 1 is systemd, let it own the daemon; otherwise run it ourselves.
    if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ] && command -v systemctl >/dev/null; then
        log "starting docker via systemd"
        systemctl start docker
    else
        # A stale pidfile from a killed daemon makes dockerd refuse to start.
        if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
            rm -f /var/run/docker.pid
        fi
        # Docker's bridge NAT needs forwarding; dockerd sets it too, but doing
        # it here gives a clearer error if the sysctl is not writable.
        sysctl -qw net.ipv4.ip_forward=1 2>/dev/null || true

        # The uplink MTU may be below 1500 (tunnels, VMs). Containers on the
        # default bridge would use 1500 and TLS downloads can then stall on
        # lost big packets. Match the default route interface's MTU.
        mtu_args=()
        uplink=$(ip -o route show default 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}')
        if [ -n "$uplink" ] && [ -r "/sys/class/net/$uplink/mtu" ]; then
            mtu=$(cat "/sys/class/net/$uplink/mtu")
            if [ "$mtu" -lt 1500 ]; then
                mtu_args=(--mtu "$mtu")
            fi
        fi

        mkdir -p "$(dirname "$LOG")"
        log "starting dockerd (log: $LOG) ${mtu_args[*]:-}"
        # setsid + nohup: new session, immune to the caller's SIGHUP, so the
        # daemon outlives this shell. stdin from /dev/null so it never blocks.
        # (containerd is spawned by dockerd itself when none is running.)
        setsid nohup "$DOCKERD" "${mtu_args[@]}" >>"$LOG" 2>&1 </dev/null &
        started=1
    fi
fi

# ---------------------------------------------------------------------------
# 3. Wait for the API.
# ---------------------------------------------------------------------------
deadline=$((SECONDS + TIMEOUT))
until docker_answers; do
    # Fail fast (with the log) if the daemon we started already died.
    # (Checked by name: setsid may fork, so $! is not reliably dockerd's pid.)
    if [ "${started:-0}" = 1 ] && ! pgrep -x dockerd >/dev/null 2>&1; then
        log "dockerd exited during startup; last log lines:"
        tail -n 40 "$LOG" >&2 2>/dev/null || true
        exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        log "dockerd did not answer within ${TIMEOUT}s; last log lines:"
        tail -n 40 "$LOG" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 1
done

log "docker is up: server $("$DOCKER" version --format '{{.Server.Version}}'), storage $("$DOCKER" info --format '{{.Driver}}'), cgroup $("$DOCKER" info --format '{{.CgroupDriver}}')"
