"""The registry of check groups: name -> title and the module whose ``CHECKS`` it runs.

A group's module (e.g. ``devenv/doctor/registries/__init__.py``) exports ``CHECKS`` (a list of
:class:`devenv.doctor.base.Check` whose ``group`` is the group's name) and, optionally,
``checks(manifest) -> Iterable[Check]`` for checks generated from the manifest. A new group is
one line in :data:`GROUPS` (see docs/CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from devenv.errors import DevenvError

if TYPE_CHECKING:
    from devenv.doctor.base import Check
    from devenv.manifest.model import Manifest


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    module: str


GROUPS: dict[str, Group] = {
    g.name: g
    for g in (
        Group("host", "Host tools", "devenv.doctor.host"),
        Group("docker", "Docker build host", "devenv.doctor.docker"),
        Group("registries", "Package registries", "devenv.doctor.registries"),
        Group("cluster", "Kubernetes cluster", "devenv.doctor.cluster.group"),
        Group("sdks", "SDK generated code", "devenv.doctor.sdks"),
        Group("images", "SDKs in service images", "devenv.doctor.images"),
    )
}


def group_checks(name: str, manifest: "Manifest | None") -> list["Check"] | None:
    """The group's checks, in declared order (generated ones need a manifest); None when its
    module exports neither ``CHECKS`` nor ``checks``: asked for, it could check nothing."""
    group = GROUPS[name]
    module = importlib.import_module(group.module)
    generate = getattr(module, "checks", None)
    if not hasattr(module, "CHECKS") and not callable(generate):
        return None
    checks: list[Check] = list(getattr(module, "CHECKS", ()))
    if callable(generate) and manifest is not None:
        checks.extend(generate(manifest))
    for check in checks:
        if check.group != name:
            raise ValueError(f"{group.module}: check '{check.id}' declares group '{check.group}', not '{name}'")
    return checks


def _split(values: Iterable[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or ():
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return names


def select_groups(only: Iterable[str] | None, skip: Iterable[str] | None) -> list[str]:
    """Groups to run, in registry order. ``--only``/``--skip`` take names, repeated or comma-separated."""
    import difflib

    wanted, unwanted = _split(only), _split(skip)
    for name in (*wanted, *unwanted):
        if name not in GROUPS:
            close = difflib.get_close_matches(name, list(GROUPS), n=1)
            suggestion = f" (did you mean '{close[0]}'?)" if close else ""
            raise DevenvError(f"unknown check group '{name}'{suggestion}", hint=f"groups: {', '.join(GROUPS)}")
    selected = [g for g in GROUPS if (not wanted or g in wanted) and g not in unwanted]
    return selected
