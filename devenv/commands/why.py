"""`devenv why SERVICE`: what SERVICE waits for, and which failing checks block it."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from devenv.errors import DevenvError
from devenv.graph import Graph, build_graph, slice_closure
from devenv.manifest.load import load_manifest
from devenv.util.gcpause import collector_paused


def describe(graph: Graph, name: str) -> str:
    resource = graph.resources[name]
    if resource.kind == "health":
        return "registry health gate (devenv doctor --only registries)"
    if resource.kind == "sdk-step":
        return f"SDK {resource.sdk}, step {resource.step}"
    if resource.kind == "task":
        return "task (an ops local resource)"
    return "service"


def sdk_lines(graph: Graph, service: str) -> list[str]:
    """Where each SDK the service consumes comes from (a Buf SDK has no resource to wait for)."""
    return [f"  sdk {name}: {graph.sdk_sources[name]}" for name in graph.service_sdks.get(service, [])]


def chain_lines(graph: Graph, service: str) -> list[str]:
    chain = graph.chain(service)[:-1]
    if not chain:
        return [f"{service} waits for nothing: it starts as soon as Tilt does"] + sdk_lines(graph, service)
    width = max(len(n) for n in chain)
    direct = set(graph.resources[service].deps)
    lines = [f"{service} waits for {len(chain)} resource{'s' if len(chain) != 1 else ''} (in the order they run):"]
    for name in chain:
        mark = "*" if name in direct else " "
        lines.append(f"  {mark} {name.ljust(width)}  {describe(graph, name)}")
    lines.append("  (* = a direct resource_dep of the service)")
    return lines + sdk_lines(graph, service)


def run_why(manifest: Path | None, service: str, *, doctor: bool, only, skip, timeout: float, since: float | None = None) -> int:
    with collector_paused():
        loaded = load_manifest(manifest)
        graph = build_graph(loaded.manifest)
    if service not in loaded.manifest.services:
        close = difflib.get_close_matches(service, list(loaded.manifest.services), n=1)
        raise DevenvError(
            f"no service '{service}' in {loaded.display}" + (f" (did you mean '{close[0]}'?)" if close else ""),
            hint=f"services: {', '.join(loaded.manifest.services)}",
        )
    out = sys.stdout
    out.write("\n".join(chain_lines(graph, service)) + "\n")
    enabled = slice_closure(loaded.manifest, graph, [service])
    out.write(f"`tilt up -- {service}` enables {len(enabled)}: {', '.join(enabled)}\n")
    if not doctor:
        return 0
    from devenv.commands.doctor import check_timeout, diagnose
    from devenv.doctor.base import blocked_phrase
    from devenv.doctor.groups import select_groups

    check_timeout(timeout)
    report = diagnose(loaded, select_groups(only, skip), timeout=timeout, since=since)
    problems = report.problems
    out.write("\n")
    if not problems:
        out.write(f"doctor: {report.summary()}; nothing blocks {service}\n")
        return 0
    blocking = [r for r in problems if service in r.blocked]
    out.write(f"doctor found {len(problems)} problem{'s' if len(problems) != 1 else ''}:\n")
    for result in problems:
        mark = "✗" if result in blocking else "-"
        blocked = blocked_phrase(result.blocked, more="`devenv doctor --verbose` lists all") if result.blocked else "blocks: no service"
        out.write(f"  {mark} {result.title}: {result.message}\n      {blocked}\n")
        if result.hint:
            out.write(f"      fix: {result.hint}\n")
    if blocking:
        out.write(f"{service} is blocked by {len(blocking)} of them (✗)\n")
        return 1
    out.write(f"none of them blocks {service}\n")
    return 0
