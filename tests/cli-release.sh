#!/usr/bin/env bash
# The CLI as a user installs it from a release: the Linux binaries
# (scripts/rust-cross.sh) packaged by scripts/package-cli.sh as the release
# workflow does, with SHA256SUMS, then the README's install line run as
# written, its release URL pointed at a local directory. The installed
# gofront must print its version and commit and check a spec; the arm64
# archive's binary (under qemu-user) too.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(scripts/version.sh version)
revision=$(scripts/version.sh revision)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL cli release: $*" >&2; exit 1; }

release=$tmp/releases/download/v$version
mkdir -p "$release"
for arch in amd64 arm64; do
    bin=$(scripts/rust-cross.sh build "linux/$arch" | tail -1)
    scripts/package-cli.sh "$bin" linux "$arch" "$release" >/dev/null
done
(cd "$release" && sha256sum -- *.tar.gz >SHA256SUMS && sha256sum -c --quiet SHA256SUMS)

# The README's install lines (the ones that set v= and run curl | tar),
# with the release page moved to $tmp and /usr/local/bin to $tmp/bin.
install=$(sed -n '/^v=[0-9]/,/^ *tar -xz/p' README.md)
[ -n "$install" ] || fail "no install lines (v=… curl … | tar -xz) in README.md"
grep -q "^v=$version " <<<"$install" || fail "the README installs v=$(sed -n 's/^v=\([^ ]*\).*/\1/p' <<<"$install"), Cargo.toml says $version"
install=${install//https:\/\/github.com\/ourorg\/gofront\/releases/file:\/\/$tmp\/releases}
install=${install//\/usr\/local\/bin/$tmp\/bin}
mkdir -p "$tmp/bin"
bash -euo pipefail -c "$install" || fail "the README's install lines failed: $install"
got=$("$tmp/bin/gofront" version)
[ "$got" = "gofront $version (commit $revision)" ] || fail "the installed gofront says '$got'"
"$tmp/bin/gofront" check examples/hello/gofront.yaml >/dev/null || fail "the installed gofront cannot check examples/hello"
echo "ok   README install line: $got"

mkdir "$tmp/arm64"
tar -xzf "$release/gofront-$version-linux-arm64.tar.gz" -C "$tmp/arm64"
got=$(qemu-aarch64-static "$tmp/arm64/gofront-$version-linux-arm64/gofront" version)
[ "$got" = "gofront $version (commit $revision)" ] || fail "the arm64 archive's gofront says '$got'"
echo "ok   linux-arm64 archive: $got"
