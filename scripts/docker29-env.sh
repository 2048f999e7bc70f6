#!/usr/bin/env bash
# Talk to a Docker 29 test daemon of scripts/docker29-up.sh: the containerd
# image store's (the default) or, with --store classic, the classic store's.
#
#   . scripts/docker29-env.sh                  # bash: docker, docker buildx, docker compose in this shell
#   . scripts/docker29-env.sh --store classic  # the same, on the classic-store daemon
#   eval "$(scripts/docker29-env.sh [--store classic])"  # any POSIX shell: the same
#   scripts/docker29-env.sh [--store classic]  # print the variables
#
# DOCKER_HOST       the daemon's socket: unix:///run/gofront-docker29/docker.sock,
#                   or unix:///run/gofront-docker29-classic/docker.sock
# DOCKER_CONFIG     the client's private config, .tools/docker29/config (or
#                   config-classic): the buildx and compose plugins, buildx's
#                   state (~/.docker is not read)
# PATH              .tools/docker29/cli first: the Docker 29 CLI as `docker`
# GOFRONT_DOCKER29_CLI  that CLI's path, for callers that do not use PATH
#
# DOCKER_CONTEXT is unset (it would win over DOCKER_HOST). Docker 20.10 stays
# /usr/bin/docker, but DOCKER_HOST applies to it too in this shell.
#
# Only a first argument `--store` is read: a script that sources this file
# without arguments passes its own, which are not meant for it.
# shellcheck shell=bash

_gofront_d29_cli=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)/.tools/docker29/cli
_gofront_d29_host=unix:///run/gofront-docker29/docker.sock
_gofront_d29_config=${_gofront_d29_cli%/cli}/config
_gofront_d29_ok=1
if [ "${1:-}" = --store ]; then
    case ${2:-} in
        containerd) ;;
        classic)
            _gofront_d29_host=unix:///run/gofront-docker29-classic/docker.sock
            _gofront_d29_config=${_gofront_d29_config}-classic
            ;;
        *)
            printf 'docker29-env: unknown store %s (containerd or classic)\n' "'${2:-}'" >&2
            _gofront_d29_ok=0
            ;;
    esac
fi

if [ "$_gofront_d29_ok" = 0 ]; then
    unset _gofront_d29_cli _gofront_d29_host _gofront_d29_config _gofront_d29_ok
    # shellcheck disable=SC2317 # return when sourced, exit when run
    return 1 2>/dev/null || exit 1
elif [ "${BASH_SOURCE[0]:-$0}" = "$0" ]; then
    # Run, not sourced: print what to eval.
    printf "export DOCKER_HOST='%s'\n" "$_gofront_d29_host"
    printf "export DOCKER_CONFIG='%s'\n" "$_gofront_d29_config"
    printf "export GOFRONT_DOCKER29_CLI='%s'\n" "$_gofront_d29_cli/docker"
    printf "export PATH='%s':\"\$PATH\"\n" "$_gofront_d29_cli"
    printf 'unset DOCKER_CONTEXT\n'
else
    export DOCKER_HOST=$_gofront_d29_host
    export DOCKER_CONFIG=$_gofront_d29_config
    export GOFRONT_DOCKER29_CLI="$_gofront_d29_cli/docker"
    case ":$PATH:" in
        *":$_gofront_d29_cli:"*) ;;
        *) export PATH="$_gofront_d29_cli:$PATH" ;;
    esac
    unset DOCKER_CONTEXT
fi
unset _gofront_d29_cli _gofront_d29_host _gofront_d29_config _gofront_d29_ok
