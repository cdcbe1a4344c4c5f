"""Doctor's cluster group against the live cluster (scripts/dev-cluster.sh): a real
`registry-mirror` DaemonSet rolls out, and what doctor says about it agrees with what the kubelet
reported, first Ready, then stuck pulling an image the registry does not hold."""

from __future__ import annotations

import json
import time
import uuid

import yaml

from tests.fixtures.cluster import Cluster
from tests.fixtures.kube import run_cluster, write_cluster_manifest


def _daemonset(namespace: str, image: str) -> str:
    serve = "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"
    return yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "registry-mirror", "namespace": namespace},
        "spec": {"selector": {"matchLabels": {"app": "registry-mirror"}}, "template": {
            "metadata": {"labels": {"app": "registry-mirror"}},
            "spec": {"terminationGracePeriodSeconds": 0, "containers": [{
                "name": "mirror", "image": image, "command": ["sh", "-c", serve],
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}}]}}},
    })


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
    manifest = write_cluster_manifest(tmp_path / "repo", namespace=None, coredns_rewrites="off",
                                      daemonsets=[f"{namespace}/registry-mirror"])
    spec = tmp_path / "ds.yaml"
    try:
        spec.write_text(_daemonset(namespace, dev_cluster.base_image))
        dev_cluster.kubectl("apply", "-f", str(spec))
        rolled = dev_cluster.kubectl("-n", namespace, "rollout", "status", "daemonset/registry-mirror", "--timeout=90s",
                                     check=False)
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
