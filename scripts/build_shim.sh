#!/bin/sh
# Builds the C shim into shim/build/libnook_shim-<arch>.so, and the container
# monitor into shim/build/nook-monitor-<arch>, with the system compiler; then,
# on a host that is not aarch64, the same for aarch64 with Debian's cross
# compiler (package gcc-aarch64-linux-gnu) when it is installed: the npm
# package carries both (scripts/build_npm.ts).
# Usage: sh scripts/build_shim.sh [CC]   (CC defaults to $CC or cc)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/shim/build"
mkdir -p "$out"

# build CC: the shim and the monitor for the architecture CC compiles for.
build() {
  cc=$1
  arch=$($cc -dumpmachine | cut -d- -f1)
  tmp="$out/.libnook_shim-$arch.so.$$"
  # shellcheck disable=SC2086
  $cc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
    -D_GNU_SOURCE -Wl,--version-script="$here/shim/src/exports.map" \
    -o "$tmp" "$here"/shim/src/*.c
  mv -f "$tmp" "$out/libnook_shim-$arch.so"
  echo "built shim/build/libnook_shim-$arch.so"
  # The container monitor: a small executable with the shim's spawn code linked in.
  tmp="$out/.nook-monitor-$arch.$$"
  # shellcheck disable=SC2086
  $cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$tmp" \
    "$here"/shim/monitor/*.c "$here"/shim/src/*.c
  mv -f "$tmp" "$out/nook-monitor-$arch"
  echo "built shim/build/nook-monitor-$arch"
}

build "${1:-${CC:-cc}}"
cross=aarch64-linux-gnu-gcc
if [ "$arch" != aarch64 ] && command -v "$cross" >/dev/null 2>&1; then
  build "$cross"
fi
