"""Doctor test helpers: a manifest writer and a registry stand-in on the Docker bridge."""

from __future__ import annotations

import http.server
import os
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

from tests.fixtures.manifests import deployment


def write_manifest(root: Path, *, hosts=("npm.packages.test",), registries=None, override_env="VERDACCIO_HOST_IP", services=("web", "api", "gw")) -> Path:
    """A small monorepo: SDK `ts` (registry npm) consumed by web and api; gw is Go (registry go)."""
    registries = registries if registries is not None else {"npm": {"kind": "npm", "url": "http://npm.packages.test:9", "probe": "/@demo%2fsdk"}}
    sdks = {
        "ts": {
            "language": "typescript",
            "path": "sdk_ts",
            "package": "@demo/sdk",
            "registry": "npm",
            "steps": {"build": {"cmd": "true"}, "publish": {"cmd": "true"}},
        },
        "go": {
            "language": "go",
            "path": "sdk_go",
            "package": "demo/sdk",
            "registry": "go" if "go" in registries else None,
            "steps": {"build": {"cmd": "true"}},
        },
    }
    languages = {"web": "typescript", "api": "typescript", "gw": "go"}
    svc = {}
    for name in services:
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "Dockerfile").write_text("FROM scratch\n")
        (root / name / "k8s.yaml").write_text(deployment(name, f"demo/{name}"))
        svc[name] = {"language": languages[name], "image": f"demo/{name}", "context": name, "k8s": [f"{name}/k8s.yaml"]}
    if "gw" in svc and "web" in svc:
        svc["gw"]["after"] = ["web"]
    doc = {
        "version": 1,
        "project": "demo",
        "build": {"extra_hosts": {"hosts": list(hosts), "override_env": override_env}},
        "registries": registries,
        "sdks": sdks,
        "services": svc,
    }
    path = root / "services.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture
def public_dir():
    """A temp folder any user can read (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="devenv-doctor-test-"))
    path.chmod(0o755)
    yield path
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class RegistryStandIn:
    """An HTTP server bound on the Docker bridge address, standing in for a registry.

    ``status`` is what every GET answers; ``stop()`` takes it down (port closed: refused)."""

    def __init__(self, address: str):
        outer = self
        self.status = 200
        self.requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(self.path)
                body = b'{"ok": true}\n'
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.address = address
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def registry_server(dockerd):
    """A registry stand-in on the bridge IP (172.17.0.1), reached from containers via host-gateway."""
    try:
        server = RegistryStandIn(dockerd.bridge_ip)
    except OSError as exc:
        pytest.fail(f"cannot bind {dockerd.bridge_ip} (the engine's bridge): {exc}", pytrace=False)
    yield server
    try:
        server.stop()
    except Exception:
        pass


def env_without_overrides(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "VERDACCIO_", "DEVENV_"))}
    env.update(extra)
    return env
