#!/usr/bin/env bash
# The SPDX validator the SBOM tests run (PyPI's spdx-tools, pinned), in a
# virtualenv under .tools/ so a second run finds it there.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.8.5
VENV=.tools/spdx-tools-$VERSION
if [ -x "$VENV/bin/pyspdxtools" ]; then
    exit 0
fi
# A run cut short leaves no pyspdxtools: start again.
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "spdx-tools==$VERSION"
"$VENV/bin/pyspdxtools" --help >/dev/null
