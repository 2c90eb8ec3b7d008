#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times a make target (default: sim) on a fresh Debian 12 machine: a new root file system
# made by mmdebstrap (--variant=apt, plus git and make, nothing else), a clone of this
# repository's HEAD inside it, and `time make TARGET` there - the Debian package installs
# that scripts/deps.sh does are part of the time, as on a new machine. Needs root and
# Debian's mirror; the root lives under WORK (default /tmp/tessera-fresh) and is removed
# afterwards unless KEEP=1.
#
#   sudo scripts/fresh_machine.sh [TARGET]      # e.g. sim (the default) or test
set -euo pipefail

target=${1:-sim}
work=${WORK:-/tmp/tessera-fresh}
mirror=${MIRROR:-http://deb.debian.org/debian}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)

if [[ $(id -u) -ne 0 ]]; then
  echo "fresh_machine: needs root (mmdebstrap, chroot, mounts)" >&2
  exit 2
fi
if [[ -e $work ]]; then
  echo "fresh_machine: $work exists; remove it or set WORK to a new directory" >&2
  exit 2
fi
command -v mmdebstrap > /dev/null || apt-get install -y --no-install-recommends mmdebstrap

root=$work/root
cleanup() {
  for m in src sys dev proc; do umount "$root/$m" 2> /dev/null || true; done
  # Never delete through a mount that is still there (src is this repository).
  if findmnt -rn -o TARGET | grep -q "^$root/"; then
    echo "fresh_machine: mounts remain under $root; not removing $work" >&2
  elif [[ ${KEEP:-0} != 1 ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

mkdir -p "$work"
echo "fresh_machine: a Debian 12 root in $root (not timed)"
mmdebstrap --quiet --variant=apt --include=git,make bookworm "$root" "$mirror" \
  "deb $mirror bookworm-updates main" "deb ${mirror%/debian}/debian-security bookworm-security main"
for m in proc dev sys; do mount --bind "/$m" "$root/$m"; done
mkdir -p "$root/src"
mount --bind "$repo" "$root/src"
chroot "$root" git clone --quiet /src /root/tessera

echo "fresh_machine: make $target in the new root (timed; package installs included)"
start=$(date +%s)
chroot "$root" bash -c "cd /root/tessera && make $target"
end=$(date +%s)
echo "fresh_machine: make $target took $((end - start)) s on $(nproc) cores ($(date -u +%F))"
