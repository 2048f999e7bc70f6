#!/usr/bin/env bash
# Cross-compile the static frontend binary for linux/amd64, linux/arm64 (and
# riscv64, ppc64le, s390x) on this machine, without emulation.
#
#   scripts/rust-cross.sh install [PLATFORM...]  unpack the pinned toolchain
#       (and the standard library of each PLATFORM; default linux/amd64
#       linux/arm64) into .tools/rust-debian/; a no-op when it is there
#   scripts/rust-cross.sh build PLATFORM...      build gofront for each
#       PLATFORM (installing what is missing) and print each binary's path
#   scripts/rust-cross.sh pins [RUSTC_WEB_VERSION]  print pin lines for this
#       script from the Debian suite as it is now (to re-pin)
#
# Why Debian's Rust: rustup cannot download another target's standard
# library here (no network but package registries), Debian's archive has one
# per architecture. Bookworm's rustc (1.63) is too old for the crate (edition
# 2024, rust-version 1.88; serde-saphyr 2.1.1 in Cargo.lock needs 1.89), so
# is trixie's `rustc` (1.85: cargo refuses the lock file); trixie's
# `rustc-web` (the rustc that Debian keeps current in stable for Firefox and
# Chromium) is new enough and ships `libstd-rust-web-dev` for amd64, arm64,
# riscv64, ppc64el and s390x. Sid's rustc (1.97) would do too, but sid
# replaces its packages within weeks (a pin would not last). The packages
# are unpacked with dpkg-deb into .tools, never installed: the host's
# packages stay untouched.
#
# Trixie's binaries need trixie's glibc (2.39+; bookworm has 2.36) and its
# libLLVM 22, libstdc++, libgit2 and friends: those libraries are unpacked
# beside them, and wrappers in .tools/rust-debian/VERSION/bin run rustc,
# cargo and rustdoc through trixie's dynamic loader with only those
# libraries on the path. Child processes (the linker, build scripts) run
# normally with the host's libraries.
#
# One compiler for every platform, amd64 included: the binaries of one image
# index come from the same rustc, std and LLVM, pinned here rather than
# whatever rustup toolchain a machine has. The linkers are bookworm's gcc
# (host) and gcc-<triple> cross compilers with their static glibc 2.36
# (`+crt-static`), installed with apt when missing.
#
# Pins: the compiler (rustc, cargo, std, LLVM) is exact, by version and
# SHA256; when the suite no longer has that version the install stops (re-pin
# with `pins`). The other libraries under it (glibc, curl, ...) are pinned
# the same way, but when a stable point release has replaced one, the suite's
# current version is taken instead, with a warning: they do not change what
# the compiler makes, and apt still checks the download against the signed
# archive.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "rust-cross: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

SUITE=trixie
# The private apt (apt_private): its config file and options, given to each
# apt-get/apt-cache call that is meant for it and never exported, so the
# host's own apt-get install (ensure_linker) cannot pick them up.
PRIVATE_APT=/nonexistent APT_OPTS=()
papt_get() { APT_CONFIG=$PRIVATE_APT apt-get "${APT_OPTS[@]}" "$@"; }
papt_cache() { APT_CONFIG=$PRIVATE_APT apt-cache "${APT_OPTS[@]}" "$@"; }
RUST_DEB_VERSION=1.96.0+dfsg1-1~deb13u1+b1
TOOLS=.tools/rust-debian
DEST=$TOOLS/$RUST_DEB_VERSION
# The cargo target dir: its own, so that host rustup builds into target/
# and these never invalidate each other's artifacts.
TARGET_DIR=target/rust-cross

# package:arch=version sha256 (`pins` prints these blocks)
COMPILER_PINS='
cargo-web:amd64=1.96.0+dfsg1-1~deb13u1+b1 3a1ac0038f9c5cacc36b14363e94d603071896212161b5262165ac77bdfc9d3f
libllvm22:amd64=1:22.1.8-1~deb13u5 2b299d0615054df8cf0bd9f99b51bad1c4595ee4fa6cda61c060176f90950566
libstd-rust-web-1.96:amd64=1.96.0+dfsg1-1~deb13u1+b1 a9b3de89458772425457251432c2937ae03fc8472ad5f1254e8a5ec75e6e63e3
libstd-rust-web-dev:amd64=1.96.0+dfsg1-1~deb13u1+b1 5ad47305a951ab5b89953c45e3a4c56c122cf610461595f37ce48907b3c0ed83
rustc-web:amd64=1.96.0+dfsg1-1~deb13u1+b1 72da9dc370bbc0de89813949c3b130b44239d677bd3e56893384908153c7c5dc
'
# The standard library for each other target architecture (Debian's names).
STD_PINS='
libstd-rust-web-dev:arm64=1.96.0+dfsg1-1~deb13u1+b1 732ee16043f6917b1e4aaef020449752b68a78853a3b4bd3389a9523142729b9
libstd-rust-web-dev:ppc64el=1.96.0+dfsg1-1~deb13u1+b1 ea4d2c86d3669cdbe4eb48ba0f1d22b269052eea1ac5c38b0e69b1f353a6a975
libstd-rust-web-dev:riscv64=1.96.0+dfsg1-1~deb13u1+b1 e6611e337ca80b8f13e7a237ff8a02795d164dad09c40e2ca5faea4a0b685e85
libstd-rust-web-dev:s390x=1.96.0+dfsg1-1~deb13u1+b1 560efe472de8d150195951de9b53abed0d20f2eeb1adeca3694137ad5c62d62d
'
# What the compiler's binaries load (Debian's dependency closure).
RUNTIME_PINS='
gcc-14-base:amd64=14.2.0-19 5b6825de4263824b78c4c51f6476414f3b4e89c2ab63e81dc8b9b5501e867cf6
libbrotli1:amd64=1.1.0-2+deb13u1 db46824c60fee46aff3cc0be3e5f736bc606cae669b1fb17516a41e8073251a9
libbsd0:amd64=0.12.2-2 e5a85986fa6bec3307ab1bc860736b478b331882bc45e17675a7bdf88eecb43a
libc6:amd64=2.41-12+deb13u5 b59b0625cd1a791375d40dab23a4d5d3d0641e3d0a773501becdc3725b7f99cf
libcom-err2:amd64=1.47.2-3+b12 bd43e020b8fed399db3eebf098111f10fba4c436fff99ccad72cc7e27c9764ec
libcurl4t64:amd64=8.14.1-2+deb13u7 4f89bd3e7a33bbd8f7422817a8a8e2233c9e194fda9c331e33bf98705f525bfc
libdb5.3t64:amd64=5.3.28+dfsg2-9 18d02510ee78b67e4504ba050176797a200ff24214a7cd318082ab60ad7bf3fc
libedit2:amd64=3.1-20250104-1 b002ea172b9c1e34a67bc497c523c67bb74c3f0a4e98113cb083990a1f1d3bfe
libffi8:amd64=3.4.8-2 0ebdc340de33333639c3c63874cd4b15ac2e83dfa1ef3053b7eefaf4919f4f68
libgcc-s1:amd64=14.2.0-19 3c71917b490d1a17aed43196a2787a256ecf060526cdb20216a74bedc061b150
libgit2-1.9:amd64=1.9.0+ds-2+deb13u1 2fb4b6503fb8f143a8035077b9de99118326ac2b26565779e71c4648e01e75ee
libgmp10:amd64=2:6.3.0+dfsg-3 d0d0265eb01770f17afd0f7c8c0622f80479dcfbbe13653a0debeec61464e622
libgnutls30t64:amd64=3.8.9-3+deb13u4 18a8bdfd91c7e3bcb01719d55a2b56849c7160b34f1f52b1c4fdfdd41bf1352b
libgssapi-krb5-2:amd64=1.21.3-5+deb13u2 92e4d11b61d702ae5bcb4293c9af69625ea1cd62aac0d87db9b0344217d749be
libhogweed6t64:amd64=3.10.1-1 b059ed155115ac09da295322de48ee1ed58ef5fa45edcc9e12ff0e94636ef25f
libhttp-parser2.9:amd64=2.9.4-6+b2 eb226fd47bec216a02ca6282ab348a3515d1832c58edf1d71b2b5e7948ef3d03
libidn2-0:amd64=2.3.8-2 90b039bcdc4578f8e1c4935adf8dbb525e36a164deefdbbb8c45bac347d48278
libk5crypto3:amd64=1.21.3-5+deb13u2 782e113c8186a413b422ff2bf989874f9a5496002fd6f0ca05bd136eaca4b8b3
libkeyutils1:amd64=1.6.3-6 0b11ad17be0300b63ad4eeb4c6450fed24d34b7b740f23e5363dcb29ee6d5eba
libkrb5-3:amd64=1.21.3-5+deb13u2 cf58784dc2160fbab7968edbfa8a789c7149b5c81ae2e8300286f98763c4d92d
libkrb5support0:amd64=1.21.3-5+deb13u2 b4e2515f3d5ebda994498cee895d7ba3942ac9182570087acbd1638df2b8acf4
libldap2:amd64=2.6.10+dfsg-1 60069e4a550ca890113fa89d3001417781b18e146ec5d637d31e368dec9909bd
liblzma5:amd64=5.8.1-1+deb13u2 b38acab30f295bf1066a6632e31cbd0a1980f2924b38040cda131d5dea5384ec
libmbedcrypto16:amd64=3.6.6-0.1~deb13u1 b38baf2ecaca7b28b3005d34b8108ee9b17681426b20662813995e939aea6dfa
libmbedtls21:amd64=3.6.6-0.1~deb13u1 9e280505afa5f5aa7034e494e7466c82d8e9af2eb3bf2edf46bab0bd7b62e1ac
libmbedx509-7:amd64=3.6.6-0.1~deb13u1 e0b6630efcf9eae2e05172496576bc3235be134a6bbf8da4cf3570fba65f65b8
libmd0:amd64=1.1.0-2+b1 7244ec3839b61fac0c1884fe08aaa040f26e8f1f35f1f5d3482eacefd30d1b44
libnettle8t64:amd64=3.10.1-1 1b03d4a9cd9c8143ba50fe6396f36937e901a317d492d179f4596862c1731cfe
libnghttp2-14:amd64=1.64.0-1.1+deb13u2 a5c10b427f9dc625754a9f323b07f2a76932a10161888e6e040c8f9448c13f05
libnghttp3-9:amd64=1.8.0-1 388e4c33b72829cbf0d098afdc8539fa5ba7458eddb077f5538fdb4d5538716b
libp11-kit0:amd64=0.25.5-3 784bf2063e166c8bc851a32623b74ebd85c499043a9d57c5bbd64fa63447f45a
libpcre2-8-0:amd64=10.46-1~deb13u3 e226f661d918f04daf38cdbc4806b7ed7d6ef95c7eb0ade692fc350e31970040
libpsl5t64:amd64=0.21.2-1.1+b1 59d42bb1f9ebc0d1776fe616efb08a7a8568b05982e00f70b03c63863db768ab
librtmp1:amd64=2.4+20151223.gitfa8646d.1-2+b5 93baa2004cbe6c8721b9e81beed078612540aef120970b4751305c51c6697368
libsasl2-2:amd64=2.1.28+dfsg1-9 66e49d7ae026811b49a0050f18b0325960a2625ffd1ff60d91b7844a815fa9d2
libsasl2-modules-db:amd64=2.1.28+dfsg1-9 a5c38659fbd62c33c6d9bfa2be43e75a572d1818531aad32dd74d0a58cc4bd19
libsqlite3-0:amd64=3.46.1-7+deb13u2 0a459adaffd901109f7811ab65f58e7a957b4907d05539cf3d1184efdcde0468
libssh2-1t64:amd64=1.11.1-1+deb13u2 dbb1024c192d4d292b7cfa902b96076cfe81b56a5eed4fb28da36e8bf543e49a
libssl3t64:amd64=3.5.9-1~deb13u1 ffefb9af363e0e4592251b2533eb06453c8e470f7772e40263c4b2129251a6d5
libstdc++6:amd64=14.2.0-19 ab1fa05837aa7a92aae748fd07a18a35f7d18bb4a71c4724fe2bbf0e32089de0
libtasn1-6:amd64=4.20.0-2+deb13u1 23fec6e06583ce2bad9b2c04c9b485e90440e259b1abf8677cd80d3ce60831ad
libtinfo6:amd64=6.5+20250216-2 8b9f6a7983e9418564e48a627518de4c03917b56efe68d7f3e93bd8fffa1cc10
libunistring5:amd64=1.3-2 6dd3490bef06ea1096f32d10766b7e016cf579bfae8451d1b7df15ce05b8aa46
libxml2:amd64=2.12.7+dfsg+really2.9.14-2.1+deb13u3 e0c6b63ce4602a036a526f60fe5e6c1586710688058d98fc1001b9b3147b7efd
libz3-4:amd64=4.13.3-1 71383373523ef62d47eccf660cf6535c3febcbb3f88e54cb7a43124014b57359
libzstd1:amd64=1.5.7+dfsg-1+deb13u1 23a6f8a774d5dceda5f759b4ecdcdd652dfbefbf8271912e6a7ab0ee3250dc75
openssl-provider-legacy:amd64=3.5.9-1~deb13u1 67c70904c8d494b4631e136a6bdb692cbb44515757d63c55e7bd1d2016f9f09f
zlib1g:amd64=1:1.3.dfsg+really1.3.1-1+deb13u1 8c27c342230503b73dfde629642c3b352e87b554e06d60cf58772f236a305ceb
'

usage() {
    echo "usage: $0 install [PLATFORM...] | build PLATFORM... | pins [RUSTC_WEB_VERSION]" >&2
    exit 2
}

# platform_vars PLATFORM: sets triple, debarch, gnu (binutils prefix), elf
# (readelf's Machine), for a platform as BuildKit names it.
platform_vars() {
    case $1 in
        linux/amd64) triple=x86_64-unknown-linux-gnu debarch=amd64 gnu=x86_64-linux-gnu elf='Advanced Micro Devices X86-64' ;;
        linux/arm64 | linux/arm64/v8) triple=aarch64-unknown-linux-gnu debarch=arm64 gnu=aarch64-linux-gnu elf=AArch64 ;;
        linux/riscv64) triple=riscv64gc-unknown-linux-gnu debarch=riscv64 gnu=riscv64-linux-gnu elf=RISC-V ;;
        linux/ppc64le) triple=powerpc64le-unknown-linux-gnu debarch=ppc64el gnu=powerpc64le-linux-gnu elf=PowerPC64 ;;
        linux/s390x) triple=s390x-unknown-linux-gnu debarch=s390x gnu=s390x-linux-gnu elf='IBM S/390' ;;
        *) die "unsupported platform '$1' (linux/amd64, linux/arm64, linux/riscv64, linux/ppc64le, linux/s390x)" ;;
    esac
}

# --- a private apt for the newer suite -------------------------------------

# The machine's own Debian mirror (and security mirror), as its apt knows
# them; DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR override.
mirror_of() {
    # shellcheck disable=SC2016 # apt's placeholders, not the shell's
    apt-get indextargets --format '$(LABEL) $(REPO_URI)' 2>/dev/null |
        awk -v l="$1" '$1 == l { print $2; exit }'
}

# apt_private ARCH...: an apt configuration for $SUITE under $TOOLS/apt
# (lists, cache; an empty dpkg status, so nothing of the host's counts),
# its lists fetched once per hour at most. It only downloads: its dpkg is
# /bin/false, so that an install through it could never put the newer
# suite's packages on the host.
apt_private() {
    local dir=$PWD/$TOOLS/apt archs a mirror security
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/empty"
    mirror=${DEBIAN_MIRROR:-$(mirror_of Debian)}
    security=${DEBIAN_SECURITY_MIRROR:-$(mirror_of Debian-Security)}
    [ -n "$mirror" ] || die "no Debian mirror in this machine's apt sources (set DEBIAN_MIRROR)"
    {
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $SUITE main"
        # Updates only for the host's libraries (amd64): the std packages
        # come from the suite itself, and fewer lists are fewer chances to
        # meet a mirror mid-sync.
        echo "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $SUITE-updates main"
        [ -z "$security" ] ||
            echo "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security $SUITE-security main"
    } >"$dir/sources.list.new"
    archs=$(for a in amd64 "$@"; do printf '"%s"; ' "$a"; done)
    cat >"$dir/apt.conf.new" <<EOF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/empty";
Dir::Etc::Preferences "$dir/empty/preferences";
Dir::Etc::PreferencesParts "$dir/empty";
Dir::State::Lists "$dir/lists";
Dir::State::status "/dev/null";
Dir::Cache "$dir/cache";
Dir::Bin::dpkg "/bin/false";
APT::Architectures { $archs};
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
    PRIVATE_APT=$dir/apt.conf
    # The host's apt.conf.d is read after APT_CONFIG (so its proxy settings
    # apply here too), and Debian's container images turn the binary cache
    # off there: without it each apt-cache call parses every list again
    # (seconds each). Command-line options come last: dpkg stays /bin/false
    # whatever the host configures. No appstream data.
    APT_OPTS=(-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin
        -o Dir::Bin::dpkg=/bin/false)
    for a in '' -icons -icons-small -icons-hidpi; do
        APT_OPTS+=(-o "Acquire::IndexTargets::deb::DEP-11$a::DefaultEnabled=false")
    done
    if cmp -s "$dir/apt.conf.new" "$dir/apt.conf" && cmp -s "$dir/sources.list.new" "$dir/sources.list" &&
        [ -n "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -60)" ]; then
        rm -f "$dir/apt.conf.new" "$dir/sources.list.new"
        return
    fi
    mv -f "$dir/apt.conf.new" "$dir/apt.conf"
    mv -f "$dir/sources.list.new" "$dir/sources.list"
    say "fetching Debian $SUITE's package lists (amd64${*:+ $*})"
    # A mirror caught mid-sync serves lists that do not match their Release
    # file ("Mirror sync in progress?"): wait and try again.
    local try
    for try in 1 2 3; do
        papt_get update -q >&2 && return
        [ "$try" = 3 ] || { echo "rust-cross: apt-get update failed, again in 30s" >&2; sleep 30; }
    done
    rm -f "$dir/apt.conf" # so the next run fetches them again
    die "apt-get update for Debian $SUITE failed"
}

# fetch_pins DIR MODE PINS: download each pinned package into DIR and check
# its SHA256. MODE exact: a missing version is an error; MODE current: the
# suite's current version replaces it, with a warning.
fetch_pins() {
    local dir=$1 mode=$2 spec sum name want=() sums=()
    while read -r spec sum; do
        [ -n "$spec" ] || continue
        name=${spec%%=*}
        # apt-cache show succeeds, saying nothing, for an unknown version.
        if [ -n "$(papt_cache show "$spec" 2>/dev/null)" ]; then
            want+=("$spec") sums+=("$sum")
        elif [ "$mode" = current ] && [ -n "$(papt_cache show "$name" 2>/dev/null)" ]; then
            echo "rust-cross: warning: $spec is gone from $SUITE; using its current version (re-pin: scripts/rust-cross.sh pins)" >&2
            want+=("$name") sums+=("")
        else
            die "$spec is not in Debian $SUITE any more: re-pin with 'scripts/rust-cross.sh pins' (and a cold build)"
        fi
    done <<<"$3"
    [ ${#want[@]} -gt 0 ] || return 0
    (cd "$dir" && papt_get download -q "${want[@]}" >&2) || die "apt-get download failed"
    local i name arch version file
    for i in "${!want[@]}"; do
        [ -n "${sums[$i]}" ] || continue # replaced: checked by apt only
        spec=${want[$i]} name=${spec%%:*} arch=${spec#*:} version=${spec#*=}
        arch=${arch%%=*}
        # apt-get download's file name, an epoch's ':' as %3a.
        file=$dir/${name}_${version//:/%3a}_$arch.deb
        [ -f "$file" ] || die "apt-get download gave no $file"
        echo "${sums[$i]}  $file" | sha256sum -c --quiet - >&2 || die "SHA256 mismatch for $spec"
    done
}

# --- install ---------------------------------------------------------------

pins_stamp() { sha256sum <<<"$COMPILER_PINS$RUNTIME_PINS" | cut -c1-16; }

# The wrappers: each tool run by trixie's loader with trixie's libraries
# (--library-path, not LD_LIBRARY_PATH: children keep the host's).
write_wrappers() {
    local bin=$1/bin tool
    mkdir -p "$bin"
    for tool in rustc rustdoc cargo; do
        cat >"$bin/$tool" <<'EOF'
#!/bin/sh
# Written by scripts/rust-cross.sh: Debian's TOOL with the glibc and
# libraries unpacked beside it (the host's are too old for it).
bin=$(cd "$(dirname "$0")" && pwd)
lib=${bin%/bin}/root/usr/lib/x86_64-linux-gnu
EOF
        if [ "$tool" = cargo ]; then
            cat >>"$bin/$tool" <<'EOF'
# cargo runs these; CARGO because its own path would be the loader's.
export RUSTC="$bin/rustc" RUSTDOC="$bin/rustdoc" CARGO="$bin/cargo"
EOF
        fi
        cat >>"$bin/$tool" <<'EOF'
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" --argv0 "$0" "${bin%/bin}/root/usr/bin/TOOL" "$@"
EOF
        sed -i "s/TOOL/$tool/g" "$bin/$tool"
        chmod +x "$bin/$tool"
    done
}

toolchain_ok() { [ "$(cat "$DEST/.toolchain" 2>/dev/null)" = "$(pins_stamp)" ]; }
std_pin() { grep "^libstd-rust-web-dev:$1=" <<<"$STD_PINS" || die "no std pinned for $1"; }
std_ok() { [ "$(cat "$DEST/.std-$1" 2>/dev/null)" = "$(std_pin "$1")" ]; }

install_toolchain() {
    local t0=$SECONDS tmp new=$DEST.new
    say "installing Debian's Rust $RUST_DEB_VERSION into $DEST"
    tmp=$(mktemp -d "$TOOLS/debs.XXXXXX")
    fetch_pins "$tmp" exact "$COMPILER_PINS"
    fetch_pins "$tmp" current "$RUNTIME_PINS"
    rm -rf "$new" && mkdir -p "$new/root"
    local deb
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$new/root"; done
    rm -rf "$tmp"
    write_wrappers "$new"
    # It must start: a missing library shows here, named by the loader.
    "$new/bin/rustc" -vV >&2 || die "the unpacked rustc does not run"
    "$new/bin/cargo" -V >&2 || die "the unpacked cargo does not run"
    rm -rf "$DEST" && mv "$new" "$DEST"
    # The std of other targets goes in beside it again.
    rm -f "$DEST"/.std-*
    pins_stamp >"$DEST/.toolchain"
    say "toolchain installed in $((SECONDS - t0))s"
}

# install_std DEBARCH: the standard library for another target architecture
# (amd64's is in the toolchain: build scripts and proc-macros need it).
install_std() {
    local arch=$1 pin tmp deb
    pin=$(std_pin "$arch")
    say "installing the $arch standard library"
    tmp=$(mktemp -d "$TOOLS/debs.XXXXXX")
    fetch_pins "$tmp" exact "$pin"
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$DEST/root"; done
    rm -rf "$tmp"
    echo "$pin" >"$DEST/.std-$arch"
}

# ensure_linker: bookworm's gcc for the target, with its static libc.a.
ensure_linker() {
    local libc_a=/usr/$gnu/lib/libc.a pkgs
    [ "$debarch" = amd64 ] && libc_a=/usr/lib/x86_64-linux-gnu/libc.a
    command -v "$gnu-gcc" >/dev/null && [ -f "$libc_a" ] && return
    pkgs="gcc-$gnu libc6-dev-$debarch-cross"
    [ "$debarch" = amd64 ] && pkgs="gcc libc6-dev"
    say "installing the linker for $triple: $pkgs"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086 # two package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs >/dev/null ||
        die "apt-get install $pkgs failed"
}

# install PLATFORM...: what is missing of the toolchain and the platforms'
# standard libraries; nothing to do (no network) when all is there.
install() {
    local p a archs=() todo=()
    for p in "$@"; do
        platform_vars "$p"
        [ "$debarch" = amd64 ] || archs+=("$debarch")
    done
    for a in "${archs[@]}"; do std_ok "$a" || todo+=("$a"); done
    toolchain_ok && [ ${#todo[@]} -eq 0 ] && return
    [ "$(uname -m)" = x86_64 ] || die "the pinned toolchain runs on x86_64 hosts only"
    command -v dpkg-deb >/dev/null || die "dpkg-deb is needed"
    mkdir -p "$TOOLS"
    apt_private "${archs[@]}"
    toolchain_ok || install_toolchain
    for a in "${archs[@]}"; do std_ok "$a" || install_std "$a"; done
}

# --- build -----------------------------------------------------------------

build() {
    local p out upper t0 cargo_home=${CARGO_HOME:-$HOME/.cargo} rev
    # The commit `gofront version` names (read at compile time).
    rev=$(scripts/version.sh revision)
    # Build scripts and proc-macros are linked for the host by the host's
    # gcc, named the same way in every build: a different host linker would
    # make cargo rebuild all of them (and so everything) per platform.
    platform_vars linux/amd64
    ensure_linker
    for p in "$@"; do
        platform_vars "$p"
        ensure_linker
        install "$p"
        say "building gofront for $p ($triple)"
        t0=$SECONDS
        upper=$(tr 'a-z-' 'A-Z_' <<<"$triple")
        # Static glibc (pitfall P12: RUSTFLAGS only with an explicit --target,
        # or they leak into proc-macros). The cargo home is remapped so the
        # panic locations of dependencies, and so the binary, do not depend
        # on where this machine keeps it. CARGO_ENCODED_RUSTFLAGS: a path
        # may have spaces. A caller's wrappers and flags must not leak in.
        env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u RUSTC_WRAPPER -u RUSTC_WORKSPACE_WRAPPER \
            -u CARGO_BUILD_TARGET -u CARGO_BUILD_RUSTC -u RUSTC -u RUSTDOC \
            CARGO_TARGET_DIR="$TARGET_DIR" GOFRONT_REVISION="$rev" \
            CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu-gcc \
            "CARGO_TARGET_${upper}_LINKER=$gnu-gcc" \
            CARGO_ENCODED_RUSTFLAGS="$(printf '%s\037%s' -Ctarget-feature=+crt-static "--remap-path-prefix=$cargo_home=/cargo")" \
            "$DEST/bin/cargo" build --release --locked --target "$triple" ||
            die "cargo build for $triple failed"
        out=$TARGET_DIR/$triple/release/gofront
        # The image has nothing else: no program interpreter, right machine.
        readelf -h "$out" | grep -q "Machine: *$elf\$" || die "$out is not a $elf binary"
        if readelf -l "$out" | grep -q 'Requesting program interpreter'; then
            die "$out is dynamically linked"
        fi
        say "$out: static $elf, $(stat -c %s "$out") bytes, $((SECONDS - t0))s"
        echo "$out"
    done
}

# --- pins ------------------------------------------------------------------

# pin_line SPEC: "package:arch=version sha256" of what the suite has.
pin_line() {
    papt_cache show --no-all-versions "$1" |
        awk '/^Package:/ {p = $2} /^Architecture:/ {a = $2} /^Version:/ {v = $2} /^SHA256:/ {h = $2}
             END { if (h) print p ":" a "=" v, h }'
}

pins() {
    local v=${1:-} series roots lib
    apt_private arm64 ppc64el riscv64 s390x
    [ -n "$v" ] || v=$(papt_cache show --no-all-versions rustc-web:amd64 | sed -n 's/^Version: //p')
    [ -n "$v" ] || die "no rustc-web in $SUITE"
    series=${v%%+*}
    series=${series%.*} # 1.96.0+dfsg1-1... -> 1.96
    echo "RUST_DEB_VERSION=$v"
    echo "COMPILER_PINS='"
    {
        for lib in rustc-web cargo-web "libstd-rust-web-$series" libstd-rust-web-dev; do pin_line "$lib:amd64=$v"; done
        papt_cache show "libstd-rust-web-$series:amd64=$v" | sed -n 's/^Depends: //p' | tr ',' '\n' |
            sed -n 's/^ *\(libllvm[0-9]*\).*/\1/p' | while read -r lib; do pin_line "$lib:amd64"; done
    } | sort
    echo "'"
    echo "STD_PINS='"
    for lib in arm64 ppc64el riscv64 s390x; do pin_line "libstd-rust-web-dev:$lib=$v"; done
    echo "'"
    # The shared libraries that rustc, cargo and std depend on, and theirs
    # (LLVM itself is pinned with the compiler above): not gcc, binutils or
    # libc-dev (the host's linker is used).
    roots=$(papt_cache show "rustc-web:amd64=$v" "cargo-web:amd64=$v" "libstd-rust-web-$series:amd64=$v" |
        sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | sed 's/[,|]/\n/g' | sed 's/^ *//; s/[ :].*//' |
        grep -E '^(lib|zlib)' | grep -vE -- '-dev$|^libstd-rust' | sort -u)
    echo "RUNTIME_PINS='"
    # shellcheck disable=SC2086 # a list of package names
    papt_cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances $roots | grep -v '^ ' | grep -v ':' | grep -v '^<' |
        grep -vE '^libllvm' | sort -u | while read -r lib; do pin_line "$lib:amd64"; done
    echo "'"
}

case ${1:-} in
    install) shift; [ $# -gt 0 ] || set -- linux/amd64 linux/arm64; install "$@" ;;
    build) shift; [ $# -gt 0 ] || usage; build "$@" ;;
    pins) shift; pins "$@" ;;
    *) usage ;;
esac
