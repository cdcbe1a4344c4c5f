"""Relations the manifest states between its entries, before any graph is built.

Validation needs them (an `after` cycle, a service naming an SDK), and so does the resource graph
built on top of the manifest; living here, below both, they keep imports running one way.
"""

from __future__ import annotations

from devenv.manifest.model import Manifest, Service


def consumed_sdks(manifest: Manifest, service: Service) -> list[str]:
    """The SDKs a service consumes: its explicit `sdks`, else every SDK of its language."""
    if service.sdks is not None:
        return [name for name in service.sdks if name in manifest.sdks]
    return [name for name, sdk in manifest.sdks.items() if service.language and sdk.language == service.language]


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as a path that returns to its start (``[a, b, a]``), or None.

    Iterative, so a chain of thousands of `after` edges cannot hit the recursion limit.
    """
    finished: set[str] = set()
    for start in edges:
        if start in finished:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(edges.get(start, ()))]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                node = path.pop()
                on_path.discard(node)
                finished.add(node)
            elif nxt in on_path:
                return path[path.index(nxt) :] + [nxt]
            elif nxt in edges and nxt not in finished:
                path.append(nxt)
                on_path.add(nxt)
                pending.append(iter(edges.get(nxt, ())))
    return None
