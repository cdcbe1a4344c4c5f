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
from pathlib import Path

from devenv.lint.gitlisting import GitListing

_ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


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

    from devenv.util.fsutil import read_prefix

    try:
        # Non-blocking, regular files only: a FIFO named .gitignore hung the walk, a link to
        # /dev/zero never ended. Either, like an unreadable one, ignores nothing (lint reads more).
        data, _ = read_prefix(path)
    except OSError:
        return None
    lines = data.decode("utf-8", "replace").splitlines()
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
            elif entry.name != ".git" and not (check and check(relative, False)):  # a submodule's .git file
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
    if listed is not None:
        listed = with_nested_trees(root, listed, specs, unreadable)
    if listed is None:
        listed = [f for folder in (folders or ["."]) for f in walk_files(root, "" if folder == "." else folder, unreadable)]
    return list(dict.fromkeys(explicit_files + listed)), used_git


def with_nested_trees(
    root: Path, listed: list[str], pathspecs: tuple[str, ...] = (), unreadable: list[tuple[str, str]] | None = None, *, submodules: bool = True
) -> list[str]:
    """git's listing with every repository nested in the tree replaced by its files, walked as
    outside git: git names an untracked nested repository as ``folder/`` and a submodule as the
    folder itself, and never lists their files, so lint would skip (or fail to read) them.
    ``submodules=False`` for a listing of untracked names only (no submodule is among them)."""
    folders = list(compress(listed, map(str.endswith, listed, repeat("/"))))
    if submodules:
        folders += [name for name in _gitlinks(root, pathspecs) if os.path.isdir(os.path.join(root, name))]
    if not folders:
        return listed
    replaced = set(folders)
    walked = [f for folder in folders for f in walk_files(root, folder.rstrip("/"), unreadable)]
    return [name for name in listed if name not in replaced] + walked


def _gitlinks(root: Path, pathspecs: tuple[str, ...]) -> list[str]:
    """The submodules (gitlink entries) of the index under ``root`` (and ``pathspecs``), relative to it. Asked of git
    only when the repository declares submodules (a ``.gitmodules`` at its top): a second listing
    costs as much as the first. A submodule added without one is met by the file loop as a
    folder it cannot read, and reported."""
    top = git_dir_parent(root)
    git = shutil.which("git")
    if top is None or git is None or not os.path.isfile(os.path.join(top, ".gitmodules")):
        return []
    try:
        out = subprocess.run(  # nosec B603: fixed argv
            [git, "-c", "core.quotePath=off", "ls-files", "-s", "-z", "--", *(pathspecs or (".",))], cwd=root, capture_output=True, timeout=300
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    entries = out.decode("utf-8", "surrogateescape").split("\0")
    return [path for meta, _, path in (entry.partition("\t") for entry in entries) if meta.startswith("160000 ")]


def git_dir_parent(folder: Path) -> Path | None:
    """The nearest folder from ``folder`` up that holds a ``.git`` (the work tree's top)."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None
