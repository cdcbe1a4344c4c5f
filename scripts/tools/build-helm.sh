#!/usr/bin/env bash
# Build helm v3 from the Go module proxy and cache it outside the clone.
#
#   scripts/tools/build-helm.sh      # last stdout line: path of the helm binary
#
# Cache: ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/bin/helm
# Helm's go.mod has no replace lines, so plain `go install` works (~1 min cold).
set -euo pipefail

HELM_VERSION=v3.22.0

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
BIN="$CACHE/bin/helm"
log() { echo "build-helm: $*" >&2; }

# Idempotent: the version string is only right if our ldflags were applied.
if [[ -x "$BIN" ]] && grep -qx "$HELM_VERSION" <<<"$("$BIN" version --template '{{.Version}}' 2>/dev/null)"; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE/bin"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-helm.XXXXXX")"
trap 'rm -rf "$WORK" "$BIN.tmp.$$"' EXIT
cd "$WORK" # outside any module
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=

# Helm's Makefile stamps the version and the default .Capabilities.KubeVersion
# (major+1.minor of its k8s.io/client-go v0.X.Y); without these `helm template`
# would claim Kubernetes v1.20 and `helm version` would say only "v3.22".
gomod="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
read -r kmaj kmin < <(awk '$1 == "k8s.io/client-go" { split(substr($2, 2), v, "."); print v[1] + 1, v[2] }' "$gomod")
pkg=helm.sh/helm/v3
ldflags="-s -w -X $pkg/internal/version.version=$HELM_VERSION -X $pkg/internal/version.metadata="
for p in pkg/chartutil pkg/lint/rules; do
  ldflags+=" -X $pkg/$p.k8sVersionMajor=$kmaj -X $pkg/$p.k8sVersionMinor=$kmin"
done

log "building helm $HELM_VERSION (k8s default v$kmaj.$kmin)"
start=$SECONDS
# go install names the binary after the package: build into a private GOBIN,
# then move it into the cache so no partial binary is ever visible there.
GOBIN="$WORK/bin" CGO_ENABLED=0 go install -ldflags "$ldflags" "$pkg/cmd/helm@$HELM_VERSION"
log "built in $((SECONDS - start))s"

# Smoke before caching: render a tiny chart with no cluster.
mkdir -p "$WORK/chart/templates"
printf 'apiVersion: v2\nname: smoke\nversion: 0.1.0\n' >"$WORK/chart/Chart.yaml"
printf 'msg: hello\n' >"$WORK/chart/values.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  msg: {{ .Values.msg }}\n' \
  >"$WORK/chart/templates/cm.yaml"
"$WORK/bin/helm" version >&2
HELM_CONFIG_HOME="$WORK/cfg" HELM_CACHE_HOME="$WORK/cache" HELM_DATA_HOME="$WORK/data" \
  grep -q 'msg: hello' <<<"$("$WORK/bin/helm" template rel "$WORK/chart")"

mv -f "$WORK/bin/helm" "$BIN.tmp.$$" && mv -f "$BIN.tmp.$$" "$BIN"
log "ok: $BIN"
echo "$BIN"
