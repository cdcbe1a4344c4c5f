"""The early scan's answer, as it crosses the pipe from the child to the parent (:mod:`devenv.lint.early`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


# The answer carries git's listing and the files in scope: 50,000 names each in a large tree,
# usually the same names. When the listing is exactly what the parent's own git wrote, it is not
# sent: the parent reads it from git's output while the child scans (a fifth of the time between
# git grep's end and the report went on sending, unpickling and splitting it). Otherwise one
# NUL-joined string per list (NUL cannot be in a path), and the files only when they differ from
# the listing, pickle and unpickle in a fraction of the time of two lists of strings.
AS_GIT_LISTED = "as git listed it"


def packed(answer: tuple, as_git_listed: bool = False) -> tuple:
    """(facts, root, listed, (files, result), borrowed) ready to pickle; ``as_git_listed``: the
    listing is the parent's git's own, left out."""
    facts, root, listed, outcome, borrowed = answer
    if outcome is not None:
        files, result = outcome
        outcome = (None if files == listed else _joined(files), result)
    shipped = AS_GIT_LISTED if as_git_listed else None if listed is None else _joined(listed)
    return facts, root, shipped, outcome, borrowed


def unpacked(answer: tuple, git_listed: Callable[[], list[str] | None] = lambda: None) -> tuple:
    """The answer as the child had it; ``git_listed``: the parent's own copy of git's listing."""
    facts, root, listed, outcome, borrowed = answer
    if listed == AS_GIT_LISTED:
        listed = git_listed()
        if listed is None:  # git failed after all: a walk (the parent's) decides
            return facts, root, None, None, False
    else:
        listed = None if listed is None else _split(listed)
    if outcome is not None:
        files, result = outcome
        outcome = (list(listed or ()) if files is None else _split(files), result)
    return facts, root, listed, outcome, borrowed


def _joined(names: list[str]) -> tuple[int, str]:
    return len(names), "\0".join(names)


def _split(joined: tuple[int, str]) -> list[str]:
    count, text = joined
    return text.split("\0") if count else []
