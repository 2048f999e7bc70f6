#!/usr/bin/env bash
# Put the stand-in images into the local registry
# (scripts/registry-up.sh, 127.0.0.1:5000) under the paths the BuildKit
# daemon of scripts/buildkit-up.sh mirrors docker.io and gcr.io to:
#
#   golang:1.26-alpine, golang:1.26-bookworm -> 127.0.0.1:5000/library/golang:<tag>   linux/amd64
#   debian:trixie                            -> 127.0.0.1:5000/library/debian:trixie  linux/amd64
#   node:24-bookworm-slim                    -> 127.0.0.1:5000/library/node:24-bookworm-slim  linux/amd64
#   busybox:1.37-musl                        -> 127.0.0.1:5000/library/busybox:1.37-musl  linux/amd64, linux/arm64
#   gcr.io/distroless/static-debian12        -> 127.0.0.1:5000/distroless/static-debian12:latest  7 platforms
#   alpine:3.21                              -> 127.0.0.1:5000/library/alpine:3.21    7 platforms
#   gcr.io/distroless/base-debian12          -> 127.0.0.1:5000/distroless/base-debian12:latest    linux/amd64 (index)
#
# Why multi-platform: gofront cross-compiles (the Go toolchain runs on the
# build platform) and puts the binary on the runtime base *of the target
# platform*, so `--platform linux/arm64` needs an arm64 base in the
# registry. Builder images only ever run on the build platform (linux/amd64
# here), so they are pushed as they are (debian:trixie is the build stage of
# frontend.Dockerfile, `FROM --platform=$BUILDPLATFORM`). The frontend image
# is an index of its own: scripts/build-frontend-image.sh --push.
#
# How the multi-platform bases are made: the stand-in's single layer
# (`docker save`) is ADDed onto `scratch` once per platform by buildx on the
# `gofront` builder, with the stand-in's config (Env, User, WorkingDir, Cmd,
# Entrypoint). Nothing runs (no RUN), so no emulation is needed.
#   * distroless/static is data files only (passwd, CA bundle, tzdata...):
#     the same files are correct for every architecture.
#   * alpine: only linux/amd64 gets busybox (an x86-64 binary, from the
#     host). The other platforms get the same tree *without* /bin/busybox and
#     its applet symlinks: a stand-in may be less capable than the real image,
#     never more, and an amd64 /bin/sh labelled arm64 would be a lie that only
#     fails if something executes it. gofront's final stage never executes
#     anything, so these bases are enough for it. CMD stays ["/bin/sh"] as
#     in the real image (it points at nothing there).
#   * busybox (the `debug` target's toolbox, copied into the image of the
#     *target* platform): linux/arm64 gets the same tree with Debian's arm64
#     busybox-static written into /bin/busybox, so every hard-linked applet
#     is the arm64 binary too. Other platforms are not offered (a build for
#     them fails as "no match for platform"), rather than given x86-64 code.
#   * distroless/base carries the host's glibc and libssl (x86-64 code), so
#     it is linux/amd64 only (still an index, so asking it for another
#     platform fails as "no match for platform" instead of silently giving
#     amd64). gofront refuses cross-compiling with cgo anyway.
#
# Idempotent: a stamp per image (local image ID + recipe) in .work/pushed/
# is compared with the registry's current digest; unchanged images are
# skipped (the whole script then takes about a second). --force re-pushes.
#
# Usage: tests/standins/push-multiplatform.sh [--force]
# Needs: root, the stand-ins (tests/standins/build.sh); starts registry and
# buildkitd itself.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/.work/push"                  # .work/ is git-ignored (build.sh)
DOCKER=/usr/bin/docker                   # the Debian 20.10 client
BUILDX="$ROOT/.tools/bin/buildx"
BUILDER=gofront
REGISTRY=127.0.0.1:5000                  # Docker 20.10 treats 127.0.0.0/8 as insecure (plain HTTP) by default

# Every platform Go and the real distroless/alpine images support that a
# test is likely to ask for.
ALL_PLATFORMS=linux/amd64,linux/arm64,linux/arm/v7,linux/386,linux/ppc64le,linux/s390x,linux/riscv64
BUILD_PLATFORM=linux/amd64               # what the stand-ins' binaries are (the host)

# Accept header for manifest HEADs: indexes and single manifests, both flavours.
ACCEPT='application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'

log() { printf 'push-multiplatform: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

FORCE=0
case "${1:-}" in
    --force) FORCE=1 ;;
    "") ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument $1" ;;
esac

# Registry, buildkitd and the buildx builder (fast no-op when up).
"$ROOT/scripts/buildkit-up.sh"
command -v jq >/dev/null || die "jq missing (apt-get install jq)"

mkdir -p "$WORK/pushed"

local_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# remote_digest REPO TAG: digest the registry serves for the tag, or nothing.
remote_digest() {
    curl -fsSI --max-time 5 -H "Accept: $ACCEPT" "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null |
        tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# up_to_date DEST STAMP-CONTENT: the registry still has what we pushed last
# time from the same local image and recipe.
stamp_file() { printf '%s/%s\n' "$WORK/pushed" "$(printf '%s' "$1" | tr '/:' '__')"; }
up_to_date() {
    local dest=$1 want=$2 f repo tag digest
    [ "$FORCE" = 0 ] || return 1
    f=$(stamp_file "$dest")
    [ -s "$f" ] || return 1
    [ "$(sed -n 1p "$f")" = "$want" ] || return 1
    repo=${dest#"$REGISTRY"/}; tag=${repo##*:}; repo=${repo%:*}
    digest=$(remote_digest "$repo" "$tag")
    [ -n "$digest" ] && [ "$(sed -n 2p "$f")" = "$digest" ]
}
record() {   # record DEST STAMP-CONTENT
    local dest=$1 want=$2 repo tag digest
    repo=${dest#"$REGISTRY"/}; tag=${repo##*:}; repo=${repo%:*}
    digest=$(remote_digest "$repo" "$tag")
    [ -n "$digest" ] || die "registry has no manifest for $dest after the push"
    printf '%s\n%s\n' "$want" "$digest" >"$(stamp_file "$dest")"
    log "$dest = $digest"
}

# push_plain SRC DEST: single-platform image, pushed by dockerd as it is.
push_plain() {
    local src=$1 dest=$2 id want
    id=$(local_id "$src")
    [ -n "$id" ] || die "local image $src missing (tests/standins/build.sh)"
    want="plain $id"
    if up_to_date "$dest" "$want"; then
        log "$dest up to date"
        return 0
    fi
    log "pushing $src -> $dest"
    "$DOCKER" tag "$src" "$dest"
    "$DOCKER" push --quiet "$dest" >/dev/null
    # Drop the extra local tag again: the local store stays as build.sh left it.
    "$DOCKER" image rm "$dest" >/dev/null
    record "$dest" "$want"
}

# dockerfile_for SRC: FROM scratch + the stand-in's layer per platform + its config.
dockerfile_for() {
    local cfg
    cfg=$("$DOCKER" image inspect "$1" | jq -c '.[0].Config')
    # shellcheck disable=SC2016 # ${TARGETARCH} is for the Dockerfile, not bash
    printf '%s\n' \
        "# Generated by tests/standins/push-multiplatform.sh from $1." \
        "FROM scratch" \
        "ARG TARGETARCH" \
        "# rootfs-<arch>.tar: the stand-in's layer (ADD unpacks it, keeping owners and modes)." \
        'ADD rootfs-${TARGETARCH}.tar /'
    # ENV values in Dockerfile syntax: double-quoted, with \ " $ escaped.
    jq -r '(.Env // [])[] | capture("^(?<k>[^=]+)=(?<v>.*)$") |
           "ENV \(.k)=\"\(.v | gsub("\\\\"; "\\\\") | gsub("\""; "\\\"") | gsub("\\$"; "\\$"))\""' <<<"$cfg"
    jq -r 'select(.WorkingDir != null and .WorkingDir != "") | "WORKDIR \(.WorkingDir)"' <<<"$cfg"
    jq -r 'select(.User != null and .User != "") | "USER \(.User)"' <<<"$cfg"
    jq -r 'select(.Entrypoint != null) | "ENTRYPOINT \(.Entrypoint | tojson)"' <<<"$cfg"
    jq -r 'select(.Cmd != null) | "CMD \(.Cmd | tojson)"' <<<"$cfg"
}

# buildx flags for the multi-platform bases (also part of the stamp):
#  * no provenance/SBOM attestations: the real base images' indexes list
#    platforms only, and tests should see the same shape;
#  * BUILDKIT_MULTI_PLATFORM=1: an index even for one platform (base-debian12),
#    as the real images are;
#  * OCI media types, as the real images use.
INDEX_FLAGS=(--provenance=false --sbom=false --build-arg BUILDKIT_MULTI_PLATFORM=1
             --output "type=image,oci-mediatypes=true,push=true")

# download_debs ARCH DIR PACKAGE...: Debian's .debs of PACKAGE:ARCH into DIR
# (the architecture is added to dpkg, and the lists refreshed, when needed).
download_debs() {
    local arch=$1 dir=$2 pkgs=()
    shift 2
    for p in "$@"; do pkgs+=("$p:$arch"); done
    chmod 755 "$dir"   # apt-get download hands the file to the _apt user
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        dpkg --add-architecture "$arch"
    fi
    if ! (cd "$dir" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1); then
        apt-get update -q >/dev/null
        (cd "$dir" && apt-get download -q "${pkgs[@]}" >/dev/null)
    fi
}

# glibc_rootfs ARCH OUT: distroless/base for a foreign Debian architecture:
# the distroless/static tree plus that architecture's own libc6 and libssl3
# from Debian (real target-architecture libraries, as the real image has),
# so a cgo binary cross-compiled for ARCH finds its loader and libc.
glibc_rootfs() {
    local arch=$1 out=$2 dir debs static_id
    dir=$(mktemp -d) debs=$(mktemp -d)
    download_debs "$arch" "$debs" libc6 libssl3
    static_id=$(local_id gcr.io/distroless/static-debian12)
    [ -n "$static_id" ] || die "gcr.io/distroless/static-debian12 missing (tests/standins/build.sh)"
    "$DOCKER" save gcr.io/distroless/static-debian12 | tar -x -C "$debs" --wildcards '*/layer.tar' 'manifest.json'
    tar -x --same-owner -C "$dir" -f "$debs/$(jq -r '.[0].Layers[0]' "$debs/manifest.json")"
    for deb in "$debs"/*.deb; do
        dpkg-deb -x "$deb" "$dir"
    done
    rm -rf "$dir/usr/share/doc" "$dir/usr/share/lintian"
    tar -C "$dir" --numeric-owner -cf "$out" .
    rm -rf "$dir" "$debs"
}

# golang_rootfs ARCH LAYER OUT: golang:*-alpine for a foreign architecture,
# for the benchmark that runs `go build` under emulation (gofront itself only
# ever runs the builder for the build platform). The amd64 stand-in's tree
# with that architecture's busybox (Debian's busybox-static) and Go
# toolchain (the Go module proxy serves toolchains as golang.org/toolchain).
golang_rootfs() {
    local arch=$1 layer=$2 out=$3 dir debs goarch gover tc
    dir=$(mktemp -d) debs=$(mktemp -d)
    download_debs "$arch" "$debs" busybox-static
    tar -x --same-owner -C "$dir" -f "$layer" --exclude=./usr/local/go --exclude=usr/local/go
    mkdir "$debs/x"
    dpkg-deb -x "$debs"/busybox-static_*.deb "$debs/x"
    cp "$debs/x/bin/busybox" "$dir/bin/busybox"
    goarch=$arch
    gover=$("$DOCKER" image inspect golang:1.26-alpine | jq -r '.[0].Config.Env[] | select(startswith("GOLANG_VERSION=")) | sub("GOLANG_VERSION="; "")')
    tc=$(go mod download -json "golang.org/toolchain@v0.0.1-go$gover.linux-$goarch" | jq -r .Dir)
    [ -f "$tc/bin/go" ] || die "no Go $gover toolchain for linux/$goarch from the module proxy"
    cp -r "$tc" "$dir/usr/local/go"
    # Module zips carry no modes (the cache is read-only, nothing executable);
    # the go command marks the same files when it installs a toolchain.
    chmod -R u+w,a+rX "$dir/usr/local/go"
    chmod a+x "$dir/usr/local/go/bin/"* "$dir/usr/local/go/pkg/tool/"*/*
    tar -C "$dir" --numeric-owner -cf "$out" .
    chmod -R u+w "$dir" && rm -rf "$dir" "$debs"
}

# busybox_rootfs ARCH LAYER OUT: busybox:*-musl for a foreign architecture:
# the stand-in's tree (one static busybox, the applets hard links to it) with
# that architecture's static busybox (Debian's busybox-static) written over
# /bin/busybox in place: the hard links share its inode, so they all become
# the foreign binary and stay hard links in the tar.
busybox_rootfs() {
    local arch=$1 layer=$2 out=$3 dir debs links
    dir=$(mktemp -d) debs=$(mktemp -d)
    download_debs "$arch" "$debs" busybox-static
    mkdir "$debs/x"
    dpkg-deb -x "$debs"/busybox-static_*.deb "$debs/x"
    tar -x --same-owner -C "$dir" -f "$layer"
    links=$(stat -c %h "$dir/bin/busybox")
    [ "$links" -gt 100 ] || die "busybox stand-in: /bin/busybox has $links links, expected the applets as hard links"
    cat "$debs/x/bin/busybox" >"$dir/bin/busybox"   # same inode: every applet follows
    [ "$(stat -c %h "$dir/bin/busybox")" = "$links" ] || die "busybox_rootfs: hard links lost"
    tar -C "$dir" --numeric-owner -cf "$out" .
    rm -rf "$dir" "$debs"
}

# push_index SRC DEST PLATFORMS FOREIGN: FOREIGN is what non-build platforms
# get: "same" (identical files), "no-busybox" (busybox and its applets left
# out), "glibc" (distroless/base with that architecture's Debian libc),
# "golang" (that architecture's busybox and Go toolchain) or "busybox" (that
# architecture's static busybox under the same hard links).
push_index() {
    local src=$1 dest=$2 platforms=$3 foreign=$4
    local id ctx layer p arch created want
    id=$(local_id "$src")
    [ -n "$id" ] || die "local image $src missing (tests/standins/build.sh)"
    ctx="$WORK/ctx/$(printf '%s' "$dest" | tr '/:' '__')"
    rm -rf "$ctx"
    mkdir -p "$ctx/save"
    dockerfile_for "$src" >"$ctx/Dockerfile"
    want="index $id $platforms $foreign $(printf '%s\n' "${INDEX_FLAGS[*]}" | cat - "$ctx/Dockerfile" | sha256sum | cut -c1-16)"
    if up_to_date "$dest" "$want"; then
        log "$dest up to date"
        rm -rf "$ctx"
        return 0
    fi
    log "building $dest for $platforms from $src"

    # The stand-ins are `docker import`s: exactly one layer, the whole rootfs.
    "$DOCKER" save "$src" | tar -x -C "$ctx/save"
    [ "$(jq '.[0].Layers | length' "$ctx/save/manifest.json")" = 1 ] ||
        die "$src has more than one layer; expected a docker-import stand-in"
    layer="$ctx/save/$(jq -r '.[0].Layers[0]' "$ctx/save/manifest.json")"

    for p in ${platforms//,/ }; do
        arch=${p#*/}; arch=${arch%%/*}            # linux/arm/v7 -> arm (= TARGETARCH)
        [ -e "$ctx/rootfs-$arch.tar" ] && continue
        if [ "$p" = "$BUILD_PLATFORM" ] || [ "$foreign" = same ]; then
            ln "$layer" "$ctx/rootfs-$arch.tar"   # hard link: no copy, sent once
        elif [ "$foreign" = glibc ]; then
            glibc_rootfs "$arch" "$ctx/rootfs-$arch.tar"
        elif [ "$foreign" = golang ]; then
            golang_rootfs "$arch" "$layer" "$ctx/rootfs-$arch.tar"
        elif [ "$foreign" = busybox ]; then
            busybox_rootfs "$arch" "$layer" "$ctx/rootfs-$arch.tar"
        elif [ ! -e "$ctx/rootfs-foreign.tar" ]; then
            # Drop /bin/busybox and every symlink to it (the applets).
            cp "$layer" "$ctx/rootfs-foreign.tar"
            tar -tvf "$layer" |
                awk '$1 ~ /^l/ && $(NF-1) == "->" && $NF ~ /(^|\/)busybox$/ { print $(NF-2) }
                     $1 ~ /^-/ && $NF ~ /^(\.\/)?bin\/busybox$/ { print $NF }' >"$ctx/drop.list"
            [ -s "$ctx/drop.list" ] || die "$src: no busybox found to leave out"
            tar --delete -f "$ctx/rootfs-foreign.tar" -T "$ctx/drop.list"
            ln "$ctx/rootfs-foreign.tar" "$ctx/rootfs-$arch.tar"
        else
            ln "$ctx/rootfs-foreign.tar" "$ctx/rootfs-$arch.tar"
        fi
    done
    rm -rf "$ctx/save"
    printf 'Dockerfile\n' >"$ctx/.dockerignore"

    # Image timestamps from the stand-in's creation time, so re-pushing the
    # same stand-in gives the same digests.
    created=$(date -d "$("$DOCKER" image inspect -f '{{.Created}}' "$src")" +%s)
    SOURCE_DATE_EPOCH=$created "$BUILDX" --builder "$BUILDER" build --progress=quiet \
        --platform "$platforms" "${INDEX_FLAGS[@]}" --build-arg SOURCE_DATE_EPOCH="$created" \
        -f "$ctx/Dockerfile" -t "$dest" "$ctx" >/dev/null
    record "$dest" "$want"
    rm -rf "$ctx"
}

push_index golang:1.26-alpine                 "$REGISTRY/library/golang:1.26-alpine"       "$BUILD_PLATFORM,linux/arm64" golang
push_plain golang:1.26-bookworm               "$REGISTRY/library/golang:1.26-bookworm"
push_index busybox:1.37-musl                  "$REGISTRY/library/busybox:1.37-musl"        "$BUILD_PLATFORM,linux/arm64" busybox
push_plain debian:trixie                      "$REGISTRY/library/debian:trixie"
# gofront's `web` step (npm ci / npm run build) runs on the build platform
# only -- its output (JS/CSS/HTML) is the same for every target -- so the
# node image, like the Go builders, is pushed for linux/amd64 (the host) alone.
push_plain node:24-bookworm-slim              "$REGISTRY/library/node:24-bookworm-slim"
push_index gcr.io/distroless/static-debian12  "$REGISTRY/distroless/static-debian12:latest" "$ALL_PLATFORMS" same
push_index alpine:3.21                        "$REGISTRY/library/alpine:3.21"              "$ALL_PLATFORMS" no-busybox
push_index gcr.io/distroless/base-debian12    "$REGISTRY/distroless/base-debian12:latest"  "$BUILD_PLATFORM,linux/arm64" glibc
