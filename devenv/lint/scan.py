"""Which files lint looks at: git's view of the tree, or a walk that honours ``.gitignore``.

Inside a git work tree: ``git ls-files -co --exclude-standard -z`` (tracked files plus
untracked ones that are not ignored; git applies .gitignore, .git/info/exclude and
core.excludesFile). Outside git (an exported tarball, a CI cache): a walk that reads every
``.gitignore`` on the way down with pathspec's gitignore semantics (a deeper file's patterns
win, ``!`` re-includes, an ignored folder is not entered). Either way paths come back
relative to ``root``, in posix form.

Files named explicitly are always checked, even when ignored (as a linter given a file
name does); folders named explicitly are listed with the rules above.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404: runs git with a fixed argument list, no shell
from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import not_
from pathlib import Path

_ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


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
        git = shutil.which("git")
        if not git:
            return
        base = [git, "-c", "core.quotePath=off", "ls-files", "-z"]
        specs = ["--", *(self.pathspecs or (".",))]
        self._tracked = _Background([*base, "-c", "-t", "-v", *specs], self.root)
        self._others = _Background([*base, "-o", "--exclude-standard", *specs], self.root)

    @property
    def proc(self) -> subprocess.Popen | None:
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
        out = self._others.output(timeout) if self._others is not None else None
        if out is None:
            return None
        names = out.decode("utf-8", "surrogateescape").split("\0")
        names.pop()  # after the last NUL
        return names

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


class _Background:
    """One git command writing to an anonymous file (:func:`scratch`), started now."""

    def __init__(self, argv: list[str], cwd: Path):
        self.proc: subprocess.Popen | None = None
        self.out = self.done = -1
        try:
            self.out = scratch()
            self.done, ended = os.pipe()
            try:
                self.proc = subprocess.Popen(  # nosec B603: fixed argv, no shell
                    argv, cwd=cwd, stdout=self.out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, pass_fds=(ended,)
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
                raise subprocess.TimeoutExpired(self.proc.args, timeout)
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


class Listed:
    """A listing made elsewhere (the early scan's child), used as a :class:`GitListing`;
    ``files`` None: not a git work tree."""

    def __init__(self, root: Path, files: list[str] | None):
        self.root, self.pathspecs, self.files = root, (), files

    def result(self, timeout: float = 300) -> list[str] | None:
        return self.files

    def cancel(self) -> None:
        pass


def git_files(root: Path, pathspecs: Iterable[str] = ()) -> list[str] | None:
    """Files git sees under ``root`` (relative to it), or None outside a work tree / without git."""
    return GitListing(root, pathspecs).result()


def git_toplevel(root: Path) -> Path | None:
    git = shutil.which("git")
    if not git:
        return None
    try:
        out = subprocess.run(  # nosec B603: fixed argv
            [git, "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


class _Ignores:
    """The stack of .gitignore specs from ``root`` down to the folder being walked."""

    def __init__(self) -> None:
        self.layers: list[tuple[str, list]] = []  # (folder, [(regex, include)])

    def push(self, folder: str, spec) -> None:
        if spec is not None:
            # Patterns last to first: the first that matches is the one git applies.
            rules = [(p.regex, p.include) for p in reversed(spec.patterns) if p.include is not None and p.regex is not None]
            if rules:
                self.layers.append((folder, rules))

    def pop_to(self, folder: str) -> None:
        while self.layers and not (folder == self.layers[-1][0] or folder.startswith(self.layers[-1][0] + "/") or self.layers[-1][0] == ""):
            self.layers.pop()

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """Git's rule for an entry whose parent folders are not ignored (the walk never enters
        an ignored folder, so nothing inside one can be re-included): the last pattern that
        matches, in the deepest .gitignore that has one, decides."""
        for base, rules in reversed(self.layers):
            sub = relative[len(base) + 1 :] if base else relative
            if is_dir:
                sub += "/"
            for regex, include in rules:
                if regex.search(sub) is not None:
                    return include
        return False


def _read_gitignore(path: str):
    import pathspec  # only outside git: keep it off lint's start-up

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def walk_files(root: Path, start: str = "", unreadable: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """Files under ``root/start`` not ignored by any .gitignore between ``root`` and them.
    Folders that cannot be listed are added to ``unreadable`` as (path, reason): a guardrail
    that silently skips a folder would pass code it never saw."""
    base = os.fspath(root)
    ignores = _Ignores()
    # .gitignore files of the folders above ``start`` apply to it as well.
    parts = [p for p in start.split("/") if p]
    for depth in range(len(parts)):
        folder = "/".join(parts[:depth])
        ignores.push(folder, _read_gitignore(os.path.join(base, folder, ".gitignore")))
    stack = ["/".join(parts)]
    while stack:
        folder = stack.pop()
        ignores.pop_to(folder)
        directory = os.path.join(base, folder) if folder else base
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as exc:
            if unreadable is not None:
                unreadable.append((folder or ".", exc.strerror or str(exc)))
            continue
        if any(e.name == ".gitignore" for e in entries):
            ignores.push(folder, _read_gitignore(os.path.join(directory, ".gitignore")))
        check = ignores.ignored if ignores.layers else None
        prefix = f"{folder}/" if folder else ""
        for entry in entries:
            relative = prefix + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name not in _ALWAYS_SKIP_DIRS and not (check and check(relative, True)):
                    stack.append(relative)
            elif not (check and check(relative, False)):
                yield relative


def list_files(
    root: Path, paths: Iterable[Path] = (), listing: GitListing | Listed | None = None, unreadable: list[tuple[str, str]] | None = None
) -> tuple[list[str], bool]:
    """(files relative to ``root``, whether git listed them) for the whole tree or ``paths``.

    ``paths`` are relative to the current folder (or absolute); each must exist inside
    ``root``, else a DevenvError (exit 2) names it. ``listing`` is a GitListing started
    earlier for the whole tree; it is used when it fits, cancelled otherwise.
    """
    from devenv.errors import DevenvError  # not at the top: lint starts git before it imports the rest

    root = Path(os.path.realpath(root))
    explicit_files: list[str] = []
    folders: list[str] = []
    try:
        for given in paths:
            full = Path(os.path.abspath(given))
            if not os.path.lexists(full):
                raise DevenvError(f"path not found: {given}", hint="pass files or folders that exist")
            # A folder resolves fully; a file keeps its own name (it may be a symlink).
            real = Path(os.path.realpath(full)) if full.is_dir() else Path(os.path.realpath(full.parent)) / full.name
            try:
                relative = real.relative_to(root).as_posix()
            except ValueError:
                raise DevenvError(
                    f"{given} is outside the repository {root}",
                    hint="lint checks files under the manifest's folder: pass paths inside it, or -f another manifest",
                ) from None
            if full.is_dir():
                folders.append("." if relative == "." else relative)
            else:
                explicit_files.append(relative)
    except DevenvError:
        if listing is not None:
            listing.cancel()
        raise
    specs = tuple(folders)
    if explicit_files and not folders:
        if listing is not None:
            listing.cancel()
        return list(dict.fromkeys(explicit_files)), False
    if listing is not None and listing.root == root and (listing.pathspecs or (".",)) == (specs or (".",)):
        listed = listing.result()
    else:
        if listing is not None:
            listing.cancel()
        listed = git_files(root, specs)
    if listed == [] and not folders:
        # Nothing at all: the folder is ignored by an enclosing repository (a vendored tree, a
        # build output). Lint what is there rather than nothing.
        listed = None
    used_git = listed is not None
    if listed is None:
        listed = [f for folder in (folders or ["."]) for f in walk_files(root, "" if folder == "." else folder, unreadable)]
    return list(dict.fromkeys(explicit_files + listed)), used_git


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
