"""Benchmark: the doctor `cluster` group against a real kube-apiserver holding 2,000 nodes and
50 DaemonSets, as a ratio to the floor: one bare `list nodes` call with the same client.

    .venv/bin/python bench/bench_cluster.py [--nodes 2000] [--daemonsets 50] [--runs 7]

Starts its own etcd + kube-apiserver (tests/fixtures/kube.py, binaries from
scripts/tools/build-kube.sh), fills it, then times (median of --runs, after a warm-up):

- floor: `CoreV1Api(client).list_node()` with a fresh client (new TLS connection, models
  deserialised: what a script with the kubernetes client does); also shown warm and raw;
- the group: every check of `devenv doctor --only cluster` (kubeconfig read, client built,
  version + identity, nodes in pages of 500, namespace, CoreDNS ConfigMaps, the 50 DaemonSets
  named in the manifest), in-process through the same engine the CLI uses.

It also counts the group's requests in the API server's audit log (thousands of nodes must not
mean thousands of requests). Target: group <= 3x the floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402
from tests.fixtures.kube import REGISTRY_HOSTS, KubeServer, KubeWorld, find_binary, write_cluster_manifest  # noqa: E402


def node(i: int) -> dict:
    """A node about the size of a real k3s agent's (labels, conditions, addresses, images)."""
    name = f"k3d-ameide-agent-{i}"
    now = "2026-01-01T00:00:00Z"
    conditions = [
        {"type": t, "status": "False", "reason": f"KubeletHas{r}", "message": f"kubelet has {m}", "lastHeartbeatTime": now, "lastTransitionTime": now}
        for t, r, m in (
            ("MemoryPressure", "SufficientMemory", "sufficient memory available"),
            ("DiskPressure", "NoDiskPressure", "no disk pressure"),
            ("PIDPressure", "SufficientPID", "sufficient PID available"),
        )
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
    )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "k3s",
                "topology.kubernetes.io/zone": f"zone-{i % 3}",
            },
            "annotations": {"k3s.io/node-args": '["agent"]', "k3s.io/internal-ip": f"10.{i // 250}.{i % 250}.2", "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": f"10.42.{i % 250}.0/24", "providerID": f"k3s://{name}"},
        "status": {
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": f"10.{i // 250}.{i % 250}.2"}, {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "8", "memory": "16318040Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
            "allocatable": {"cpu": "8", "memory": "16318040Ki", "pods": "110", "ephemeral-storage": "99833802265"},
            "nodeInfo": {
                "machineID": "",
                "systemUUID": "",
                "bootID": f"boot-{i}",
                "kernelVersion": "6.8.0",
                "osImage": "K3s v1.31.4+k3s1",
                "containerRuntimeVersion": "containerd://1.7.23-k3s2",
                "kubeletVersion": "v1.31.4+k3s1",
                "kubeProxyVersion": "v1.31.4+k3s1",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
            "images": [
                {"names": [f"docker.io/library/image-{j}@sha256:{'%064x' % (i * 100 + j)}", f"docker.io/library/image-{j}:1.{j}"], "sizeBytes": 10_000_000 + j}
                for j in range(12)
            ],
        },
    }


def fill(world: KubeWorld, nodes: int, daemonsets: int) -> list[str]:
    core, _apps = world.core, world.apps
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: core.create_node(node(i), _preload_content=False), range(nodes)))
    names = []
    for i in range(daemonsets):
        ns = "kube-system" if i < 10 else "infra"
        name = "registry-mirror" if i == 0 else f"agent-{i}"
        world.add_daemonset(ns, name, desired=nodes, ready=nodes)
        names.append(f"{ns}/{name}")
    rewrites = "".join(f"rewrite name exact {h} host.k3d.internal\n" for h in REGISTRY_HOSTS.values())
    world.put_coredns(custom={"registries.override": rewrites})
    return names


def median_time(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def audit_count(server: KubeServer, since: int) -> tuple[int, int]:
    lines = server.audit_log.read_text().splitlines()[since:]
    events = [json.loads(line) for line in lines if line.strip()]
    done = [e for e in events if e.get("stage") == "ResponseComplete" and e["user"]["username"] == "admin"]
    return len(done), len(server.audit_log.read_text().splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--daemonsets", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    apiserver, etcd = find_binary("kube-apiserver", "DEVENV_KUBE_APISERVER"), find_binary("etcd", "DEVENV_ETCD")
    if not apiserver or not etcd:
        print("kube-apiserver/etcd not found: build them with scripts/tools/build-kube.sh", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    from kubernetes import client as k8s

    from devenv.commands.doctor import cluster_env, diagnose
    from devenv.manifest.load import load_manifest

    workdir = Path(tempfile.mkdtemp(prefix="devenv-bench-cluster-"))
    server = KubeServer(apiserver, etcd, workdir / "kube")
    try:
        t0 = time.perf_counter()
        server.start()
        world = KubeWorld(server)
        world.setup_once()
        names = fill(world, args.nodes, args.daemonsets)
        print(f"setup: {args.nodes} nodes, {args.daemonsets} DaemonSets in {time.perf_counter() - t0:.1f}s", flush=True)
        manifest = write_cluster_manifest(workdir / "repo", daemonsets=names)
        kubeconfig = server.kubeconfig(workdir / "kubeconfig")
        loaded = load_manifest(manifest)
        env = cluster_env({"HOME": str(workdir)}, kubeconfig, None)

        def group():
            report = diagnose(loaded, ["cluster"], timeout=60, env=env)
            bad = [r for r in report.results if r.status.value != "ok"]
            assert not bad, [(r.id, r.status.value, r.message) for r in bad]

        def floor_fresh():
            api = server.client()
            assert len(k8s.CoreV1Api(api).list_node().items) == args.nodes
            api.close()

        warm = server.client()

        def floor_warm():
            assert len(k8s.CoreV1Api(warm).list_node().items) == args.nodes

        def floor_raw():
            response = k8s.CoreV1Api(warm).list_node(_preload_content=False)
            assert len(json.loads(response.data)["items"]) == args.nodes

        _, mark = audit_count(server, 0)
        group()
        requests, _ = audit_count(server, mark)
        t_group = median_time(group, args.runs)
        t_fresh = median_time(floor_fresh, args.runs)
        t_warm = median_time(floor_warm, args.runs)
        t_raw = median_time(floor_raw, args.runs)
        print(f"machine: {machine()}")
        print(f"doctor --only cluster (7 checks):            {t_group * 1000:8.0f} ms  ({requests} requests)")
        print(f"floor: list_node(), fresh client, models:    {t_fresh * 1000:8.0f} ms  -> ratio {t_group / t_fresh:.2f}x (target <= 3x)")
        print(f"       list_node(), warm client, models:     {t_warm * 1000:8.0f} ms  -> ratio {t_group / t_warm:.2f}x")
        print(f"       list_node(), warm client, raw JSON:   {t_raw * 1000:8.0f} ms  -> ratio {t_group / t_raw:.2f}x")
        return 0 if t_group <= 3 * t_fresh else 1
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
