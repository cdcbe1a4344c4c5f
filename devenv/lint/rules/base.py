"""What every file-context rule module provides, and the defaults they borrow.

A context module (pre-commit's ``languages/*.py`` idea) exports:

- ``ID``: the rule id findings carry (``proto-in-dockerfile``);
- ``TITLE``, ``SUMMARY``, ``HELP``: for people and for SARIF's rule descriptors;
- ``matches(path, name) -> bool``: does this context own the file (by name, before reading);
- ``comments(doc) -> tuple[str, ...]``: the comment openers a suppression may follow
  (empty for strict JSON, whose suppressions live in a ``"//devenv"`` key);
- ``language(doc) -> str | None``: the SDK language to suggest (typescript, go, python);
- ``check(doc) -> Iterator[Hit]``: one (reference, message) per reference in ``doc.refs``;
- optionally ``is_dependency(doc, ref) -> bool``: the reference declares a dependency
  (package.json dependencies, go.mod require, requirements): used by the manifest rule
  about SDK-less services.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Protocol

from devenv.lint.document import Document
from devenv.lint.needles import Ref

Hit = tuple[Ref, str]

HASH = ("#",)
SLASHES = ("//", "/*")
ANY_COMMENT = ("#", "//", "/*", "--", ";", "<!--", "{#", "%")


class Context(Protocol):
    ID: str
    TITLE: str
    SUMMARY: str
    HELP: str

    def matches(self, path: str, name: str) -> bool: ...

    def comments(self, doc: Document) -> tuple[str, ...]: ...

    def language(self, doc: Document) -> str | None: ...

    def check(self, doc: Document) -> Iterator[Hit]: ...


def each(doc: Document, describe: Callable[[Document, Ref], str]) -> Iterator[Hit]:
    for ref in doc.refs:
        yield ref, describe(doc, ref)


def is_comment_line(doc: Document, ref: Ref, openers: tuple[str, ...]) -> bool:
    """Does the line of ``ref`` hold only a comment at the point of the reference?"""
    line = doc.line_of(ref.start)
    start, _ = doc.line_span(line)
    before = doc.text[start : ref.start].lstrip()
    return any(before.startswith(o) for o in openers)


COMMENTED = " (commented-out code counts too: delete it, or add a reviewed suppression)"

_EXTENSION_LANGUAGES = {
    ".js": "typescript",
    ".mjs": "typescript",
    ".cjs": "typescript",
    ".jsx": "typescript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".json": "typescript",
    ".jsonc": "typescript",
    ".go": "go",
    ".py": "python",
    ".pyi": "python",
}


def language_of_extension(name: str) -> str | None:
    dot = name.rfind(".")
    return _EXTENSION_LANGUAGES.get(name[dot:].lower()) if dot > 0 else None


_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*$")
_KWARG = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")


def enclosing_call(text: str, offset: int, limit: int = 4000) -> tuple[str | None, str | None]:
    """(function, keyword) around ``offset`` in call-style code: ``docker_build(only=['x'])``.

    Walks backwards over balanced brackets (strings are not parsed: good enough for the
    short calls of a Tiltfile); returns (None, None) when not inside a call.
    """
    depth = 0
    keyword = None
    floor = max(0, offset - limit)
    for i in range(offset - 1, floor - 1, -1):
        c = text[i]
        if c in ")]}":
            depth += 1
        elif c in "([{" and depth:
            depth -= 1
        elif not depth and c in ",(":
            if keyword is None:
                m = _KWARG.match(text, i + 1, offset)
                keyword = m.group(1) if m else None
            if c == "(":
                m = _CALL.search(text, max(floor, i - 200), i)
                return (m.group(1) if m else None), keyword
    return None, None
