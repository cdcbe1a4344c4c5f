"""Which graph resources a failing check makes impossible: the vocabulary of ``Check.gates``.

Gates are resource names of :mod:`devenv.graph`; the engine turns them into the services they
block with ``graph.blocked_services``, which follows ``resource_deps`` downstream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from devenv.manifest.relations import consumed_sdks
from devenv.tilt import step_resource

if TYPE_CHECKING:
    from devenv.doctor.base import Context
    from devenv.manifest.model import Manifest


def all_services(ctx: "Context") -> list[str]:
    """Everything: e.g. Tilt itself is missing."""
    return list(ctx.manifest.services) if ctx.manifest else []


def image_builds(ctx: "Context") -> list[str]:
    """Services Tilt builds an image for (those with `image:`): what a broken Docker blocks."""
    if not ctx.manifest:
        return []
    return [name for name, svc in ctx.manifest.services.items() if svc.image]


def helm_services(ctx: "Context") -> list[str]:
    if not ctx.manifest:
        return []
    return [name for name, svc in ctx.manifest.services.items() if svc.helm]


def sdks_of_registry(manifest: "Manifest", registry: str) -> list[str]:
    return [name for name, sdk in manifest.sdks.items() if sdk.registry == registry]


def registry_gates(manifest: "Manifest", registry: str) -> list[str]:
    """A dead registry on the host: the first step of every SDK published to it (their chains
    and consumers follow), or the consumers directly for an SDK without steps."""
    gates: list[str] = []
    for name in sdks_of_registry(manifest, registry):
        sdk = manifest.sdks[name]
        if sdk.steps:
            gates.append(step_resource(name, next(iter(sdk.steps))))
        else:
            gates.extend(s for s, svc in manifest.services.items() if name in consumed_sdks(manifest, svc))
    return gates


def build_consumers(manifest: "Manifest", registries: Iterable[str]) -> list[str]:
    """Registries unreachable from inside docker builds: the image builds of the services that
    consume an SDK from them (the SDK steps run on the host and are not affected)."""
    wanted = set(registries)
    names: list[str] = []
    for service, svc in manifest.services.items():
        if not svc.image:
            continue
        if any(manifest.sdks[s].registry in wanted for s in consumed_sdks(manifest, svc)):
            names.append(service)
    return names
