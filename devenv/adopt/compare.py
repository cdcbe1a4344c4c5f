"""The round-trip proof: what Tilt reports for the original Tiltfile against what it reports
for the one devenv renders from the imported manifest.

Each difference is a loss (something the original did that the rendered file does not) or an
addition (devenv's own: the registry health gate's dependencies, SDK version build args,
`allow_parallel`, default labels, the proto guard around an SDK's first step, the result mark
after every SDK step, and a `smoke` step that verifies a published SDK before its consumers).
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

from devenv.adopt.tiltresult import UNCATEGORIZED, Image, Resource, Result
from devenv.tilt import HEALTH


@dataclass(frozen=True)
class Difference:
    kind: str  # lost | added | changed
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.message}"


class Comparison:
    def __init__(self, scrub, renames: dict[str, str]):
        self.scrub = scrub
        self.renames = renames
        self.out: list[Difference] = []

    def lost(self, resource: str, message: str) -> None:
        self.out.append(Difference("lost", resource, message))

    def added(self, resource: str, message: str) -> None:
        self.out.append(Difference("added", resource, message))

    def sets(self, resource: str, what: str, old, new) -> None:
        old, new = set(old), set(new)
        for item in sorted(old - new, key=str):
            self.lost(resource, f"{what} {item}")
        for item in sorted(new - old, key=str):
            self.added(resource, f"{what} {item}")

    def mapping(self, resource: str, what: str, old: dict, new: dict, *, show_added: bool = False) -> None:
        """Key by key: a key gone is lost, a new one added (with its value when ``show_added``),
        a changed value lost."""
        for key in sorted(set(old) | set(new)):
            if key not in new:
                self.lost(resource, f"{what} {key}")
            elif key not in old:
                self.added(resource, f"{what} {key}={new[key]}" if show_added else f"{what} {key}")
            else:
                self.value(resource, f"{what} {key}", old[key], new[key])

    def value(self, resource: str, what: str, old, new) -> None:
        if old != new:
            self.lost(resource, f"{what} was {old!r}, is {new!r}")


def _cmd_equal(old: list[str] | None, new: list[str] | None) -> bool:
    """`sh -c 'a b'` and the argv `a b` run the same program."""
    if old == new:
        return True

    def argv(cmd):
        if cmd and len(cmd) == 3 and cmd[:2] == ["sh", "-c"]:
            try:
                return shlex.split(cmd[2])
            except ValueError:
                return cmd
        return cmd

    return argv(old) == argv(new)


# devenv's wrapping of an SDK step (devenv/sdk/steps.py): an optional proto guard before it, an
# optional freshness stamp and the result mark after it; the command itself bare or in a subshell.
_WRAPPED = re.compile(
    r"^(?:devenv sdk guard \S+ -f \S+ && )?(?:\(\n(?P<wrapped>.*)\n\)|(?P<plain>.*?))"
    r"(?: && devenv sdk stamp \S+ -f \S+)?(?: && devenv sdk mark \S+ \S+ -f \S+)?$",
    re.S,
)
_DEVENV_STEP = re.compile(r"^devenv sdk guard |&& devenv sdk mark \S+ \S+ -f \S+$")


def unguarded(text: str) -> str:
    """The command inside devenv's wrapping of an SDK step, or ``text``."""
    if not _DEVENV_STEP.search(text):
        return text
    match = _WRAPPED.match(text)
    return (match.group("wrapped") if match.group("wrapped") is not None else match.group("plain")) if match else text


def _wraps(old: list[str] | None, new: list[str] | None) -> bool:
    """devenv's wrapping: `[devenv sdk guard … &&] ORIGINAL [&& devenv sdk stamp …] [&& devenv sdk mark …]`."""
    if not (old and new and len(new) == 3 and new[:2] == ["sh", "-c"]) or not _DEVENV_STEP.search(new[2]):
        return False
    inner = old[2] if len(old) == 3 and old[:2] == ["sh", "-c"] else shlex.join(old)
    return unguarded(new[2]) == unguarded(inner)


def _waits_for(result: Result, name: str) -> set[str]:
    """Every resource ``name`` waits for in ``result``, directly or through others."""
    seen: set[str] = set()
    todo = list(result.resources[name].resource_deps) if name in result.resources else []
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(result.resources[dep].resource_deps if dep in result.resources else ())
    return seen


def compare(original: Result, rendered: Result, scrub, renames: dict[str, str]) -> list[Difference]:
    c = Comparison(scrub, renames)
    names = {renames.get(n, n): n for n in original.names if n != UNCATEGORIZED}
    for new_name in sorted(set(names) - set(rendered.names)):
        c.lost(names[new_name], "the resource is gone")
    for new_name in sorted(set(rendered.names) - set(names) - {UNCATEGORIZED}):
        c.added(new_name, "a new resource")
    for new_name, old_name in names.items():
        if new_name in rendered.resources:
            _resource(c, old_name, original.resources[old_name], rendered.resources[new_name], _waits_for(rendered, new_name))
    old_objects = {o for r in original.resources.values() for o in r.objects}
    new_objects = {o for r in rendered.resources.values() for o in r.objects}
    c.sets("(cluster)", "Kubernetes object", [f"{o.kind}/{o.name}" for o in old_objects], [f"{o.kind}/{o.name}" for o in new_objects])
    return c.out


def _resource(c: Comparison, name: str, old: Resource, new: Resource, waits_for: set[str]) -> None:
    c.value(name, "kind", old.kind, new.kind)
    old_deps = {c.renames.get(d, d) for d in old.resource_deps}
    # A dependency now reached through a step devenv added (the smoke step after a publish) still
    # holds: the resource starts after it, as before.
    through = {d for d in old_deps - set(new.resource_deps) if d in waits_for}
    for dep in sorted(through):
        c.added(name, f"waits for {dep} through a step devenv adds")
    c.sets(name, "resource_dep", old_deps - through, new.resource_deps)
    c.sets(name, "label", old.labels, new.labels)
    c.value(name, "trigger mode", (old.trigger, old.auto_init), (new.trigger, new.auto_init))
    c.sets(name, "link", old.links, new.links)
    c.sets(name, "port forward", old.port_forwards, new.port_forwards)
    c.sets(name, "object", [f"{o.kind}/{o.name}" for o in old.objects], [f"{o.kind}/{o.name}" for o in new.objects])
    if old.kind == "local" and new.kind == "local":
        _local(c, name, old, new)
    old_images = {i.ref: i for i in old.images}
    new_images = {i.ref: i for i in new.images}
    c.sets(name, "image", old_images, new_images)
    for ref in set(old_images) & set(new_images):
        _image(c, name, old_images[ref], new_images[ref])


def _local(c: Comparison, name: str, old: Resource, new: Resource) -> None:
    old_cmd = [c.scrub(a) for a in old.cmd or []] or None
    new_cmd = [c.scrub(a) for a in new.cmd or []] or None
    if name == HEALTH and old_cmd != new_cmd:
        c.out.append(Difference("changed", name, f"runs {shlex.join(new_cmd or [])!r} instead of {shlex.join(old_cmd or [])!r}"))
    elif _cmd_equal(old_cmd, new_cmd):
        pass
    elif _wraps(old_cmd, new_cmd):
        c.added(name, "devenv's proto guard, freshness stamp and result mark around the command")
    else:
        c.lost(name, f"cmd was {old_cmd!r}, is {new_cmd!r}")
    if not _cmd_equal(old.serve_cmd, new.serve_cmd):
        c.lost(name, f"serve_cmd was {old.serve_cmd!r}, is {new.serve_cmd!r}")
    c.value(name, "dir", os.path.normpath(old.dir or ""), os.path.normpath(new.dir or ""))
    c.sets(name, "file dep", old.deps, new.deps)
    old_env = {k: c.scrub(v) for k, v in old.env.items() if c.scrub(v) != "${%s}" % k}
    new_env = {k: c.scrub(v) for k, v in new.env.items() if c.scrub(v) != "${%s}" % k}
    if name == HEALTH:
        c.sets(name, "env", old_env.items(), new_env.items())
    else:
        c.mapping(name, "env", old_env, new_env)
    if old.allow_parallel and not new.allow_parallel:
        c.lost(name, "allow_parallel")
    elif new.allow_parallel and not old.allow_parallel:
        c.added(name, "allow_parallel")


def _image(c: Comparison, name: str, old: Image, new: Image) -> None:
    where = f"{name} ({old.ref})"
    c.value(where, "context", old.context, new.context)
    c.value(where, "Dockerfile", old.dockerfile_contents, new.dockerfile_contents)
    c.value(where, "target", old.target, new.target)
    old_args = {k: c.scrub(v) for k, v in old.build_args}
    new_args = {k: c.scrub(v) for k, v in new.build_args}
    c.mapping(where, "build arg", old_args, new_args, show_added=True)
    c.sets(where, "extra host", old.extra_hosts, new.extra_hosts)
    c.value(where, "live_update syncs", old.syncs, new.syncs)
    c.value(where, "live_update runs", old.runs, new.runs)
    c.value(where, "live_update fall_back_on", old.fall_back_on, new.fall_back_on)
