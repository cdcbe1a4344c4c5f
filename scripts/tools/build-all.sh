#!/usr/bin/env bash
# Install system packages, then build every cached tool the integration tests
# need. Builds run one after another: the machines have 2 cores, and parallel
# Go builds only thrash. Cold: ~27 CPU-min, ~14-17 min on an idle machine (docs/dev-cluster.md,
# "CI time"); warm: well under a second per tool.
#
#   scripts/tools/build-all.sh [--smoke]   # --smoke is passed to build-kube.sh
#
# Exports nothing: tests locate binaries via the printed paths or the cache dir
# ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/bin/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
summary=()

step() { # step NAME CMD...: run, keep its stdout lines (paths) for the summary
  local start=$SECONDS out
  echo "build-all: == $1" >&2
  out="$("${@:2}")"
  while IFS= read -r line; do summary+=("$(printf '%-15s %s' "$1" "$line")"); done <<<"$out"
  summary[-1]+="  ($((SECONDS - start))s)"
}

step system "$HERE/install-system.sh"
step tilt "$HERE/build-tilt.sh"
step helm "$HERE/build-helm.sh"
step kube "$HERE/build-kube.sh" "$@"
step kube-node "$HERE/build-kube-node.sh"
step coredns "$HERE/build-coredns.sh"
step node-semver "$HERE/build-node-semver.sh"
step verdaccio "$HERE/install-verdaccio.sh"
step pytools "$HERE/install-pytools.sh"
step node "$HERE/install-node.sh"

echo "build-all: summary" >&2
printf '%s\n' "${summary[@]}"
