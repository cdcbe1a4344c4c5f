"""What a folder is, read from its own files: its language, its package name, whether it
consumes protobuf runtimes or holds generated code. Shared by import and init."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

# Dependency files per language, in the order a mixed folder is decided.
MARKERS = (("package.json", "typescript"), ("go.mod", "go"), ("pyproject.toml", "python"), ("setup.py", "python"), ("requirements.txt", "python"))
# Protobuf runtimes per language: a package that depends on one is an SDK candidate.
PROTO_RUNTIMES = re.compile(
    r"@bufbuild/protobuf|google-protobuf|@connectrpc/|@grpc/grpc-js|google\.golang\.org/protobuf|"
    r"google\.golang\.org/grpc|connectrpc\.com/connect|\bprotobuf\b|\bgrpcio\b|betterproto"
)
GENERATED = ("*_pb2.py", "*.pb.go", "*_pb.ts", "*_pb.js", "*_connect.ts", "*_grpc.pb.go")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "vendor", ".tox", "target"}


@dataclass(frozen=True)
class Package:
    path: Path
    language: str
    name: str | None


def language_of(folder: Path) -> str | None:
    for marker, language in MARKERS:
        if (folder / marker).is_file():
            return language
    return None


def package_name(folder: Path, language: str) -> str | None:
    try:
        if language == "typescript":
            return json.loads((folder / "package.json").read_text(encoding="utf-8")).get("name")
        if language == "go":
            match = re.search(r"^module\s+(\S+)", (folder / "go.mod").read_text(encoding="utf-8"), re.M)
            return match.group(1) if match else None
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            return (data.get("project") or {}).get("name") or ((data.get("tool") or {}).get("poetry") or {}).get("name")
    except (OSError, ValueError):
        return None
    return None


def package_at(folder: Path) -> Package | None:
    language = language_of(folder)
    return Package(folder, language, package_name(folder, language)) if language else None


def enclosing_package(path: Path, stop: Path) -> Package | None:
    """The nearest folder at or above ``path`` (not above ``stop``) with a dependency file."""
    path = path if path.is_dir() else path.parent
    for folder in [path, *path.parents]:
        if folder != stop and stop not in folder.parents:
            return None
        found = package_at(folder)
        if found:
            return found
    return None


def dependency_text(folder: Path) -> str:
    parts = []
    for marker, _ in MARKERS:
        try:
            parts.append((folder / marker).read_text(encoding="utf-8"))
        except OSError:
            continue
    return "\n".join(parts)


def uses_proto_runtime(folder: Path) -> bool:
    return bool(PROTO_RUNTIMES.search(dependency_text(folder)))


def walk(root: Path):
    """Every folder under ``root`` except dependency caches and VCS folders, sorted."""
    stack = [root]
    while stack:
        folder = stack.pop()
        yield folder
        try:
            children = sorted((c for c in folder.iterdir() if c.is_dir() and c.name not in SKIP_DIRS), reverse=True)
        except OSError:
            continue
        stack.extend(children)


def holds_generated_code(folder: Path) -> bool:
    for pattern in GENERATED:
        for _ in folder.rglob(pattern):
            return True
    return False
