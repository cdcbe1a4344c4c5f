#!/usr/bin/env bash
# A new clone's first command: create .venv, install devenv, run `devenv onboard`.
#
#   scripts/onboard.sh [--yes] [other devenv onboard options]
#
# Needs only Python >= 3.11 (set PYTHON=/path/to/python3.11 if `python3` is older). Safe to run
# again: the install is skipped while pyproject.toml is unchanged. Exit code: devenv onboard's
# (0 ready, 1 something is missing: each missing piece is named with its install hint).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "onboard: $PYTHON not found: install Python >= 3.11 (e.g. apt-get install python3) or set PYTHON" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "onboard: devenv needs Python >= 3.11, found $("$PYTHON" --version 2>&1); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "onboard: $PYTHON cannot create virtualenvs: install the venv module (Debian: apt-get install python3-venv)" >&2
  exit 1
fi

stamp=.venv/.devenv-install
want="$("$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')"
if [[ ! -x .venv/bin/devenv || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "onboard: installing devenv into .venv" >&2
  [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -e . >&2
  echo "$want" >"$stamp"
fi

exec .venv/bin/devenv onboard "$@"
