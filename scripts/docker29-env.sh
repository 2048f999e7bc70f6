#!/usr/bin/env bash
# Talk to the Docker 29 test daemon of scripts/docker29-up.sh.
#
#   . scripts/docker29-env.sh          # bash: docker, docker buildx, docker compose in this shell
#   eval "$(scripts/docker29-env.sh)"  # any POSIX shell: the same
#   scripts/docker29-env.sh            # print the variables
#
# DOCKER_HOST       the daemon's socket, unix:///run/gofront-docker29/docker.sock
# DOCKER_CONFIG     the client's private config, .tools/docker29/config: the
#                   buildx and compose plugins, buildx's state (~/.docker is
#                   not read)
# PATH              .tools/docker29/cli first: the Docker 29 CLI as `docker`
# GOFRONT_DOCKER29_CLI  that CLI's path, for callers that do not use PATH
#
# DOCKER_CONTEXT is unset (it would win over DOCKER_HOST). Docker 20.10 stays
# /usr/bin/docker, but DOCKER_HOST applies to it too in this shell.
# shellcheck shell=bash

_gofront_d29_cli=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)/.tools/docker29/cli

if [ "${BASH_SOURCE[0]:-$0}" = "$0" ]; then
    # Run, not sourced: print what to eval.
    printf "export DOCKER_HOST='unix:///run/gofront-docker29/docker.sock'\n"
    printf "export DOCKER_CONFIG='%s'\n" "${_gofront_d29_cli%/cli}/config"
    printf "export GOFRONT_DOCKER29_CLI='%s'\n" "$_gofront_d29_cli/docker"
    printf "export PATH='%s':\"\$PATH\"\n" "$_gofront_d29_cli"
    printf 'unset DOCKER_CONTEXT\n'
else
    export DOCKER_HOST=unix:///run/gofront-docker29/docker.sock
    export DOCKER_CONFIG="${_gofront_d29_cli%/cli}/config"
    export GOFRONT_DOCKER29_CLI="$_gofront_d29_cli/docker"
    case ":$PATH:" in
        *":$_gofront_d29_cli:"*) ;;
        *) export PATH="$_gofront_d29_cli:$PATH" ;;
    esac
    unset DOCKER_CONTEXT
fi
unset _gofront_d29_cli
