"""The example monorepo (examples/ and the root services.yaml) made runnable on the dev cluster
(scripts/dev-cluster.sh), for tests/integration/test_tilt_up_example.py.

What the test changes, and why (docs/dev-cluster.md, "The example monorepo under `tilt up`"):

- a copy of the repository's example, not the tree itself (Tilt and the SDK steps write into it);
- a release bump: the Go and Python SDK versions, in the manifest and in the SDKs' own sources,
  become versions new to the run, so only the chains' publish steps put them in the registries;
- the namespace `ameide` becomes the test's own (the manifest, the k8s files, the Helm release).

Everything else is the example as a user has it: its Dockerfiles, release scripts and manifest;
the base images and registries' publish targets come in through the knobs a user sets too
(`GO_IMAGE`, `PYTHON_IMAGE`, `RUNTIME_IMAGE`, `GOPROXY_PUBLISH_DIR`, `GOPROXY_PUBLISH_URL`,
`PYPI_PUBLISH_URL`). The images fetch the SDKs from `https://go.packages.dev.ameide.io` and
`https://pypi.packages.dev.ameide.io` (port 443, the manifest's URLs): the rendered `extra_hosts`
map these names to the docker bridge, where :class:`HostRouter` terminates TLS with a
certificate of the test CA (trusted in the toolchain images) and passes each request to the
registry its Host header names.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import random
import re
import shutil
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.fixtures.cluster import Cluster
from tests.support.components import missing
from tests.support.faultproxy import FaultProxy, _read_head
from tests.support.registries import Certificates, GoProxy, Processes, _npm_user, start_pypiserver, start_verdaccio
from tests.support.sandbox import Loopback, Sandbox, available
from tests.support.toolchains import go_image, node_image, python_image, tsc

ROOT = Path(__file__).resolve().parents[2]
GO_HOST, PYPI_HOST, NPM_HOST = "go.packages.dev.ameide.io", "pypi.packages.dev.ameide.io", "npm.packages.dev.ameide.io"
# The services this test runs and the SDK chains each consumes (services.yaml: by language).
SERVICES = {
    **{"graph": ["python"], "transformation": ["python"], "inference_gateway": ["go"], "agents": ["go"]},
    **{"platform": ["ts"], "threads": ["ts"], "www_ameide_platform": ["ts"]},
}
CHAINS = {sdk: [f"packages:{sdk}-sdk-{step}" for step in ("build", "publish", "smoke")] for sdk in ("go", "python", "ts")}
# Where each service's Deployment is named (graph is the Helm release `graph`).
DEPLOYMENTS = {
    **{"graph": "graph", "transformation": "transformation", "inference_gateway": "inference-gateway", "agents": "agents"},
    **{"platform": "platform", "threads": "threads", "www_ameide_platform": "www-ameide-platform"},
}
PORTS_LOCK = "/tmp/devenv-test-example-ports.lock"
IGNORED = shutil.ignore_patterns("generated", "dist", "build", "*.egg-info", "__pycache__", "node_modules", ".devenv")


def fresh_versions() -> dict[str, str]:
    patch = random.randrange(1000, 10**6)
    return {"go": f"v1.5.{patch}", "python": f"1.5.{patch}", "ts": f"1.5.{patch}"}


def _sub(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    new, count = re.subn(pattern, replacement, text, flags=re.M)
    assert count, f"{path}: no match for {pattern!r} (did the example change?)"
    path.write_text(new)


def copy_example(root: Path, namespace: str, versions: dict[str, str]) -> Path:
    """The example under ``root`` with the Go and Python SDKs bumped to ``versions`` and its
    namespace renamed to ``namespace``."""
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "examples", root / "examples", ignore=IGNORED)
    shutil.copy(ROOT / "services.yaml", root / "services.yaml")
    release_bump(root, versions)
    manifest = root / "services.yaml"
    for path in [manifest, *(root / "examples/infra/k8s").glob("*.yaml")]:
        path.write_text(re.sub(r"^(\s*)namespace: ameide$", rf"\g<1>namespace: {namespace}", path.read_text(), flags=re.M))
    return root


def release_bump(root: Path, versions: dict[str, str]) -> None:
    """The SDKs' versions, in their sources and in the manifest, set to ``versions``."""
    packages = root / "examples" / "packages"
    _sub(packages / "ameide_sdk_go/ameide/version.go", r'^const Version = ".*"$', f'const Version = "{versions["go"]}"')
    _sub(packages / "ameide_sdk_python/pyproject.toml", r'^version = ".*"$', f'version = "{versions["python"]}"')
    _sub(packages / "ameide_sdk_python/src/ameide_sdk/__init__.py", r'^__version__ = ".*"$', f'__version__ = "{versions["python"]}"')
    ts = packages / "ameide_sdk_ts"
    _sub(ts / "package.json", r'^  "version": ".*",$', f'  "version": "{versions["ts"]}",')
    _sub(ts / "src/index.ts", r'^export const SDK_VERSION = ".*";$', f'export const SDK_VERSION = "{versions["ts"]}";')
    manifest = root / "services.yaml"
    _sub(manifest, r"^(  go:\n(?:    .*\n)*?    version: ).*$", rf"\g<1>{versions['go']}")
    _sub(manifest, r"^(  python:\n(?:    .*\n)*?    version: ).*$", rf'\g<1>"{versions["python"]}"')
    _sub(manifest, r"^(  ts:\n(?:    .*\n)*?    version: ).*$", rf'\g<1>"{versions["ts"]}"')


class HostRouter(FaultProxy):
    """A TLS-terminating pass-through proxy in front of several registries on one address (as the
    platform's ingress is): each connection goes to the upstream its first request's Host names."""

    def __init__(self, routes: dict[str, tuple[str, int]], *, host: str, port: int, tls: ssl.SSLContext | None):
        self.routes = routes
        super().__init__(None, host=host, port=port, tls=tls)

    async def _pass(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_head(reader)
        found = re.search(rb"^host:\s*([^\s:]+)", head, flags=re.I | re.M)
        upstream = self.routes.get(found.group(1).decode().lower()) if found else None
        if upstream is None:
            writer.write(b"HTTP/1.1 421 Misdirected Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        await self._splice(reader, writer, upstream, head)


@contextlib.contextmanager
def example_registries(work: Path, bridge_ip: str, cluster_registry: str) -> Iterator[dict]:
    """Verdaccio, a Go proxy directory and pypiserver on loopback, reached as the manifest's URLs
    (port 80, and 443 with a certificate of the test CA) through :class:`HostRouter` on the
    docker bridge, and the manifest's `images` registry (docker.io:5000) as a proxy in front of
    the cluster's registry; the hosts file that maps those names, for Tilt and what it runs.
    Shared by the test's fixture and bench/bench_tilt_up.py."""
    reason = available()
    if reason:
        missing(f"cannot give Tilt a private /etc/hosts: {reason}")
    # The bridge's ports 80 and 443 are the machine's: a second test session waits its turn.
    ports_lock = open(PORTS_LOCK, "a")
    fcntl.flock(ports_lock, fcntl.LOCK_EX)
    (work / "certs").mkdir(parents=True)
    certs = Certificates(work / "certs")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certs.ca.issue_cert(GO_HOST, PYPI_HOST).configure_cert(context)
    procs = Processes()
    go = GoProxy(work / "goproxy")
    proxies: list[FaultProxy] = []
    try:
        (work / "wheels").mkdir()
        pypi = start_pypiserver("pypiserver", work / "wheels", work / "pypi", procs)
        verdaccio = start_verdaccio(work / "verdaccio", procs)
        proxies.append(HostRouter({GO_HOST: go.upstream.address, PYPI_HOST: pypi.address}, host=bridge_ip, port=443, tls=context))
        proxies.append(HostRouter({NPM_HOST: verdaccio.address}, host=bridge_ip, port=80, tls=None))
        images = Loopback().take()
        registry_host, registry_port = cluster_registry.rsplit(":", 1)
        proxies.append(FaultProxy((registry_host, int(registry_port)), host=images, port=5000))
        npmrc = work / "npmrc"  # the token npm publish sends (npm reads NPM_CONFIG_USERCONFIG)
        npmrc.write_text(f"//{verdaccio.host}:{verdaccio.port}/:_authToken={_npm_user(verdaccio.url, 'example')}\n")
        hosts = {GO_HOST: bridge_ip, PYPI_HOST: bridge_ip, NPM_HOST: bridge_ip, "docker.io": images}
        yield {
            "ca": certs.ca_pem,
            "go_dir": work / "goproxy",
            "go_url": go.upstream.url,
            "pypi_url": pypi.url,
            "npm_url": verdaccio.url,
            "npmrc": npmrc,
            "sandbox": Sandbox(work / "etc", hosts=hosts),
        }
    finally:
        for proxy in proxies:
            proxy.close()
        go.close()
        procs.stop()
        ports_lock.close()


def example_env(cluster: Cluster, registries: dict) -> dict[str, str]:
    """What the example's Tiltfile and SDK steps read, pointed at ``registries`` and the cluster."""
    docker_env = cluster.env()
    return {
        "DOCKER_HOST": cluster.docker_host,
        "GO_IMAGE": go_image(docker_env, registries["ca"]),
        "PYTHON_IMAGE": python_image(docker_env, registries["ca"]),
        "NODE_IMAGE": node_image(docker_env, registries["ca"]),
        # The images fetch every package from the example's registry (the SDK has no dependencies).
        "NPM_REGISTRY": f"http://{NPM_HOST}/",
        "RUNTIME_IMAGE": cluster.base_image,
        "GOPROXY_PUBLISH_DIR": str(registries["go_dir"]),
        "GOPROXY_PUBLISH_URL": registries["go_url"],
        "PYPI_PUBLISH_URL": registries["pypi_url"],
        "PYTHON": sys.executable,
        "NPM_PUBLISH_REGISTRY": registries["npm_url"],
        "NPM_CONFIG_USERCONFIG": str(registries["npmrc"]),
        "TSC": tsc(),
        "SSL_CERT_FILE": str(registries["ca"]),  # packages:health (devenv doctor) checks the https registries
    }
