#!/usr/bin/env bash
# code-server 4.100.3 (VS Code 1.100.3, the last release on Node 20) for the integration and
# end-to-end tests and the demo, installed offline-safe into .vscode-test/code-server. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.100.3
DIR=.vscode-test/code-server
BIN="$DIR/node_modules/.bin/code-server"
log() { printf '[code-server] %s\n' "$*"; }

if [ -x "$BIN" ] && [ "$(cat "$DIR/.installed" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

# Native modules build from source (their prebuilt binaries live on hosts we cannot reach).
missing=()
for pkg in build-essential python3 libkrb5-dev ripgrep; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# @vscode/ripgrep downloads rg from GitHub unless its cache already holds the archive: seed it
# with Debian's binary.
tmp=$(node -p 'require("os").tmpdir()')
cache="$tmp/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$cache"
  stage=$(mktemp -d)
  cp /usr/bin/rg "$stage/rg"
  tar -czf "$archive" -C "$stage" rg
  rm -rf "$stage"
fi

log "npm install code-server@$VERSION (a few minutes the first time)"
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{"name":"steplens-code-server","private":true}' > "$DIR/package.json"
(cd "$DIR" && npm_config_yes=true npm install --unsafe-perm --nodedir=/usr --no-audit --no-fund --loglevel=error "code-server@$VERSION" >/dev/null 2>&1) || {
  log "npm install failed; retrying with output"
  (cd "$DIR" && npm_config_yes=true npm install --unsafe-perm --nodedir=/usr --no-audit --no-fund "code-server@$VERSION")
}
echo "$VERSION" > "$DIR/.installed"
log "installed: $("$BIN" --version --config /dev/null 2>/dev/null | head -1)"
