#!/usr/bin/env bash
# From a fresh clone with Python >= 3.11: install devenv into .venv and render the example.
#
#   scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "quickstart: devenv needs Python >= 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=python3.11" >&2
  exit 1
}
[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q -e . >&2
.venv/bin/devenv render -f services.yaml
.venv/bin/devenv graph -f services.yaml
echo
echo "Next: source .venv/bin/activate && tilt up   (the Tiltfile is next to services.yaml)"
