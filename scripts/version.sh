#!/usr/bin/env bash
# What a build of gofront calls itself, in one place for the scripts, the
# tests and the release workflow:
#
#   scripts/version.sh version    Cargo.toml's version (1.2.3)
#   scripts/version.sh revision   the commit `gofront version` and the image's
#                                 revision label name: GOFRONT_REVISION when
#                                 set (the release sets it), else HEAD, with
#                                 "-dirty" when the tree has changes
set -euo pipefail
cd "$(dirname "$0")/.."

case ${1:-} in
    version) sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1 ;;
    revision)
        if [ -n "${GOFRONT_REVISION:-}" ]; then
            echo "$GOFRONT_REVISION"
        elif rev=$(git rev-parse HEAD 2>/dev/null); then
            git diff --quiet HEAD -- 2>/dev/null || rev=$rev-dirty
            echo "$rev"
        else
            echo unknown
        fi ;;
    *) echo "usage: $0 version|revision" >&2; exit 2 ;;
esac
