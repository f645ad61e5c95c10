#!/usr/bin/env bash
# Installs what the real-client tests need, outside the repo: code-server 4.96.4 (the real VS Code
# workbench + server, npm only, no GitHub downloads) into a cache folder, and Debian's chromium and
# ripgrep (plus neovim with --nvim) when missing. Idempotent: a cached install returns at once.
# Prints the code-server entry script (out/node/entry.js) as the last line of stdout. Concurrent
# runs (several worktrees, one cache) take turns through a lock file in the cache folder.
set -euo pipefail

VERSION=4.96.4
CACHE="${UNIT_HARDEN_CACHE:-$HOME/.cache/unit-harden}"
DEST="$CACHE/code-server-$VERSION"
STAMP="$DEST/.unit-harden-complete"
ENTRY="$DEST/node_modules/code-server/out/node/entry.js"
want_nvim=0
for arg in "$@"; do
  case "$arg" in
    --nvim) want_nvim=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[setup] $*" >&2; }

# --- one installer at a time -----------------------------------------------------------------
# e2e runs from several worktrees share this cache (and apt's lock): a second setup waits for the
# first instead of installing in parallel and replacing the folder a running test is using.
mkdir -p "$CACHE"
exec 9>"$CACHE/.setup.lock"
if ! flock -n 9; then
  log "another setup is running (lock $CACHE/.setup.lock); waiting for it"
  flock -w 1800 9 || { log "gave up waiting for $CACHE/.setup.lock"; exit 3; }
fi

# --- Debian packages -------------------------------------------------------------------------
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
if [ "$want_nvim" = 1 ]; then command -v nvim >/dev/null || need_apt+=(neovim); fi
# node-gyp (argon2, spdlog) needs a compiler, make and python3.
command -v g++ >/dev/null || need_apt+=(g++)
command -v make >/dev/null || need_apt+=(make)
command -v python3 >/dev/null || need_apt+=(python3)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "missing: ${need_apt[*]} (install them with apt-get as root)"
    exit 3
  fi
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

# --- code-server -----------------------------------------------------------------------------
if [ -f "$STAMP" ] && [ -f "$ENTRY" ]; then
  echo "$ENTRY"
  exit 0
fi

case "$(node -p 'process.versions.node.split(".")[0]')" in
  20) ;;
  *) log "code-server $VERSION needs Node 20, found $(node --version)"; exit 3 ;;
esac

log "installing code-server $VERSION into $DEST"
start=$(date +%s)
mkdir -p "$CACHE"
WORK="$DEST.partial.$$"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo '{"private":true,"description":"code-server for unit-harden e2e tests"}' > package.json
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# 1. The package itself; its postinstall would fetch from GitHub, so do its steps by hand.
npm install "code-server@$VERSION" --ignore-scripts --no-save --loglevel=error >&2
CS="$WORK/node_modules/code-server"
VS="$CS/lib/vscode"

# 2. @vscode/proxy-agent resolves to a git+ssh URL on GitHub; the registry has the same tarball
#    (same version, same integrity).
node - "$VS/npm-shrinkwrap.json" <<'JS'
const fs = require('fs');
const file = process.argv[2];
const j = JSON.parse(fs.readFileSync(file, 'utf8'));
const e = j.packages && j.packages['node_modules/@vscode/proxy-agent'];
if (!e || e.version !== '0.27.0') throw new Error('unexpected @vscode/proxy-agent entry in ' + file);
e.resolved = 'https://registry.npmjs.org/@vscode/proxy-agent/-/proxy-agent-0.27.0.tgz';
fs.writeFileSync(file, JSON.stringify(j, null, 2) + '\n');
JS

# 3. VS Code's own dependencies and the built-in extensions' shared dependencies.
(cd "$VS" && npm install --omit=dev --ignore-scripts --loglevel=error >&2)
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --loglevel=error >&2 && node postinstall.mjs >/dev/null)

# 4. What postinstall.sh links.
ln -sfn node_modules "$VS/node_modules.asar"
ln -sfn code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VS/bin/helpers/browser.sh"

# 5. ripgrep from Debian instead of a GitHub download.
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sfn "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"

# 6. Native modules: argon2 (code-server's auth, loaded at start), spdlog (log files and output
#    channels), native-watchdog (extension host watchdog). Built from source, no prebuilt download.
npm rebuild argon2 --build-from-source --loglevel=error >&2
(cd "$VS" && npm rebuild @vscode/spdlog native-watchdog --loglevel=error >&2)

# Sanity: the server module loads its native bindings.
node -e "require('$WORK/node_modules/argon2'); require('$VS/node_modules/@vscode/spdlog')" >&2

# Publish atomically: a half-done install is never mistaken for a complete one.
date -u +%FT%TZ > "$WORK/.unit-harden-complete"
rm -rf "$DEST"
mv "$WORK" "$DEST"
trap - EXIT
log "code-server $VERSION installed in $(( $(date +%s) - start )) s"
echo "$ENTRY"
