#!/usr/bin/env bash
# Build CoreDNS from its Go module, with only the plugins the tests' Corefiles use (errors, log,
# bind, rewrite, hosts), cached outside the clone.
#
#   scripts/tools/build-coredns.sh     # stdout: the binary's path
#
# Why a slim build: CoreDNS's own main imports every plugin (cloud DNS providers, Kubernetes,
# etcd ...), a large dependency tree to download and compile on two shared cores. A main that
# imports coremain and a few plugins is how CoreDNS documents custom builds; the server, the
# Corefile parser and the plugins are CoreDNS's own code.
set -euo pipefail

VERSION=v1.15.0
CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
OUT="$CACHE/bin/coredns"
log() { echo "build-coredns: $*" >&2; }

if [[ -x "$OUT" ]] && grep -q "CoreDNS-${VERSION#v}" <<<"$("$OUT" -version 2>/dev/null)"; then
  log "cached: $OUT"
  echo "$OUT"
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/devenv-coredns.XXXXXX")"
trap 'rm -rf "$WORK"; rm -f "$OUT.tmp.$$"' EXIT
mkdir -p "$CACHE/bin"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
cat >"$WORK/go.mod" <<EOF
module devenv.test/coredns

go 1.26.0

require github.com/coredns/coredns $VERSION
EOF
cat >"$WORK/main.go" <<'EOF'
package main

import (
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/rewrite"
)

func main() { coremain.Run() }
EOF
log "building CoreDNS $VERSION"
start=$SECONDS
(cd "$WORK" && go build -ldflags "-s -w" -o "$OUT.tmp.$$" .)
"$OUT.tmp.$$" -version >&2
mv -f "$OUT.tmp.$$" "$OUT"
log "built in $((SECONDS - start))s"
echo "$OUT"
