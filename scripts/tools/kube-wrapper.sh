#!/usr/bin/env bash
# Sourced by build-kube.sh and build-kube-node.sh: the one Kubernetes version of every binary,
# the wrapper module that lets `go build` reach k8s.io/kubernetes from the Go module proxy, and
# the build of several binaries in one `go build`.
#
# One version for all five binaries (kube-apiserver, kubectl, kube-controller-manager,
# kube-scheduler, kubelet): v1.35, the last minor whose kubelet supports containerd 1.x (Debian
# 12's containerd 1.6, SIG Node). With one version the two scripts write the same wrapper go.mod,
# so the Go build cache compiles the packages they share (client-go, apimachinery, component-base,
# ...) once; with the kubelet a minor apart, nothing compiled was shared.
#
# k8s.io/kubernetes can't be `go install`ed: its go.mod replaces every staging module
# (k8s.io/api, client-go, ...) with ./staging/..., which the module zip lacks. The wrapper points
# them at their published v0.X.Y tags instead; sample-cli-plugin is never published, so it gets
# an empty stub (no binary built here imports it).

K8S_VERSION=v1.35.4 # newest v1.35 on the proxy when pinned

# kube_wrapper_module VERSION DIR: write DIR/go.mod (and DIR/stub); print the path of
# k8s.io/kubernetes@VERSION's own go.mod in the module cache (its .info sits beside it).
kube_wrapper_module() {
  local version=$1 dir=$2 staging="v0.${1#v1.}" kmod mod
  kmod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  mkdir -p "$dir/stub"
  printf 'module k8s.io/sample-cli-plugin\n\ngo 1.24\n' >"$dir/stub/go.mod"
  {
    printf 'module devenv.local/kube-wrapper\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\n' "$version"
    for mod in $(awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$kmod"); do
      if [[ "$mod" == k8s.io/sample-cli-plugin ]]; then
        echo "replace $mod => ./stub"
      else
        echo "replace $mod => $mod $staging"
      fi
    done
  } >"$dir/go.mod"
  echo "$kmod"
}

# kube_ldflags VERSION KMOD: the version stamp of kubernetes' hack/lib/version.sh (`--version`
# and the /version endpoint would otherwise report v0.0.0-master). buildDate is the tag's commit
# time, so rebuilds are reproducible. -X only changes the link step, never a compiled package.
kube_ldflags() {
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

# kube_version BINARY: the version line the binary prints (kubectl has no --version).
kube_version() {
  if [[ "$(basename "$1")" == kubectl ]]; then
    sed -n 's/^Client Version: //p' <<<"$("$1" version --client 2>/dev/null)"
  else
    sed -n 's/^Kubernetes //p' <<<"$("$1" --version 2>/dev/null)"
  fi
}

# kube_build WORK BIN NAME...: build the NAMEs (k8s.io/kubernetes/cmd/NAME) missing from BIN, or
# stamped with another version, at $K8S_VERSION in one `go build` into BIN/.kube-build.$$ (the
# caller's EXIT trap removes it), then rename each into BIN (same file system: atomic).
kube_build() {
  local work=$1 bin=$2 out="$2/.kube-build.$$" name kmod todo=() pkgs=() start=$SECONDS
  shift 2
  for name in "$@"; do
    if [[ -x "$bin/$name" ]] && [[ "$(kube_version "$bin/$name")" == "$K8S_VERSION" ]]; then
      echo "kube: cached: $bin/$name" >&2
    else
      todo+=("$name") pkgs+=("k8s.io/kubernetes/cmd/$name")
    fi
  done
  ((${#todo[@]})) || return 0
  kmod="$(kube_wrapper_module "$K8S_VERSION" "$work/wrap")"
  echo "kube: building ${todo[*]} $K8S_VERSION (one go build; several minutes)" >&2
  mkdir -p "$out"
  (cd "$work/wrap" && go build -ldflags "$(kube_ldflags "$K8S_VERSION" "$kmod")" -o "$out/" "${pkgs[@]}")
  echo "kube: ${todo[*]} built in $((SECONDS - start))s" >&2
  for name in "${todo[@]}"; do
    [[ "$(kube_version "$out/$name")" == "$K8S_VERSION" ]] || {
      echo "kube: $name reports '$(kube_version "$out/$name")', not $K8S_VERSION" >&2
      return 1
    }
    mv -f "$out/$name" "$bin/$name"
  done
  rmdir "$out"
}
