#!/usr/bin/env bash
# Builds (once) a minimal Debian root with a newer systemd under $UNIT_HARDEN_CACHE/roots/NAME,
# using debootstrap and the mirror from this machine's apt sources. Idempotent and safe to interrupt:
# the root is built in a temporary directory and renamed into place only when complete.
#
# usage: build-root.sh NAME        NAME = debian-254 | debian-257 | debian-262
# exit:  0 built or already present; 1 failure
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

name="${1:-}"
read -r suite backports <<<"$(uh_root_suite "$name" || true)"
[ -n "${suite:-}" ] || uh_die "unknown root '$name' (expected debian-254, debian-257 or debian-262)"
[ "$(id -u)" = 0 ] || uh_die "building roots needs root"
command -v debootstrap >/dev/null || uh_die "debootstrap is not installed (apt-get install debootstrap)"
command -v unshare >/dev/null || uh_die "unshare (util-linux) is missing"
command -v flock >/dev/null || uh_die "flock (util-linux) is missing"

final="$UH_ROOTS/$name"
marker="$final/.unit-harden-root"
if [ -f "$marker" ]; then echo "unit-harden: root $name is ready: $final"; exit 0; fi

mkdir -p "$UH_ROOTS"
exec 9>"$UH_ROOTS/.$name.lock"
flock 9
if [ -f "$marker" ]; then echo "unit-harden: root $name is ready: $final"; exit 0; fi

# Leftovers of interrupted builds (we hold the lock, so nobody else is building this name).
for old in "$UH_ROOTS/.build-$name".*; do
  [ -e "$old" ] && rm -rf --one-file-system "$old"
done
if [ -e "$final" ]; then rm -rf --one-file-system "$final"; fi   # incomplete (no marker)

mirror="$(uh_mirror)" || uh_die "no Debian mirror found in /etc/apt/sources.list(.d); set UNIT_HARDEN_MIRROR"
tmp="$(mktemp -d "$UH_ROOTS/.build-$name.XXXXXX")"
chmod 755 "$tmp"   # it becomes /, which non-root services must be able to traverse
start=$(date +%s)
echo "unit-harden: building $name ($suite${backports:+ + $backports systemd}) in $tmp from $mirror"

# Everything runs in a private mount namespace, so mounts made by debootstrap or by us disappear
# with it even if this script is killed.
unshare --mount --propagation private -- bash -euo pipefail -c '
  tmp="$1"; suite="$2"; backports="$3"; mirror="$4"
  apt_opts=(-o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false)
  debootstrap --variant=minbase --include=systemd "$suite" "$tmp" "$mirror"
  printf "Acquire::Check-Valid-Until \"false\";\n" > "$tmp/etc/apt/apt.conf.d/99unit-harden"
  if [ -n "$backports" ]; then
    echo "deb $mirror $backports main" > "$tmp/etc/apt/sources.list.d/backports.list"
    mount -t proc proc "$tmp/proc"
    chroot "$tmp" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get "${apt_opts[@]}" update
    chroot "$tmp" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      apt-get "${apt_opts[@]}" install -y -t "$backports" systemd
    umount "$tmp/proc"
  fi
  chroot "$tmp" env PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get clean
' bash "$tmp" "$suite" "${backports:-}" "$mirror"

[ -x "$tmp/lib/systemd/systemd" ] || [ -x "$tmp/usr/lib/systemd/systemd" ] || uh_die "no systemd binary in $tmp"
[ -x "$tmp/bin/sleep" ] || [ -x "$tmp/usr/bin/sleep" ] || uh_die "no sleep binary in $tmp"
sd_ver="$(chroot "$tmp" dpkg-query -W -f '${Version}' systemd)"
sc_ver="$(chroot "$tmp" dpkg-query -W -f '${Version}' libseccomp2)"
{
  echo "name=$name"
  echo "suite=$suite${backports:++$backports}"
  echo "systemd=$sd_ver"
  echo "libseccomp=$sc_ver"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "seconds=$(( $(date +%s) - start ))"
} > "$tmp/.unit-harden-root"
mv -T "$tmp" "$final"
echo "unit-harden: root $name ready in $(( $(date +%s) - start ))s: systemd $sd_ver, libseccomp $sc_ver"
