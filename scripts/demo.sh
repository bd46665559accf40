#!/bin/bash
# nook's main job on a fresh Debian machine with Node, offline: set up (Debian
# packages when root, the pinned Deno from npm, the C shim and the bundled
# CLI), make an image from the host's busybox-static, and run a container of it.
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

[ -f dist/main.js ] || "$deno" task build >/dev/null
nook=bin/nook

# The default image, made offline from what the host has: busybox-static as a
# one-layer image, localhost/busybox:host (imported once into nook's store).
image=localhost/busybox:host
if ! "$nook" image inspect "$image" >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  "$deno" run -A scripts/busybox_rootfs.ts "$rootfs"
  "$nook" import -q -c 'CMD ["sh"]' -m "busybox-static of this host" "$rootfs" "$image" >/dev/null
fi

if [ "$#" -eq 0 ]; then
  set -- sh -c 'echo "hello from container $(hostname), pid $$, uid $(id -u)"; echo "processes:"; ps; echo "network:"; ls /sys/class/net; echo "uid map:"; cat /proc/self/uid_map'
fi
echo "+ nook run --rm $image $*" >&2
echo "  (on a networked machine: bin/nook run --rm -it debian:12 bash)" >&2
"$nook" run --rm "$image" "$@"
