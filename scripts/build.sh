#!/bin/sh
# deno task build: the C shim and monitor, then the bundled CLI in dist/, which
# bin/nook runs: Deno then reads a few files instead of one cache lookup per
# module (measured: about 6 ms of CPU less per `nook run`).
#
# dist/main.js is split (one chunk per lazily loaded part). Commands whose
# whole code is small also get a single-file bundle dist/cmd/NAME.js, which
# bin/nook runs directly: one file loads faster than a dozen chunks (measured:
# `nook exec CTR true` 37.5 -> 27.8 ms), while a big one (run, pull: 250 KB
# with the image code) parses slower than its chunks. The limit, 166 KB, keeps
# exec and rm single (132-166 KB with cgroups, user networks and the
# container config's reader), and pull (168 KB) and ps (170 KB) split.
#
# dist/node/nook.js is the same CLI for Node and Bun (bin/nook-node, bin/nook-bun).
# The Deno bundles define NOOK_DENO_ONLY, so esbuild leaves the Node and Bun
# backends (lib/sys/sys_node.ts, shim/binding_ffi.ts) out of them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
esbuild="$here/node_modules/.bin/esbuild"
max_single=${NOOK_SINGLE_BUNDLE_MAX:-166000}
sh "$here/scripts/build_shim.sh"
rm -rf "$here/dist"
"$esbuild" "$here/cli/main.ts" --bundle --format=esm --platform=neutral \
  --splitting --outdir="$here/dist" --log-level=warning --external:"node:*" \
  --define:globalThis.NOOK_DENO_ONLY=true
# Deno loads every module a literal import() names when the program starts,
# to build its module graph: dist/main.js made it read and analyze all ~170
# chunks of every command. Chunks named through a URL are loaded when
# imported (measured: `nook --version` 31.5 -> 20.3 ms).
sed -i -E 's/\bimport\("(\.\/[^"]+\.js)"\)/import(new URL("\1", import.meta.url).href)/g' \
  "$here"/dist/*.js
stubs=$(mktemp -d)
trap 'rm -rf "$stubs"' EXIT
mkdir -p "$here/dist/cmd"
for file in "$here"/cli/commands/*.ts; do
  name=$(basename "$file" .ts)
  case $name in *_test) continue ;; esac
  cat >"$stubs/$name.ts" <<STUB
import { main } from "$file";
import { runStandalone } from "$here/cli/report.ts";
await runStandalone(main, new URL("../main.js", import.meta.url));
STUB
  out="$here/dist/cmd/$name.js"
  "$esbuild" "$stubs/$name.ts" --bundle --format=esm --platform=neutral \
    --outfile="$out" --log-level=warning --external:"node:*" \
    --define:globalThis.NOOK_DENO_ONLY=true
  if [ "$(wc -c <"$out")" -gt "$max_single" ]; then rm -f "$out"; fi
done
# Node and Bun: dist/node/nook.js (cli/node_loader.ts) starts, on Bun, the
# ESM bundle dist/node/main.js, split like dist/main.js, so that a command
# parses only its own code (measured: `bun nook.js --version` 46.6 -> 20.8 ms,
# `bun nook.js run --rm --rootfs DIR true` 58.4 -> 42.9 ms); on Node, the
# CommonJS bundle dist/node/nook-<hash>.cjs through V8's code cache (`node
# nook.js run --rm --rootfs DIR true` 73.4 -> 56.2 ms). koffi stays a package
# (it has a native addon), found in node_modules from dist/node/.
sh "$here/scripts/build_node.sh" "$here/cli/node_main.ts" "$here/dist/node" nook main
# The single binary dist/bin/nook (bun build --compile, under a second; deno task compile
# also makes the deno compile form where it can).
sh "$here/scripts/compile.sh" bun
echo "built dist/ (bundled CLI; single-file commands: $(ls "$here/dist/cmd" | sed 's/\.js$//' | tr '\n' ' '))"
