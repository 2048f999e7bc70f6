#!/usr/bin/env bash
# Lint the GitHub Actions workflows with actionlint (pinned, built from the
# Go module proxy into .tools/bin on first use), so a typo in a workflow
# fails here and not on a release tag. shellcheck, when installed, checks
# the workflows' `run:` scripts too.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.12
TOOLS="$PWD/.tools"
bin="$TOOLS/bin/actionlint"
if ! "$bin" -version 2>/dev/null | head -1 | grep -qx "$ACTIONLINT_VERSION"; then
    echo "actionlint: building $ACTIONLINT_VERSION into .tools/bin" >&2
    mkdir -p "$TOOLS/bin"
    GOBIN="$TOOLS/bin" GOFLAGS="" CGO_ENABLED=0 go install \
        -ldflags "-s -w -X main.version=$ACTIONLINT_VERSION" \
        "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
workflows=(.github/workflows/*.yml)
"$bin" -no-color "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflows clean"
