"""Run a subprocess under a deadline: it either finishes or is killed, never left hanging.

The child gets its own session, so on timeout the whole process group (the tool and anything
it spawned) is killed, not just the direct child.
"""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from typing import Mapping, Sequence


class ProcTimeout(TimeoutError):
    """A command did not finish within its limit (it has been killed)."""

    def __init__(self, argv: Sequence[str], limit: float, output: str = ""):
        self.argv = list(argv)
        self.limit = limit
        self.output = output
        super().__init__(f"`{' '.join(self.argv)}` did not finish within {limit:g}s (killed)")


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout then stderr: version banners go to either, depending on the tool."""
        return (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).strip()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def run(
    argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, cwd: str | os.PathLike | None = None, input: str | None = None
) -> Completed:
    """Run ``argv`` and capture its output; raise :class:`ProcTimeout` after ``timeout`` seconds.

    ``FileNotFoundError``/``PermissionError`` propagate when the program cannot be started.
    """
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        stdout, stderr = proc.communicate(input, timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        try:
            stdout, stderr = proc.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:  # a grandchild holds the pipes open
            stdout, stderr = "", ""
        raise ProcTimeout(argv, timeout, ((stdout or "") + (stderr or "")).strip()) from None
    except BaseException:
        _kill_group(proc)
        raise
    return Completed(list(argv), proc.returncode, stdout or "", stderr or "")
