#!/usr/bin/env bash
# Sourced by build-kube.sh and build-kube-node.sh: the wrapper module that lets `go build` reach
# k8s.io/kubernetes from the Go module proxy.
#
# k8s.io/kubernetes can't be `go install`ed: its go.mod replaces every staging module
# (k8s.io/api, client-go, ...) with ./staging/..., which the module zip lacks. The wrapper points
# them at their published v0.X.Y tags instead; sample-cli-plugin is never published, so it gets
# an empty stub (no binary built here imports it).

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
