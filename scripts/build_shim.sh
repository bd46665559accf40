#!/bin/sh
# Builds the C shim into shim/build/libnook_shim-<arch>.so, and the container
# monitor into shim/build/nook-monitor-<arch>, with the system compiler.
# Usage: sh scripts/build_shim.sh [CC]   (CC defaults to $CC or cc)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cc=${1:-${CC:-cc}}
arch=$($cc -dumpmachine | cut -d- -f1)
out="$here/shim/build"
mkdir -p "$out"
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
