#!/bin/bash
# Prepares a Debian host for nook's tests. Run as root; safe to re-run.
#   - installs every Debian package a test uses (listed below and in README.md,
#     "Test dependencies"), and the compilers for the shim, with qemu-user to run
#     its aarch64 build; with --bench also bubblewrap charliecloud hyperfine podman
#     runc debootstrap, which only the benchmark runs
#   - user 'nooktest' with explicit /etc/subuid and /etc/subgid ranges
#   - user 'nooksingle' with no range at all (the single-mapping case)
#   - /run/user/<uid> for both, standing in for logind's XDG_RUNTIME_DIR
#   - /dev/fuse and /dev/net/tun mode 0666 when present (the usual distro modes)
# Usage: bash scripts/provision.sh [--bench]
set -euo pipefail

readonly TEST_USER=nooktest
readonly TEST_RANGE_START=300000
readonly TEST_RANGE_COUNT=65536
readonly SINGLE_USER=nooksingle

bench=0
for arg in "$@"; do
  case $arg in
    --bench) bench=1 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "provision: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "provision: must run as root (current uid $(id -u))" >&2
  exit 1
fi

say() { echo "provision: $*"; }

# Packages: apt-get update only when something is missing.
# tests/helpers.ts requireTool() names these packages when a tool is missing: keep the two in step.
packages=(uidmap busybox-static procps util-linux coreutils)
# Networking: the user-mode helpers pasta (package passt) and slirp4netns for published ports and a
# way out; ip (iproute2) and nft (nftables) for user-defined networks (bridge, veth, masquerade).
packages+=(passt slirp4netns iproute2 nftables)
# Image tests: a real registry, image tools independent of nook, TLS and htpasswd.
packages+=(docker-registry skopeo umoci openssl apache2-utils python3 zstd)
# Storage drivers: fuse-overlayfs is the fallback when the kernel refuses overlayfs in a user namespace.
packages+=(fuse-overlayfs)
# Node and npm: npm ci, and the tests of the npm package and of dist/node on Node.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# A C compiler for the shim.
command -v cc >/dev/null || packages+=(gcc libc6-dev)
# The npm package carries the shim for aarch64 too: a cross compiler (scripts/build_shim.sh),
# and qemu-user, whose qemu-aarch64 runs those files in tests/aarch64_test.ts.
if [ "$(uname -m)" != aarch64 ]; then packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user); fi
if [ "$bench" -eq 1 ]; then packages+=(bubblewrap charliecloud hyperfine podman runc debootstrap); fi
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
else
  say "packages present: ${packages[*]}"
fi

# Creates a user with a home and no automatic subordinate ranges (we write them).
ensure_user() {
  local name=$1
  if getent passwd "$name" >/dev/null; then
    say "user $name exists (uid $(id -u "$name"))"
  else
    useradd --create-home --shell /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$name"
    say "created user $name (uid $(id -u "$name"))"
  fi
}

# set_range FILE NAME UID [LINE]: drops every line of FILE for NAME or UID,
# then appends LINE if given. Rewrites FILE only when the content changes.
set_range() {
  local file=$1 name=$2 uid=$3 line=${4:-} tmp
  touch "$file"
  tmp=$(mktemp "$file.XXXXXX")
  awk -F: -v n="$name" -v u="$uid" '$1 != n && $1 != u' "$file" >"$tmp"
  if [ -n "$line" ]; then echo "$line" >>"$tmp"; fi
  if cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    say "$file unchanged for $name"
  else
    chmod 0644 "$tmp"
    mv -f "$tmp" "$file"
    say "$file updated for $name${line:+: $line}"
  fi
}

# Stands in for logind: an XDG_RUNTIME_DIR owned by the user, mode 0700.
ensure_runtime_dir() {
  local name=$1 uid dir
  uid=$(id -u "$name")
  dir=/run/user/$uid
  mkdir -p "$dir"
  chown "$name:$(id -g "$name")" "$dir"
  chmod 0700 "$dir"
  say "runtime dir $dir ready"
}

ensure_user "$TEST_USER"
ensure_user "$SINGLE_USER"
test_uid=$(id -u "$TEST_USER")
single_uid=$(id -u "$SINGLE_USER")
for file in /etc/subuid /etc/subgid; do
  set_range "$file" "$TEST_USER" "$test_uid" "$TEST_USER:$TEST_RANGE_START:$TEST_RANGE_COUNT"
  set_range "$file" "$SINGLE_USER" "$single_uid"
done
ensure_runtime_dir "$TEST_USER"
ensure_runtime_dir "$SINGLE_USER"

for dev in /dev/fuse /dev/net/tun; do
  if [ -c "$dev" ]; then
    chmod 0666 "$dev"
    say "$dev mode 0666"
  fi
done
say "done"
