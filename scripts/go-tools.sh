# Sourced by scripts/buildkit-up.sh and scripts/docker29-up.sh: build a
# pinned Go tool from the module proxy with the machine's Go. The caller
# defines die() and TOOLS.
#
# `go install module/cmd@version` refuses most of these modules: their go.mod
# files have `exclude` or `replace` directives (buildkit, compose), which
# `go install` rejects for non-main modules, or there is no go.mod at all
# (docker/cli). So: download the module source into the module cache and
# `go build` inside it as the main module, with -mod=mod (module zips carry
# no vendor/ tree). Static (CGO_ENABLED=0), trimmed, stripped.
# shellcheck shell=bash

# go_module_dir MODULE@VERSION: the unpacked source in the module cache; a
# failed download stops the script with the proxy's error.
go_module_dir() {
    local json dir
    json=$(GOWORK=off GOFLAGS=-mod=mod go mod download -json "$1") || true
    dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
    [ -d "$dir" ] || die "go mod download $1: $(sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
    printf '%s\n' "$dir"
}

# go_build_in DIR OUT "TAGS" "LDFLAGS" PKG: build PKG in DIR, install as OUT
# in one step (a half-built binary never replaces a working one).
go_build_in() {
    local dir=$1 out=$2 tags=$3 ldflags=$4 pkg=$5 tmp
    command -v go >/dev/null || die "no 'go' in PATH (needed to build $pkg)"
    tmp=$(mktemp -d "$TOOLS/build.XXXXXX")
    # GOWORK=off: a caller's go.work must not leak in. GOFLAGS is set, not
    # appended to, so a caller's -mod=vendor cannot break the build.
    (cd "$dir" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
        ${tags:+-tags "$tags"} -ldflags "-s -w $ldflags" -o "$tmp/out" "$pkg") ||
        { rm -rf "$tmp"; die "building $pkg in $dir failed"; }
    mv -f "$tmp/out" "$out"
    rm -rf "$tmp"
}

# go_build_tool MODULE VERSION "TAGS" PKG OUT: a tool whose module stamps
# its version in MODULE/version (buildkit, buildx, containerd), so that
# `--version` shows the pin.
go_build_tool() {
    local module=$1 version=$2 tags=$3 pkg=$4 out=$5
    go_build_in "$(go_module_dir "$module@$version")" "$out" "$tags" \
        "-X $module/version.Version=$version -X $module/version.Revision=$version -X $module/version.Package=$module" \
        "$pkg"
}
