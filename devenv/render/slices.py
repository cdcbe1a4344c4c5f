"""What the Tiltfile needs to run a slice (`tilt up -- NAME...`): every NAME's closure, and the
names Tilt gives workloads, so a slice that loads only some services' YAML names them as a full
load does (Tilt qualifies a workload's name only while another loaded workload shares it)."""

from __future__ import annotations

import re

from devenv.graph import Graph, graph_order, sdk_chains, slice_closure, slice_selectors
from devenv.manifest.model import Manifest
from devenv.render import workloads
from devenv.render.starlark import literal

ARG = "only"  # config.define_string_list(ARG, args=True): `tilt up -- NAME...`, tilt_config.json {"only": [...]}


def slice_table(manifest: Manifest, graph: Graph, companions: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(encoded NAME, encoded list of the resources `tilt up -- NAME` enables), sorted by NAME."""
    rows = []
    picks, order, chains = slice_selectors(manifest, graph), graph_order(graph), sdk_chains(manifest)
    encoded: dict[str, str] = {}  # each resource name is encoded once, not once per slice it is in
    for name in sorted(picks):
        enabled = slice_closure(manifest, graph, [name], picks=picks, order=order, chains=chains)
        enabled += [c for r in enabled for c in companions.get(r, ())]
        items = [encoded.get(r) or encoded.setdefault(r, literal(r)) for r in enabled]
        rows.append((literal(name), "[" + ", ".join(items) + "]"))  # literal(enabled), spelled out
    return rows


def workload_table(tilt_names: dict[workloads.K8sObject, str]) -> list[tuple[str, str]]:
    """(encoded ``name:kind:namespace``, encoded Tilt resource name) of every workload in k8s files
    whose name is not simply its own, lowercased: the Tiltfile's lookup falls back to that. Only
    the exceptions are written, so the table (and the Tiltfile) does not depend on whether helm was
    on PATH to list a chart's workloads when they take their own names anyway."""
    return sorted({(literal(o.selector), literal(n)) for o, n in tilt_names.items() if n != o.name.lower()})


def function_name(kind: str, name: str, index: int) -> str:
    """A Starlark identifier for the function declaring one block (names may hold '.' and '-')."""
    return f"_devenv_{kind}_{index}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
