"""The resource graph a manifest implies: health gate -> SDK step chains -> services.

Render turns it into `resource_deps`; `devenv graph` prints it; doctor walks it backwards
to name the services a failing check blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from devenv.manifest.model import Manifest, Sdk
from devenv.manifest.relations import consumed_sdks
from devenv.tilt import HEALTH, VERIFY_STEP, smoke_step_added, step_resource


@dataclass(frozen=True)
class Resource:
    name: str
    kind: str  # health | sdk-step | service | task
    deps: tuple[str, ...] = ()
    sdk: str | None = None
    step: str | None = None
    service: str | None = None


@dataclass
class Graph:
    resources: dict[str, Resource] = field(default_factory=dict)
    # Edge labels for display: (dependent, dependency) -> text, e.g. the SDK version.
    edge_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    # Each SDK's source in words ("buf: @buf/acme_apis.bufbuild_es@2.2.0-…"), and who consumes what.
    sdk_sources: dict[str, str] = field(default_factory=dict)
    service_sdks: dict[str, list[str]] = field(default_factory=dict)

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

    def reaching(self, names: Iterable[str]) -> set[str]:
        """Everything any of ``names`` waits for, directly or not, them included, unordered: one
        walk for all of them (a label's slice picks a thousand services that share their chains)."""
        seen: set[str] = set()
        stack = [n for n in names if n in self.resources]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(d for d in self.resources[node].deps if d not in seen and d in self.resources)
        return seen

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


def verify_is_smoke(sdk: Sdk) -> bool:
    """A published SDK's chain without a smoke step ends with `devenv sdk verify` as one
    (unless ``verify.smoke: false``): consumers then wait for a verified artifact. A Buf SDK
    with steps (e.g. a `buf push`) counts as published: verify fetches it from the BSR endpoint
    derived from its module when it names no ``registry``."""
    published = bool(sdk.registry) or sdk.source == "buf"
    return smoke_step_added(list(sdk.steps), published=published, version=sdk.version, smoke=sdk.verify.smoke)


def chain_steps(sdk: Sdk) -> list[str]:
    """The SDK's Tilt steps in order: its own, then the implicit verify smoke step."""
    return list(sdk.steps) + ([VERIFY_STEP] if verify_is_smoke(sdk) else [])


def sdk_ready_resource(name: str, sdk: Sdk, has_health: bool) -> str | None:
    """The resource whose success means the SDK is consumable: its last step."""
    if sdk.steps:
        return step_resource(name, chain_steps(sdk)[-1])
    return HEALTH if has_health else None


def sdk_source(sdk: Sdk) -> str:
    """An SDK's source in words, for `devenv graph` and `devenv why`."""
    pinned = f"{sdk.package}@{sdk.version}" if sdk.version else f"{sdk.package}"
    if sdk.source == "buf":
        return f"buf: {pinned} from the BSR ({sdk.buf.module if sdk.buf else '?'} with {sdk.buf.plugin if sdk.buf else '?'})"
    if sdk.source == "workspace":
        return f"workspace: {pinned} linked from {sdk.path}"
    return f"registry {sdk.registry}: {pinned}" if sdk.registry else f"registry: {pinned}"


def build_graph(manifest: Manifest) -> Graph:
    graph = Graph()
    graph.sdk_sources = {name: sdk_source(sdk) for name, sdk in manifest.sdks.items()}
    has_health = bool(manifest.registries)
    if has_health:
        graph.add(Resource(HEALTH, "health"))
    for sdk_name, sdk in manifest.sdks.items():
        previous = HEALTH if has_health else None
        for step in chain_steps(sdk):
            name = step_resource(sdk_name, step)
            graph.add(Resource(name, "sdk-step", (previous,) if previous else (), sdk=sdk_name, step=step))
            previous = name
    for service_name, service in manifest.services.items():
        deps: list[str] = []
        graph.service_sdks[service_name] = consumed_sdks(manifest, service)
        for sdk_name in graph.service_sdks[service_name]:
            sdk = manifest.sdks[sdk_name]
            ready = sdk_ready_resource(sdk_name, sdk, has_health)
            if ready and ready not in deps:
                deps.append(ready)
                if sdk.version:
                    via = "" if sdk.source == "registry" else f", {sdk.source}"
                    graph.edge_labels[(service_name, ready)] = f"{sdk.package}@{sdk.version}{via}"
        deps.extend(a for a in service.after if (a in manifest.services or a in manifest.tasks) and a not in deps)
        graph.add(Resource(service_name, "service", tuple(deps), service=service_name))
    for task_name, task in manifest.tasks.items():
        known = set(graph.resources) | set(manifest.tasks)
        graph.add(Resource(task_name, "task", tuple(dict.fromkeys(a for a in task.after if a in known))))
    return graph


# -- slices: `tilt up -- NAME...` ------------------------------------------------------------------

DEFAULT_SERVICE_LABEL = "services"  # the label Tilt shows a service under when it declares none


def service_labels(manifest: Manifest, name: str) -> list[str]:
    return list(manifest.services[name].labels) or [DEFAULT_SERVICE_LABEL]


def slice_selectors(manifest: Manifest, graph: Graph) -> dict[str, list[str]]:
    """Every NAME a slice accepts -> the resources it picks before the closure: a service picks
    itself; a label picks the services and SDK steps that carry it."""
    # Each NAME's picks as a dict used as an ordered set: a label on every service would make a
    # list's `not in` test quadratic (50 million comparisons at 10,000 services).
    picks: dict[str, dict[str, None]] = {}
    for resource in graph.resources.values():
        if resource.kind == "service":
            picks.setdefault(resource.name, {})[resource.name] = None
            labels = service_labels(manifest, resource.name)
        elif resource.kind == "sdk-step":
            assert resource.sdk is not None, "build_graph gives every sdk-step its sdk"
            labels = list(manifest.sdks[resource.sdk].labels)
        else:
            continue
        for label in labels:
            picks.setdefault(label, {})[resource.name] = None
    return {name: list(bucket) for name, bucket in picks.items()}


def slice_closure(
    manifest: Manifest,
    graph: Graph,
    names: Iterable[str],
    *,
    picks: dict[str, list[str]] | None = None,
    order: dict[str, int] | None = None,
    chains: dict[str, list[str]] | None = None,
) -> list[str]:
    """The resources `tilt up -- NAME...` enables, in graph order: the named services and labels,
    everything they wait for (services they run `after`, transitively), every step of every SDK
    involved, and the health gate. No names: everything.

    ``picks`` (:func:`slice_selectors`), ``order`` (:func:`graph_order`) and ``chains``
    (:func:`sdk_chains`) may be passed in by a caller that asks for many closures of one graph,
    so each costs its own size, not the graph's.
    """
    names = list(names)
    if not names:
        return list(graph.resources)
    picks = slice_selectors(manifest, graph) if picks is None else picks
    order = graph_order(graph) if order is None else order
    wanted: set[str] = {HEALTH} if HEALTH in graph.resources else set()
    wanted.update(graph.reaching(picked for name in names for picked in picks[name]))
    steps = (graph.resources[n] for n in wanted if graph.resources[n].kind == "sdk-step")
    for sdk_name in {r.sdk for r in steps if r.sdk is not None}:  # build_graph gives every sdk-step its sdk
        wanted.update(chains[sdk_name] if chains is not None else sdk_chain(sdk_name, manifest.sdks[sdk_name]))
    return sorted((name for name in wanted if name in order), key=order.__getitem__)


def sdk_chain(name: str, sdk: Sdk) -> list[str]:
    """The step resources of an SDK's chain, in order."""
    return [step_resource(name, step) for step in chain_steps(sdk)]


def sdk_chains(manifest: Manifest) -> dict[str, list[str]]:
    return {name: sdk_chain(name, sdk) for name, sdk in manifest.sdks.items()}


def graph_order(graph: Graph) -> dict[str, int]:
    """Each resource's position in the graph (the order render declares them in)."""
    return {name: index for index, name in enumerate(graph.resources)}


def sliced(graph: Graph, keep: Iterable[str]) -> Graph:
    """The part of ``graph`` made of ``keep`` (a closure, so no edge leaves it)."""
    keep = set(keep)
    part = Graph(edge_labels={k: v for k, v in graph.edge_labels.items() if k[0] in keep})
    for name, resource in graph.resources.items():
        if name in keep:
            part.add(resource)
    return part


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
    if any(not text.startswith("registry") for text in graph.sdk_sources.values()):
        lines.append("")  # where each SDK comes from (registry-only manifests keep their output)
        lines.extend(f"sdk {name}: {text}" for name, text in graph.sdk_sources.items())
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
