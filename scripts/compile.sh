#!/bin/sh
# deno task compile: nook as one executable, with the shim library and the
# container monitor of shim/build/ embedded (cli/compiled_main.ts copies them
# to a per-user cache at the first start; shim/embedded_files.ts).
#
#   dist/bin/nook       bun build --compile (the Bun of node_modules; works offline)
#   dist/bin/nook-deno  deno compile, where Deno's runtime for compiled programs
#                       (denort) is at hand: DENORT_BIN, or already in Deno's
#                       cache (a networked `deno compile` downloads it there);
#                       otherwise this form is skipped, saying why.
#
# Usage: sh scripts/compile.sh [bun] [deno]   (default: both)
# Needs shim/build/ (scripts/build_shim.sh, or `deno task build`).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
forms=${*:-bun deno}
arch=$(uname -m)
shim="$here/shim/build/libnook_shim-$arch.so"
monitor="$here/shim/build/nook-monitor-$arch"
for f in "$shim" "$monitor"; do
  if [ ! -f "$f" ]; then
    echo "compile: '$f' is missing; build it first with 'deno task build'" >&2
    exit 1
  fi
done
mkdir -p "$here/dist/bin"
for form in $forms; do
  case $form in
  bun)
    # The Bun runtime in the binary would read .env and bunfig.toml from the
    # current directory: not for a tool run anywhere.
    "$here/node_modules/.bin/bun" build --compile --bytecode --format=esm --minify-syntax \
      --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
      --asset "$shim" --asset "$monitor" \
      --outfile "$here/dist/bin/nook" "$here/cli/compiled_main.ts" >/dev/null
    echo "compiled dist/bin/nook (bun build --compile, $(($(wc -c <"$here/dist/bin/nook") >> 20)) MiB)"
    ;;
  deno)
    deno="$here/node_modules/.bin/deno"
    version=$("$deno" eval --no-config 'console.log(Deno.version.deno)')
    target=$("$deno" eval --no-config 'console.log(Deno.build.target)')
    deno_dir=${DENO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/deno}
    cached="$deno_dir/dl/release/v$version/denort-$target.zip"
    if [ -z "${DENORT_BIN:-}" ] && [ ! -f "$cached" ]; then
      echo "compile: skipped dist/bin/nook-deno: deno compile needs Deno's runtime for" \
        "compiled programs (denort $version), which is neither in DENORT_BIN nor in" \
        "Deno's cache ($cached); set DENORT_BIN to an unzipped denort $version, or run" \
        "this once on a machine that can reach dl.deno.land" >&2
      continue
    fi
    "$deno" compile --quiet --no-check -A --no-config \
      --include "$shim" --include "$monitor" \
      --output "$here/dist/bin/nook-deno" "$here/cli/compiled_main.ts"
    echo "compiled dist/bin/nook-deno (deno compile, $(($(wc -c <"$here/dist/bin/nook-deno") >> 20)) MiB)"
    ;;
  *)
    echo "compile: unknown form '$form' (bun, deno)" >&2
    exit 2
    ;;
  esac
done
