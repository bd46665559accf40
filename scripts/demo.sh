#!/bin/bash
# nook's main job on a fresh Debian machine with Node, offline: set up (Debian
# packages when root, the pinned Deno from npm, the C shim), build a rootfs
# from the host's busybox-static, and run a container in it.
#
# Usage: bash scripts/demo.sh [COMMAND [ARG...]]
#   default command: a shell that shows what the container sees
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/provision.sh >/dev/null
elif ! command -v cc >/dev/null || [ ! -x /bin/busybox ] || ! command -v newuidmap >/dev/null; then
  echo "demo: needs a C compiler, busybox-static and uidmap: sudo apt-get install gcc busybox-static uidmap" >&2
  exit 1
fi
[ -x node_modules/.bin/deno ] || npm ci --no-audit --no-fund --loglevel=error </dev/null
deno=./node_modules/.bin/deno
[ -f "shim/build/libnook_shim-$(uname -m).so" ] || sh scripts/build_shim.sh >/dev/null

rootfs=${XDG_DATA_HOME:-$HOME/.local/share}/nook/rootfs/busybox
if [ ! -x "$rootfs/bin/sh" ]; then
  mkdir -p "$rootfs"
  "$deno" run -A scripts/busybox_rootfs.ts "$rootfs"
fi

if [ "$#" -eq 0 ]; then
  set -- sh -c 'echo "hello from container $(hostname), pid $$, uid $(id -u)"; echo "processes:"; ps; echo "network:"; ls /sys/class/net; echo "uid map:"; cat /proc/self/uid_map'
fi
echo "+ nook run --rm --rootfs $rootfs $*" >&2
exec "$deno" run -A cli/main.ts run --rm --rootfs "$rootfs" "$@"
