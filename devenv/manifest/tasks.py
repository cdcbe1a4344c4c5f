"""Validation of `tasks:` (ops local resources): their names and what they wait for.

Kept apart from validate.py's rules so the task section stays one small, optional addition.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from devenv.errors import Problem
from devenv.tilt import HEALTH, step_resource

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")


def _resources(checker) -> set[str]:
    """Every resource name a task may wait for (services and tasks by their written names, so
    one the schema refused is not also "unknown")."""
    m = checker.m
    names = set(checker.names["services"]) | set(checker.names["tasks"])
    if m.registries:
        names.add(HEALTH)
    names.update(step_resource(sdk_name, step) for sdk_name, sdk in m.sdks.items() for step in sdk.steps)
    return names


def task_references(checker) -> Iterator[Problem]:
    m = checker.m
    known = _resources(checker)
    for name, task in m.tasks.items():
        if name.startswith("packages:"):
            yield checker.problem(
                ("tasks", name),
                f"task '{name}' uses the `packages:` prefix that SDK steps own",
                "rename the task, or declare it as an SDK step under sdks.<name>.steps",
                key=True,
            )
        if name in m.services:
            yield checker.problem(("tasks", name), f"task '{name}' has the name of a service", "rename one of them", key=True)
        if task.cmd is None and task.serve_cmd is None:
            yield checker.problem(("tasks", name), f"task '{name}' runs nothing", "give it a `cmd`, a `serve_cmd` or both", key=True)
        for i, dep in enumerate(task.after):
            if dep == name:
                yield checker.problem(("tasks", name, "after", i), "a task cannot wait for itself")
            elif dep not in known and not checker.unsure_of(dep):
                close = difflib.get_close_matches(dep, sorted(known), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "name a service, a task or a packages:<sdk>-sdk-<step> resource"
                yield checker.problem(("tasks", name, "after", i), f"unknown resource '{dep}'", hint)
        for i, label in enumerate(task.labels):
            if not _LABEL.match(label):
                yield checker.problem(
                    ("tasks", name, "labels", i),
                    f"label '{label}' is not a Kubernetes qualified name",
                    "at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit",
                )
