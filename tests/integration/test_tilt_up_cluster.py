"""`tilt up` on the real single-node cluster (scripts/dev-cluster.sh): the SDK chains publish to
the real registries, each service image fetches its SDK from the registry *by the registry's host
name* during `docker build` (the rendered `extra_hosts` map the names to `host-gateway`), Tilt
pushes the images to the cluster's registry, and every pod becomes Ready (its readiness probe,
run by the kubelet).

The SDK version in the manifest is new for each run and only the chain's publish step puts it in
the registry: a service image that built before its chain finished would fail to fetch it. The
test reads Tilt's API (`tilt get uiresource`) and asserts that every service's first build
started after the last step of each chain it consumes finished.

The registries listen on loopback; a pass-through proxy on the test dockerd's bridge address (what
`host-gateway` resolves to) sits in front of each, as the platform's registry ingress would.
The registries are this test's own (Verdaccio, a Go proxy directory, pypiserver): it publishes
new versions to them. The example monorepo's own Dockerfiles (node, golang, python images from
Docker Hub) cannot build here, where nothing is pulled from the internet: see docs/dev-cluster.md.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures.cluster import Cluster
from tests.fixtures.manifests import build_tree
from tests.integration.judge import render_tiltfile
from tests.integration.live_monorepo import HOSTS, SERVICES, build_repo, deployment, fresh_versions, live_registries
from tests.integration.tiltsession import TiltSession


@pytest.fixture
def registries(dockerd, tmp_path):
    """This test's own registries behind proxies on the docker bridge (tests/integration/live_monorepo.py)."""
    with live_registries(tmp_path, dockerd.bridge_ip) as live:
        yield live


def test_tilt_up_builds_after_the_sdks_and_every_pod_becomes_ready(dev_cluster: Cluster, tilt, tilt_bin, registries, tmp_path):
    namespace = f"live-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    root = build_repo(tmp_path / "repo", namespace, fresh_versions(), registries)
    env = tilt.env({"BASE_IMAGE": dev_cluster.base_image, "DOCKER_HOST": dev_cluster.docker_host}, kubeconfig=dev_cluster.kubeconfig)
    steps = {f"packages:{s}-sdk-{step}" for s in HOSTS for step in ("build", "publish")}
    session = TiltSession(tilt_bin, root, env).start()
    try:
        counts = session.settle(steps | set(SERVICES), timeout=420)
        assert {n: counts[n] for n in steps} == {n: 1 for n in steps}, session.log()[-4000:]
        # Every image builds exactly once on a cold start; Tilt's reason for each build on failure.
        assert {n: counts[n] for n in SERVICES} == {n: 1 for n in SERVICES}, f"{counts}\n{session.build_reasons()}"
        for name in SERVICES:
            assert not session.history(name)[0].error, f"{name}: {session.history(name)[0].error}\n{session.log()[-4000:]}"
        for name, sdks in SERVICES.items():
            first = session.history(name)[0]
            for sdk in sdks:
                assert session.history(f"packages:{sdk}-sdk-publish")[0].finish <= first.start, (name, sdk)
        _assert_pods_ready(dev_cluster, namespace, session)
    finally:
        session.stop()
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _assert_pods_ready(cluster: Cluster, namespace: str, session: TiltSession) -> None:
    waited = cluster.kubectl("-n", namespace, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s", check=False)
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    assert waited.returncode == 0, f"{waited.stderr}\n{json.dumps([p['status'] for p in pods], indent=1)[-3000:]}"
    ready = {p["metadata"]["labels"]["app"]: p["status"]["containerStatuses"][0] for p in pods}
    assert set(ready) == set(SERVICES) and all(s["ready"] for s in ready.values()), ready
    # Every image came from the cluster's registry, where Tilt pushed it.
    assert all(s["image"].startswith(f"{cluster.registry}/") for s in ready.values()), ready
    deadline = time.monotonic() + 30  # Tilt sees the pods Ready a poll after the kubelet does
    while True:
        runtime = {name: (session.resources[name].get("status") or {}).get("runtimeStatus") for name in SERVICES}
        if runtime == {name: "ok" for name in SERVICES} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert runtime == {name: "ok" for name in SERVICES}, runtime


# -- an SDK change reaches its consumers' running pods -------------------------------------------

REBUILD_MANIFEST = """\
version: 1
project: live-rebuilds
build:
  build_args:
    BASE_IMAGE: {{env: BASE_IMAGE}}
sdks:
  a:
    language: typescript
    path: sdk/a
    package: "@acme/a"
    version: "1.0.0"
    steps:
      build:   {{cmd: sh step.sh a-build, deps: [sdk/a/src]}}
      publish: {{cmd: sh step.sh a-publish}}
services:
  uses-a: {{sdks: [a], context: svc/uses-a, image: acme/uses-a, k8s: [k8s/uses-a.yaml]}}
  plain: {{context: svc/plain, image: acme/plain, k8s: [k8s/plain.yaml]}}
cluster:
  contexts: [k3d-ameide]
  namespace: {namespace}
"""


def _pod_images(cluster: Cluster, namespace: str) -> dict[str, set[str]]:
    """Deployment -> the images of its Ready pods (what the kubelet runs, not what was asked)."""
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    out: dict[str, set[str]] = {}
    for pod in pods:
        for status in pod["status"].get("containerStatuses") or []:
            if status["ready"] and not pod["metadata"].get("deletionTimestamp"):
                out.setdefault(pod["metadata"]["labels"]["app"], set()).add(status["image"])
    return out


def _wait_running(cluster: Cluster, namespace: str, want: dict[str, str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := _pod_images(cluster, namespace)) != {k: {v} for k, v in want.items()}:
        assert time.monotonic() < deadline, f"pods run {seen}, expected {want}"
        time.sleep(1)


def test_an_sdk_edit_rolls_out_new_pods_of_exactly_its_consumers(dev_cluster: Cluster, tilt, tilt_bin, tmp_path):
    namespace = f"rebuild-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    root = tmp_path / "repo"
    files = {
        "services.yaml": REBUILD_MANIFEST.format(namespace=namespace),
        "step.sh": 'echo "run $1" >> steps.log\n',
        "sdk/a/src/index.ts": "export const A = 1;\n",
        "sdk/a/package.json": "{}\n",
    }
    for name, args in (("uses-a", 'ARG A_SDK_DIGEST\nRUN echo "$A_SDK_DIGEST" > /sdk-digest\n'), ("plain", "")):
        files[f"svc/{name}/Dockerfile"] = f"ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\n{args}COPY app.txt /app.txt\n"
        files[f"svc/{name}/app.txt"] = f"{name}\n"
        files[f"k8s/{name}.yaml"] = deployment(name, namespace)
    build_tree(root, files)
    render_tiltfile(root)
    env = tilt.env({"BASE_IMAGE": dev_cluster.base_image, "DOCKER_HOST": dev_cluster.docker_host}, kubeconfig=dev_cluster.kubeconfig)
    env["PATH"] = f"{Path(tilt_bin).parent}:{env['PATH']}"  # `devenv sdk mark` asks the running Tilt
    everything = {"packages:a-sdk-build", "packages:a-sdk-publish", "uses-a", "plain"}
    session = TiltSession(tilt_bin, root, env).start()
    try:
        cold = session.settle(everything, timeout=300)
        images = _built_images(session)
        _wait_running(dev_cluster, namespace, images)

        (root / "sdk/a/src/index.ts").write_text("export const A = 2;\n")
        edited = session.settle(everything, timeout=300)
        assert {n: edited[n] - cold[n] for n in everything} == {"packages:a-sdk-build": 1, "packages:a-sdk-publish": 1, "uses-a": 1, "plain": 0}, session.log()[
            -4000:
        ]
        rebuilt = _built_images(session)
        assert rebuilt["plain"] == images["plain"] and rebuilt["uses-a"] != images["uses-a"]
        _wait_running(dev_cluster, namespace, rebuilt)  # the new uses-a pod is Ready, plain's pod untouched
        digest = (root / ".devenv/sdk/a/publish.sha256").read_text().split()[0]  # the marker: digest, then version
        shown = dev_cluster.kubectl("-n", namespace, "exec", "deploy/uses-a", "--", "cat", "/sdk-digest").stdout.strip()
        assert shown == digest
    finally:
        session.stop()
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _built_images(session: TiltSession) -> dict[str, str]:
    """Service -> the image ref Tilt last deployed (its imagemap), in the cluster's registry."""
    refs = {item["metadata"]["name"]: (item.get("status") or {}).get("image", "") for item in session.get("imagemap")}
    return {"uses-a": refs["acme_uses-a"], "plain": refs["acme_plain"]}
