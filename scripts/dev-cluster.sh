#!/usr/bin/env bash
# A single-node Kubernetes cluster from nothing, for people and for the tests.
#
#   scripts/dev-cluster.sh up       # start (or reuse); prints KUBECONFIG=, DOCKER_HOST=, REGISTRY=, BASE_IMAGE=
#   scripts/dev-cluster.sh status   # what runs; exit 0 when the node is Ready
#   scripts/dev-cluster.sh down     # stop everything; leaves no process, mount, network device or
#                                   # changed kernel setting (state kept: the next up is warm)
#
#   eval "$(scripts/dev-cluster.sh up)"
#
# Pieces (all local, nothing pulled from the internet):
# - etcd, kube-apiserver (scripts/tools/build-kube.sh), kube-controller-manager, kube-scheduler
#   and kubelet (scripts/tools/build-kube-node.sh), from the Go module proxy;
# - containerd, runc and the CNI plugins from Debian (containerd 1.6: hence Kubernetes v1.35 for every binary);
# - Debian's docker-registry on 127.0.0.1:$REGISTRY_PORT, announced to Tilt through the
#   kube-public/local-registry-hosting ConfigMap (KEP-1755);
# - pause and base images: `docker import` of a busybox-static rootfs, pushed to that registry;
# - a dockerd for image builds: $DOCKER_HOST when it answers, else a private one (vfs).
# No kube-proxy runs: ClusterIP Services are not routed (pods, probes, logs, exec and
# port-forwards work). Needs root.
#
# State: ${DEVENV_CLUSTER_DIR:-/tmp/devenv-cluster} (logs in $STATE/log/).
#
# Pods run: see docs/dev-cluster.md for what works, what does not, and why each setting is there.
set -euo pipefail

STATE="${DEVENV_CLUSTER_DIR:-/tmp/devenv-cluster}"
CACHE="${DEVENV_TOOLS_CACHE:-$HOME/.cache/devenv-test}"
API_PORT="${DEVENV_CLUSTER_API_PORT:-16443}"
ETCD_PORT="${DEVENV_CLUSTER_ETCD_PORT:-12379}"
REGISTRY_PORT="${DEVENV_CLUSTER_REGISTRY_PORT:-5005}"
NODE=devenv-node
CONTEXT="${DEVENV_CLUSTER_CONTEXT:-k3d-ameide}"
NET="${DEVENV_CLUSTER_NET:-10.88}" # the pods' /16
POD_CIDR="$NET.0.0/16"
POD_GATEWAY="$NET.0.1" # the bridge's address on the host, and the node's address
BRIDGE="${DEVENV_CLUSTER_BRIDGE:-devenv0}"
SERVICE_CIDR=10.96.0.0/16
REGISTRY="127.0.0.1:$REGISTRY_PORT"
BASE_IMAGE="$REGISTRY/devenv/base:busybox"
PAUSE_IMAGE="$REGISTRY/devenv/pause:busybox"
CTR=(ctr --address "$STATE/containerd/containerd.sock" -n k8s.io)

log() { echo "dev-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

pid_of() { cat "$STATE/pids/$1" 2>/dev/null || true; }
alive() { local p; p="$(pid_of "$1")"; [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }

spawn() { # spawn NAME ARGV...: start in the background once, pid and log in $STATE
  local name=$1
  shift
  if alive "$name"; then return 0; fi
  mkdir -p "$STATE/pids" "$STATE/log"
  date +%s >"$STATE/pids/$name.started"
  setsid "$@" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
}

wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 secs=$2 i
  shift 2
  for ((i = 0; i < secs * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  die "$what not ready after ${secs}s (logs: $STATE/log/)"
}

need() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet; do
    [[ -x "$CACHE/bin/$b" ]] || die "$CACHE/bin/$b missing: run scripts/tools/build-kube.sh and scripts/tools/build-kube-node.sh"
  done
  for b in containerd containerd-shim-runc-v2 runc docker-registry openssl curl docker ip sysctl; do
    command -v "$b" >/dev/null || die "$b missing: run scripts/tools/install-system.sh"
  done
  [[ -x /usr/lib/cni/bridge ]] || die "CNI plugins missing (Debian's containernetworking-plugins): run scripts/tools/install-system.sh"
  [[ -x /bin/busybox ]] || die "busybox-static missing: run scripts/tools/install-system.sh"
}

kubectl_api() { # kubectl_api METHOD PATH [BODY]: the API with the admin token
  curl -sk -m 10 -X "$1" -H "Authorization: Bearer $(cat "$STATE/token")" -H 'Content-Type: application/json' \
    "https://127.0.0.1:$API_PORT$2" ${3:+--data "$3"}
}

certs() {
  [[ -f "$STATE/token" ]] && return 0
  mkdir -p "$STATE/pki"
  openssl genrsa -out "$STATE/pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$STATE/pki/sa.key" -pubout -out "$STATE/pki/sa.pub" 2>/dev/null
  # The apiserver reaches the kubelet (logs, exec, port-forward) with a client certificate.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=devenv-cluster-ca \
    -keyout "$STATE/pki/ca.key" -out "$STATE/pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout "$STATE/pki/kubelet-client.key" \
    -out "$STATE/pki/kubelet-client.csr" 2>/dev/null
  openssl x509 -req -in "$STATE/pki/kubelet-client.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" \
    -CAcreateserial -days 3650 -out "$STATE/pki/kubelet-client.crt" 2>/dev/null
  openssl rand -hex 16 >"$STATE/token"
  echo "$(cat "$STATE/token"),admin,admin-uid,\"system:masters\"" >"$STATE/pki/tokens.csv"
}

kubeconfig() {
  cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: $CONTEXT
clusters: [{name: $CONTEXT, cluster: {server: "https://127.0.0.1:$API_PORT", insecure-skip-tls-verify: true}}]
users: [{name: $CONTEXT-admin, user: {token: "$(cat "$STATE/token")"}}]
contexts: [{name: $CONTEXT, context: {cluster: $CONTEXT, user: $CONTEXT-admin}}]
EOF
}

control_plane() {
  spawn etcd "$CACHE/bin/etcd" --name default --data-dir "$STATE/etcd" --log-level warn --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((ETCD_PORT + 1))"
  spawn kube-apiserver "$CACHE/bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --cert-dir "$STATE/pki/apiserver" --token-auth-file "$STATE/pki/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --endpoint-reconciler-type none \
    --kubelet-client-certificate "$STATE/pki/kubelet-client.crt" --kubelet-client-key "$STATE/pki/kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP
  wait_for kube-apiserver 120 sh -c "[ \"\$(curl -sk -m 2 -H 'Authorization: Bearer $(cat "$STATE/token")' https://127.0.0.1:$API_PORT/readyz)\" = ok ]"
  spawn kube-controller-manager "$CACHE/bin/kube-controller-manager" --kubeconfig "$STATE/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --use-service-account-credentials=false \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/apiserver/apiserver.crt" \
    --cluster-cidr "$POD_CIDR" --service-cluster-ip-range "$SERVICE_CIDR" --controllers '*,-nodeipam'
  spawn kube-scheduler "$CACHE/bin/kube-scheduler" --kubeconfig "$STATE/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false
}

bridge() { # the pods' bridge, made before the CNI plugin would, so its address can be the node's:
  # the kubelet refuses a loopback node IP, the uplink must stay out of it, and these kernels
  # have no dummy device (no modules).
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  # (no `| grep -q` under pipefail: grep's early exit makes the pipeline fail at random)
  [[ "$(ip addr show dev "$BRIDGE")" == *"inet $POD_GATEWAY/"* ]] || ip addr add "$POD_GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

runtime() {
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d"
  # No ipMasq and no portmap: pods talk to the host (the gateway) only, and no iptables rules are
  # left behind. The host reaches pods (probes, port-forwards) over the bridge.
  cat >"$STATE/cni/net.d/10-devenv.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "devenv", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$STATE/cni/ipam", "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOF
  cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$STATE/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The kubelet asks for oom_score_adj -998 (sandboxes) and below; lowering it needs
  # CAP_SYS_RESOURCE, which these VMs withhold even from root (CapEff 0x1fffeffffff): runc init
  # then dies with "can't get final child's PID from pipe: EOF". Clamp to containerd's own score.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true # pods' network namespaces under $STATE, not /run/netns
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$REGISTRY"]
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      Root = "$STATE/containerd/runc"
EOF
  spawn containerd containerd --config "$STATE/containerd/config.toml"
  wait_for containerd 30 "${CTR[@]}" version
}

registry() {
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry/config.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $STATE/registry/data}, delete: {enabled: true}}
http: {addr: "127.0.0.1:$REGISTRY_PORT"}
EOF
  spawn docker-registry docker-registry serve "$STATE/registry/config.yml"
  wait_for docker-registry 30 curl -sf -m 2 "http://$REGISTRY/v2/"
}

docker_host() { # a dockerd for builds: $DOCKER_HOST when it answers, else our own
  if [[ -n "${DOCKER_HOST:-}" ]] && docker version >/dev/null 2>&1; then echo "$DOCKER_HOST"; return; fi
  local sock="$STATE/dockerd/docker.sock"
  spawn dockerd dockerd --storage-driver=vfs --data-root="$STATE/dockerd/data" --exec-root="$STATE/dockerd/exec" \
    --pidfile="$STATE/dockerd/dockerd.pid" --host="unix://$sock" --bridge=none --iptables=false
  wait_for dockerd 90 env DOCKER_HOST="unix://$sock" docker version
  echo "unix://$sock"
}

images() { # pause and base: docker import of a busybox-static rootfs, pushed to the registry
  if curl -sf -m 5 "http://$REGISTRY/v2/devenv/pause/manifests/busybox" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null &&
    curl -sf -m 5 "http://$REGISTRY/v2/devenv/base/manifests/busybox" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null; then
    return 0
  fi
  local root="$STATE/rootfs" applet
  rm -rf "$root" && mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
  tar -C "$root" -cf "$STATE/rootfs.tar" .
  DOCKER_HOST="$1" docker import -c 'ENTRYPOINT ["/bin/sleep", "infinity"]' "$STATE/rootfs.tar" "$PAUSE_IMAGE" >/dev/null
  DOCKER_HOST="$1" docker import -c 'CMD ["/bin/sh"]' "$STATE/rootfs.tar" "$BASE_IMAGE" >/dev/null
  DOCKER_HOST="$1" docker push -q "$PAUSE_IMAGE" >/dev/null
  DOCKER_HOST="$1" docker push -q "$BASE_IMAGE" >/dev/null
}

kubelet() {
  mkdir -p "$STATE/kubelet"
  cat >"$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
address: $POD_GATEWAY
healthzPort: 0
podLogsDir: $STATE/kubelet/pod-logs
readOnlyPort: 0
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}, x509: {clientCAFile: $STATE/pki/ca.crt}}
authorization: {mode: AlwaysAllow}
makeIPTablesUtilChains: false
clusterDomain: cluster.local
# The bridge's host address: no DNS server listens there unless one is started, so a lookup
# fails at once and no query leaves the machine (there is no kube-proxy for a Service IP).
clusterDNS: [$POD_GATEWAY]
podCIDR: $POD_CIDR
containerRuntimeEndpoint: unix://$STATE/containerd/containerd.sock
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "0%", nodefs.available: "0%", imagefs.available: "0%"}
enforceNodeAllocatable: []
cgroupsPerQOS: false
resolvConf: /etc/resolv.conf
EOF
  spawn kubelet "$CACHE/bin/kubelet" --config "$STATE/kubelet/config.yaml" --kubeconfig "$STATE/kubeconfig" \
    --root-dir "$STATE/kubelet/root" --cert-dir "$STATE/kubelet/pki" --hostname-override "$NODE" --node-ip "$POD_GATEWAY"
}

node_ready() { # Ready, as posted by the kubelet running now (etcd keeps a dead one's last word)
  alive kubelet || return 1
  kubectl_api GET "/api/v1/nodes/$NODE" | STARTED="$(cat "$STATE/pids/kubelet.started")" python3 -c '
import datetime, json, os, sys
node = json.load(sys.stdin)
ready = [c for c in node.get("status", {}).get("conditions", []) if c["type"] == "Ready"]
if not ready or ready[0]["status"] != "True":
    sys.exit(1)
beat = datetime.datetime.fromisoformat(ready[0]["lastHeartbeatTime"].replace("Z", "+00:00")).timestamp()
sys.exit(0 if beat >= int(os.environ["STARTED"]) else 1)'
}

# The kubelet sets these kernel settings at start (protectKernelDefaults: true would make it refuse
# to run instead); the host's own values are kept before the first start and restored by down.
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops)

save_sysctls() {
  [[ -f "$STATE/sysctl.saved" ]] && return 0
  sysctl -e "${SYSCTLS[@]}" >"$STATE/sysctl.saved.tmp" && mv "$STATE/sysctl.saved.tmp" "$STATE/sysctl.saved"
}

restore_sysctls() {
  [[ -f "$STATE/sysctl.saved" ]] || return 0
  sysctl -q -p "$STATE/sysctl.saved" >/dev/null && rm -f "$STATE/sysctl.saved"
}

node_up() { # the kubelet exits when containerd's CRI is not initialised yet: start it again
  alive kubelet || kubelet
  node_ready
}

announce_registry() {
  kubectl_api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-public"}}' >/dev/null || true
  local data
  data="$(printf 'host: "%s"\nhelp: "scripts/dev-cluster.sh"\n' "$REGISTRY" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
  kubectl_api POST /api/v1/namespaces/kube-public/configmaps \
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"local-registry-hosting\",\"namespace\":\"kube-public\"},\"data\":{\"localRegistryHosting.v1\":$data}}" >/dev/null
}

up() {
  need
  mkdir -p "$STATE"
  local start=$SECONDS dh
  certs
  kubeconfig
  registry
  dh="$(docker_host)"
  images "$dh"
  control_plane
  announce_registry
  bridge
  runtime
  alive kubelet || save_sysctls
  kubelet
  wait_for "node $NODE Ready" 60 node_up
  log "node $NODE Ready after $((SECONDS - start))s"
  echo "KUBECONFIG=$STATE/kubeconfig"
  echo "DOCKER_HOST=$dh"
  echo "REGISTRY=$REGISTRY"
  echo "BASE_IMAGE=$BASE_IMAGE"
}

stop_pid() { # stop NAME...: SIGTERM to all at once, then SIGKILL what is left after 15 s
  # Together: each takes 1-3 s to exit gracefully, and in sequence that was most of `down`.
  local name p i pids=()
  for name in "$@"; do
    p="$(pid_of "$name")"
    [[ -n "$p" ]] && kill "$p" 2>/dev/null && pids+=("$p")
  done
  for ((i = 0; i < 150 && ${#pids[@]} > 0; i++)); do
    local alive=()
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    pids=("${alive[@]}")
    ((${#pids[@]} > 0)) && sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for name in "$@"; do rm -f "$STATE/pids/$name"; done
}

stop_containers() { # by their cgroups: what `ctr tasks kill` missed (e.g. a half-started runc init)
  local dir id procs
  for dir in "$STATE"/containerd/state/io.containerd.runtime.v2.task/k8s.io/*/; do
    id="$(basename "$dir")"
    for procs in /sys/fs/cgroup/*/k8s.io/"$id"/cgroup.procs; do
      [[ -f "$procs" ]] && xargs -r kill -9 <"$procs" 2>/dev/null || true
    done
  done
  sleep 0.5
  for dir in /sys/fs/cgroup/*/k8s.io/*/; do
    id="$(basename "$dir")"
    [[ -e "$STATE/containerd/state/io.containerd.runtime.v2.task/k8s.io/$id" ]] && rmdir "$dir" 2>/dev/null || true
  done
  rmdir /sys/fs/cgroup/*/k8s.io 2>/dev/null || true # only when empty
}

stop_shims() { # shims outlive containerd: ours name our socket on their command line
  local proc pid cmdline
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    cmdline="$({ tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null || true)"
    if [[ "$cmdline" == "/usr/bin/containerd-shim-runc-v2 "*"-address $STATE/containerd/containerd.sock"* ]]; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  local shim
  for shim in "$STATE"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [[ -f "$shim" ]] && kill -9 "$(cat "$shim")" 2>/dev/null || true
  done
}

down() {
  stop_pid kubelet
  restore_sysctls
  if alive containerd; then # pods outlive the kubelet: stop their tasks, then containerd
    local c
    for c in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks kill -s SIGKILL "$c" 2>/dev/null || true; done
    sleep 1
    for c in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$c" 2>/dev/null || true; done
  fi
  stop_pid containerd
  stop_containers
  stop_shims
  # The apiserver before etcd (see build-kube.sh); what does not need etcd stops beside it.
  stop_pid kube-scheduler kube-controller-manager kube-apiserver docker-registry
  stop_pid etcd
  stop_pid dockerd
  # Mounts (overlay rootfs, shm, pod volumes, network namespaces), deepest first.
  # Exact folder or below it: another cluster's folder may share our name as a prefix (…-cluster-2).
  awk -v s="$STATE" '$2 == s || index($2, s "/") == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  log "down (state kept in $STATE; rm -rf it for a cold start)"
}

status() {
  local name ok=0
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet docker-registry dockerd; do
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; fi
  done
  if [[ -f "$STATE/token" ]] && node_ready 2>/dev/null; then echo "node $NODE: Ready"; else echo "node $NODE: not Ready"; ok=1; fi
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
