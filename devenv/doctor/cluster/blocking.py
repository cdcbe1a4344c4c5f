"""Which services a cluster failure blocks (as graph resource names, for ``Check.gates``).

A cluster-wide failure (no allowed context, API down, nodes not Ready, the namespace missing, a
listed DaemonSet not ready) blocks every service Tilt deploys: those with ``k8s:`` or
``helm:``. A missing CoreDNS rewrite for a registry host blocks the services whose in-cluster
consumers use that registry: every service consuming an SDK published to it, and every
service whose image is pulled from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from devenv.manifest.relations import consumed_sdks

if TYPE_CHECKING:
    from devenv.doctor.base import Context
    from devenv.manifest.model import Manifest


def deployed_services(ctx: "Context") -> list[str]:
    m = ctx.manifest
    if not m:
        return []
    return [name for name, svc in m.services.items() if svc.k8s or svc.helm]


def _image_host(image: str) -> str:
    first = image.split("/", 1)[0] if "/" in image else ""
    return first.split(":", 1)[0].lower() if ("." in first or ":" in first or first == "localhost") else ""


def host_consumers(manifest: "Manifest", hosts: Iterable[str]) -> list[str]:
    """Services using a registry whose host is one of ``hosts`` (manifest order)."""
    wanted = {h.lower() for h in hosts}
    registries = {name for name, reg in manifest.registries.items() if reg.host.lower() in wanted}
    names: list[str] = []
    for service, svc in manifest.services.items():
        uses_sdk = any(manifest.sdks[s].registry in registries for s in consumed_sdks(manifest, svc))
        pulls = svc.image is not None and _image_host(svc.image) in wanted
        if uses_sdk or pulls:
            names.append(service)
    return names
