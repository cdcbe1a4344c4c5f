"""Service images for the image tests, built by the real test dockerd from SDKs installed by the
real package managers: ``npm install`` from Verdaccio, ``pip install --target`` from pypiserver,
``go build`` against the Go proxy directory. The base image is a static busybox (sh, sed, find),
imported: nothing is pulled."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

from tests.support.components import missing
from tests.support.registries import GO_MODULE, NPM_PACKAGE, PYPI_PROJECT

BASE = "devenv-verify-base:1"
APPLETS = ("sh", "sed", "find", "cat", "echo", "test", "[", "rm")


def client_for(docker_env: dict[str, str]):
    import docker

    return docker.DockerClient(base_url=docker_env["DOCKER_HOST"], timeout=300)


def base_image(client) -> str:
    """A busybox-only image, made with `docker import` from the host's static busybox."""
    from devenv.doctor.probe import find_busybox

    busybox = find_busybox(os.environ) or missing("no static busybox (apt-get install busybox-static)")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("bin", "etc", "tmp", "app"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            tar.addfile(info)
        data = Path(busybox.path).read_bytes()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        for applet in APPLETS:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, "busybox", 0o777
            tar.addfile(info)
    client.api.import_image_from_data(buffer.getvalue(), repository=BASE.split(":")[0], tag=BASE.split(":")[1])
    return BASE


def npm_install(folder: Path, version: str, registry: str) -> Path:
    """``node_modules`` with the TypeScript SDK at ``version``, by the real npm."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps({"name": "web", "version": "0.0.0", "private": True}))
    env = {**os.environ, "npm_config_cache": str(folder.parent / "npm-cache"), "npm_config_update_notifier": "false"}
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--registry", f"{registry}/", f"{NPM_PACKAGE}@{version}"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return folder / "node_modules"


def pip_target(folder: Path, version: str, index: str) -> Path:
    """A site-packages folder with the Python SDK at ``version``, by the real pip."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder), "--index-url", f"{index}/simple/", f"{PYPI_PROJECT}=={version}"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return folder


def go_env(work: Path, proxy: str) -> dict[str, str]:
    return {
        **os.environ,
        "GOPROXY": proxy,
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod -modcacherw",
        "CGO_ENABLED": "0",
        "GOTOOLCHAIN": "local",
        "GOMODCACHE": str(work / "modcache"),
        "GOPATH": str(work / "gopath"),
        "GOCACHE": str(work / "gocache"),
    }


def go_binary(folder: Path, version: str, proxy: str) -> Path:
    """A static Go program built against the Go SDK at ``version``, by the real go build."""
    go = shutil.which("go") or missing("`go` not found (Go toolchain)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "go.mod").write_text(f"module example.com/gw\n\ngo 1.21\n\nrequire {GO_MODULE} {version}\n")
    (folder / "main.go").write_text(
        textwrap.dedent(f"""\
        package main

        import (
        \t"fmt"

        \tsdk "{GO_MODULE}"
        )

        func main() {{ fmt.Println(sdk.Version) }}
        """)
    )
    proc = subprocess.run(
        [go, "build", "-trimpath", "-o", "gw", "."], cwd=folder, env=go_env(folder.parent, proxy), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return folder / "gw"


def build(client, context: Path, tag: str, dockerfile: str, **args: str) -> str:
    """`docker build`; returns the tag, raises docker.errors.BuildError with the log on failure."""
    (context / "Dockerfile").write_text(textwrap.dedent(dockerfile))
    client.images.build(path=str(context), tag=tag, buildargs=args, rm=True)
    return tag


def build_log(error) -> str:
    return "".join(str(item.get("stream") or item.get("error") or "") for item in error.build_log)
