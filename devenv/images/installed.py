"""Which version of each SDK an image (or a file system) holds, read from what the package
managers leave behind:

- npm: ``node_modules/<package>/package.json`` (``version``), anywhere;
- pip: ``<name>-<version>.dist-info/METADATA`` (``Version:``), anywhere;
- Go: the build info of every Go executable (``dep <module> <version>``, as ``go version -m``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from devenv.images import buildinfo

if TYPE_CHECKING:
    from devenv.images.archive import FileHit, Layer
    from devenv.manifest.model import Sdk


@dataclass(frozen=True)
class Copy:
    """One installed copy of an SDK."""

    version: str
    path: str  # the file that says so
    layer: "Layer | None" = None


def dist_name(package: str) -> str:
    """The dist-info folder's name part (wheel spec: runs of -_. become _)."""
    return re.sub(r"[-_.]+", "_", package).lower()


class Probe:
    """What to read for a set of SDKs, and how to read a version out of it."""

    def __init__(self, sdks: dict[str, "Sdk"]):
        self.sdks = sdks
        npm = [re.escape(s.package_name) for s in sdks.values() if s.language == "typescript"]
        py = [re.escape(dist_name(s.package_name)) for s in sdks.values() if s.language == "python"]
        self.go = any(s.language == "go" for s in sdks.values())
        self._npm = re.compile(r"(?:^|/)node_modules/(" + "|".join(npm) + r")/package\.json\Z") if npm else None
        self._py = re.compile(r"/(" + "|".join(py) + r")-[^/]+\.dist-info/METADATA\Z", re.I) if py else None

    def wanted(self, path: str, mode: int) -> str | None:
        if self._npm and "node_modules/" in path and self._npm.search(path):
            return "read"
        if self._py and path.endswith("/METADATA") and self._py.search(path):
            return "read"
        if self.go and mode & 0o111 and "/node_modules/" not in path:
            return "elf"
        return None

    def copies(self, hits: Iterable["FileHit"]) -> dict[str, list[Copy]]:
        """``{sdk name: [copies]}``, the shallowest path first."""
        found: dict[str, list[Copy]] = {name: [] for name in self.sdks}
        for hit in hits:
            for name, sdk in self.sdks.items():
                version = self._version(sdk, hit.path, hit.data)
                if version is not None:
                    found[name].append(Copy(version, hit.path, hit.layer))
        for name in found:
            found[name].sort(key=lambda c: (c.path.count("/"), c.path))
        return found

    def _version(self, sdk: "Sdk", path: str, data: bytes) -> str | None:
        if sdk.language == "typescript":
            if not path.endswith(f"node_modules/{sdk.package}/package.json"):
                return None
            try:
                return str(json.loads(data).get("version") or "?")
            except ValueError:
                return "?"
        if sdk.language == "python":
            folder = path.rsplit("/", 2)[-2]
            if not (path.endswith("/METADATA") and folder.lower().startswith(dist_name(sdk.package_name) + "-")):
                return None
            head = data.decode("utf-8", "replace").split("\n\n", 1)[0]
            match = re.search(r"^Version:\s*(\S+)", head, re.M)
            return match.group(1) if match else "?"
        if data[:4] != b"\x7fELF":
            return None
        info = buildinfo.read(data)
        module = info.module(sdk.package_name) if info else None
        return module.effective_version if module else None


def scan_tree(root: Path, probe: Probe) -> dict[str, list[Copy]]:
    """The same reading over a real file system (``devenv sdk assert`` inside an image)."""
    from devenv.images.archive import FileHit

    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root:
            dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev")]
        for filename in filenames:
            path = Path(dirpath) / filename
            try:
                stat = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink():
                continue
            shown = "/" + path.relative_to(root).as_posix()
            how = probe.wanted(shown, stat.st_mode)
            if how is None:
                continue
            try:
                with open(path, "rb") as handle:
                    if how == "elf" and handle.read(4) != b"\x7fELF":
                        continue
                    handle.seek(0)
                    data = handle.read()
            except OSError:
                continue
            hits.append(FileHit(shown, data, None))  # type: ignore[arg-type]
    return probe.copies(hits)
