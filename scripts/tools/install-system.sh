#!/usr/bin/env bash
# Install the Debian packages the integration tests need, only if missing.
#
#   scripts/tools/install-system.sh
#
# docker.io: dockerd + docker CLI   busybox-static: tiny static image payloads
# ripgrep, openssl: used by tests   docker-registry: a real local registry:2
# containerd, runc, containernetworking-plugins, iproute2: the kubelet's runtime and pod network
#   in scripts/dev-cluster.sh (containerd 1.6: hence Kubernetes v1.35, kube-wrapper.sh)
set -euo pipefail

PACKAGES=(docker.io busybox-static ripgrep docker-registry openssl containerd runc containernetworking-plugins iproute2 curl)
log() { echo "install-system: $*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg -s also reports "deinstall"/half-installed packages, so check the status word.
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  log "all present: ${PACKAGES[*]}"
  echo "ok"
  exit 0
fi

SUDO=()
((EUID == 0)) || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q)

# Another apt/dpkg may be running (e.g. a background install): wait for it
# rather than fail or kill it. DPkg::Lock::Timeout covers dpkg's lock, but
# `apt-get update` fails at once on the lists lock, so retry on lock errors.
apt() {
  local err i
  err="$(mktemp)"
  for ((i = 0; i < 90; i++)); do
    if "${APT[@]}" "$@" >&2 2>"$err"; then cat "$err" >&2; rm -f "$err"; return 0; fi
    cat "$err" >&2
    grep -q 'Could not get lock' "$err" || { rm -f "$err"; return 1; }
    log "apt is busy (another process holds its lock); waiting"
    sleep 10
  done
  rm -f "$err"
  return 1
}

log "installing: ${missing[*]}"
apt update
apt install --no-install-recommends "${missing[@]}"
echo "ok"
