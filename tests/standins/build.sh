#!/usr/bin/env bash
# Build local stand-ins for the base images the gofront frontend references.
#
# Test machines cannot reach a container registry, so every image a build
# graph names in FROM/llb.Image must already exist in the local Docker image
# store. This script makes them from files on this host (never pulled): it
# assembles a root filesystem in a directory and pipes it into `docker import`
# under the real tag.
#
# Rule for every stand-in: it may be *less* capable than the real image, but
# never more (no extra shells, compilers, libraries) -- otherwise a build graph
# could pass here and fail against the real image.
#
# Usage: tests/standins/build.sh [--force] [TAG...]
#   --force   rebuild even if an image with the tag already exists
#             (golang:*-bookworm reuses the cached debootstrap tarball; delete
#             tests/standins/.work/ to re-run debootstrap)
#   TAG...    only these images (default: all)
#
# Needs root (apt, debootstrap, chown) and a running engine (scripts/docker-up.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK="$HERE/.work"
DOCKER=/usr/bin/docker          # the Debian 20.10 client, never the one in PATH
HOST_CA=/etc/ssl/certs/ca-certificates.crt
GO_SERIES=1.26                  # the golang:<series>-* tags we imitate
ALPINE_TAG_VERSION=3.21         # alpine:<this>
GOLANG_ALPINE_VERSION=3.23      # alpine release the real golang:1.26-alpine sits on
BUSYBOX_TAG=1.37-musl           # busybox:<this>, the `debug` target's toolbox
DEBIAN_SUITE=trixie             # debian:<this>, frontend.Dockerfile's build stage
NODE_TAG=24-bookworm-slim       # node:<this>, gofront's default image for the `web` step
YARN_VERSION=1.22.22            # yarn v1 as the official node image ships it in /opt

ALL_TAGS=(
    "golang:$GO_SERIES-alpine"
    "golang:$GO_SERIES-bookworm"
    gcr.io/distroless/static-debian12
    gcr.io/distroless/base-debian12
    "alpine:$ALPINE_TAG_VERSION"
    "busybox:$BUSYBOX_TAG"
    "debian:$DEBIAN_SUITE"
    "node:$NODE_TAG"
)

# Same PATH/GOPATH/GOTOOLCHAIN/WORKDIR config as the official golang images.
GOLANG_PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Packages for the bookworm rootfs: what golang:bookworm (buildpack-deps:
# bookworm-scm + gcc/g++/libc6-dev/make/pkg-config) has that matters for
# `go build`, incl. cgo and git-based module fetches. Deliberately no
# mercurial/subversion/procps/etc. (less capable is fine, more is not).
BOOKWORM_PKGS=(ca-certificates curl git openssh-client netbase
               gcc g++ libc6-dev make pkg-config)

# Packages for the node:*-bookworm-slim rootfs beyond minbase: none.
# debian:bookworm-slim is minbase, and the official node Dockerfile purges
# the download tools it installs (curl, gnupg, xz-utils, ca-certificates)
# again; the node binary needs only libc, libstdc++ and libgcc_s, which
# minbase has (apt links them). No gcc/g++/make/git/python: a web build
# that needs a native addon compiler fails here as it does on the real image.
NODE_BOOKWORM_PKGS=()

# busybox applets that Alpine's busybox does not ship (Debian's build has them).
BUSYBOX_DENY=(dpkg dpkg-deb rpm rpm2cpio ar linuxrc)

log() { printf 'standins: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; }

FORCE=0
WANT=()
while [ $# -gt 0 ]; do
    case "$1" in
        --force) FORCE=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) WANT+=("$1") ;;
    esac
    shift
done
if [ "${#WANT[@]}" -eq 0 ]; then
    WANT=("${ALL_TAGS[@]}")
else
    for t in "${WANT[@]}"; do
        printf '%s\n' "${ALL_TAGS[@]}" | grep -qxF "$t" || die "unknown stand-in '$t' (known: ${ALL_TAGS[*]})"
    done
fi

[ -x "$DOCKER" ] || die "$DOCKER missing; run scripts/docker-up.sh"
"$DOCKER" info >/dev/null 2>&1 || die "docker engine not answering; run scripts/docker-up.sh"

# Image size in bytes, empty if the tag does not exist.
image_size() { "$DOCKER" image inspect -f '{{.Size}}' "$1" 2>/dev/null || true; }

declare -A NOTE=()
summary() {
    local tag size
    for tag in "${WANT[@]}"; do
        size=$(image_size "$tag")
        if [ -z "$size" ]; then
            printf '%-36s %8s  %s\n' "$tag" "-" "MISSING"
        else
            printf '%-36s %8s  %s\n' "$tag" "$(numfmt --to=si --suffix=B "$size")" "${NOTE[$tag]:-present}"
        fi
    done
}

TODO=()
for tag in "${WANT[@]}"; do
    if [ "$FORCE" = 1 ] || [ -z "$(image_size "$tag")" ]; then
        TODO+=("$tag")
    fi
done

# Fast path: everything present, nothing to do.
if [ "${#TODO[@]}" -eq 0 ]; then
    summary
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, file ownership)"

mkdir -p "$WORK"
# The work dir holds multi-100MB rootfs trees/tarballs: never commit them.
[ -f "$WORK/.gitignore" ] || printf '*\n' >"$WORK/.gitignore"

# ---------------------------------------------------------------------------
# Host prerequisites
# ---------------------------------------------------------------------------
APT_UPDATED=0
ensure_host_pkgs() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing host packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

needs() { printf '%s\n' "${TODO[@]}" | grep -q "$1"; }

pkgs=(ca-certificates)
needs alpine && pkgs+=(busybox-static)
needs busybox && pkgs+=(busybox-static)
needs bookworm && pkgs+=(debootstrap debian-archive-keyring)
needs debian: && pkgs+=(debootstrap debian-archive-keyring)
needs distroless && pkgs+=(tzdata netbase)
ensure_host_pkgs "${pkgs[@]}"
[ -s "$HOST_CA" ] || die "$HOST_CA missing on host"

# node:* copies the host's Node.js (the nodesource package: /usr/bin/node,
# npm and corepack in /usr/lib/node_modules) and packs yarn v1 with its npm.
NODE_HOST_VERSION=""
if needs node:; then
    if [ ! -x /usr/bin/node ] || [ ! -d /usr/lib/node_modules/npm ] || [ ! -d /usr/lib/node_modules/corepack ]; then
        die "node:* stand-in needs the host's Node.js (/usr/bin/node, /usr/lib/node_modules/{npm,corepack})"
    fi
    NODE_HOST_VERSION=$(/usr/bin/node --version)
    NODE_HOST_VERSION=${NODE_HOST_VERSION#v}
fi

GOROOT_HOST=""
GOVER=""
if needs golang; then
    command -v go >/dev/null || die "no 'go' in PATH; the golang stand-ins copy the host's Go $GO_SERIES toolchain"
    GOROOT_HOST=$(go env GOROOT)
    GOVER=$("$GOROOT_HOST/bin/go" env GOVERSION | awk '{print $1}')   # e.g. go1.26.8
    GOVER=${GOVER#go}
    case "$GOVER" in
        "$GO_SERIES"|"$GO_SERIES".*) ;;
        *) die "host Go is $GOVER, need $GO_SERIES.x for golang:$GO_SERIES-* stand-ins" ;;
    esac
fi

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# Remove a rootfs tree safely: debootstrap mounts /proc etc. inside its target,
# and an interrupted run can leave them mounted. Never recurse into a mount.
remove_tree() {
    local dir=$1 m
    [ -e "$dir" ] || return 0
    # /proc/mounts encodes spaces; our paths have none. Unmount deepest first.
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" || true
    done
    rm -rf --one-file-system "$dir"
}

fresh_rootfs() {   # fresh_rootfs NAME -> prints path of an empty rootfs dir
    local dir="$WORK/$1/rootfs"
    remove_tree "$dir"
    mkdir -p "$dir"
    chmod 755 "$dir"
    printf '%s\n' "$dir"
}

add_ca() {   # the host bundle includes locally installed CAs (TLS from containers)
    install -D -m 644 "$HOST_CA" "$1/etc/ssl/certs/ca-certificates.crt"
}

add_tmp() { install -d -m 1777 "$1/tmp"; }

add_busybox() {   # busybox as /bin/sh + applet symlinks, alpine-style
    local root=$1 applet name
    install -D -m 755 /bin/busybox "$root/bin/busybox"
    while read -r applet; do
        name=${applet##*/}
        printf '%s\n' "${BUSYBOX_DENY[@]}" | grep -qxF "$name" && continue
        [ "$applet" = bin/busybox ] && continue
        mkdir -p "$root/$(dirname "$applet")"
        ln -sfn /bin/busybox "$root/$applet"
    done < <(/bin/busybox --list-full)
}

add_alpine_etc() {   # add_alpine_etc ROOT VERSION
    local root=$1 ver=$2
    mkdir -p "$root/etc" "$root/root" "$root/var/tmp" "$root/usr/local/bin"
    chmod 700 "$root/root"
    chmod 1777 "$root/var/tmp"
    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:root
nobody:x:65534:
EOF
    printf '%s.0\n' "$ver" >"$root/etc/alpine-release"
    cat >"$root/etc/os-release" <<EOF
NAME="Alpine Linux"
ID=alpine
VERSION_ID=$ver.0
PRETTY_NAME="Alpine Linux v$ver (gofront stand-in)"
EOF
}

add_go() {   # copy the host toolchain + GOPATH layout of the official image
    local root=$1
    mkdir -p "$root/usr/local"
    cp -a "$GOROOT_HOST" "$root/usr/local/go"
    chown -R 0:0 "$root/usr/local/go"
    mkdir -p "$root/go/src" "$root/go/bin"
    chmod -R 1777 "$root/go"     # as in the official Dockerfile
}

GO_CHANGES=()
set_go_changes() {
    GO_CHANGES=(
        --change "ENV GOLANG_VERSION=$GOVER"
        --change "ENV GOTOOLCHAIN=local"
        --change "ENV GOPATH=/go"
        --change "ENV PATH=$GOLANG_PATH"
        --change "WORKDIR /go"
    )
}

# import_rootfs ROOT TAG [--change ...]: tar the tree into a new image under
# TAG and drop the image it replaces (if nothing else uses it) so repeated
# --force runs do not pile up dangling layers.
import_rootfs() {
    local root=$1 tag=$2 old new
    shift 2
    old=$("$DOCKER" image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
    new=$(tar --numeric-owner -C "$root" -c . |
          "$DOCKER" import --message "gofront stand-in for $tag" "$@" - "$tag")
    if [ -n "$old" ] && [ "$old" != "$new" ]; then
        "$DOCKER" image rm "$old" >/dev/null 2>&1 || true
    fi
}

# ---------------------------------------------------------------------------
# Image builders
# ---------------------------------------------------------------------------

build_golang_alpine() {
    local tag=$1 root
    root=$(fresh_rootfs golang-alpine)
    add_busybox "$root"
    add_alpine_etc "$root" "$GOLANG_ALPINE_VERSION"
    add_tmp "$root"
    add_ca "$root"
    add_go "$root"
    set_go_changes
    import_rootfs "$root" "$tag" "${GO_CHANGES[@]}" --change 'CMD ["/bin/sh"]'
    remove_tree "$WORK/golang-alpine"
}

# busybox:*-musl: one static busybox in /bin with every applet as a hard link
# beside it, as the real image has them (hard links survive being copied to
# another directory, as gofront's `debug` target does; symlinks to
# /bin/busybox would not).
build_busybox() {
    local tag=$1 root applet name
    root=$(fresh_rootfs busybox)
    install -D -m 755 /bin/busybox "$root/bin/busybox"
    while read -r applet; do
        name=${applet##*/}
        printf '%s\n' "${BUSYBOX_DENY[@]}" | grep -qxF "$name" && continue
        [ -e "$root/bin/$name" ] || ln "$root/bin/busybox" "$root/bin/$name"
    done < <(/bin/busybox --list)
    add_tmp "$root"
    import_rootfs "$root" "$tag" \
        --change "ENV PATH=$STD_PATH" \
        --change 'CMD ["sh"]'
    remove_tree "$WORK/busybox"
}

build_alpine() {
    local tag=$1 root
    root=$(fresh_rootfs alpine)
    add_busybox "$root"
    add_alpine_etc "$root" "$ALPINE_TAG_VERSION"
    add_tmp "$root"
    add_ca "$root"
    import_rootfs "$root" "$tag" \
        --change "ENV PATH=$STD_PATH" \
        --change 'CMD ["/bin/sh"]'
    remove_tree "$WORK/alpine"
}

# Debian mirror as configured for apt on this host (deb822 first, then the
# one-line format). Read at runtime so no mirror name is baked into the repo.
debian_mirror() {
    local f url=""
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        url=$(awk 'BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; suites = ""; types = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^URIs:/)    { sub(/^URIs:[ \t]*/, "", line); uris = line }
                    if (line ~ /^Suites:/)  { sub(/^Suites:[ \t]*/, "", line); suites = " " line " " }
                    if (line ~ /^Types:/)   { sub(/^Types:[ \t]*/, "", line); types = " " line " " }
                    if (line ~ /^Enabled:/) { sub(/^Enabled:[ \t]*/, "", line); enabled = line }
                }
                if (enabled != "no" && types ~ / deb / && suites ~ / bookworm /) {
                    split(uris, u, " "); print u[1]; exit
                }
            }' "$f")
        [ -n "$url" ] && break
    done
    if [ -z "$url" ]; then
        url=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
              sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]\+\)[[:space:]]\+bookworm[[:space:]].*/\2/p' |
              head -n 1)
    fi
    [ -n "$url" ] || die "no Debian bookworm mirror found in apt sources"
    printf '%s\n' "$url"
}

# bookworm_rootfs_tar PKG...: debootstrap a bookworm minbase rootfs with
# PKG... once and cache it as a tarball; the key is the package list, so
# changing it re-bootstraps (and each list has its own tarball: golang's with
# compilers, node's without).
bookworm_rootfs_tar() {
    local key tarball dir mirror logf include
    key=$(printf '%s\n' "$@" | sha256sum | cut -c1-12)
    tarball="$WORK/bookworm-minbase-$key.tar"
    if [ -s "$tarball" ]; then
        printf '%s\n' "$tarball"
        return 0
    fi
    mirror=$(debian_mirror)
    dir="$WORK/debootstrap/rootfs"
    logf="$WORK/debootstrap-bookworm-$key.log"
    remove_tree "$WORK/debootstrap"
    mkdir -p "$dir"
    log "debootstrap bookworm (minbase${*:+ + $*}) -- takes a few minutes"
    include=()
    [ $# -eq 0 ] || include=("--include=$(IFS=,; printf '%s' "$*")")
    if ! debootstrap --variant=minbase --arch=amd64 "${include[@]}" \
            bookworm "$dir" "$mirror" >"$logf" 2>&1; then
        tail -n 30 "$logf" >&2
        remove_tree "$WORK/debootstrap"
        die "debootstrap failed (full log: $logf)"
    fi
    # Trim like the official image does (rm -rf /var/lib/apt/lists/*), and
    # drop the downloaded .debs.
    chroot "$dir" apt-get clean
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log "$dir"/var/cache/debconf/*-old
    # Docker bind-mounts these at run time; ship neutral content.
    : >"$dir/etc/resolv.conf"
    printf 'localhost\n' >"$dir/etc/hostname"
    tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    remove_tree "$WORK/debootstrap"
    printf '%s\n' "$tarball"
}

build_golang_bookworm() {
    local tag=$1 root tarball
    tarball=$(bookworm_rootfs_tar "${BOOKWORM_PKGS[@]}")
    root=$(fresh_rootfs golang-bookworm)
    tar --numeric-owner -C "$root" -xf "$tarball"
    add_go "$root"
    # ca-certificates' own bundle lacks locally installed CAs; use the host's.
    rm -f "$root/etc/ssl/certs/ca-certificates.crt"
    add_ca "$root"
    set_go_changes
    import_rootfs "$root" "$tag" "${GO_CHANGES[@]}" --change 'CMD ["bash"]'
    remove_tree "$WORK/golang-bookworm"
}

# debian:<suite>: what `docker pull debian:trixie` gives: debootstrap's
# minbase (the official image is minbase, made by debuerreotype) with apt's
# sources for the suite, its updates and its security archive, and nothing
# else (no compiler: frontend.Dockerfile installs what it needs with apt).
build_debian() {
    local tag=$1 suite=${1#debian:} root mirror security
    mirror=$(debian_mirror)
    # shellcheck disable=SC2016 # apt's placeholders, not the shell's
    security=$(apt-get indextargets --format '$(LABEL) $(REPO_URI)' 2>/dev/null |
               awk '$1 == "Debian-Security" { print $2; exit }')
    root=$(fresh_rootfs "debian-$suite")
    log "debootstrap $suite (minbase) -- takes a minute or two"
    if ! debootstrap --variant=minbase --arch=amd64 "$suite" "$root" "$mirror" \
            >"$WORK/debootstrap-$suite.log" 2>&1; then
        tail -n 30 "$WORK/debootstrap-$suite.log" >&2
        remove_tree "$WORK/debian-$suite"
        die "debootstrap $suite failed (full log: $WORK/debootstrap-$suite.log)"
    fi
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
    rm -f "$root/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$mirror" "$suite" "$suite"
        [ -z "$security" ] ||
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "${security%/}" "$suite"
    } >"$root/etc/apt/sources.list.d/debian.sources"
    # This site's own CAs (a TLS-inspecting egress proxy here), where
    # Debian's ca-certificates takes them in when a build installs it, as a
    # company's copy of the image would carry them; nothing else of the
    # host's. Without them, HTTPS from the build (crates.io) fails.
    mkdir -p "$root/usr/local/share/ca-certificates"
    find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$root/usr/local/share/ca-certificates/" \;
    : >"$root/etc/resolv.conf"
    printf 'localhost\n' >"$root/etc/hostname"
    import_rootfs "$root" "$tag" --change "ENV PATH=$STD_PATH" --change 'CMD ["bash"]'
    remove_tree "$WORK/debian-$suite"
}

# node:<major>-bookworm-slim: what the official image is -- debian:bookworm-slim
# (minbase, docs/man/locales excluded by dpkg) with Node.js in /usr/local
# (node, npm and corepack with their /usr/local/bin links), yarn v1 in
# /opt/yarn-v<version> linked from /usr/local/bin, the `node` user (1000),
# docker-entrypoint.sh as ENTRYPOINT and CMD ["node"]. Node.js is the host's
# (a different major than the tag says; NODE_VERSION tells which).
yarn_tarball() {   # prints the path of yarn's npm tarball, packed once into .work/
    local tgz="$WORK/yarn-$YARN_VERSION.tgz"
    if [ ! -s "$tgz" ]; then
        log "npm pack yarn@$YARN_VERSION"
        (cd "$WORK" && /usr/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js pack --silent "yarn@$YARN_VERSION" >/dev/null) ||
            die "npm pack yarn@$YARN_VERSION failed (needs the npm registry)"
        [ -s "$tgz" ] || die "npm pack did not leave $tgz"
    fi
    printf '%s\n' "$tgz"
}

build_node() {
    local tag=$1 root tarball yarn_tgz d
    tarball=$(bookworm_rootfs_tar "${NODE_BOOKWORM_PKGS[@]}")
    yarn_tgz=$(yarn_tarball)
    root=$(fresh_rootfs node)
    # Everything below writes under $root: make sure it is the fresh tree.
    case "$root" in "$WORK"/node/rootfs) ;; *) die "build_node: unexpected rootfs '$root'" ;; esac
    tar --numeric-owner -C "$root" -xf "$tarball"

    # debian:bookworm-slim's dpkg excludes, and what they keep out.
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKGCFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
DPKGCFG
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    for d in groff info linda lintian locale man; do
        if [ -d "$root/usr/share/$d" ]; then find "$root/usr/share/$d" -mindepth 1 -delete; fi
    done

    # The official Dockerfile's first step: groupadd/useradd node (1000).
    chroot "$root" groupadd --gid 1000 node
    chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

    # Node.js where the official image unpacks the release tarball
    # (/usr/local): npm's global prefix then is /usr/local, as there.
    install -D -m 755 -o 0 -g 0 /usr/bin/node "$root/usr/local/bin/node"
    ln -s node "$root/usr/local/bin/nodejs"
    mkdir -p "$root/usr/local/lib/node_modules"
    cp -a /usr/lib/node_modules/npm /usr/lib/node_modules/corepack "$root/usr/local/lib/node_modules/"
    chown -R 0:0 "$root/usr/local/lib/node_modules"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"

    # yarn v1: the npm package has the same files as the release tarball.
    mkdir -p "$root/opt/yarn-v$YARN_VERSION"
    tar -xzf "$yarn_tgz" -C "$root/opt/yarn-v$YARN_VERSION" --strip-components=1 --no-same-owner
    ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$root/usr/local/bin/yarn"
    ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$root/usr/local/bin/yarnpkg"

    # The official entrypoint: run `node ARGS` when the first argument is an
    # option or not a command (`docker run node:... -e '...'`), else exec it.
    cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a
# system command (the last test is for dash's `command -v` on plain files).
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
ENTRYPOINT
    chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

    # CAs: the real image has no CA bundle at all (node brings its own roots;
    # its Dockerfile purges ca-certificates again). Here a TLS-inspecting
    # proxy signs every HTTPS answer, so the stand-in carries the host bundle
    # and points NODE_EXTRA_CA_CERTS at it (npm, npx, corepack and yarn all
    # go through node's TLS), plus the site's own CAs where Debian's
    # ca-certificates takes them in if a build installs it -- as a company's
    # copy of the image would carry them.
    # COREPACK_INTEGRITY_KEYS=0 (in the config below): the npm registry this
    # host reaches serves no signatures (no dist.signatures, no
    # /-/npm/v1/keys), so corepack's check of the package manager it
    # downloads would always fail here; against registry.npmjs.org the same
    # download passes the check, so skipping it hides nothing a build needs.
    add_ca "$root"
    mkdir -p "$root/usr/local/share/ca-certificates"
    find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$root/usr/local/share/ca-certificates/" \;

    import_rootfs "$root" "$tag" \
        --change "ENV NODE_VERSION=$NODE_HOST_VERSION" \
        --change "ENV YARN_VERSION=$YARN_VERSION" \
        --change "ENV PATH=$STD_PATH" \
        --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
        --change "ENV COREPACK_INTEGRITY_KEYS=0" \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["node"]'
    remove_tree "$WORK/node"
}

# distroless/static: data files only -- no shell, no libc, no package manager.
distroless_static_tree() {
    local root=$1 f
    mkdir -p "$root/etc" "$root/usr/share" "$root/home" "$root/root" "$root/var"
    chmod 700 "$root/root"
    install -d -m 700 -o 65532 -g 65532 "$root/home/nonroot"
    add_tmp "$root"
    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
    cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd:         compat
group:          compat
shadow:         compat
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
EOF
    cat >"$root/etc/os-release" <<'EOF'
PRETTY_NAME="Distroless (gofront stand-in)"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
VERSION_CODENAME="bookworm"
EOF
    # netbase + media-types data files, as the real image carries them.
    for f in /etc/protocols /etc/services /etc/rpc /etc/ethertypes /etc/mime.types; do
        [ -f "$f" ] && install -m 644 "$f" "$root$f"
    done
    cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
    add_ca "$root"
}

DISTROLESS_CHANGES=(
    --change "ENV PATH=$STD_PATH"
    --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
    --change "WORKDIR /"
    --change "USER 0"       # the real image config says "0" (root)
)

build_distroless_static() {
    local tag=$1 root
    root=$(fresh_rootfs distroless-static)
    distroless_static_tree "$root"
    import_rootfs "$root" "$tag" "${DISTROLESS_CHANGES[@]}"
    remove_tree "$WORK/distroless-static"
}

# distroless/base = static + glibc (libc6) + libssl3 runtime libraries, taken
# from the host's Debian 12 packages at their package paths. Still no shell.
build_distroless_base() {
    local tag=$1 root arch path
    root=$(fresh_rootfs distroless-base)
    distroless_static_tree "$root"
    arch=$(dpkg --print-architecture)
    while read -r path; do
        case "$path" in
            /usr/share/*) continue ;;          # docs, lintian overrides
        esac
        # Directories (incl. the host's usrmerge symlinks /lib, /lib64) are
        # created as needed as real dirs; copy files and file symlinks as-is.
        [ -d "$path" ] && continue
        if [ -L "$path" ] || [ -f "$path" ]; then
            mkdir -p "$root$(dirname "$path")"
            cp -a "$path" "$root$path"
        fi
    done < <(dpkg -L "libc6:$arch" "libssl3:$arch" | grep '^/')
    [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "dynamic loader missing from base rootfs"
    import_rootfs "$root" "$tag" "${DISTROLESS_CHANGES[@]}"
    remove_tree "$WORK/distroless-base"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
for tag in "${TODO[@]}"; do
    start=$SECONDS
    log "building $tag"
    case "$tag" in
        golang:*-alpine)                  build_golang_alpine "$tag" ;;
        golang:*-bookworm)                build_golang_bookworm "$tag" ;;
        gcr.io/distroless/static-debian12) build_distroless_static "$tag" ;;
        gcr.io/distroless/base-debian12)   build_distroless_base "$tag" ;;
        alpine:*)                         build_alpine "$tag" ;;
        busybox:*)                        build_busybox "$tag" ;;
        debian:*)                         build_debian "$tag" ;;
        node:*)                           build_node "$tag" ;;
        *) die "no builder for $tag" ;;
    esac
    NOTE[$tag]="built in $((SECONDS - start))s"
done

summary
