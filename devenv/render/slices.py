"""What the Tiltfile needs to run a slice (`tilt up -- NAME...`): every NAME's closure, and the
names Tilt gives workloads, so a slice that loads only some services' YAML names them as a full
load does (Tilt qualifies a workload's name only while another loaded workload shares it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.graph import Graph, graph_order, sdk_chains, slice_closure, slice_selectors
from devenv.manifest.model import Manifest
from devenv.render import workloads
from devenv.render.starlark import literal
from devenv.tilt import HEALTH

ARG = "only"  # config.define_string_list(ARG, args=True): `tilt up -- NAME...`, tilt_config.json {"only": [...]}


def reach_table(graph: Graph) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]] | None:
    """Per resource: what :meth:`Graph.reaching` gives for it alone, and the SDKs of the SDK steps
    among that; each built once from its dependencies' (set unions in C, not a walk per slice).
    None when the graph has a cycle (validation refuses one; the walk per slice copes anyway)."""
    resources = graph.resources
    reach: dict[str, frozenset[str]] = {}
    sdks: dict[str, frozenset[str]] = {}
    for root in resources:
        stack, on_path = [(root, False)], set()
        while stack:
            node, finished = stack.pop()
            resource = resources[node]
            deps = [d for d in resource.deps if d in resources]
            if finished:
                on_path.discard(node)
                reach[node] = frozenset({node}).union(*(reach[d] for d in deps))
                own = (resource.sdk,) if resource.kind == "sdk-step" and resource.sdk is not None else ()
                sdks[node] = frozenset(own).union(*(sdks[d] for d in deps))
            elif node not in reach:
                if node in on_path:  # popped again below itself: an ancestor, so a cycle
                    return None
                on_path.add(node)
                stack.append((node, True))
                stack.extend((d, False) for d in deps if d not in reach)
    return reach, sdks


def slice_closures(manifest: Manifest, graph: Graph, picks: dict[str, list[str]]) -> Iterator[tuple[str, list[str]]]:
    """(NAME, :func:`devenv.graph.slice_closure` of NAME alone) for every NAME of ``picks``, sorted."""
    order, chains, table = graph_order(graph), sdk_chains(manifest), reach_table(graph)
    gate = {HEALTH} if HEALTH in graph.resources else set()
    for name in sorted(picks):
        if table is None:
            yield name, slice_closure(manifest, graph, [name], picks=picks, order=order, chains=chains)
            continue
        reach, sdks = table
        picked = [p for p in picks[name] if p in reach]
        wanted = gate.union(*(reach[p] for p in picked))
        for sdk_name in frozenset().union(*(sdks[p] for p in picked)):
            wanted.update(chains[sdk_name])
        yield name, sorted(wanted, key=order.__getitem__)  # every name here is a resource of the graph


def slice_table(manifest: Manifest, graph: Graph, companions: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(encoded NAME, encoded list of the resources `tilt up -- NAME` enables), sorted by NAME."""
    rows = []
    encoded = _Encoded()  # each resource name is encoded once, not once per slice it is in
    with_companions = {r for r, c in companions.items() if c}
    for name, enabled in slice_closures(manifest, graph, slice_selectors(manifest, graph)):
        if not with_companions.isdisjoint(enabled):
            enabled += [c for r in enabled for c in companions.get(r, ())]
        rows.append((literal(name), "[" + ", ".join(map(encoded.__getitem__, enabled)) + "]"))  # literal(enabled), spelled out
    return rows


class _Encoded(dict):
    """Resource name -> its Starlark literal, encoded on first use."""

    def __missing__(self, name: str) -> str:
        value = self[name] = literal(name)
        return value


def workload_table(tilt_names: dict[workloads.K8sObject, str]) -> list[tuple[str, str]]:
    """(encoded ``name:kind:namespace``, encoded Tilt resource name) of every workload in k8s files
    whose name is not simply its own, lowercased: the Tiltfile's lookup falls back to that. Only
    the exceptions are written, so the table (and the Tiltfile) does not depend on whether helm was
    on PATH to list a chart's workloads when they take their own names anyway."""
    return sorted({(literal(o.selector), literal(n)) for o, n in tilt_names.items() if n != o.name.lower()})


def function_name(kind: str, name: str, index: int) -> str:
    """A Starlark identifier for the function declaring one block (names may hold '.' and '-')."""
    return f"_devenv_{kind}_{index}_{_NOT_IDENTIFIER.sub('_', name)}"


_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")
