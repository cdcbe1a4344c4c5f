"""Each SDK step's command, as render writes it.

The first step (with a proto workspace): guard, the step, then the stamp, then the mark::

    devenv sdk guard <sdk> -f <manifest> && <cmd> && devenv sdk stamp <sdk> -f <manifest> && devenv sdk mark <sdk> <step> -f <manifest>

Every other step: ``<cmd> && devenv sdk mark <sdk> <step> -f <manifest>``.

- the guard fails fast, naming the path, when the proto workspace is missing (no fallback);
- the stamp (only for an SDK with ``generated:``) records the proto sources' content hash
  once the step succeeded, so ``devenv doctor --only sdks`` can tell stale code from fresh;
- the mark records the SDK's result digest for what runs after the step (see
  :mod:`devenv.sdk.chain`): the next step, or the consumers' image builds.

A command that is not a plain word list (``;``, ``||``, ``&``, ``#``, a newline, ``cd`` …)
runs in a subshell ``(\\n<cmd>\\n)``: ``guard && a || b`` would otherwise run ``b`` after a
failed guard, a ``#`` would comment the stamp out, and a ``cd`` would move the stamp. Tilt
runs a string cmd as ``sh -c``; the manifest path is relative to the step's ``dir`` (the
manifest's folder).
"""

from __future__ import annotations

import re
import shlex

_PLAIN = re.compile(r"[A-Za-z0-9_./:=,+@%-]+(?: [A-Za-z0-9_./:=,+@%-]+)*")
_STATEFUL = frozenset({"cd", "pushd", "popd", "exec", "exit", "set", "export", "unset", "source", ".", "umask", "shopt", "trap"})


def _plain(cmd: str) -> bool:
    return _PLAIN.fullmatch(cmd) is not None and cmd.split(" ", 1)[0] not in _STATEFUL


def first_step_cmd(sdk: str, cmd: str, manifest: str, *, stamp: bool) -> str:
    args = f"{shlex.quote(sdk)} -f {shlex.quote(manifest)}"
    body = cmd if _plain(cmd) else f"(\n{cmd}\n)"
    out = f"devenv sdk guard {args} && {body}"
    if stamp:
        out += f" && devenv sdk stamp {args}"
    return out


def verify_step(sdk: str, manifest: str):
    """The smoke step render adds to a published SDK's chain that has none (devenv.graph)."""
    from devenv.manifest.model import Step

    return Step(cmd=f"devenv sdk verify {shlex.quote(sdk)} -f {shlex.quote(manifest)}")


def step_cmd(sdk: str, step: str, cmd: str, manifest: str, *, guard: bool, stamp: bool) -> str:
    """A step's full command: ``[guard &&] <cmd> [&& stamp] && mark``."""
    mark = f"devenv sdk mark {shlex.quote(sdk)} {shlex.quote(step)} -f {shlex.quote(manifest)}"
    if guard:
        return f"{first_step_cmd(sdk, cmd, manifest, stamp=stamp)} && {mark}"
    body = cmd if _plain(cmd) else f"(\n{cmd}\n)"
    return f"{body} && {mark}"
