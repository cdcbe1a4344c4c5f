"""Images built once per session by the real test dockerd (tests/images/builds.py) and a
manifest whose services name them:

- ``web-right``: node_modules with the TypeScript SDK 1.4.0;
- ``web-stale``: built with TS_SDK_VERSION=1.4.0, but its node_modules layer comes from the cache
  of an earlier 1.3.0 build (the COPY does not depend on the build arg);
- ``web-none``: no SDK at all;
- ``worker``: the Python SDK 1.4.0 (pip); ``gw``: a Go binary built against the Go SDK v1.4.0.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.fixtures.manifests import deployment
from tests.images import builds

WEB_DOCKERFILE = """\
    FROM {base}
    WORKDIR /app
    COPY node_modules node_modules
    ARG TS_SDK_VERSION
    COPY app.js .
    """


@dataclass
class Built:
    manifest: Path
    env: dict[str, str]
    tags: dict[str, str]  # service -> image tag
    work: Path
    base: str
    gw_binary: Path


def _manifest(folder: Path, tags: dict[str, str]) -> Path:
    languages = {"web-right": "typescript", "web-stale": "typescript", "web-none": "typescript", "worker": "python", "gw": "go"}
    services = {}
    for name, language in languages.items():
        context = folder / "services" / name
        context.mkdir(parents=True)
        (context / "Dockerfile").write_text("FROM scratch\n")
        (folder / "k8s").mkdir(exist_ok=True)
        (folder / "k8s" / f"{name}.yaml").write_text(deployment(name, tags[name].split(":")[0]))
        services[name] = {"language": language, "context": f"services/{name}", "image": tags[name].split(":")[0], "k8s": [f"k8s/{name}.yaml"]}
    manifest = {
        "version": 1,
        "project": "images",
        "sdks": {
            "ts": {"language": "typescript", "path": "sdk/ts", "package": builds.NPM_PACKAGE, "version": "1.4.0"},
            "python": {"language": "python", "path": "sdk/py", "package": builds.PYPI_PROJECT, "version": "1.4.0"},
            "go": {"language": "go", "path": "sdk/go", "package": builds.GO_MODULE, "version": "v1.4.0"},
        },
        "services": services,
    }
    path = folder / "services.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def built_images(docker_env, verdaccio, pypi_index, go_proxy, tmp_path_factory) -> Built:
    work = tmp_path_factory.mktemp("images")
    client = builds.client_for(docker_env)
    base = builds.base_image(client)
    tags = {name: f"devenv-test/{name}:tilt-1" for name in ("web-right", "web-stale", "web-none", "worker", "gw")}
    dockerfile = WEB_DOCKERFILE.format(base=base)

    def web(name: str, version: str | None, tag: str, arg: str) -> None:
        context = work / f"ctx-{name}"
        context.mkdir()
        (context / "app.js").write_text("console.log('web')\n")
        if version:
            shutil.copytree(builds.npm_install(work / f"npm-{version}", version, verdaccio.url), context / "node_modules", dirs_exist_ok=True, symlinks=True)
        else:
            (context / "node_modules").mkdir()
        builds.build(client, context, tag, dockerfile, TS_SDK_VERSION=arg)

    web("right", "1.4.0", tags["web-right"], "1.4.0")
    web("old", "1.3.0", "devenv-test/web-stale:old", "1.3.0")
    # the same context rebuilt with the new version's build arg: the node_modules layer is a cache hit
    shutil.copytree(work / "ctx-old", work / "ctx-stale")
    builds.build(client, work / "ctx-stale", tags["web-stale"], dockerfile, TS_SDK_VERSION="1.4.0")
    web("none", None, tags["web-none"], "1.4.0")

    worker = work / "ctx-worker"
    builds.pip_target(worker / "site-packages", "1.4.0", pypi_index.url)
    builds.build(client, worker, tags["worker"], f"FROM {base}\nCOPY site-packages /usr/lib/python3.11/site-packages\n")

    gw = work / "ctx-gw"
    binary = builds.go_binary(gw / "src", "v1.4.0", go_proxy.url)
    shutil.copy(binary, gw / "gw")
    builds.build(client, gw, tags["gw"], f"FROM {base}\nCOPY gw /usr/local/bin/gw\n")
    repo = work / "repo"
    repo.mkdir()
    return Built(_manifest(repo, {k: v for k, v in tags.items()}), docker_env, tags, work, base, binary)
