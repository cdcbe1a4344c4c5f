"""The file loop started before the manifest is validated.

Validating `services.yaml` (pydantic's model and every cross-key rule) costs about as much CPU as
reading a 25,000-file tree, and lint needs only a few of its keys to scan: `proto.path`,
`proto.names`, `proto.allowed`, the SDKs' `path` and `lint.exclude`. So `devenv lint` of a whole
tree starts `git ls-files`, reads those keys straight from the YAML (libyaml, no model), starts
`git grep` with their needles (:mod:`devenv.lint.gitgrep`), imports the file loop (which it needs
anyway) and forks a child; the child reads git's listing and runs the file loop over the files
git does not prove needle-free, while the parent validates the manifest as every command does,
with the same messages.

git stays the parent's child, so only the parent learns its exit status: the child's result
counts only when git succeeded, or when it listed nothing (then the child walked the tree, as
:func:`devenv.lint.scan.list_files` does when git fails).

The child's result is a guess until the parent checks it: it is used only when the keys the
child scanned with are exactly the validated manifest's (:func:`devenv.lint.engine.scan_facts`);
otherwise (any surprise in the YAML, a manifest edited in between, stdin) it is dropped and the
tree is scanned again in the parent, and a manifest error stops the child. Fixes name SDKs
chosen from the validated manifest: the child leaves them pending
(:class:`devenv.lint.checker.PendingFix`).

This module imports nothing heavy: the parent imports it, and forks, before pydantic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.lint.answer import packed, unpacked
from devenv.lint.prestart import can_fork, manifest_path, read_manifest

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

    from devenv.lint.gitgrep import GitGrep, GrepListing
    from devenv.lint.gitlisting import GitListing
    from devenv.lint.prestart import Started


class EarlyScan:
    """The parent's handle on the child: its process id and the read end of its pipe."""

    def __init__(self, pid: int, fd: int, git: GitListing | None, borrowed: bool = False):
        self.pid, self.fd, self.git, self.borrowed = pid, fd, git, borrowed
        self._answer: tuple | None = None
        self._done = False

    @classmethod
    def start(cls, manifest: Path | None, jobs: int | None, git: GitListing | None = None) -> EarlyScan | None:
        """Fork the child (None where there is no fork, or for a manifest read from stdin).
        ``git``: the listing the caller started; the child reads it when it lists the right folder."""
        if not can_fork(manifest):
            return None
        # Imported once, here, for both processes (the parent needs them later as well).
        import yaml  # noqa: F401

        from devenv.lint import fileloop, scope  # noqa: F401

        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            code = 1
            try:
                _child(parent, manifest, jobs, git, write_end)
                code = 0
            finally:
                os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
        os.close(write_end)
        return cls(pid, read_end, git, _borrowable(git, manifest_path(manifest)))

    def _receive(self) -> tuple | None:
        """(facts, root, listed, outcome, listing borrowed from the parent's git) from the child, or None when it failed or read a listing
        of a git that failed."""
        if self._done:
            return self._answer
        import pickle

        git = self.git
        if self.borrowed and git is not None:
            git.result()  # read now, while the child scans: it then does not send the listing back
        chunks = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) == 0 and chunks:
                answer = pickle.loads(b"".join(chunks))  # nosec B301: our own child's data
                self._answer = unpacked(answer, git.result if self.borrowed and git is not None else lambda: None)
        except (OSError, pickle.UnpicklingError, EOFError):
            self._answer = None
        finally:
            self._close()
        if self._answer is not None and self._answer[4] and not self._git_succeeded():
            # The child took git's partial output for the listing: a walk (the parent's) decides.
            self._answer = (self._answer[0], self._answer[1], None, None, False)
        if self.git is not None:
            self.git.cancel()  # reaped (or, when the child failed, stopped)
        return self._answer

    def _git_succeeded(self) -> bool:
        return self.git is not None and self.git.succeeded()

    def outcome(self, facts: tuple | None) -> tuple | None:
        """(files, file-loop outcome) when the child scanned with exactly ``facts``, else None."""
        answer = self._receive()
        if facts is None or answer is None or answer[0] != facts or answer[3] is None:
            return None
        return answer[3]

    def listing(self):
        """The child's listing of the tree, as a :class:`devenv.lint.gitlisting.GitListing` stand-in."""
        answer = self._receive()
        if answer is None or answer[1] is None:
            return None
        from devenv.lint.scan import Listed

        return Listed(Path(answer[1]), answer[2])

    def stop(self) -> None:
        """End the child (its workers and git follow it) when its result is not wanted."""
        if self._done:
            return
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        self._close()
        if self.git is not None:
            self.git.cancel()

    def _close(self) -> None:
        if not self._done:
            self._done = True
            os.close(self.fd)


def start_listing(manifest: Path | None, started: Started | None = None) -> GrepListing:
    """``git ls-files`` of the folder the manifest is probably in, started before the rest of
    lint is imported (the first thing the scan waits for; a wrong guess is listed again), and
    ``git grep`` with the needles of the manifest's raw keys (:mod:`devenv.lint.gitgrep`):
    ``started``, when :func:`devenv.lint.prestart.start` guessed them right."""
    from devenv.lint.gitgrep import GrepListing

    path = manifest_path(manifest)
    root = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    early = path is not None and can_fork(manifest)
    return GrepListing(Path(root), lambda: _facts(path, os.path.realpath(root)) if early and path else None, started)


def _borrowable(git: GitListing | None, path: str | None) -> bool:
    """Whether the child lists with ``git``, the parent's: it lists the manifest's folder."""
    return path is not None and git is not None and git.proc is not None and str(git.root) == os.path.realpath(os.path.dirname(os.path.abspath(path)))


def _child(parent: int, manifest: Path | None, jobs: int | None, git: GitListing | None, out: int) -> None:
    """Read the listing and the scan's keys, scan, and send it all to the parent."""
    from devenv.lint.gitgrep import GrepListing
    from devenv.util.deathsig import die_with_parent

    die_with_parent(parent)
    path = manifest_path(manifest)
    if path is None:
        return _send(out, (None, None, None, None, False))
    root = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    borrowed = _borrowable(git, path)
    if not borrowed:
        git = GrepListing(Path(root), lambda: _facts(path, root))  # the caller guessed another folder: list this one
    assert git is not None  # nosec B101: set just above
    if isinstance(git, GrepListing):  # the keys read, and git grep started, with the listing
        facts, grep = git.facts, git.grep
    else:
        facts = _facts(path, root)
        grep = _grep(facts, root)
    # The parent's git: it is not this process's child, so wait() cannot learn its exit status
    # (and says 0); the parent checks it (EarlyScan._git_succeeded).
    streamed = _scan_as_git_proves(facts, root, git, grep) if facts is not None and grep is not None else None
    listed: list[str] | None
    outcome: tuple | None
    as_git_listed = False
    if streamed is not None:
        listed, outcome, as_git_listed = streamed
    else:
        listed = git.result()
        outcome = _scan(facts, root, listed, jobs, grep, git.untrusted) if facts is not None else None
    return _send(out, (facts, root, listed, outcome, borrowed and bool(listed)), as_git_listed=borrowed and as_git_listed)


def _grep(facts: tuple | None, root: str):
    """``git grep`` of the tracked files (:mod:`devenv.lint.gitgrep`), or None."""
    if facts is None:
        return None
    from devenv.lint.gitgrep import GitGrep, patterns
    from devenv.lint.scope import scope_and_needles

    fixed = patterns(scope_and_needles(*facts[1:6])[1])
    return GitGrep(root, fixed) if fixed else None


def _send(out: int, answer: tuple, as_git_listed: bool = False) -> None:
    import pickle

    data = memoryview(pickle.dumps(packed(answer, as_git_listed), protocol=pickle.HIGHEST_PROTOCOL))
    while data:
        data = data[os.write(out, data) :]
    os.close(out)


def _facts(path: str, root: str) -> tuple | None:
    """:func:`devenv.lint.engine.scan_facts` computed from the raw YAML; None at any surprise."""
    try:
        data = read_manifest(path)  # never blocks on a FIFO
        if data is None:
            return None
        import yaml

        document = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # nosec B506: a safe loader
    except Exception:  # noqa: BLE001 - the parent's load reports it properly
        return None
    if not isinstance(document, dict) or not isinstance(proto := document.get("proto"), dict):
        return None
    sdks, lint = document.get("sdks") or {}, document.get("lint") or {}
    if not (isinstance(sdks, dict) and all(isinstance(s, dict) for s in sdks.values()) and isinstance(lint, dict)):
        return None
    values = (proto.get("path"), proto.get("names", []), proto.get("allowed", []), [s.get("path") or "" for s in sdks.values()], lint.get("exclude", []))
    if not (isinstance(values[0], str) and all(_strings(v) for v in values[1:])):
        return None
    return (root, os.path.basename(path), values[0], *(tuple(v) for v in values[1:]))


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _scan_as_git_proves(facts: tuple, root: str, git: GitListing, grep: GitGrep) -> tuple[list[str], tuple, bool] | None:
    """(the listing, as :func:`_scan` gives it, whether the listing is git's own: no nested
    repository walked into it) with the tracked files read batch by batch while
    git grep proves the others, from the moment git has listed them (before its walk for
    untracked files ends), then the untracked files. None, with nothing sent, when git listed
    nothing or failed (:func:`_scan` then does what :func:`devenv.lint.scan.list_files` does)."""
    from devenv.lint.checker import Checker, PendingFixes
    from devenv.lint.fileloop import in_scope, run_files
    from devenv.lint.gitgrep import unproven
    from devenv.lint.scan import with_nested_trees
    from devenv.lint.scope import scope_and_needles, unreadable_folders, without_excluded

    listed_tracked = git.tracked()
    if not listed_tracked:
        return None
    unreadable: list[tuple[str, str]] = []
    tracked = with_nested_trees(Path(root), listed_tracked, unreadable=unreadable)  # a submodule's files, walked
    _, manifest_file, proto_path, names, allowed, sdk_paths, exclude = facts
    scope, needles = scope_and_needles(manifest_file, proto_path, names, allowed, sdk_paths)
    checker = Checker(root, needles, PendingFixes())
    parts = [run_files(checker, scope, batch, 1) for batch in unproven(grep, without_excluded(exclude, tracked), git.untrusted)]
    listed_others = git.others()
    if listed_others is None:
        return None
    others = with_nested_trees(Path(root), listed_others, unreadable=unreadable, submodules=False)  # a nested repository's
    parts.append(run_files(checker, scope, without_excluded(exclude, others), 1))  # git never proves these
    listed = others + tracked  # as `git ls-files -co` lists them
    files = without_excluded(exclude, listed)
    findings = [f for part in parts for f in part[0]]
    notes = [n for part in parts for n in part[1]] + unreadable_folders(unreadable)
    as_git_listed = tracked is listed_tracked and others is listed_others
    return listed, (files, (findings, notes, in_scope(scope, files), sum(part[3] for part in parts))), as_git_listed


def _scan(facts: tuple, root: str, listed: list[str] | None, jobs: int | None, grep: GitGrep | None = None, untrusted: AbstractSet[str] = frozenset()) -> tuple:
    """(files in scope, the file loop's outcome) with the facts' needles and scope. With
    ``grep`` (a git listing only), the loop reads only the files git does not prove needle-free,
    batch by batch while git searches (:func:`devenv.lint.gitgrep.unproven`), and counts the
    others as checked."""
    from devenv.lint.checker import Checker, PendingFixes
    from devenv.lint.fileloop import in_scope, jobs_for, run_files
    from devenv.lint.gitgrep import unproven
    from devenv.lint.scan import Listed, list_files
    from devenv.lint.scope import scope_and_needles, unreadable_folders, without_excluded

    _, manifest_file, proto_path, names, allowed, sdk_paths, exclude = facts
    unreadable: list[tuple[str, str]] = []
    files = without_excluded(exclude, list_files(Path(root), (), Listed(Path(root), listed), unreadable)[0])
    scope, needles = scope_and_needles(manifest_file, proto_path, names, allowed, sdk_paths)
    checker = Checker(root, needles, PendingFixes())
    if grep is None or not listed:
        findings, notes, checked, parsed = run_files(checker, scope, files, jobs_for(jobs, len(files)))
    else:
        findings, notes, checked, parsed = [], [], in_scope(scope, files), 0
        for batch in unproven(grep, files, untrusted):
            part = run_files(checker, scope, batch, 1)
            findings += part[0]
            notes += part[1]
            parsed += part[3]
    return files, (findings, notes + unreadable_folders(unreadable), checked, parsed)
