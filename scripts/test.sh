#!/usr/bin/env bash
# The test command: from nothing to a full run of the suite against the real components.
#
#   scripts/test.sh [pytest args…]
#
# 1. Debian packages (docker.io, busybox-static, ripgrep, docker-registry) and the tools
#    built from Go modules (tilt, helm, kube-apiserver, etcd, kubectl), pipx and uv from PyPI
#    (install tests), cached in ~/.cache/devenv-test.
# 2. A virtualenv in .venv with devenv and its [test] extra.
# 3. pytest. With CI=true (or DEVENV_REQUIRE_ALL=1) a missing component fails instead of
#    skipping, and any skipped test fails the run. The 25 slowest tests are listed at the end
#    (where CI time goes; a --durations=N of your own comes later and wins). Tests run in
#    parallel workers (pytest-xdist, one per core; DEVENV_TEST_WORKERS=N, or `-n 0` for one
#    process): every test using a real server runs on one worker, in order (tests/conftest.py).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
bash scripts/tools/build-all.sh >&2
export PATH="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/bin:$PATH"

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >&2
.venv/bin/python -m pip install -q -e '.[test]' >&2

export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest --durations=25 -n "${DEVENV_TEST_WORKERS:-logical}" --dist loadgroup "$@"
