"""What Tilt users expect on a resource: links, a manual trigger, no start at `tilt up`."""

from __future__ import annotations

from devenv.manifest.model import Service, Step
from devenv.render.starlark import Expr, call, literal


def trigger_kwargs(spec: Service | Step) -> list[tuple[str, str]]:
    """trigger_mode and auto_init of a service or SDK step, left out at Tilt's defaults."""
    out = []
    if spec.trigger == "manual":
        out.append(("trigger_mode", "TRIGGER_MODE_MANUAL"))
    if not spec.auto_init:
        out.append(("auto_init", literal(False)))
    return out


def links(svc: Service) -> list[Expr | str]:
    """A bare URL stays a string; a named one becomes `link(url, name)`."""
    return [link if isinstance(link, str) else (call("link", link.url, link.name) if link.name else link.url) for link in svc.links]
