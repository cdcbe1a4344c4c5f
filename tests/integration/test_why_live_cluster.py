"""`devenv why SERVICE` on the live setup: the monorepo of test_tilt_up_cluster.py, its SDK versions
published by its own publish steps to the real registries (Verdaccio, a Go proxy directory,
pypiserver), each reached by its host name through a proxy on the docker bridge address, and the
live cluster (scripts/dev-cluster.sh). While everything answers, nothing blocks any service; then
the npm registry answers 500 and the Go proxy goes down, and `why` names exactly the services each
one blocks, following the graph: the SDK chain published there, then its consumers."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import yaml

from tests.fixtures.cluster import Cluster
from tests.integration.live_monorepo import HOSTS, SERVICES, build_repo, fresh_versions, live_registries
from tests.support.components import missing
from tests.support.sandbox import Completed, Sandbox, available

GROUPS = "registries,cluster"


@pytest.fixture
def registries(dockerd, tmp_path):
    with live_registries(tmp_path, dockerd.bridge_ip) as live:
        yield live


def _why(sandbox: Sandbox, cluster: Cluster, root, service: str) -> Completed:
    """`devenv why` as a developer runs it: the registry host names resolve through /etc/hosts
    (a private one: tests/support/sandbox.py) to the bridge address where the proxies listen."""
    env = {k: v for k, v in cluster.env().items() if not k.startswith(("TILT_", "DEVENV_HEALTH", "COLUMNS"))}
    env["NO_COLOR"] = "1"
    return sandbox.run([sys.executable, "-m", "devenv", "why", service, "--only", GROUPS], env=env, cwd=root, timeout=120)


def _consumers(sdk: str) -> str:
    """The services consuming ``sdk``, in manifest order: what a failure of its registry blocks."""
    return ", ".join(name for name, sdks in SERVICES.items() if sdk in sdks)


def _no_coredns(manifest) -> None:
    """This cluster has no CoreDNS (docs/dev-cluster.md): builds reach the registries through
    `extra_hosts`, which the manifest says (doctor would rightly fail cluster.coredns otherwise)."""
    doc = yaml.safe_load(manifest.read_text())
    doc["cluster"]["coredns_rewrites"] = "off"
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_why_names_the_services_a_broken_registry_blocks(dev_cluster: Cluster, dockerd, registries, tmp_path):
    reason = available()
    if reason:
        missing(f"cannot give devenv a private /etc/hosts: {reason}")
    namespace = f"why-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    root = build_repo(tmp_path / "repo", namespace, fresh_versions(), registries, with_registries=True)
    _no_coredns(root / "services.yaml")
    for sdk in HOSTS:  # what the chains' publish steps do under Tilt
        subprocess.run(["sh", f"publish-{sdk}.sh"], cwd=root, check=True, timeout=120)
    sandbox = Sandbox(tmp_path / "etc", hosts={host: dockerd.bridge_ip for host in HOSTS.values()})
    try:
        healthy = _why(sandbox, dev_cluster, root, "both")
        assert healthy.code == 0, healthy.out + healthy.err
        assert "nothing blocks both" in healthy.out, healthy.out

        registries.proxies["ts"].mode = "500"  # Verdaccio's ingress fails
        web = _why(sandbox, dev_cluster, root, "web")
        assert web.code == 1, web.out + web.err
        assert "✗ npm HTTP: GET /-/ping → 500 Internal Server Error" in web.out, web.out
        assert f"blocks: {_consumers('ts')}\n" in web.out, web.out
        assert "web is blocked by 1 of them" in web.out, web.out
        for free in ("gw", "worker", "plain"):
            other = _why(sandbox, dev_cluster, root, free)
            assert other.code == 0 and f"none of them blocks {free}" in other.out, other.out

        registries.proxies["go"].close()  # the Go proxy's ingress is gone: connection refused
        gw = _why(sandbox, dev_cluster, root, "gw")
        assert gw.code == 1, gw.out + gw.err
        refused = [line for line in gw.out.splitlines() if line.lstrip().startswith("✗ go ")]
        assert len(refused) == 1 and "connection refused" in refused[0], gw.out
        assert f"blocks: {_consumers('go')}\n" in gw.out and "gw is blocked by 1 of them" in gw.out, gw.out
        both = _why(sandbox, dev_cluster, root, "both")
        assert both.code == 1 and "both is blocked by 2 of them" in both.out, both.out
    finally:
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
