"""`git grep` in front of the file loop: the tracked files git proves cannot pass the prefilter.

In a git work tree most of lint's time is reading every file once to find the few with a needle
(:mod:`devenv.lint.fileloop`). git does that part in C, on every core, from the index: ``git grep
-L`` names each tracked file it read whole and found none of the patterns in. The file loop then
skips exactly those files (they are still counted as checked) and reads every other file itself,
as before: so the findings, notes and counts are the file loop's own, never git's.

A name git gives is trusted only when git read the very bytes the file loop would read:

- the patterns are a superset test of :meth:`devenv.lint.needles.Needles.prefilter` (its gate,
  or every needle, plus the suppression marker where the gate does not cover it): a file that
  holds none of them is one the prefilter rejects. A pattern git cannot search for as a fixed
  string (one with a newline or a NUL) turns the whole thing off;
- git reads a tracked file's work-tree bytes only when the index entry is a regular file and the
  file on disk is one too (a symlink, FIFO, device, folder or missing file is skipped, and a
  file it cannot open is an error, never a name): everything else is left to the file loop,
  which follows symlinks and reports unreadable files as it always did;
- entries whose bytes git takes from the index instead of the work tree (``assume-unchanged``,
  ``skip-worktree``, sparse folders), and unmerged entries, are not trusted: only names ``git
  ls-files -t -v`` tags ``H`` count (:attr:`devenv.lint.scan.GitListing.untrusted`);
- untracked files are never searched by git (no ``--untracked``): the file loop reads them;
- git's configuration cannot change what it prints: fixed strings (``-F``), no colour, names
  relative to the folder searched, no submodules, no textconv, the C locale (bytes, not UTF-8),
  and only complete NUL-terminated names are used (a git killed half-way proves fewer files).

tests/lint/test_gitgrep.py compares the file loop with and without these names over generated
trees (violations, decoys, ignored and untracked files, odd names, symlinks, FIFOs, binary files,
files git takes from the index) and requires identical outcomes.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404: runs git with a fixed argument list, no shell
from pathlib import Path

from devenv.lint.needles import SUPPRESSION_NEEDLE, Needles


def patterns(needles: Needles) -> list[bytes] | None:
    """Fixed strings such that a file holding none of them fails the prefilter; None when git
    cannot search for them line by line."""
    if needles.gate is not None:
        found = [needles.gate] if needles.gate_covers_marker else [needles.gate, SUPPRESSION_NEEDLE]
    else:
        found = [*needles.byte_needles, SUPPRESSION_NEEDLE]
    if not found or any(not p or b"\n" in p or b"\0" in p for p in found):
        return None
    return found


class GitGrep:
    """``git grep -L`` of the tracked files under ``root``, started in the background."""

    def __init__(self, root: Path | str, fixed: list[bytes]):
        self.proc: subprocess.Popen | None = None
        git = shutil.which("git")
        if not git:
            return
        argv: list[str | bytes] = [git, "grep", "-L", "-z", "-F", "--no-color", "--no-full-name", "--no-recurse-submodules", "--no-textconv"]
        for pattern in fixed:
            argv += ["-e", pattern]
        argv += ["--", "."]
        try:
            self.proc = subprocess.Popen(  # nosec B603: fixed argv, no shell
                argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C"}
            )
        except OSError:
            self.proc = None

    def proven(self, untrusted: set[str], timeout: float = 300) -> set[str]:
        """Names (relative to the root) of tracked files git read whole without a match, less
        ``untrusted`` (:attr:`devenv.lint.scan.GitListing.untrusted`)."""
        if self.proc is None:
            return set()
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.cancel()
            return set()
        names = out.decode("utf-8", "surrogateescape").split("\0")
        names.pop()  # after the last NUL: nothing, or a name git was stopped in the middle of
        return set(names).difference(untrusted)

    def cancel(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
