"""`tilt up` of the repository's own example monorepo (examples/ and the root services.yaml) on
the real single-node cluster (scripts/dev-cluster.sh): all its services (Go, Python and
TypeScript), with their own Dockerfiles, release scripts and manifest
(tests/integration/live_example.py says what the test changes in its copy, and why).

- The Go, Python and ts SDK chains run (build, publish, smoke): publish writes the Go module into a
  real Go proxy directory, uploads the wheel to a real pypiserver and `npm publish`es the ts SDK
  (compiled by `tsc` in its build step) to a real Verdaccio, at versions new to the run.
- Each service image builds `FROM` a toolchain image of this machine (tests/support/toolchains.py)
  passed as `GO_IMAGE` / `PYTHON_IMAGE` / `NODE_IMAGE`, and fetches its SDK during `docker build`
  from `https://go.packages.dev.ameide.io` / `https://pypi.packages.dev.ameide.io` /
  `http://npm.packages.dev.ameide.io`, names only the rendered `extra_hosts` resolve
  (`host-gateway`: the docker bridge, where a TLS proxy with a certificate of the test CA on 443,
  and a plain one on 80, route to the registries), then verifies the version it got.
- Tilt pushes the images to the cluster's registry; every pod becomes Ready (its readiness
  probe, run by the kubelet) and runs the SDK version the run published (its start-up log line).
- Through Tilt's API (`tilt get uiresource`): every chain step ran once without error, and each
  service's first build started after the last step (smoke) of every chain it consumes finished.

"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.fixtures.cluster import Cluster
from tests.integration.judge import render_tiltfile
from tests.integration.live_example import CHAINS, DEPLOYMENTS, SERVICES, copy_example, example_env, example_registries, fresh_versions
from tests.integration.tiltsession import TiltSession


@pytest.fixture
def registries(dockerd, dev_cluster: Cluster, tmp_path):
    """The example's registries and hosts file (tests/integration/live_example.py: `example_registries`)."""
    with example_registries(tmp_path, dockerd.bridge_ip, dev_cluster.registry) as found:
        yield found


def test_tilt_up_runs_the_examples_services(dev_cluster: Cluster, tilt_helm, tilt_bin, registries, tmp_path):
    namespace = f"example-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    versions = fresh_versions()
    root = copy_example(tmp_path / "repo", namespace, versions)
    render_tiltfile(root)
    env = tilt_helm.env(example_env(dev_cluster, registries), kubeconfig=dev_cluster.kubeconfig)
    steps = {step for chain in CHAINS.values() for step in chain}
    # `tilt up <services>`: the generated Tiltfile enables them and the SDK chains they consume.
    session = TiltSession(tilt_bin, root, env, only=sorted(SERVICES), launch=registries["sandbox"].argv).start()
    try:
        counts = session.settle(steps | set(SERVICES), timeout=900)
        assert {n: counts[n] for n in steps} == {n: 1 for n in steps}, session.log()[-4000:]
        for name in steps | set(SERVICES):
            assert not session.history(name)[0].error, f"{name}: {session.history(name)[0].error}\n{session.log()[-6000:]}"
        for name, sdks in SERVICES.items():
            first = session.history(name)[0]
            for sdk in sdks:
                last_step = session.history(CHAINS[sdk][-1])[0]
                assert last_step.finish <= first.start, (name, sdk, last_step, first)
        _assert_pods_serve(dev_cluster, namespace, versions)
    finally:
        session.stop()
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _assert_pods_serve(cluster: Cluster, namespace: str, versions: dict[str, str]) -> None:
    """Every Deployment Available (the kubelet ran the readiness probes), its image from the
    cluster's registry, and the running service reports (in its log) the SDK version this run published."""
    waited = cluster.kubectl("-n", namespace, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=180s", check=False)
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    assert waited.returncode == 0, f"{waited.stderr}\n{json.dumps([p['status'] for p in pods], indent=1)[-3000:]}"
    names = json.loads(cluster.kubectl("-n", namespace, "get", "deployments", "-o", "json").stdout)["items"]
    assert {d["metadata"]["name"] for d in names} == set(DEPLOYMENTS.values())
    statuses = [s for p in pods if not p["metadata"].get("deletionTimestamp") for s in p["status"]["containerStatuses"]]
    assert statuses and all(s["ready"] and s["image"].startswith(f"{cluster.registry}/") for s in statuses), statuses
    for service, deployment in DEPLOYMENTS.items():  # each logs "<name> listening on :8080 (sdk <version>)"
        logs = cluster.kubectl("-n", namespace, "logs", f"deploy/{deployment}").stdout
        assert f"(sdk {versions[SERVICES[service][0]]})" in logs, (service, logs)
