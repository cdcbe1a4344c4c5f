#!/usr/bin/env bash
# Build the rest of a single-node cluster from the Go module proxy, as build-kube.sh builds
# kube-apiserver: kube-controller-manager and kube-scheduler (same Kubernetes version), and a
# kubelet pinned one minor lower, cached outside the clone.
#
#   scripts/tools/build-kube-node.sh     # stdout: one path per line, kubelet last
#
# Why the kubelet is v1.35: Debian 12's container runtime is containerd 1.6, and Kubernetes
# v1.35 is the last release whose kubelet supports containerd 1.x (SIG Node). A v1.35 kubelet
# under a v1.36 apiserver is within the supported skew (kubelet may be 3 minors older).
# Cold build on 2 shared cores: several minutes per binary; run it alone.
set -euo pipefail

K8S_VERSION=v1.36.3      # = build-kube.sh's kube-apiserver
KUBELET_VERSION=v1.35.4  # newest v1.35 on the proxy when pinned

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "build-kube-node: $*" >&2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-kube-node.XXXXXX")"
trap 'rm -rf "$WORK"; rm -f "$CACHE"/bin/*.tmp.$$' EXIT
mkdir -p "$CACHE/bin"
cd "$WORK"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0

# shellcheck source=kube-wrapper.sh
source "$HERE/kube-wrapper.sh"

# ldflags VERSION KMOD: the version stamp of hack/lib/version.sh.
ldflags() {
  local version=$1 kmod=$2 minor date out="-s -w" pkg kv
  minor="${version#v1.}" minor="${minor%%.*}"
  date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "${kmod%.mod}.info")"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    for kv in gitVersion=$version gitMajor=1 gitMinor=$minor gitTreeState=clean buildDate=$date; do
      out+=" -X $pkg.$kv"
    done
  done
  echo "$out"
}

build() { # build VERSION NAME...
  local version=$1 name dir kmod flags todo=()
  shift
  for name in "$@"; do
    if [[ -x "$CACHE/bin/$name" ]] && grep -qx "Kubernetes $version" <<<"$("$CACHE/bin/$name" --version 2>/dev/null)"; then
      log "cached: $CACHE/bin/$name"
    else
      todo+=("$name")
    fi
  done
  ((${#todo[@]})) || return 0
  dir="$WORK/wrap-$version"
  kmod="$(kube_wrapper_module "$version" "$dir")"
  flags="$(ldflags "$version" "$kmod")"
  for name in "${todo[@]}"; do
    log "building $name $version"
    local start=$SECONDS
    (cd "$dir" && go build -ldflags "$flags" -o "$CACHE/bin/$name.tmp.$$" "k8s.io/kubernetes/cmd/$name")
    "$CACHE/bin/$name.tmp.$$" --version >&2
    mv -f "$CACHE/bin/$name.tmp.$$" "$CACHE/bin/$name"
    log "$name built in $((SECONDS - start))s"
  done
}

build "$K8S_VERSION" kube-controller-manager kube-scheduler
build "$KUBELET_VERSION" kubelet
for name in kube-controller-manager kube-scheduler kubelet; do echo "$CACHE/bin/$name"; done
