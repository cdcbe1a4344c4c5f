#!/usr/bin/env bash
# Install pipx and uv (pinned, from PyPI) for the install tests (tests/integration/test_install.py):
# devenv must install into another monorepo with `pipx install` or `uv tool install`.
#
#   scripts/tools/install-pytools.sh   # stdout: the paths of pipx and uv
#
# Cache: ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/pytools (a venv), linked into .../bin.
# Needs python3 >= 3.11 with venv. Cold: ~15 s; warm: instant.
set -euo pipefail

PIPX_VERSION=1.18.4
UV_VERSION=0.13.9

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
VENV="$CACHE/pytools"
PYTHON="${PYTHON:-python3}"
log() { echo "install-pytools: $*" >&2; }

have() { # have PACKAGE VERSION: the venv holds exactly that version
  "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version(sys.argv[1]) != sys.argv[2])' "$1" "$2" 2>/dev/null
}

if ! have pipx "$PIPX_VERSION" || ! have uv "$UV_VERSION"; then
  log "installing pipx $PIPX_VERSION and uv $UV_VERSION into $VENV"
  [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pipx==$PIPX_VERSION" "uv==$UV_VERSION" >&2
fi
mkdir -p "$CACHE/bin"
ln -sf "$VENV/bin/pipx" "$CACHE/bin/pipx"
ln -sf "$VENV/bin/uv" "$CACHE/bin/uv"
echo "$CACHE/bin/pipx"
echo "$CACHE/bin/uv"
