#!/usr/bin/env bash
# Build kube-apiserver, etcd and kubectl from the Go module proxy, cache them
# outside the clone, and optionally smoke-test the first two together.
#
#   scripts/tools/build-kube.sh [--smoke]
#
# Prints three stdout lines: the etcd path, the kubectl path, then (last line)
# the kube-apiserver path. All live in ${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}/bin/.
# kubectl and kube-apiserver are built in one `go build` (kube-wrapper.sh; kubectl runs the
# commands of Tilt's restart buttons in tests). --smoke adds ~5 s. Cold figures: docs/dev-cluster.md.
#
# Flags verified by --smoke (what a pytest fixture should use; P* = free
# loopback ports, $D = a temp dir, all files generated in $D):
#
#   etcd --name default --data-dir $D/etcd --log-level warn --unsafe-no-fsync \
#     --listen-client-urls http://127.0.0.1:$P1 --advertise-client-urls http://127.0.0.1:$P1 \
#     --listen-peer-urls http://127.0.0.1:$P2 --initial-advertise-peer-urls http://127.0.0.1:$P2 \
#     --initial-cluster default=http://127.0.0.1:$P2
#
#   openssl genrsa -out $D/sa.key 2048; openssl rsa -in $D/sa.key -pubout -out $D/sa.pub
#   echo 'TOKEN,admin,admin-uid,"system:masters"' > $D/tokens.csv
#
#   kube-apiserver --etcd-servers http://127.0.0.1:$P1 \
#     --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port $P3 \
#     --cert-dir $D/certs --token-auth-file $D/tokens.csv --authorization-mode RBAC \
#     --service-account-issuer https://kubernetes.default.svc.cluster.local \
#     --service-account-key-file $D/sa.pub --service-account-signing-key-file $D/sa.key \
#     --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none
#
#   (--endpoint-reconciler-type none: otherwise it logs an error every few
#   seconds, since the "kubernetes" Endpoints may not point at 127.0.0.1.)
#   Stop kube-apiserver BEFORE etcd: with etcd gone first, its SIGTERM
#   shutdown hangs until a second signal (or SIGKILL).
#
#   ready when: curl -sk -H "Authorization: Bearer TOKEN" https://127.0.0.1:$P3/readyz  ->  "ok"
#   (the server cert is self-signed into --cert-dir: use insecure-skip-tls-verify
#   in a kubeconfig, or trust $D/certs/apiserver.crt).
set -euo pipefail

# The Kubernetes version ($K8S_VERSION) is kube-wrapper.sh's.
# k8s.io/kubernetes v1.35.4 pins go.etcd.io/etcd/server/v3 at this version.
ETCD_VERSION=v3.6.5

CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
ETCD="$CACHE/bin/etcd"
APISERVER="$CACHE/bin/kube-apiserver"
KUBECTL="$CACHE/bin/kubectl"
log() { echo "build-kube: $*" >&2; }

SMOKE=0
[[ "${1:-}" == --smoke ]] && SMOKE=1

# shellcheck source=kube-wrapper.sh
source "$(dirname "${BASH_SOURCE[0]}")/kube-wrapper.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-kube.XXXXXX")"
PIDS=()
stop() { # SIGTERM, then SIGKILL after 10s
  local i
  kill "$1" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  # Newest first: kube-apiserver's graceful shutdown hangs (retrying etcd
  # forever) if etcd is gone before it.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop "${PIDS[i]}"; done
  rm -rf "$WORK" "$ETCD.tmp.$$" "$CACHE/bin/.kube-build.$$"
}
trap cleanup EXIT
mkdir -p "$CACHE/bin"
cd "$WORK" # go commands must run outside any module
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0

build_etcd() {
  # etcd --version prints "etcd Version: 3.6.5" (compiled in, no ldflags needed).
  # (Captured, not piped into grep -q: under pipefail, grep's early exit fails the pipe with SIGPIPE.)
  if [[ -x "$ETCD" ]] && [[ $'\n'"$("$ETCD" --version 2>/dev/null)"$'\n' == *$'\n'"etcd Version: ${ETCD_VERSION#v}"$'\n'* ]]; then
    log "cached: $ETCD"
    return
  fi
  # `go install go.etcd.io/etcd/server/v3@V` is refused: server's go.mod
  # replaces its sibling modules with ../api etc. Replaces only apply in the
  # main module, so build it as a dependency of a throwaway wrapper module,
  # where the siblings resolve to their published $ETCD_VERSION tags.
  mkdir -p "$WORK/etcd-wrap"
  printf 'module devenv.local/etcd-wrapper\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
    "$ETCD_VERSION" >"$WORK/etcd-wrap/go.mod"
  log "building etcd $ETCD_VERSION"
  local start=$SECONDS
  (cd "$WORK/etcd-wrap" && go build -ldflags "-s -w" -o "$ETCD.tmp.$$" go.etcd.io/etcd/server/v3)
  log "etcd built in $((SECONDS - start))s"
  "$ETCD.tmp.$$" --version >&2
  mv -f "$ETCD.tmp.$$" "$ETCD"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

smoke() {
  local d="$WORK/smoke" token p1 p2 p3 i
  mkdir -p "$d/certs"
  token="$(openssl rand -hex 16)"
  p1="$(free_port)" p2="$(free_port)" p3="$(free_port)"
  log "smoke: etcd on :$p1, kube-apiserver on :$p3"
  "$ETCD" --name default --data-dir "$d/etcd" --log-level warn --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$p1" --advertise-client-urls "http://127.0.0.1:$p1" \
    --listen-peer-urls "http://127.0.0.1:$p2" --initial-advertise-peer-urls "http://127.0.0.1:$p2" \
    --initial-cluster "default=http://127.0.0.1:$p2" >"$d/etcd.log" 2>&1 &
  PIDS+=($!)

  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  echo "$token,admin,admin-uid,\"system:masters\"" >"$d/tokens.csv"
  "$APISERVER" --etcd-servers "http://127.0.0.1:$p1" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$p3" \
    --cert-dir "$d/certs" --token-auth-file "$d/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$d/sa.pub" --service-account-signing-key-file "$d/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none >"$d/apiserver.log" 2>&1 &
  PIDS+=($!)

  for ((i = 0; i < 120; i++)); do
    if [[ "$(curl -sk -m 2 -H "Authorization: Bearer $token" "https://127.0.0.1:$p3/readyz" || true)" == ok ]]; then
      # The token must also be authorized (system:masters) for real API calls.
      curl -skf -m 5 -H "Authorization: Bearer $token" "https://127.0.0.1:$p3/api/v1/namespaces/default" >/dev/null
      log "smoke: /readyz ok after $((i / 2))s"
      return
    fi
    sleep 0.5
  done
  log "smoke: kube-apiserver not ready; logs:"
  tail -n 30 "$d/etcd.log" "$d/apiserver.log" >&2
  return 1
}

build_etcd
kube_build "$WORK" "$CACHE/bin" kubectl kube-apiserver
if ((SMOKE)); then smoke; fi
echo "$ETCD"
echo "$KUBECTL"
echo "$APISERVER"
