# Shared shell helpers for the real-systemd harness: cache location, root names and the Debian
# mirror (read from this machine's apt configuration at run time, never hard-coded).
# Sourced by build-root.sh and boot.sh; not meant to be run directly.

UH_CACHE="${UNIT_HARDEN_CACHE:-${HOME:-/root}/.cache/unit-harden}"
UH_ROOTS="$UH_CACHE/roots"

uh_die() { echo "unit-harden: $*" >&2; exit 1; }

# uh_root_suite NAME -> "SUITE BACKPORTS" (BACKPORTS empty when the suite's own systemd is used)
uh_root_suite() {
  case "$1" in
    debian-254) echo "bookworm bookworm-backports" ;;
    debian-257) echo "trixie" ;;
    debian-262) echo "sid" ;;
    *) return 1 ;;
  esac
}

# Prints the URI of a Debian archive mirror from apt's sources (deb822 .sources files and one-line
# .list files). Prefers an entry serving this host's codename; $UNIT_HARDEN_MIRROR overrides.
uh_mirror() {
  if [ -n "${UNIT_HARDEN_MIRROR:-}" ]; then echo "$UNIT_HARDEN_MIRROR"; return 0; fi
  local codename="" f
  codename="$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")"
  local files=()
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 1
  awk -v want="$codename" '
    function flush() {
      if (uris != "" && types ~ /(^|[ \t])deb([ \t]|$)/) {
        n = split(suites, s, /[ \t]+/); m = split(uris, u, /[ \t]+/)
        for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (s[i] != "") cand(u[j], s[i])
      }
      uris = ""; suites = ""; types = ""
    }
    function cand(uri, suite) {
      if (uri !~ /^(https?|file):/) return
      if (suite == want && best == "") best = uri
      else if (suite ~ /^(bookworm|trixie|forky|sid|stable|testing|unstable)$/ && any == "") any = uri
    }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^Types:/  { sub(/^Types:[ \t]*/, ""); types = $0; next }
    /^URIs:/   { sub(/^URIs:[ \t]*/, ""); uris = $0; next }
    /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
    /^deb[ \t]/ {
      line = $0; sub(/^deb[ \t]+/, "", line)
      if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
      split(line, w, /[ \t]+/); cand(w[1], w[2]); next
    }
    END { flush(); if (best != "") print best; else if (any != "") print any; else exit 1 }
  ' "${files[@]}"
}

# Finds a writable cgroup2 hierarchy: /sys/fs/cgroup/unified (hybrid) or /sys/fs/cgroup (unified).
uh_cgroup2_base() {
  local d
  for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [ "$(stat -f -c %T "$d" 2>/dev/null)" = "cgroup2fs" ]; then
      local rel
      rel="$(sed -n 's/^0:://p' /proc/self/cgroup | head -n1)"
      echo "$d${rel%/}"
      return 0
    fi
  done
  return 1
}
