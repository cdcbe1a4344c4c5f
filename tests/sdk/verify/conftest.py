"""Real registries holding SDK variants built by tests/sdk/verify/artifacts.py, once per module
run, and a repository whose manifest points at them."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.sdk.verify import artifacts
from tests.support.registries import Processes, Upstream, _Quiet, start_pypiserver, start_verdaccio


@pytest.fixture(scope="session")
def verify_processes():
    procs = Processes()
    yield procs
    procs.stop()


@pytest.fixture(scope="session")
def verify_npm(tmp_path_factory, verify_processes) -> Upstream:
    work = tmp_path_factory.mktemp("verify-npm")
    upstream = start_verdaccio(work / "verdaccio", verify_processes)
    artifacts.npm_publish_all(work, upstream.url)
    return upstream


@pytest.fixture(scope="session")
def verify_pypi(tmp_path_factory, verify_processes) -> Upstream:
    import importlib.util

    from tests.support.components import missing

    if importlib.util.find_spec("pypiserver") is None:
        missing("pypiserver not installed (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("verify-pypi")
    packages = artifacts.wheels(work)
    return start_pypiserver("pypiserver-verify", packages, work, verify_processes)


@pytest.fixture(scope="session")
def verify_goproxy(tmp_path_factory) -> Upstream:
    root = artifacts.go_proxy_dir(tmp_path_factory.mktemp("verify-goproxy"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True, name="verify-goproxy").start()
    yield Upstream("goproxy", "goproxy", "127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


def write_repo(folder: Path, registries: dict[str, str], *, version: str = "1.5.0", sdks: dict | None = None) -> Path:
    """A repository with the example's proto workspace and a manifest whose SDKs sit in
    ``registries`` (kind -> URL)."""
    proto = folder / "packages" / "ameide_core_proto"
    shutil.copytree(artifacts.PROTO_ROOT.parent, proto)
    kinds = {"npm": ("ts", "typescript", artifacts.NPM_PACKAGE, version),
             "pypi": ("python", "python", artifacts.PYPI_PROJECT, version),
             "goproxy": ("go", "go", artifacts.GO_MODULE, "v" + version)}
    manifest = {"version": 1, "project": "verify", "registries": {}, "sdks": {},
                "proto": {"path": "packages/ameide_core_proto"}}
    for kind, url in registries.items():
        name, language, package, pinned = kinds[kind]
        manifest["registries"][kind] = {"kind": kind, "url": url}
        manifest["sdks"][name] = {"language": language, "path": f"packages/sdk_{name}", "package": package,
                                  "registry": kind, "version": pinned, **((sdks or {}).get(name, {}))}
    path = folder / "services.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path
