"""scripts/dev-cluster.sh gives a real single-node cluster: a pod from BASE_IMAGE, pulled from
the local registry by the kubelet's containerd, becomes Ready through its readiness probe."""

from __future__ import annotations

import json
import urllib.request
import uuid

import yaml

from tests.fixtures.cluster import SETTINGS, Cluster, run_script


def _manifest_digest(registry: str, image: str) -> str:
    """The registry's own answer: the digest it serves for ``image`` (an oracle apart from the kubelet)."""
    name, tag = image.removeprefix(f"{registry}/").rsplit(":", 1)
    request = urllib.request.Request(
        f"http://{registry}/v2/{name}/manifests/{tag}", method="HEAD", headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Docker-Content-Digest"]


def _pod(name: str, image: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name},
            "spec": {
                "containers": [
                    {
                        "name": "main",
                        "image": image,
                        "command": ["sh", "-c", "echo started; touch /tmp/ready; exec sleep 3600"],
                        "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 1},
                    }
                ]
            },
        }
    )


def test_a_pod_from_the_base_image_becomes_ready(dev_cluster: Cluster, tmp_path):
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    try:
        manifest = tmp_path / "pod.yaml"
        manifest.write_text(_pod("base", dev_cluster.base_image))
        dev_cluster.kubectl("-n", namespace, "apply", "-f", str(manifest))
        waited = dev_cluster.kubectl("-n", namespace, "wait", "--for=condition=Ready", "pod/base", "--timeout=90s", check=False)
        pod = json.loads(dev_cluster.kubectl("-n", namespace, "get", "pod", "base", "-o", "json").stdout)
        assert waited.returncode == 0, f"{waited.stderr}\n{json.dumps(pod.get('status'), indent=1)}"
        status = pod["status"]["containerStatuses"][0]
        assert status["ready"] and "running" in status["state"]
        assert status["imageID"].endswith(_manifest_digest(dev_cluster.registry, dev_cluster.base_image))
        assert dev_cluster.kubectl("-n", namespace, "logs", "base").stdout.strip() == "started"
    finally:
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def test_the_registry_is_announced_to_tilt(dev_cluster: Cluster):
    """KEP-1755's ConfigMap: where Tilt pushes images for this cluster."""
    found = json.loads(dev_cluster.kubectl("-n", "kube-public", "get", "configmap", "local-registry-hosting", "-o", "json").stdout)
    assert yaml.safe_load(found["data"]["localRegistryHosting.v1"])["host"] == dev_cluster.registry


def test_up_again_reuses_the_running_cluster_and_status_says_ready(dev_cluster: Cluster, dockerd):
    env = {**dev_cluster.env(), **SETTINGS, "DOCKER_HOST": dockerd.host}
    again = run_script("up", env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"KUBECONFIG={dev_cluster.kubeconfig}",
        f"DOCKER_HOST={dev_cluster.docker_host}",
        f"REGISTRY={dev_cluster.registry}",
        f"BASE_IMAGE={dev_cluster.base_image}",
    ]
    status = run_script("status", env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "node devenv-node: Ready" in status.stdout
