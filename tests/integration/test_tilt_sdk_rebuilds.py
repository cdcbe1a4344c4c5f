"""SDK changes reach exactly their consumers, proven in a running `tilt up` (docs/tiltfile-sdk-rebuilds.md).

A small monorepo: SDK `a` (steps build, publish) consumed by `uses-a` and `uses-both`; SDK `b`
consumed by `uses-b` and `uses-both`; `plain` consumes none. The images are built by the real
dockerd, pushed to the real docker-registry that the cluster announces through the
`local-registry-hosting` ConfigMap, and applied to the real kube-apiserver (no kubelet runs:
pods never start, which is irrelevant to when and how often Tilt builds). Every count below is
read from Tilt's API (`tilt get uiresource`), and each step logs its runs to steps.log.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tests.fixtures.manifests import build_tree
from tests.integration.judge import render_tiltfile
from tests.integration.tiltsession import TiltSession

NAMESPACE = "default"
SERVICES = {"uses-a": ["a"], "uses-b": ["b"], "uses-both": ["a", "b"], "plain": []}
STEPS = {f"packages:{s}-sdk-{step}" for s in ("a", "b") for step in ("build", "publish")}
EVERYTHING = STEPS | set(SERVICES)
# Each step logs its run; while a file `slow` exists, it then takes that many seconds (a chain
# that publishes for a while: a consumer built before it finished would be seen building early),
# and logs when its own command finished (before `devenv sdk mark` runs) to done.log.
STEP = 'echo "run $1" >> steps.log\n[ ! -f slow ] || sleep "$(cat slow)"\necho "$1 $(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)" >> done.log\n'

MANIFEST = """\
version: 1
project: rebuilds
sdks:
  a:
    language: typescript
    path: sdk/a
    package: "@acme/a"
    version: "1.0.0"
    steps:
      build:   {cmd: sh step.sh a-build, deps: [sdk/a/src]}
      publish: {cmd: sh step.sh a-publish}
  b:
    language: go
    path: sdk/b
    package: acme.dev/b
    version: v1.0.0
    steps:
      build:   {cmd: sh step.sh b-build, deps: [sdk/b/src]}
      publish: {cmd: sh step.sh b-publish}
services:
"""


def _repo(root: Path, registry: str) -> Path:
    files = {
        "step.sh": STEP,
        "sdk/a/src/index.ts": "export const A = 1;\n",
        "sdk/a/package.json": "{}\n",
        "sdk/b/src/b.go": "package b\n",
        "sdk/b/go.mod": "module acme.dev/b\n",
    }
    text = MANIFEST
    for name, sdks in SERVICES.items():
        text += f"  {name}:\n    sdks: [{', '.join(sdks)}]\n    context: svc/{name}\n    image: acme/{name}\n    k8s: [k8s/{name}.yaml]\n"
        args = "".join(
            f"ARG {s.upper()}_SDK_VERSION\nARG {s.upper()}_SDK_DIGEST\nLABEL sdk-{s}=${s.upper()}_SDK_DIGEST sdk-{s}-version=${s.upper()}_SDK_VERSION\n"
            for s in sdks
        )
        files[f"svc/{name}/Dockerfile"] = f"FROM scratch\n{args}COPY app.txt /app.txt\n"
        files[f"svc/{name}/app.txt"] = f"{name}\n"
        files[f"k8s/{name}.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {NAMESPACE}}}\nspec:\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec: {{containers: [{{name: app, image: acme/{name}}}]}}\n"
        )
    text += "cluster:\n  contexts: [k3d-ameide]\n"
    files["services.yaml"] = text
    build_tree(root, files)
    render_tiltfile(root)
    return root


def _step_runs(root: Path) -> dict[str, int]:
    runs: dict[str, int] = {}
    for line in (root / "steps.log").read_text().splitlines():
        step = line.split(" ", 1)[1]
        runs[step] = runs.get(step, 0) + 1
    return runs


@pytest.fixture
def cluster(kube_server, oci_registry, tmp_path):
    """The kube-apiserver, announcing the docker-registry as its local registry (KEP-1755)."""
    from kubernetes import client

    core = client.CoreV1Api(kube_server.client())
    registry = f"127.0.0.1:{oci_registry.port}"
    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="local-registry-hosting", namespace="kube-public"),
        data={"localRegistryHosting.v1": f'host: "{registry}"\nhelp: "devenv test registry"\n'},
    )
    try:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="kube-public")))
    except client.ApiException as exc:
        assert exc.status == 409, exc
    core.create_namespaced_config_map("kube-public", body)
    try:
        yield kube_server.kubeconfig(tmp_path / "kubeconfig"), registry
    finally:
        core.delete_namespaced_config_map("local-registry-hosting", "kube-public")
        apps = client.AppsV1Api(kube_server.client())
        for name in SERVICES:
            try:
                apps.delete_namespaced_deployment(name, NAMESPACE)
            except client.ApiException:
                pass


def _session(tilt, tilt_bin, docker_env, kubeconfig, root) -> TiltSession:
    env = tilt.env(kubeconfig=kubeconfig)
    # `devenv sdk mark` asks the running Tilt (`tilt get filewatch`) whether it saw the change.
    env["PATH"] = os.pathsep.join([str(Path(tilt_bin).parent), env["PATH"]])
    env["DOCKER_HOST"] = docker_env["DOCKER_HOST"]
    return TiltSession(tilt_bin, root, env).start()


def _label(docker_env, ref: str, sdk: str) -> str:
    out = subprocess.run(
        ["docker", "image", "inspect", ref, "--format", "{{json .Config.Labels}}"], env=docker_env, capture_output=True, text=True, check=True
    ).stdout
    return (json.loads(out) or {}).get(f"sdk-{sdk}", "")


def _done(root: Path, step: str) -> datetime:
    """When the step's own command last finished (done.log)."""
    times = [line.split()[1] for line in (root / "done.log").read_text().splitlines() if line.split()[0] == step]
    return datetime.fromisoformat(times[-1])


def _built(session: TiltSession, service: str) -> str:
    images = {item["metadata"]["name"]: item for item in session.get("imagemap")}
    return images[f"acme_{service}"]["status"]["imageFromLocal"]


def _bump(root: Path, sdk: str, old: str, new: str) -> None:
    """A release bump: the SDK's sources (watched by its first step) and the manifest get the new
    version, and the Tiltfile is rendered again (examples/release, the bench's edit)."""
    (root / f"sdk/{sdk}/src/version.txt").write_text(f"{new}\n")
    manifest = root / "services.yaml"
    text = manifest.read_text()
    assert text.count(f"version: {old}") == 1, text
    manifest.write_text(text.replace(f"version: {old}", f"version: {new}"))
    render_tiltfile(root)


def test_a_changed_sdk_rebuilds_exactly_its_consumers_once(tilt, tilt_bin, docker_env, cluster, tmp_path):
    kubeconfig, registry = cluster
    root = _repo(tmp_path / "repo", registry)

    session = _session(tilt, tilt_bin, docker_env, kubeconfig, root)
    try:
        # Cold: no result digest yet. Every step runs once, every image builds once, and each
        # consumer's first build starts after the last step of every chain it consumes finished.
        cold = session.settle(EVERYTHING)
        assert {n: cold[n] for n in EVERYTHING} == {n: 1 for n in EVERYTHING}, session.log()[-4000:]
        assert _step_runs(root) == {s.split(":")[1].replace("-sdk-", "-"): 1 for s in STEPS}
        for name, sdks in SERVICES.items():
            first = session.history(name)[0]
            for sdk in sdks:
                assert session.history(f"packages:{sdk}-sdk-publish")[0].finish <= first.start, (name, sdk)
        digest_a, version_a = (root / ".devenv/sdk/a/publish.sha256").read_text().split("\n")[:2]
        assert len(digest_a) == 64 and version_a == "1.0.0"

        # Edit SDK a: its chain runs again, uses-a and uses-both rebuild once, nothing else moves.
        (root / "sdk/a/src/index.ts").write_text("export const A = 2;\n")
        edited = session.settle(EVERYTHING)
        moved = {n: edited[n] - cold[n] for n in EVERYTHING}
        assert moved == {
            "packages:a-sdk-build": 1,
            "packages:a-sdk-publish": 1,
            "packages:b-sdk-build": 0,
            "packages:b-sdk-publish": 0,
            "uses-a": 1,
            "uses-both": 1,
            "uses-b": 0,
            "plain": 0,
        }, f"builds after the edit: {moved}\n{session.log()[-4000:]}"
        new_a = (root / ".devenv/sdk/a/publish.sha256").read_text().split()[0]
        assert new_a != digest_a
        # The rebuilt image was built with the new digest (the Dockerfile labels it).
        assert _label(docker_env, _built(session, "uses-a"), "a") == new_a

        # A manual trigger of the chain that changes nothing: the step runs, nothing after it does.
        assert session.tilt("trigger", "packages:a-sdk-build").returncode == 0
        session.settle(EVERYTHING)
        triggered = session.counts()
        assert {n: triggered[n] - edited[n] for n in EVERYTHING} == {n: 1 if n == "packages:a-sdk-build" else 0 for n in EVERYTHING}, session.log()[-4000:]
    finally:
        session.stop()

    # Warm `tilt up`: the digests are on disk and the chains reproduce them: each image builds once.
    warm = _session(tilt, tilt_bin, docker_env, kubeconfig, root)
    try:
        counts = warm.settle(EVERYTHING)
        assert {n: counts[n] for n in EVERYTHING} == {n: 1 for n in EVERYTHING}, warm.log()[-4000:]
    finally:
        warm.stop()


def test_a_release_bump_rebuilds_each_consumer_once_after_its_chain(tilt, tilt_bin, docker_env, cluster, tmp_path):
    """A bump renders the new version into the manifest while the chain still has to publish it:
    the consumers must not build with it before the chain completed, and then build once."""
    kubeconfig, _registry = cluster
    root = _repo(tmp_path / "repo", _registry)
    session = _session(tilt, tilt_bin, docker_env, kubeconfig, root)
    try:
        cold = session.settle(EVERYTHING)
        assert {n: cold[n] for n in EVERYTHING} == {n: 1 for n in EVERYTHING}, session.build_reasons()
        assert _label(docker_env, _built(session, "uses-a"), "a-version") == "1.0.0"

        (root / "slow").write_text("3\n")  # the chain publishes for a while: time enough to build early
        _bump(root, "a", '"1.0.0"', '"1.1.0"')
        bumped = session.settle(EVERYTHING)
        moved = {n: bumped[n] - cold[n] for n in EVERYTHING}
        expected = {n: 1 if n in ("packages:a-sdk-build", "packages:a-sdk-publish", "uses-a", "uses-both") else 0 for n in EVERYTHING}
        assert moved == expected, f"builds after the bump: {moved}\n{session.build_reasons()}"
        published = _done(root, "a-publish")  # the chain published: only then may a consumer build
        for name in ("uses-a", "uses-both"):
            build = session.history(name)[-1]
            assert not build.error and datetime.fromisoformat(build.start) >= published, (name, build, published, session.build_reasons())
            image = _built(session, name)
            assert _label(docker_env, image, "a-version") == "1.1.0"
            assert _label(docker_env, image, "a") == (root / ".devenv/sdk/a/publish.sha256").read_text().split()[0]
    finally:
        session.stop()

    # A bump made while Tilt was down: the warm `tilt up` builds each image once, with the new version.
    (root / "slow").unlink()
    _bump(root, "b", "v1.0.0", "v1.1.0")
    warm = _session(tilt, tilt_bin, docker_env, kubeconfig, root)
    try:
        counts = warm.settle(EVERYTHING)
        assert {n: counts[n] for n in EVERYTHING} == {n: 1 for n in EVERYTHING}, warm.build_reasons()
        for name in ("uses-b", "uses-both"):
            assert not warm.history(name)[-1].error
            assert _label(docker_env, _built(warm, name), "b-version") == "v1.1.0", name
        assert _label(docker_env, _built(warm, "uses-both"), "a-version") == "1.1.0"
    finally:
        warm.stop()
