#!/usr/bin/env bash
# Install Verdaccio (the npm registry the platform runs) from the npm registry, pinned, into
# the test cache, for the registry doctor tests (tests/fixtures/registries.py).
#
#   scripts/tools/install-verdaccio.sh   # last stdout line: path of the verdaccio entry point
#
# Cache: ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/verdaccio (node_modules/.bin/verdaccio)
# 6.5.2: the newest Verdaccio that runs on Debian bookworm's Node 18 (6.6+ wants 20, 6.9+ 22).
# Needs node >= 18 and npm (Debian's nodejs + npm are installed when missing). Cold: ~30 s.
set -euo pipefail

VERDACCIO_VERSION=6.5.2

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
DIR="$CACHE/verdaccio"
BIN="$DIR/node_modules/.bin/verdaccio"
log() { echo "install-verdaccio: $*" >&2; }

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  SUDO=()
  ((EUID == 0)) || SUDO=(sudo)
  log "installing Debian's nodejs and npm"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q update >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q \
    install --no-install-recommends nodejs npm >&2
fi

installed() { # the version npm recorded in the package's own package.json
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$DIR/node_modules/verdaccio/package.json" 2>/dev/null
}

if [[ -x "$BIN" && "$(installed)" == "$VERDACCIO_VERSION" ]]; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

# Install into a fresh folder, then swap it in: no half-installed cache is ever visible.
mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/verdaccio.tmp.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# verdaccio-audit asks for `node-fetch@cjs`, a dist-tag (= 2.7.0 upstream) that registry
# mirrors which keep only `latest` do not serve: pin what the tag names.
printf '{"name": "devenv-test-verdaccio", "private": true, "overrides": {"node-fetch": "2.7.0"}}\n' \
  >"$WORK/package.json"
log "npm install verdaccio@$VERDACCIO_VERSION"
start=$SECONDS
(cd "$WORK" && npm install --no-audit --no-fund --omit=dev --loglevel=error "verdaccio@$VERDACCIO_VERSION" >&2)
log "installed in $((SECONDS - start))s"
"$WORK/node_modules/.bin/verdaccio" --version >&2

rm -rf "$DIR.old"
[[ -d "$DIR" ]] && mv "$DIR" "$DIR.old"
mv "$WORK" "$DIR"
rm -rf "$DIR.old"
trap - EXIT
log "ok: $BIN"
echo "$BIN"
