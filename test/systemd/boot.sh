#!/usr/bin/env bash
# Boots a real systemd as PID 1 of private PID/mount/cgroup/UTS/IPC/net namespaces, on a throw-away
# overlay of either this host's root ("/", Debian 12's systemd 252) or a cached debootstrap root,
# entered with pivot_root. Lives until its stdin reaches EOF (or "stop" is read), then kills the
# namespace's PID 1 and removes the cgroup it created; no mounts outlive the namespace.
#
# usage: boot.sh --state DIR --root DIR [--log-level LEVEL] [--remove-state]
#   DIR for --root: "/" for the host, or a root built by build-root.sh.
#   Files written to the state DIR: pid1 (host PID of the namespace's PID 1), console.log (the
#   manager's log, via a FIFO bound over /dev/kmsg), boot.log (this script's own messages).
#   --remove-state deletes the state DIR on exit.
#   Manual use: mkdir -p /tmp/x && sleep infinity | test/systemd/boot.sh --state /tmp/x --root /
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

if [ "${1:-}" = "--inner" ]; then
  # ---- PID 1 of the new namespaces: build the root and exec systemd. ----
  root="$2"; state="$3"; level="$4"
  ovl="$state/ovl"
  mount -t tmpfs -o mode=755,size=512m uh-ovl "$ovl"
  mkdir "$ovl/upper" "$ovl/work" "$ovl/merged"
  mount -t overlay uh-root -o "lowerdir=$root,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/merged"
  m="$ovl/merged"
  mount -t proc -o nosuid,nodev,noexec proc "$m/proc"
  mount --bind "$m/proc/sys" "$m/proc/sys"
  mount -o remount,bind,ro,nosuid,nodev,noexec "$m/proc/sys"
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$m/sys"
  mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$m/sys/fs/cgroup"
  # A private /dev: a few host device nodes, a new devpts instance, and the console FIFO.
  mount -t tmpfs -o mode=755,nosuid,size=4m uh-dev "$m/dev"
  for n in null zero full random urandom tty; do
    touch "$m/dev/$n"; mount --bind "/dev/$n" "$m/dev/$n"
  done
  # systemd only logs to a console that isatty(); /dev/kmsg has no such check, so the manager logs
  # with --log-target=kmsg into a FIFO standing in for /dev/kmsg (the host's kernel log is untouched).
  touch "$m/dev/kmsg"; mount --bind "$state/console.fifo" "$m/dev/kmsg"
  mkdir "$m/dev/pts" "$m/dev/shm" "$m/dev/mqueue"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620,nosuid,noexec devpts "$m/dev/pts"
  ln -s pts/ptmx "$m/dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev uh-shm "$m/dev/shm"
  ln -s /proc/self/fd "$m/dev/fd"
  ln -s /proc/self/fd/0 "$m/dev/stdin"; ln -s /proc/self/fd/1 "$m/dev/stdout"; ln -s /proc/self/fd/2 "$m/dev/stderr"
  mount -t tmpfs -o mode=755,nosuid,nodev uh-run "$m/run"
  mount -t tmpfs -o mode=1777,nosuid,nodev uh-tmp "$m/tmp"
  mkdir -p "$m/run/systemd/system/service.d"
  printf '[Unit]\nDescription=unit-harden idle target\n' > "$m/run/systemd/system/unit-harden.target"
  # Test units must not pull in the root's boot transaction (sysinit.target, basic.target...).
  printf '[Unit]\nDefaultDependencies=no\n' > "$m/run/systemd/system/service.d/00-unit-harden.conf"
  # No journald here: send service output to /dev/null by default (units may still override it).
  # Set in system.conf.d (on the overlay), because daemon-reload re-reads that but not argv.
  mkdir -p "$m/etc/systemd/system.conf.d"
  printf '[Manager]\nDefaultStandardOutput=null\nDefaultStandardError=null\n' > "$m/etc/systemd/system.conf.d/zz-unit-harden.conf"
  sd=/lib/systemd/systemd
  [ -x "$m$sd" ] || sd=/usr/lib/systemd/systemd
  cd "$m"
  pivot_root . .
  umount -l .
  cd /
  exec env -i container=unit-harden PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    "$sd" --system --unit=unit-harden.target --log-target=kmsg --log-level="$level" \
    --log-color=no --log-location=no --show-status=no </dev/null >/dev/null 2>&1
fi

# ---- Outer part: runs in the host's namespaces. ----
# If the harness dies, writes to its pipes must fail quietly instead of killing us mid-cleanup.
trap '' PIPE
state="" root="" level="${UNIT_HARDEN_LOG_LEVEL:-info}" remove_state=""
while [ $# -gt 0 ]; do
  case "$1" in
    --state) state="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --log-level) level="$2"; shift 2 ;;
    --remove-state) remove_state=1; shift ;;
    *) uh_die "unknown argument $1" ;;
  esac
done
[ -n "$state" ] && [ -d "$state" ] || uh_die "--state DIR (an existing directory) is required"
[ -n "$root" ] && [ -d "$root" ] || uh_die "--root DIR is required"
[ "$(id -u)" = 0 ] || uh_die "must run as root"
state="$(cd "$state" && pwd)"; root="$(cd "$root" && pwd)"
[ -x "$root/lib/systemd/systemd" ] || [ -x "$root/usr/lib/systemd/systemd" ] || uh_die "no systemd in $root"

cgbase="$(uh_cgroup2_base)" || uh_die "no writable cgroup2 hierarchy (looked at /sys/fs/cgroup/unified and /sys/fs/cgroup)"
cg="$cgbase/unit-harden-$$-$RANDOM"
mkdir -p "$state/ovl"
rm -f "$state/console.fifo" "$state/pid1"
mkfifo -m 600 "$state/console.fifo"
: > "$state/console.log"
# The reader opens the FIFO read-write, so it never sees EOF while systemd reopens the console per message.
cat 0<>"$state/console.fifo" >>"$state/console.log" &
reader=$!
U=""; pid1=""; requested=""

cleanup() {
  set +e
  local i
  # Killing the namespace's PID 1 kills every process in it; unshare then reaps it and exits.
  [ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null
  if [ -n "$U" ]; then
    [ -z "$pid1" ] && kill -KILL "$U" 2>/dev/null
    # Watchdog in case PID 1 cannot die; its sleep is killed with it, so nothing lingers.
    ( sleep 10 >/dev/null 2>&1 & s=$!; trap 'kill $s 2>/dev/null; exit 0' TERM; wait $s; kill -KILL "$U" 2>/dev/null ) >/dev/null 2>&1 &
    local wd=$!
    wait "$U" 2>/dev/null
    kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
  fi
  if [ -d "$cg" ]; then
    for i in $(seq 1 100); do
      find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$cg" ] || break
      sleep 0.05
    done
    [ -d "$cg" ] && echo "unit-harden: could not remove cgroup $cg" >&2
  fi
  kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null
  if [ -z "$requested" ]; then
    # The namespace ended by itself (or never started): show why before the state may go.
    echo "unit-harden: the manager exited unexpectedly; boot.log:" >&2
    tail -n 50 "$state/boot.log" >&2
    echo "unit-harden: last manager log lines:" >&2
    tail -n 50 "$state/console.log" >&2
  fi
  if [ -n "$remove_state" ]; then rm -rf --one-file-system "$state"; else echo "stopped" > "$state/stopped"; fi
}
trap cleanup EXIT
trap 'requested=1; exit 130' INT TERM HUP

mkdir "$cg"
# Only the process that becomes the namespace's parent enters the new cgroup.
sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
  unshare --pid --fork --kill-child --mount --propagation private --cgroup --uts --ipc --net -- \
  bash "$here/boot.sh" --inner "$root" "$state" "$level" </dev/null >>"$state/boot.log" 2>&1 &
U=$!
for i in $(seq 1 200); do
  pid1="$(cat "/proc/$U/task/$U/children" 2>/dev/null | awk '{print $1}')"
  [ -n "$pid1" ] && break
  kill -0 "$U" 2>/dev/null || break
  sleep 0.05
done
[ -n "$pid1" ] || uh_die "the namespace's PID 1 did not appear (see $state/boot.log)"
echo "$pid1" > "$state/pid1"
echo "unit-harden: namespace PID 1 is host PID $pid1 (cgroup $cg)"

# Watchdog: stop on EOF or "stop" on stdin (the harness closes it, or dies), or when the namespace ends.
while kill -0 "$U" 2>/dev/null; do
  if read -r -t 1 line; then
    [ "$line" = "stop" ] && { requested=1; break; }
  else
    rc=$?
    [ "$rc" -gt 128 ] || { requested=1; break; }
  fi
done
