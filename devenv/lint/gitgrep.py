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
  ls-files -t -v`` tags ``H`` count (:attr:`devenv.lint.gitlisting.GitListing.untrusted`);
- untracked files are never searched by git (no ``--untracked``): the file loop reads them;
- ``-i``: the strings are searched in any case, with the last part of each name PEP 503
  respells among them (:func:`devenv.lint.needlebytes.python_last_parts`): pip reads
  ``Ameide-Core-Proto`` as ``ameide_core_proto``, so a Python dependency file git proves holds no
  spelling of it either (the file loop folds such files' case too). For the others git proves a
  little less than it could (a file with only ``PROTO`` is read), never more; ``-i`` costs git
  no measurable time;
- git's configuration cannot change what it prints: fixed strings (``-F``), no colour, names
  relative to the folder searched, no submodules, no textconv, the C locale (bytes, not UTF-8),
  and only complete NUL-terminated names are used (a git killed half-way proves fewer files);
- ``:(exclude)*.md``: Markdown, often a tenth of a monorepo, is never parsed
  (:data:`devenv.lint.rules.UNPARSED_EXTENSIONS`; the file loop skips it unread, named by git
  or not). Only it: each pathspec costs git a match per file, and excluding every unparsed
  extension cost git more than it saved on the 50,000-file benchmark;
- ``--text``: a binary file is searched like any other (it is without it too; binary-ness only
  changes how a match is shown), and git skips the attribute lookup (a `.gitattributes` open per
  folder, about a tenth of its time) it makes only to decide binary-ness.

tests/lint/test_gitgrep.py compares the file loop with and without these names over generated
trees (violations, decoys, ignored and untracked files, odd names, symlinks, FIFOs, binary files,
files git takes from the index) and requires identical outcomes.
"""

from __future__ import annotations

import os
import select
import shutil
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from itertools import filterfalse, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.lint.gitlisting import Background, GitListing
from devenv.lint.prestart import Started, grep_argv

if TYPE_CHECKING:
    from devenv.lint.needles import Needles


def patterns(needles: Needles) -> list[bytes] | None:
    """Fixed strings such that a file holding none of them fails the prefilter; None when git
    cannot search for them line by line (:func:`devenv.lint.needlebytes.grep_patterns`)."""
    from devenv.lint.needlebytes import grep_patterns, python_last_parts

    return grep_patterns(needles.byte_needles, needles.gate, needles.gate_covers_marker, python_last_parts(needles.names))


# git writes one name per file (47,000 writes in the benchmark): into a pipe, each would wake the
# reader, and a full pipe would stop git while lint waits for its listing. So git writes to an
# anonymous file, and a pipe that only git holds the write end of says when it has ended (its
# end of file), even to a forked process that cannot wait() for git.
class GitGrep(Background):
    """``git grep -L`` of the tracked files under ``root``, started in the background."""

    def __init__(self, root: Path | str, fixed: list[bytes], started: Started | None = None):
        """``started``: the same git already running (:mod:`devenv.lint.prestart`), adopted."""
        self.fixed = fixed
        git = shutil.which("git") if started is None else None
        if git is not None:
            super().__init__(grep_argv(git, os.fspath(root), fixed), env={**os.environ, "LC_ALL": "C"})
            return
        self.proc = started.process if started is not None else None
        self.out, self.done = (started.out, started.done) if started is not None else (-1, -1)

    def proven(self, untrusted: set[str]) -> set[str]:
        """Names (relative to the root) of tracked files git read whole without a match, less
        ``untrusted`` (:attr:`devenv.lint.gitlisting.GitListing.untrusted`). Waits for git's end."""
        return {name for batch in self.names() for name in batch}.difference(untrusted)

    def names(self, poll: float = 0.01, timeout: float = 300) -> Iterator[list[str]]:
        """The names git has written so far, batch by batch (every ``poll`` seconds) until it ends
        (or ``timeout`` seconds have passed: the files it has not named yet are read).

        Only complete names count: the piece after the last NUL is kept for the next batch, and
        dropped at the end (a git stopped half-way proves fewer files, never a wrong one)."""
        if self.proc is None:
            return
        offset, rest, ended = 0, b"", False
        deadline = time.monotonic() + timeout
        while not ended and time.monotonic() < deadline:
            try:
                if select.select([self.done], [], [], poll)[0]:
                    ended = not os.read(self.done, 4096)
                size = os.fstat(self.out).st_size
                data = rest + os.pread(self.out, size - offset, offset) if size > offset else rest
            except OSError:
                return
            offset = max(offset, size)
            cut = data.rfind(b"\0") + 1
            rest = data[cut:]
            if cut:
                yield data[: cut - 1].decode("utf-8", "surrogateescape").split("\0")


def unproven(grep: GitGrep, files: list[str], untrusted: AbstractSet[str], batch: int = 256) -> Iterator[list[str]]:
    """``files`` that git has not proven needle-free, in order and in batches, as git proves the
    others: the file loop reads each batch while git searches on (:func:`GitGrep.names`).

    git names files in the order of the index, which is the listing's for tracked files: the
    files up to the furthest one a batch of names reaches were matched, skipped, untracked or
    named, and the unnamed ones are read. A name out of that order only costs a read (the file
    loop's own verdict is always right); a file is skipped only when git named it and it is
    trusted. Per batch of names the work is set and slice operations (C), not a Python step per
    name: git names 47,000 files in the benchmark."""
    position = dict(zip(files, range(len(files))))
    done = 0
    pending: list[str] = []
    for names in grep.names():
        named = set(names).difference(untrusted) if untrusted else set(names)
        reach = max(map(position.get, named, repeat(-1)), default=-1)
        if reach < done:
            continue
        pending += filterfalse(named.__contains__, files[done : reach + 1])
        done = reach + 1
        if len(pending) >= batch:
            yield pending
            pending = []
    pending += files[done:]
    if pending:
        yield pending


class GrepListing(GitListing):
    """``git ls-files`` of ``root`` and, once the manifest's scan keys are read (``facts()``,
    :func:`devenv.lint.early._facts`; None: no early scan), ``git grep`` with their needles."""

    def __init__(self, root: Path, facts: Callable[[], tuple | None], started: Started | None = None):
        """``started``: git grep started on a guess of the needles (:mod:`devenv.lint.prestart`),
        used only when its folder and patterns are exactly those of the keys ``facts()`` reads."""
        super().__init__(root)  # git lists while the keys are read
        self.facts = facts()
        self.grep: GitGrep | None = None
        fixed = None
        if self.facts is not None and self.proc is not None:
            from devenv.lint.needles import Needles  # imported after git started: it is not cheap

            fixed = patterns(Needles(self.facts[2], self.facts[3]))  # as devenv.lint.scope.scope_and_needles builds them
        if started is not None and (not fixed or started.fixed != fixed or started.root != str(self.root)):
            started.cancel()  # a wrong guess: git again, with the keys' own needles
            started = None
        if fixed:
            self.grep = GitGrep(self.root, fixed, started)

    def cancel(self) -> None:
        super().cancel()
        if self.grep is not None:
            self.grep.cancel()
