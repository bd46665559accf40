#!/bin/sh
# Builds nook's CLI for Node and Bun into OUTDIR (used by scripts/build.sh for
# dist/node and by scripts/build_npm.ts for the package's esm/):
#   OUTDIR/LOADER.js      cli/node_loader.ts: what `node`/`bun` is given
#   OUTDIR/ESM.js + chunks the split ESM bundle of ENTRY, which Bun runs
#   OUTDIR/nook-<sha>.cjs one CommonJS file of ENTRY, which Node runs through
#                         V8's code cache (the hash in its name keys the cache)
# Usage: build_node.sh ENTRY OUTDIR LOADER ESM [--shebang]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
esbuild="$here/node_modules/.bin/esbuild"
entry=$1 out=$2 loader=$3 esm=$4
banner=
[ "${5:-}" = --shebang ] && banner='--banner:js=#!/usr/bin/env node'
mkdir -p "$out"
echo '{ "type": "module" }' >"$out/package.json"
common="--bundle --platform=neutral --log-level=warning --external:node:* --external:koffi
  --define:import.meta.main=false --target=node20"
# shellcheck disable=SC2086 # $common is a list of options
"$esbuild" "$esm=$entry" $common --format=esm --splitting --outdir="$out"
# shellcheck disable=SC2086
"$esbuild" "$entry" $common --format=cjs --outfile="$out/nook.cjs.tmp" \
  --define:import.meta.url=__nookMetaUrl
# import() in a script run from V8's code cache has no loader to go to (Node
# 20: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): the lazily loaded built-ins are required.
sed -i -E 's/([^A-Za-z0-9_$.])import\("(node:[a-z_/]+)"\)/\1Promise.resolve().then(() => require("\2"))/g' \
  "$out/nook.cjs.tmp"
if grep -nE '(^|[^A-Za-z0-9_$.])import\(' "$out/nook.cjs.tmp"; then
  echo "build_node.sh: an import() is left in the CommonJS bundle (above): Node cannot run it from its code cache" >&2
  exit 1
fi
# The name keys Node's code caches: it covers the loader too, which compiles the bundle.
sum=$(cat "$out/nook.cjs.tmp" "$here/cli/node_loader.ts" | sha256sum | cut -c1-16)
rm -f "$out"/nook-*.cjs
mv "$out/nook.cjs.tmp" "$out/nook-$sum.cjs"
# shellcheck disable=SC2086
"$esbuild" "$here/cli/node_loader.ts" $common --format=esm --outfile="$out/$loader.js" \
  --define:NOOK_CJS="\"nook-$sum.cjs\"" --define:NOOK_ESM="\"./$esm.js\"" \
  --external:"./$esm.js" ${banner:+"$banner"}
