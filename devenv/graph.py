"""The resource graph a manifest implies: health gate -> SDK step chains -> services.

Render turns it into `resource_deps`; `devenv graph` prints it; doctor walks it backwards
to name the services a failing check blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from devenv.manifest.model import Manifest, Sdk
from devenv.manifest.relations import consumed_sdks
from devenv.tilt import HEALTH, step_resource


@dataclass(frozen=True)
class Resource:
    name: str
    kind: str  # health | sdk-step | service
    deps: tuple[str, ...] = ()
    sdk: str | None = None
    step: str | None = None
    service: str | None = None


@dataclass
class Graph:
    resources: dict[str, Resource] = field(default_factory=dict)
    # Edge labels for display: (dependent, dependency) -> text, e.g. the SDK version.
    edge_labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        self.resources[resource.name] = resource

    def dependents(self, names: Iterable[str]) -> set[str]:
        """Every resource that waits, directly or not, for any of ``names`` (them included)."""
        reverse: dict[str, list[str]] = {}
        for resource in self.resources.values():
            for dep in resource.deps:
                reverse.setdefault(dep, []).append(resource.name)
        seen: set[str] = set()
        stack = [n for n in names if n in self.resources]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(reverse.get(name, ()))
        return seen

    def blocked_services(self, names: Iterable[str]) -> list[str]:
        """The services blocked by ``names``, in manifest order."""
        hit = self.dependents(names)
        return [r.service for r in self.resources.values() if r.kind == "service" and r.name in hit and r.service]

    def services(self) -> list[str]:
        return [r.name for r in self.resources.values() if r.kind == "service"]

    def chain(self, name: str) -> list[str]:
        """Everything ``name`` waits for, dependencies before dependents."""
        order: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(name, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen and node in self.resources:
                seen.add(node)
                stack.append((node, True))
                stack.extend((dep, False) for dep in reversed(self.resources[node].deps))
        return order


def sdk_ready_resource(name: str, sdk: Sdk, has_health: bool) -> str | None:
    """The resource whose success means the SDK is consumable: its last step."""
    if sdk.steps:
        return step_resource(name, list(sdk.steps)[-1])
    return HEALTH if has_health else None


def build_graph(manifest: Manifest) -> Graph:
    graph = Graph()
    has_health = bool(manifest.registries)
    if has_health:
        graph.add(Resource(HEALTH, "health"))
    for sdk_name, sdk in manifest.sdks.items():
        previous = HEALTH if has_health else None
        for step in sdk.steps:
            name = step_resource(sdk_name, step)
            graph.add(Resource(name, "sdk-step", (previous,) if previous else (), sdk=sdk_name, step=step))
            previous = name
    for service_name, service in manifest.services.items():
        deps: list[str] = []
        for sdk_name in consumed_sdks(manifest, service):
            sdk = manifest.sdks[sdk_name]
            ready = sdk_ready_resource(sdk_name, sdk, has_health)
            if ready and ready not in deps:
                deps.append(ready)
                if sdk.version:
                    graph.edge_labels[(service_name, ready)] = f"{sdk.package}@{sdk.version}"
        deps.extend(a for a in service.after if a in manifest.services and a not in deps)
        graph.add(Resource(service_name, "service", tuple(deps), service=service_name))
    return graph


# -- output formats -----------------------------------------------------------------------------

def _edge_label(graph: Graph, resource: Resource, dep: str) -> str:
    return graph.edge_labels.get((resource.name, dep), "")


def format_text(graph: Graph) -> str:
    lines = []
    for resource in graph.resources.values():
        if not resource.deps:
            lines.append(f"{resource.name}")
            continue
        deps = []
        for dep in resource.deps:
            label = _edge_label(graph, resource, dep)
            deps.append(f"{dep} ({label})" if label else dep)
        lines.append(f"{resource.name} <- {', '.join(deps)}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_dot(graph: Graph) -> str:
    lines = ["digraph devenv {", "  rankdir=LR;"]
    for resource in graph.resources.values():
        shape = "box" if resource.kind == "service" else "ellipse"
        lines.append(f"  {_quote(resource.name)} [shape={shape}];")
    for resource in graph.resources.values():
        for dep in resource.deps:
            label = _edge_label(graph, resource, dep)
            attrs = f" [label={_quote(label)}]" if label else ""
            lines.append(f"  {_quote(dep)} -> {_quote(resource.name)}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def format_mermaid(graph: Graph) -> str:
    ids = {name: f"n{i}" for i, name in enumerate(graph.resources)}
    lines = ["graph LR"]
    for name, resource in graph.resources.items():
        text = name.replace('"', "#quot;")
        lines.append(f'  {ids[name]}["{text}"]' if resource.kind == "service" else f'  {ids[name]}(["{text}"])')
    for resource in graph.resources.values():
        for dep in resource.deps:
            label = _edge_label(graph, resource, dep).replace('"', "#quot;").replace("|", "#124;")
            arrow = f' -->|"{label}"| ' if label else " --> "
            lines.append(f"  {ids[dep]}{arrow}{ids[resource.name]}")
    return "\n".join(lines) + "\n"


FORMATS = {"text": format_text, "mermaid": format_mermaid, "dot": format_dot}
