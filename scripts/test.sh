#!/bin/bash
# Runs nook's test suite and ends with one line "<N> passed, <N> failed", or
# "<N> passed, <N> failed, <N> skipped" when tests were skipped, which it lists
# before, each by name with the reason (tests/helpers.ts testNeeds() puts the
# reason in the name of a test it skips; with CI=true a test that lacks a tool
# fails instead, naming the Debian package).
#
# As root (CI): provisions the host (scripts/provision.sh), builds the shim,
# copies the tree to /var/tmp/nook-ci/src and runs the tests there as the
# unprivileged user nooktest (with subordinate ranges), then
# tests/single_mapping_test.ts as nooksingle (without any range).
# As any other user: runs the tests in place; the single-mapping file only when
# the user has no /etc/subuid range.
#
# Usage: sh scripts/test.sh [FILE_OR_DIR...] [DENO_TEST_FLAG...]
#   e.g. sh scripts/test.sh tests/run_test.ts --filter "run()"
# Arguments naming an existing .ts file or directory select the test files;
# any other argument is passed to `deno test` as is.
# Environment: NOOK_TEST_TIMEOUT  seconds per run before it is killed (default 480)
#              NOOK_CI_DIR        where root copies the tree for the test users (default /var/tmp/nook-ci)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1

readonly CI_DIR=${NOOK_CI_DIR:-/var/tmp/nook-ci}
readonly SINGLE_FILE=tests/single_mapping_test.ts
readonly TEST_USER=nooktest
readonly SINGLE_USER=nooksingle
readonly TEST_DIRS=(tests lib cli)
timeout_s=${NOOK_TEST_TIMEOUT:-480}

passed=0
failed=0
log=$(mktemp /tmp/nook-test-log.XXXXXX)
# The skipped tests, one "FILE: NAME" a line.
skips=$(mktemp /tmp/nook-test-skips.XXXXXX)

note() { echo "test.sh: $*"; }

# Prints the skipped tests, then the summary line (always the last line of
# output), and exits.
finish() {
  skipped=$(wc -l <"$skips")
  if [ "$skipped" -gt 0 ]; then
    note "skipped ($skipped):"
    sed 's/^/  /' "$skips"
  fi
  rm -f "$log" "$skips"
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

# skip WHAT: lists one skipped test (or file) that never reached `deno test`.
skip() { echo "$1" >>"$skips"; }

# --- Arguments: test files (or dirs) and flags for `deno test` -------------
files=()
flags=()
selected=0
for arg in "$@"; do
  path=${arg#"$repo"/}
  if [[ $arg != -* && -d $path ]]; then
    selected=1
    while IFS= read -r f; do files+=("$f"); done < <(find "${path%/}" -name '*_test.ts' -type f | sort)
  elif [[ $arg != -* && $path == *.ts && -f $path ]]; then
    selected=1
    files+=("$path")
  else
    flags+=("$arg")
  fi
done
if [ "$selected" -eq 0 ]; then
  for dir in "${TEST_DIRS[@]}"; do
    [ -d "$dir" ] || continue
    while IFS= read -r f; do files+=("$f"); done < <(find "$dir" -name '*_test.ts' -type f | sort)
  done
fi
main_files=()
single_files=()
for f in "${files[@]}"; do
  if [ "$f" = "$SINGLE_FILE" ]; then single_files+=("$f"); else main_files+=("$f"); fi
done

# run_suite LABEL COMMAND...: runs one `deno test` and adds its summary to the
# totals, and its ignored tests ("NAME ... ignored") to the skipped ones. A
# run that fails without a summary (crash, type error, timeout) counts as one
# failed test.
run_suite() {
  local label=$1 rc summary p f
  shift
  note "== $label =="
  timeout --foreground --kill-after=30 "$timeout_s" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # "running N tests from ./FILE" names the file of the tests that follow.
  sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    /^running [0-9]+ tests? from / { file = $NF; next }
    / \.\.\. ignored \([0-9.]+[a-zµ]*s\)$/ {
      name = $0
      sub(/ \.\.\. ignored \([0-9.]+[a-zµ]*s\)$/, "", name)
      sub(/^ +/, "", name)
      print file ": " name
    }' >>"$skips"
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| ' | tail -n 1)
  if [ -z "$summary" ]; then
    if [ "$rc" -eq 124 ]; then
      note "$label: killed after ${timeout_s}s (NOOK_TEST_TIMEOUT), no summary: counted as 1 failed"
    else
      note "$label: exited with code $rc without a test summary: counted as 1 failed"
    fi
    failed=$((failed + 1))
    return
  fi
  p=$(grep -oE '[0-9]+ passed' <<<"$summary" | head -n 1 | cut -d' ' -f1)
  f=$(grep -oE '[0-9]+ failed' <<<"$summary" | head -n 1 | cut -d' ' -f1)
  p=${p:-0}
  f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    note "$label: exited with code $rc although no test failed: counted as 1 failed"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
}

# delegate_cgroup USER: prints the directory of a cgroup2 subtree delegated to
# USER, made as systemd makes one for user@UID.service (the directory and its
# cgroup.procs, cgroup.subtree_control and cgroup.threads owned by the user,
# the controllers the root offers enabled for it), with an empty leaf "tests"
# for the test run itself. Prints nothing when the host has no writable
# cgroup2 mount.
delegate_cgroup() {
  local user=$1 mount dir f
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mount=/sys/fs/cgroup
  elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
    mount=/sys/fs/cgroup/unified
  else
    return 0
  fi
  dir=$mount/nook-test-$user
  mkdir -p "$dir/tests" 2>/dev/null || return 0
  for f in $(cat "$mount/cgroup.controllers"); do
    echo "+$f" >"$mount/cgroup.subtree_control" 2>/dev/null || true
  done
  chown "$user" "$dir" "$dir/cgroup.procs" "$dir/cgroup.subtree_control" "$dir/cgroup.threads"
  chown -R "$user" "$dir/tests"
  echo "$dir"
}

# remove_cgroups DIR: removes the empty cgroups below DIR, deepest first.
remove_cgroups() {
  find "$1" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
}

# as_user USER FILE...: runs `deno test` on the copy as USER with a clean
# login-like environment. When the host has cgroup2, the run is placed in a
# subtree delegated to USER, named to the tests by NOOK_TEST_CGROUP.
as_user() {
  local user=$1 uid home cgroup
  shift
  uid=$(id -u "$user")
  home=$(getent passwd "$user" | cut -d: -f6)
  local env=(
    HOME="$home" USER="$user" LOGNAME="$user"
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    XDG_RUNTIME_DIR="/run/user/$uid" NOOK_TEST_REPO="$CI_DIR/src"
  )
  if [ -n "${CI:-}" ]; then env+=(CI="$CI"); fi
  if [ -n "${NO_COLOR:-}" ]; then env+=(NO_COLOR="$NO_COLOR"); fi
  cgroup=$(delegate_cgroup "$user")
  if [ -n "$cgroup" ]; then
    note "cgroup2 subtree delegated to $user: $cgroup (the tests run in $cgroup/tests)"
    env+=(NOOK_TEST_CGROUP="$cgroup")
  else
    note "no writable cgroup2 mount: the cgroup tests will skip"
  fi
  # The inner sh moves itself into the delegated leaf (as root: moving a
  # process needs write access to the common ancestor) before runuser.
  # shellcheck disable=SC2016 # expanded by the inner sh
  run_suite "deno test as $user (uid $uid) in $CI_DIR/src" \
    sh -c 'if [ -n "$1" ]; then echo $$ >"$1/tests/cgroup.procs"; fi; shift; exec "$@"' sh "$cgroup" \
    runuser -u "$user" -- env -i "${env[@]}" \
    sh -c 'cd "$0" && exec ./node_modules/.bin/deno test -A --no-prompt "$@"' \
    "$CI_DIR/src" "${flags[@]}" "$@"
  if [ -n "$cgroup" ]; then remove_cgroups "$cgroup"; fi
}

# --- Non-root: run in place -------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  deno=$repo/node_modules/.bin/deno
  [ -x "$deno" ] || deno=deno
  if [ "${#main_files[@]}" -gt 0 ]; then
    run_suite "deno test as $(id -un) (uid $(id -u))" \
      "$deno" test -A --no-prompt "${flags[@]}" "${main_files[@]}"
  fi
  if [ "${#single_files[@]}" -gt 0 ]; then
    if grep -qE "^($(id -un)|$(id -u)):" /etc/subuid 2>/dev/null; then
      note "skipping $SINGLE_FILE: $(id -un) has an /etc/subuid range (run as root to test as $SINGLE_USER)"
      skip "$SINGLE_FILE: every test (skipped: $(id -un) has an /etc/subuid range; run as root to test as $SINGLE_USER)"
    else
      run_suite "deno test $SINGLE_FILE as $(id -un) (no subordinate range)" \
        "$deno" test -A --no-prompt "${flags[@]}" "${single_files[@]}"
    fi
  fi
  finish
fi

# --- Root: provision, build, copy, run as the test users --------------------
if ! bash "$repo/scripts/provision.sh"; then
  note "scripts/provision.sh failed"
  failed=$((failed + 1))
  finish
fi

if [ ! -x node_modules/.bin/deno ]; then
  note "installing the pinned Deno and dev dependencies (npm ci)"
  npm ci --no-audit --no-fund </dev/null || note "npm ci failed"
fi

if compgen -G "shim/src/*.c" >/dev/null; then
  if ! sh scripts/build.sh; then
    note "building the shim failed"
    failed=$((failed + 1))
    finish
  fi
else
  note "shim/src has no .c files yet: not building the shim"
fi

if [ ! -x node_modules/.bin/deno ]; then
  note "node_modules/.bin/deno is missing: run 'npm ci' first"
  failed=$((failed + 1))
  finish
fi

# deno fmt --check, deno lint and deno check count as one more test.
note "== deno task check (fmt, lint, type check) =="
if ./node_modules/deno/deno task check </dev/null >"$log" 2>&1; then
  passed=$((passed + 1))
else
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -v '^Check ' | tail -20
  note "deno task check failed: counted as 1 failed"
  failed=$((failed + 1))
fi

note "copying the tree to $CI_DIR/src"
rm -rf "$CI_DIR/src"
mkdir -p "$CI_DIR/src"
chmod 0755 "$CI_DIR"
if ! tar -C "$repo" --exclude=./.git --exclude=./.bench -cf - . | tar -C "$CI_DIR/src" -xf -; then
  note "copying the tree to $CI_DIR/src failed"
  failed=$((failed + 1))
  finish
fi
chown -R "$TEST_USER:$(id -g "$TEST_USER")" "$CI_DIR/src"
chmod -R a+rX "$CI_DIR/src"

if [ "${#main_files[@]}" -gt 0 ]; then
  as_user "$TEST_USER" "${main_files[@]}"
else
  note "no test files for $TEST_USER"
fi
if [ "${#single_files[@]}" -gt 0 ]; then
  as_user "$SINGLE_USER" "${single_files[@]}"
fi
finish
