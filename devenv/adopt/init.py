"""`devenv init`: a repository without a Tiltfile -> a commented services.yaml.

Discovers the proto workspace (a `buf.yaml`, else the folder holding the `.proto` tree), the SDK
packages (packages that depend on a protobuf runtime, hold generated code, or whose own files
name the proto workspace), their release steps (a script named after the package whose usage
line lists its steps) and the services (a folder with a Dockerfile whose image a Kubernetes
workload or a Helm chart runs). Everything not read from a file is marked GUESS.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from devenv.adopt import repo
from devenv.adopt.discovery import package_at, walk
from devenv.adopt.notes import Notes

SHORT = {"typescript": "ts", "go": "go", "python": "python"}


@dataclass
class Discovery:
    root: Path  # the manifest's folder
    notes: Notes = field(default_factory=Notes)

    def rel(self, path: Path) -> str:
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def guess(self, path: tuple, why: str) -> None:
        self.notes.guess(path, why)


def discover(root: Path) -> tuple[dict, Notes]:
    d = Discovery(root.resolve())
    folders = list(walk(d.root))
    proto = repo.find_proto(folders)
    data: dict = {"version": 1, "project": re.sub(r"[^A-Za-z0-9_.-]", "-", d.root.name).strip("-._") or "project"}
    d.guess(("project",), "the repository folder's name")
    services = repo.find_services(d, folders)
    sdks = _sdks(d, folders, proto, services)
    registries = repo.find_registries(d, folders)
    hosts = sorted({r["url"].split("://", 1)[1].split("/", 1)[0].split(":", 1)[0] for r in registries.values()})
    build: dict = {}
    if hosts:
        build["extra_hosts"] = {"hosts": hosts}
        d.guess(("build", "extra_hosts", "hosts"), "the registries' host names")
    args = repo.registry_build_args(d, folders)
    if args:
        build["build_args"] = args
    if build:
        data["build"] = build
    if registries:
        data["registries"] = registries
    if proto is not None:
        data["proto"] = _proto(d, proto, sdks, folders)
    if sdks:
        data["sdks"] = sdks
    if services:
        data["services"] = services
    namespaces = repo.namespaces(d, services)
    if len(namespaces) == 1:
        data["cluster"] = {"namespace": namespaces[0]}
    return data, d.notes


def _proto(d: Discovery, proto: Path, sdks: dict, folders: list[Path]) -> dict:
    entry: dict = {"path": d.rel(proto)}
    package = package_at(proto)
    entry["names"] = [package.name] if package and package.name else [proto.name]
    d.guess(("proto", "names"), "the names code uses to import the workspace: add the package names of every language")
    allowed = [s["path"] for s in sdks.values()]
    allowed += [d.rel(f) for f in repo.workflow_folders(folders, proto)]
    if allowed:
        entry["allowed"] = allowed
    return entry


def _sdks(d: Discovery, folders: list[Path], proto: Path | None, services: dict) -> dict:
    service_paths = {d.root / s.get("context", ".") for s in services.values()}
    sdks: dict = {}
    for folder in folders:
        package = package_at(folder)
        if not package or folder in service_paths or folder == proto or folder == d.root:
            continue
        reason = repo.sdk_reason(folder, proto)
        if not reason:
            continue
        name = SHORT[package.language]
        if name in sdks:
            name = re.sub(r"[^A-Za-z0-9_.-]", "-", folder.name)
        sdk: dict = {"language": package.language, "path": d.rel(folder), "package": package.name or folder.name}
        version = repo.package_version(folder, package.language)
        if version:
            sdk["version"] = version
            d.guess(("sdks", name, "version"), "the version in the package's own files: the one the registry must serve")
        steps = repo.release_steps(d, folder, proto)
        if steps:
            sdk["steps"] = steps
            d.guess(("sdks", name, "steps"), f"from a release script named after {folder.name}; check each command and its deps")
        sdks[name] = sdk
    return sdks
