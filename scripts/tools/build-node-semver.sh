#!/usr/bin/env bash
# Install npm's own `semver` package (the reference implementation of npm ranges) into the
# test cache, so tests/deps/test_specs_npm.py can check devenv's range logic against it
# by running `node`. Needs node and npm (Debian's nodejs/npm, see install-system.sh).
#
#   scripts/tools/build-node-semver.sh      # last stdout line: the package folder
#
# Cache: ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/node-semver/node_modules/semver
set -euo pipefail

SEMVER_VERSION=7.8.6

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
DIR="$CACHE/node-semver"
PKG="$DIR/node_modules/semver"
log() { echo "build-node-semver: $*" >&2; }

if [[ -f "$PKG/package.json" ]] && node -e "process.exit(require('$PKG/package.json').version === '$SEMVER_VERSION' ? 0 : 1)" 2>/dev/null; then
  log "cached: $PKG"
  echo "$PKG"
  exit 0
fi

command -v node >/dev/null || { log "node is not installed"; exit 1; }
command -v npm >/dev/null || { log "npm is not installed"; exit 1; }
mkdir -p "$DIR"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-node-semver.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log "installing semver@$SEMVER_VERSION"
npm install --prefix "$WORK" --no-audit --no-fund --no-save --loglevel=error "semver@$SEMVER_VERSION" >&2
node -e "const s=require('$WORK/node_modules/semver'); if (!s.satisfies('1.4.0', '^1.3.9')) process.exit(1)"
rm -rf "$DIR/node_modules"
mkdir -p "$DIR/node_modules"
mv "$WORK/node_modules/semver" "$PKG"
log "ok: $PKG"
echo "$PKG"
