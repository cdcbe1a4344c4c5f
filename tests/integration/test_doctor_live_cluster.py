"""Doctor's cluster group against the live cluster (scripts/dev-cluster.sh): a real
`registry-mirror` DaemonSet rolls out, and what doctor says about it agrees with what the kubelet
reported, first Ready, then stuck pulling an image the registry does not hold; and doctor's
verdict on the CoreDNS Corefile agrees with what a real CoreDNS (scripts/tools/build-coredns.sh)
serving that Corefile resolves."""

from __future__ import annotations

import contextlib
import fcntl
import json
import random
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.fixtures.cluster import STATE, Cluster
from tests.fixtures.kube import REGISTRY_HOSTS, run_cluster, write_cluster_manifest
from tests.support.components import tool


@contextlib.contextmanager
def _coredns_configmap_turn():
    """kube-system/coredns is one per cluster: tests of parallel sessions take turns."""
    with open(STATE.parent / f"{STATE.name}.coredns.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _daemonset(namespace: str, image: str) -> str:
    serve = "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"
    return yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "registry-mirror", "namespace": namespace},
            "spec": {
                "selector": {"matchLabels": {"app": "registry-mirror"}},
                "template": {
                    "metadata": {"labels": {"app": "registry-mirror"}},
                    "spec": {
                        "terminationGracePeriodSeconds": 0,
                        "containers": [
                            {
                                "name": "mirror",
                                "image": image,
                                "command": ["sh", "-c", serve],
                                "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1},
                            }
                        ],
                    },
                },
            },
        }
    )


def _pods(cluster: Cluster, namespace: str) -> list[dict]:
    return json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-l", "app=registry-mirror", "-o", "json").stdout)["items"]


def _waiting(cluster: Cluster, namespace: str, timeout: float = 90.0) -> tuple[str, str, str]:
    """(pod, reason, message) of the first pod the kubelet reports waiting on its image."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pod in _pods(cluster, namespace):
            for status in (pod.get("status") or {}).get("containerStatuses") or []:
                waiting = status.get("state", {}).get("waiting") or {}
                if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff"):
                    return pod["metadata"]["name"], waiting["reason"], waiting.get("message", "")
        time.sleep(1)
    raise AssertionError(f"no pod waiting on its image: {json.dumps(_pods(cluster, namespace))[-3000:]}")


def test_doctor_follows_a_real_daemonset_rollout(dev_cluster: Cluster, tmp_path):
    namespace = f"mirror-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    manifest = write_cluster_manifest(tmp_path / "repo", namespace=None, coredns_rewrites="off", daemonsets=[f"{namespace}/registry-mirror"])
    spec = tmp_path / "ds.yaml"
    try:
        spec.write_text(_daemonset(namespace, dev_cluster.base_image))
        dev_cluster.kubectl("apply", "-f", str(spec))
        rolled = dev_cluster.kubectl("-n", namespace, "rollout", "status", "daemonset/registry-mirror", "--timeout=90s", check=False)
        assert rolled.returncode == 0, rolled.stdout + rolled.stderr
        run = run_cluster(manifest, kubeconfig=dev_cluster.kubeconfig)
        assert run.status("cluster.nodes") == "ok", run.text
        assert run.result("cluster.daemonsets")["message"] == f"{namespace}/registry-mirror: 1/1 pods ready and updated"
        assert run.status("cluster.daemonsets") == "ok"

        # An image the registry does not hold: the kubelet reports the pull failure, doctor names it.
        spec.write_text(_daemonset(namespace, dev_cluster.base_image.rsplit(":", 1)[0] + ":missing"))
        dev_cluster.kubectl("apply", "-f", str(spec))
        pod, _, _ = _waiting(dev_cluster, namespace)
        run = run_cluster(manifest, kubeconfig=dev_cluster.kubeconfig)
        result = run.result("cluster.daemonsets")
        assert result["status"] == "fail", run.text
        # The kubelet alternates ErrImagePull and ImagePullBackOff; doctor quotes what it read.
        assert f"{pod} on devenv-node: " in result["message"], result
        assert any(f"{pod} on devenv-node: {r}" in result["message"] for r in ("ErrImagePull", "ImagePullBackOff")), result
        assert f"{dev_cluster.registry}/devenv/base" in result["message"], result  # the kubelet's words, cut
        assert result["blocked_services"] == ["web", "api", "worker", "gw"]
    finally:
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


# -- CoreDNS ---------------------------------------------------------------------------------------


def _resolves(address: str, name: str) -> bool:
    """One A query to address:53 (a DNS message by hand: no client library needed); True when
    the answer is NOERROR with at least one record."""
    query_id = random.randrange(1 << 16)
    qname = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    message = struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(message, (address, 53))
        reply = sock.recv(4096)
    reply_id, flags, _, answers = struct.unpack(">HHHH", reply[:8])
    assert reply_id == query_id
    return flags & 0xF == 0 and answers > 0


def _corefile(address: str, rewritten: list[str]) -> str:
    """Port 53, the cluster DNS port doctor reads (a block on another port gets no pod's query);
    on a loopback address of this test's own."""
    rewrites = "".join(f"    rewrite name exact {host} host.k3d.internal\n" for host in rewritten)
    return f".:53 {{\n    bind {address}\n    errors\n{rewrites}    hosts {{\n        10.88.0.1 host.k3d.internal\n    }}\n}}\n"


def _serve(coredns: str, corefile: str, folder: Path, address: str) -> subprocess.Popen:
    (folder / "Corefile").write_text(corefile)
    proc = subprocess.Popen(
        [coredns, "-conf", str(folder / "Corefile")], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    if not _wait_dns(address, proc):
        proc.kill()
        raise AssertionError("CoreDNS did not answer")
    return proc


def _wait_dns(address: str, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            _resolves(address, "host.k3d.internal")
            return True
        except OSError:
            time.sleep(0.2)
    return False


def _doctor_missing(message: str) -> set[str]:
    """The hosts doctor's cluster.coredns names as not rewritten."""
    if "not rewritten" not in message:
        return set()
    return set(message.rsplit(": ", 1)[1].split(", "))


@pytest.mark.parametrize("rewritten", [["npm", "go", "pypi"], ["npm", "pypi"], []])
def test_doctor_coredns_verdict_agrees_with_a_real_coredns(dev_cluster: Cluster, tmp_path, rewritten):
    """The Corefile doctor reads from the cluster is the one a real CoreDNS serves: for every
    registry host, doctor calls it rewritten exactly when CoreDNS resolves it."""
    coredns = tool("coredns", "DEVENV_COREDNS")
    address = f"127.53.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
    corefile = _corefile(address, [REGISTRY_HOSTS[kind] for kind in rewritten])
    proc = _serve(coredns, corefile, tmp_path, address)
    try:
        resolved = {host: _resolves(address, host) for host in REGISTRY_HOSTS.values()}
    finally:
        proc.terminate()
        proc.wait(10)
    manifest = write_cluster_manifest(tmp_path / "repo", namespace=None, daemonsets=())
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"}, "data": {"Corefile": corefile}}
    (tmp_path / "coredns.yaml").write_text(yaml.safe_dump(body))
    with _coredns_configmap_turn():
        dev_cluster.kubectl("apply", "-f", str(tmp_path / "coredns.yaml"))
        try:
            run = run_cluster(manifest, kubeconfig=dev_cluster.kubeconfig)
        finally:
            dev_cluster.kubectl("-n", "kube-system", "delete", "configmap", "coredns", check=False)
    result = run.result("cluster.coredns")
    assert _doctor_missing(result["message"]) == {host for host, ok in resolved.items() if not ok}, (result, resolved)
    assert result["status"] == ("ok" if all(resolved.values()) else "fail"), result
    assert sum(resolved.values()) == len(rewritten)  # CoreDNS answers what was rewritten, nothing else
