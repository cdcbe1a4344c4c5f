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
import random
import re
import shutil
import ssl
from pathlib import Path

from tests.support.faultproxy import FaultProxy

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
    for path in [manifest, *(root / "examples/infra/k8s").glob("*.yaml")]:
        path.write_text(re.sub(r"^(\s*)namespace: ameide$", rf"\g<1>namespace: {namespace}", path.read_text(), flags=re.M))
    return root


class HostRouter(FaultProxy):
    """A TLS-terminating pass-through proxy in front of several registries on one address (as the
    platform's ingress is): each connection goes to the upstream its first request's Host names."""

    def __init__(self, routes: dict[str, tuple[str, int]], *, host: str, port: int, tls: ssl.SSLContext | None):
        self.routes = routes
        super().__init__(None, host=host, port=port, tls=tls)

    async def _pass(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        found = re.search(rb"^host:\s*([^\s:]+)", head, flags=re.I | re.M)
        upstream = self.routes.get(found.group(1).decode().lower()) if found else None
        if upstream is None:
            writer.write(b"HTTP/1.1 421 Misdirected Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*upstream), 5)
        up_writer.write(head)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError, ssl.SSLError):
                pass
            finally:
                try:
                    dst.write_eof() if dst.can_write_eof() else dst.close()
                except (OSError, RuntimeError):
                    pass

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            up_writer.close()
