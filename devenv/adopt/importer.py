"""A Tilt load result -> the manifest data of services.yaml, with notes for what did not fit.

Tilt resources fall into four kinds: the registry health gate (`packages:health`), SDK steps
(`packages:<sdk>-sdk-<step>`), services (Kubernetes resources) and tasks (every other local
resource: migrations, test runners, infra layers). Each becomes its manifest section; what the
manifest cannot say is noted with its Tiltfile line, and the round trip shows it as a loss.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from devenv.adopt import packages, services
from devenv.adopt.notes import Notes
from devenv.adopt.secrets import SecretGuard
from devenv.adopt.sources import Sources
from devenv.adopt.tiltresult import UNCATEGORIZED, Resource, Result
from devenv.manifest.model import NAME_PATTERN
from devenv.tilt import HEALTH

STEP = re.compile(r"^packages:(?P<sdk>.+?)-sdk-(?P<step>.+)$")


@dataclass
class Importer:
    result: Result
    root: Path  # the manifest's folder: every path is written relative to it
    guard: SecretGuard
    sources: Sources
    notes: Notes = field(default_factory=Notes)
    renames: dict[str, str] = field(default_factory=dict)  # Tilt resource -> the name render gives it
    stamped: set[str] = field(default_factory=set)  # SDKs whose first step carried devenv's stamp
    env_args: dict = field(default_factory=dict)  # (resource, image, arg) -> (variable, default): envargs

    # -- helpers shared by the section builders ---------------------------------------------
    def rel(self, path: str) -> str:
        relative = os.path.relpath(os.path.normpath(os.path.join(self.root, path)), self.root)
        return relative.replace(os.sep, "/")

    def where(self, name: str, *more: str, call: str | None = None) -> str:
        return self.sources.where(name, *more, call=call)

    def value(self, text: str, where: str, what: str) -> str:
        """A string from Tilt's result with every secret replaced by its ``${NAME}`` reference."""
        clean = self.guard.scrub(text)
        if clean != text:
            names = sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", clean)) - set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)))
            self.notes.add(
                "secret",
                where,
                f"{what} carries a secret ({', '.join('$' + n for n in names) or 'a Kubernetes Secret value'}); "
                "the manifest refers to the variable, never the value",
            )
        return clean

    def classify(self) -> dict[str, list[Resource]]:
        kinds: dict[str, list[Resource]] = {"health": [], "step": [], "service": [], "task": [], "other": []}
        for resource in self.result.resources.values():
            if resource.name == UNCATEGORIZED:
                continue
            if resource.kind == "local" and resource.name == HEALTH:
                kinds["health"].append(resource)
            elif resource.kind == "local" and STEP.match(resource.name):
                kinds["step"].append(resource)
            elif resource.kind == "local":
                kinds["task"].append(resource)
            elif resource.kind == "k8s":
                kinds["service"].append(resource)
            else:
                kinds["other"].append(resource)
        return kinds

    def service_name(self, name: str) -> str:
        """A manifest name for a Tilt resource; a rename is remembered for the round trip."""
        if re.match(NAME_PATTERN, name):
            return name
        fixed = re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip("_.-")[:63] or "service"
        self.renames[name] = fixed
        self.notes.add("changed", self.where(name), f"resource '{name}' is named '{fixed}' (manifest names allow A-Z a-z 0-9 _ . -)")
        return fixed

    # -- the manifest ---------------------------------------------------------------------------
    def build(self) -> dict:
        kinds = self.classify()
        data: dict = {"version": 1, "project": _project(self.root)}
        chains = packages.chains_services_wait_for(self, kinds["task"], kinds["service"])
        kinds["task"] = [t for t in kinds["task"] if t.name not in self.renames]
        sdk_data, registries = packages.build(self, kinds["health"], kinds["step"], chains)
        service_data, build = services.build(self, kinds["service"], sdk_data)
        if build:
            data["build"] = build
        if registries:
            data["registries"] = registries
        proto = packages.proto_workspace(self, sdk_data)
        if proto:
            data["proto"] = proto
        if sdk_data:
            data["sdks"] = sdk_data
        if service_data:
            data["services"] = service_data
        tasks = packages.tasks(self, kinds["task"], set(service_data))
        if tasks:
            data["tasks"] = tasks
        contexts, computed = self.sources.allowed_contexts()
        for place in computed:
            self.notes.add("lost", place, "allow_k8s_contexts with a computed argument: only its string literals were imported")
        if contexts:
            data["cluster"] = {"contexts": contexts}
        for resource in kinds["other"]:
            self.notes.add(
                "lost",
                self.where(resource.name),
                f"resource '{resource.name}' is neither a local resource nor Kubernetes (docker_compose, k8s_custom_deploy?): the manifest cannot say it",
            )
        return data


def _project(root: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", root.resolve().name).strip("-._") or "project"
    return name[:63]
