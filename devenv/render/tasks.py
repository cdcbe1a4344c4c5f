"""`tasks:` -> one `local_resource` per ops task (migrations, test runners, infra layers)."""

from __future__ import annotations

from devenv.manifest.model import Task
from devenv.render.starlark import Expr, literal

# Tilt's trigger mode constants (internal/tiltfile/triggermode.go), by (trigger, auto_init).
_TRIGGER_MODES = {("manual", True): "TRIGGER_MODE_MANUAL", ("manual", False): "TRIGGER_MODE_MANUAL", ("auto", False): "TRIGGER_MODE_AUTO"}


def task_call(builder, name: str, task: Task):
    """The local_resource call for one task; ``builder`` is the render's ContextBuilder."""
    from devenv.render.context import Call

    kwargs: list[tuple[str, str]] = []

    def add(key: str, value: object) -> None:
        if value is not None and value != [] and value != {}:
            kwargs.append((key, literal(value)))

    add("cmd", task.cmd)
    add("serve_cmd", task.serve_cmd)
    workdir = builder.rel(task.dir or ".")
    add("dir", None if workdir == "." else workdir)
    add("deps", [builder.rel(d) for d in task.deps])
    add("env", dict(task.env))
    add("resource_deps", list(builder.graph.resources[name].deps))
    add("labels", list(task.labels))
    mode = _TRIGGER_MODES.get((task.trigger, task.auto_init))
    if mode:
        add("trigger_mode", Expr(mode))
    if not task.auto_init:
        add("auto_init", False)
    if task.allow_parallel:
        add("allow_parallel", True)
    return Call("local_resource", [literal(name)], kwargs)
