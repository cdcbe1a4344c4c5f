"""Real servers standing in for the Buf Schema Registry's generated-SDK endpoints.

- a real Verdaccio holding ``@buf/...`` packages at Buf-style versions; ``@buf/private_*``
  needs a login (anonymous reads get Verdaccio's own 401; its npm token works as a bearer);
- a real pypiserver holding a wheel with a Buf-style name and version;
- a GOPROXY directory with a Buf-style module and version, served by http.server;
- in front of them, :class:`PathRouter`: a loopback HTTP reverse proxy that puts each under the
  BSR's path (``/gen/npm/v1`` -> Verdaccio ``/``, ``/gen/python`` -> pypiserver ``/simple`` (and
  ``/packages``, where its index links the files), ``/gen/go`` -> the proxy directory), forwarding method, headers (``Authorization`` included)
  and bodies unchanged. It rewrites paths only; every answer is the real server's.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import zipfile
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.registries import Processes, Upstream, _escape, _npm_user, free_port, start_pypiserver, verdaccio_binary

MODULE = "buf.build/acme/apis"
HOST = "bsr.example.io"  # the module host the shared fixture (bsr_servers) serves
NPM_PUBLIC = "@buf/acme_apis.bufbuild_es"
NPM_PRIVATE = "@buf/private_apis.bufbuild_es"
NPM_VERSION = "2.2.0-20240105174326-7d1ab5b6f0d1.1"
GO_MODULE_PATH = "gen/go/acme/apis/protocolbuffers/go"  # after the host
GO_VERSION = "v1.34.0-20240105174326-7d1ab5b6f0d1.1"
PY_PROJECT = "acme-apis-protocolbuffers-python"
PY_VERSION = "25.1.0.1.20240105174326+7d1ab5b6f0d1"

VERDACCIO_CONFIG = """\
storage: {storage}
auth:
  htpasswd:
    file: {htpasswd}
    max_users: 100
uplinks: {{}}
packages:
  '@buf/private_*':
    access: $authenticated
    publish: $authenticated
  '@*/*':
    access: $all
    publish: $authenticated
server:
  keepAliveTimeout: 5
web:
  enable: false
log: {{type: stdout, format: pretty, level: warn}}
"""


def _publish(url: str, token: str, work: Path, name: str, version: str) -> None:
    package = work / f"pkg-{name.replace('/', '_')}-{version}"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": version, "main": "index.js", "license": "Apache-2.0"}))
    (package / "index.js").write_text("module.exports = {};\n")
    host = url.split("://", 1)[1]
    npmrc = work / "npmrc"
    npmrc.write_text(f"//{host}/:_authToken={token}\nregistry={url}/\naudit=false\nfund=false\nupdate-notifier=false\n")
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(work), "npm_config_userconfig": str(npmrc), "npm_config_cache": str(work / "npm-cache")}
    done = subprocess.run(
        ["npm", "publish", "--access", "public", "--tag", "latest", "--registry", f"{url}/"], cwd=package, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm publish {name}@{version} failed:\n{done.stdout}\n{done.stderr}")


def start_bsr_verdaccio(work: Path, procs: Processes) -> tuple[Upstream, str]:
    """Verdaccio with the public and the private ``@buf`` package; (upstream, a user's npm token)."""
    binary = verdaccio_binary()
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.yaml"
    config.write_text(VERDACCIO_CONFIG.format(storage=work / "storage", htpasswd=work / "htpasswd"))
    port = free_port()
    procs.start("Verdaccio (BSR npm)", [binary, "--config", str(config), "--listen", f"127.0.0.1:{port}"], port, work / "verdaccio.log")
    upstream = Upstream("bsr-npm", "npm", "127.0.0.1", port)
    token = _npm_user(upstream.url)
    for name in (NPM_PUBLIC, NPM_PRIVATE):
        _publish(upstream.url, token, work, name, NPM_VERSION)
    return upstream, token


def buf_wheel(folder: Path) -> Path:
    """A wheel as the BSR names it (project and version), with the metadata pip reads."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = PY_PROJECT.replace("-", "_")
    path = folder / f"{dist}-{PY_VERSION}-py3-none-any.whl"
    info = f"{dist}-{PY_VERSION}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("acme/apis/v1/__init__.py", "")
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {PY_PROJECT}\nVersion: {PY_VERSION}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: devenv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path


def go_proxy_dir(root: Path, host: str) -> Path:
    """A GOPROXY tree for ``<host>/gen/go/acme/apis/protocolbuffers/go`` at the Buf-style version."""
    module = f"{host}/{GO_MODULE_PATH}"
    folder = root / _escape(module) / "@v"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "list").write_text(GO_VERSION + "\n")
    (folder / f"{_escape(GO_VERSION)}.info").write_text(json.dumps({"Version": GO_VERSION, "Time": "2024-01-05T17:43:26Z"}))
    (folder / f"{_escape(GO_VERSION)}.mod").write_text(f"module {module}\n\ngo 1.21\n")
    return root


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticServer:
    def __init__(self, root: Path):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True, name="bsr-go").start()
        self.upstream = Upstream("bsr-go", "goproxy", "127.0.0.1", self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class Route:
    prefix: str  # the BSR path, e.g. /gen/npm/v1
    upstream: Upstream
    to: str  # the upstream's path for it, e.g. "" or /simple


class _Router(BaseHTTPRequestHandler):
    routes: tuple[Route, ...] = ()
    seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        route = next((r for r in self.routes if self.path == r.prefix or self.path.startswith(r.prefix + "/")), None)
        if route is None:
            self.send_error(404, "no such BSR endpoint")
            return
        path = route.to + self.path[len(route.prefix) :]
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection = http.client.HTTPConnection(*route.upstream.address, timeout=30)
        try:
            connection.request("GET", path or "/", headers=headers)
            answer = connection.getresponse()
            body = answer.read()
        finally:
            connection.close()
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PathRouter:
    """The BSR's paths in front of the real servers (plain HTTP on 127.0.0.1; TLS comes from the lab's proxy)."""

    def __init__(self, routes: list[Route]):
        handler = type("Router", (_Router,), {"routes": tuple(routes), "seen": []})
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True, name="bsr-router").start()
        self.upstream = Upstream("bsr", "npm", "127.0.0.1", self.server.server_address[1])

    @property
    def seen(self) -> list[tuple[str, str]]:
        """(path, Authorization header) of every request, to prove what doctor sent."""
        return self.handler.seen

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_bsr(work: Path, procs: Processes, host: str) -> tuple[PathRouter, str, StaticServer]:
    """Verdaccio, pypiserver and a Go proxy directory under the BSR's paths; (router, npm token, go server)."""
    npm, token = start_bsr_verdaccio(work / "verdaccio", procs)
    wheels = work / "wheels"
    buf_wheel(wheels)
    pypi = start_pypiserver("bsr-pypi", wheels, work / "pypi", procs)
    go = StaticServer(go_proxy_dir(work / "goproxy", host))
    # pypiserver's index links its files as ../../packages/<file>: from /gen/python/<project>/ that is /packages
    router = PathRouter(
        [Route("/gen/npm/v1", npm, ""), Route("/gen/python", pypi, "/simple"), Route("/packages", pypi, "/packages"), Route("/gen/go", go.upstream, "")]
    )
    return router, token, go
