#!/usr/bin/env bash
# Build the rest of a single-node cluster from the Go module proxy, as build-kube.sh builds
# kube-apiserver: kube-controller-manager, kube-scheduler and the kubelet, at kube-wrapper.sh's
# one Kubernetes version, in one `go build`, cached outside the clone.
#
#   scripts/tools/build-kube-node.sh     # stdout: one path per line, kubelet last
#
# The version is v1.35 for every binary: Debian 12's container runtime is containerd 1.6, and
# v1.35 is the last release whose kubelet supports containerd 1.x (SIG Node). Run after
# build-kube.sh, the packages the binaries share come from the Go build cache.
set -euo pipefail

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-kube-node.XXXXXX")"
trap 'rm -rf "$WORK" "$CACHE/bin/.kube-build.$$"' EXIT
mkdir -p "$CACHE/bin"
cd "$WORK"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0

# shellcheck source=kube-wrapper.sh
source "$HERE/kube-wrapper.sh"

kube_build "$WORK" "$CACHE/bin" kube-controller-manager kube-scheduler kubelet
for name in kube-controller-manager kube-scheduler kubelet; do echo "$CACHE/bin/$name"; done
