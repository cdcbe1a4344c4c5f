"""``git ls-files`` in the background: the tracked files and the untracked ones that are not ignored.

Lint starts it before it imports and loads the manifest, so git walks the tree while Python
starts up; :func:`devenv.lint.scan.list_files` uses the listing, and the early scan
(:mod:`devenv.lint.early`) reads files as soon as the tracked ones are listed.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404: runs git with a fixed argument list, no shell
from collections.abc import Iterable
from itertools import compress, repeat
from operator import not_
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devenv.lint.prestart import Spawned


class GitListing:
    """``git ls-files`` started in the background (lint starts it before it imports and
    loads the manifest, so git walks the tree while Python starts up).

    Two gits: one lists the tracked files (the index: ~10 ms for 50,000 files), the other the
    untracked ones that are not ignored (a walk of the whole tree: most of the time). The early
    scan streams ``git grep``'s proof over the tracked names (all it can prove) as soon as they
    are there (:meth:`tracked`), instead of waiting for the walk (:mod:`devenv.lint.early`).
    :meth:`result` gives what ``git ls-files -co`` gives: the untracked names, then the tracked.

    Each tracked name comes tagged (``-t -v``): after :meth:`tracked`, ``untrusted`` holds the
    names whose entry is not a plain one (``H``: assume-unchanged, skip-worktree, unmerged),
    the files whose work-tree bytes ``git grep`` may not read (:mod:`devenv.lint.gitgrep`)."""

    def __init__(self, root: Path, pathspecs: Iterable[str] = ()):
        self.root = Path(os.path.realpath(root))
        self.pathspecs = tuple(pathspecs)
        self.untrusted: set[str] = set()
        self._tracked = self._others = None
        self._tracked_names: list[str] | None = None
        self._other_names: list[str] | None = None
        git = shutil.which("git")
        if not git:
            return
        base = [git, "-c", "core.quotePath=off", "ls-files", "-z"]
        specs = ["--", *(self.pathspecs or (".",))]
        self._tracked = Background([*base, "-c", "-t", "-v", *specs], self.root)
        self._others = Background([*base, "-o", "--exclude-standard", *specs], self.root)

    @property
    def proc(self) -> subprocess.Popen | Spawned | None:
        """The tracked files' git: None when git could not be started."""
        return self._tracked.proc if self._tracked is not None and self._others is not None and self._others.proc is not None else None

    def tracked(self, timeout: float = 300) -> list[str] | None:
        """The tracked files, in the index's order (``git grep``'s), or None when git failed."""
        if self._tracked_names is None and self._tracked is not None:
            out = self._tracked.output(timeout)
            if out is not None:
                self._tracked_names = _untagged(out)
                if self._tracked_names is None:
                    self._tracked_names = self._sorted_out_tags(out)
        return self._tracked_names

    def others(self, timeout: float = 300) -> list[str] | None:
        """The untracked files that are not ignored, or None when git failed."""
        if self._other_names is None and self._others is not None:
            out = self._others.output(timeout)
            if out is not None:
                self._other_names = out.decode("utf-8", "surrogateescape").split("\0")
                self._other_names.pop()  # after the last NUL
        return self._other_names

    def result(self, timeout: float = 300) -> list[str] | None:
        """Files relative to the root, or None outside a git work tree (or without git)."""
        tracked = self.tracked(timeout)
        others = self.others(timeout) if tracked is not None else None
        if tracked is None or others is None:
            self.cancel()
            return None
        return others + tracked

    def succeeded(self, timeout: float = 60) -> bool:
        """Whether both gits ended well (in the process that started them)."""
        runs = (self._tracked, self._others)
        return all(run is not None and run.succeeded(timeout) for run in runs)

    def _sorted_out_tags(self, out: bytes) -> list[str]:
        tagged = out.decode("utf-8", "surrogateescape").split("\0")
        tagged.pop()  # after the last NUL
        # A C-level pass over 50,000 tags: nearly all are "H " (plain).
        plain_tags = map(str.startswith, tagged, repeat(("H", "?")))
        self.untrusted = {entry[2:] for entry in compress(tagged, map(not_, plain_tags))}
        return list(dict.fromkeys([entry[2:] for entry in tagged]))  # unmerged entries repeat

    def cancel(self) -> None:
        for run in (self._tracked, self._others):
            if run is not None:
                run.cancel()


class Background:
    """One git command writing to an anonymous file (:func:`scratch`), started now; ``done``
    reaches its end of file when git has ended (see :func:`scratch`)."""

    def __init__(self, argv: list[str | bytes], cwd: Path | None = None, env: dict[str, str] | None = None):
        self.proc: subprocess.Popen | Spawned | None = None
        self.out = self.done = -1
        try:
            self.out = scratch()
            self.done, ended = os.pipe()
            try:
                self.proc = subprocess.Popen(  # nosec B603: fixed argv, no shell
                    argv, cwd=cwd, stdout=self.out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, pass_fds=(ended,), env=env
                )
            finally:
                os.close(ended)
        except OSError:
            self.proc = None

    def output(self, timeout: float) -> bytes | None:
        """What git wrote, once it has ended well; None when it failed or did not end in time."""
        if self.proc is None or self.out < 0:
            return None
        try:
            if not ended(self.done, timeout):
                raise subprocess.TimeoutExpired("git", timeout)
            self.proc.wait(timeout=timeout)  # in the early scan's child git is not its child: 0 (its parent checks)
            out = os.pread(self.out, os.fstat(self.out).st_size, 0)
        except (subprocess.TimeoutExpired, OSError):
            self.cancel()
            return None
        self._close()
        return out if self.proc.returncode == 0 else None  # "not a git repository", or git failed

    def succeeded(self, timeout: float) -> bool:
        try:
            return self.proc is not None and self.proc.wait(timeout=timeout) == 0
        except Exception:  # noqa: BLE001 - a git that does not end: not a listing to trust
            return False

    def cancel(self) -> None:
        """Stop and reap git (in the process that started it) and close the files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self) -> None:
        for fd in (self.out, self.done):
            if fd >= 0:
                os.close(fd)
        self.out = self.done = -1


# git writes its listing (2.5 MB for 50,000 files) to an anonymous file, not a pipe: a full pipe
# would stop it until lint reads, and lint reads only once it has imported the file loop and
# forked. A pipe that only git holds the write end of says when it has ended (its end of file),
# even to a forked process that cannot wait() for git.
def scratch() -> int:
    """A descriptor of an anonymous file: in memory on Linux, an unlinked temporary file elsewhere."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("devenv-lint-git", os.MFD_CLOEXEC)
    import tempfile

    with tempfile.TemporaryFile() as handle:
        return os.dup(handle.fileno())


def ended(done: int, timeout: float) -> bool:
    """Wait until the write end of the pipe ``done`` is closed everywhere (git has ended)."""
    import select
    import time

    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if select.select([done], [], [], left)[0] and not os.read(done, 4096):
            return True
    return False


def _untagged(out: bytes) -> list[str] | None:
    """The names of ``ls-files -t -v`` output whose every entry is plain (``H``) or untracked
    (``?``), the usual case, with the tags cut by two C-level replaces instead of a slice per
    name (a sixth of the early scan's own time in a 50,000-file tree); None otherwise (the
    caller sorts the tags out). Each entry ends with a NUL, so after a leading NUL every tag
    follows one. A tracked name that itself starts with ``? `` would lose that to the second
    replace: such output goes the slow way too."""
    data = b"\0" + out
    entries = out.count(b"\0")
    if not entries or data.count(b"\0H ") + data.count(b"\0? ") != entries or b"\0H ? " in data:
        return None
    names = data.replace(b"\0H ", b"\0").replace(b"\0? ", b"\0")
    return names[1:-1].decode("utf-8", "surrogateescape").split("\0")
