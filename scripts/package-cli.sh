#!/usr/bin/env bash
# Package a gofront binary as a release archive, the way the release
# workflow does and the README's install line unpacks it:
# DIST/gofront-VERSION-OS-ARCH.tar.gz holding gofront-VERSION-OS-ARCH/gofront
# and README.md. Prints the archive's path.
#
#   scripts/package-cli.sh BINARY OS ARCH DIST    (VERSION from Cargo.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 4 ] || { echo "usage: $0 BINARY OS ARCH DIST" >&2; exit 2; }
binary=$1 os=$2 arch=$3 dist=$4
version=$(scripts/version.sh version)
name=gofront-$version-$os-$arch
rm -rf "${dist:?}/$name" && mkdir -p "$dist/$name"
install -m 755 "$binary" "$dist/$name/gofront"
install -m 644 README.md "$dist/$name/README.md"
# Owner and times fixed: the same binary gives the same archive. GNU tar
# (macOS runners have it as gtar).
tar=tar
tar --version 2>/dev/null | grep -q GNU || tar=gtar
"$tar" -C "$dist" --owner=0 --group=0 --numeric-owner --mtime=@"$(git log -1 --format=%ct)" --sort=name \
    -cf - "$name" | gzip -n >"$dist/$name.tar.gz"
rm -rf "${dist:?}/$name"
echo "$dist/$name.tar.gz"
