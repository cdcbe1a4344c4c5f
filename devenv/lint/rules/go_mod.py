"""``go.mod`` / ``go.work``: ``require``, ``replace`` and ``use`` directives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, Hit, each, is_comment_line

ID = "proto-in-go-mod"
TITLE = "go.mod"
SUMMARY = "go.mod requires or replaces a module with the proto workspace."
HELP = (
    "Go services require the published Go SDK module at the manifest's version; a replace "
    "directive pointing into the proto workspace (or a require of a proto module) bypasses it."
)

_DIRECTIVE = re.compile(r"^\s*(module|go|toolchain|godebug|require|replace|exclude|retract|use)\b\s*(\()?")
_COMMENTS = ("//",)


def matches(path: str, name: str) -> bool:
    return name in ("go.mod", "go.work")


def comments(doc: Document) -> tuple[str, ...]:
    return _COMMENTS


def language(doc: Document) -> str | None:
    return "go"


def directive(doc: Document, line: int) -> str | None:
    """The directive governing ``line``, following ``require ( … )`` blocks."""
    block = None
    for n in range(1, line + 1):
        text = doc.line_text(n).split("//", 1)[0]
        m = _DIRECTIVE.match(text)
        if m:
            if n == line:
                return m.group(1)
            block = m.group(1) if m.group(2) and ")" not in text[m.end():] else None
        elif text.strip() == ")":
            if n == line:
                return None
            block = None
    return block


def is_dependency(doc: Document, ref: Ref) -> bool:
    return directive(doc, doc.line_of(ref.start)) in ("require", "replace", "use")


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if is_comment_line(doc, ref, _COMMENTS):
        return f"{doc.name} comment references {what}{COMMENTED}"
    line = doc.line_of(ref.start)
    kind = directive(doc, line)
    if kind == "require":
        return f"{doc.name} requires {what}"
    if kind == "replace":
        start, _ = doc.line_span(line)
        arrow = doc.text.find("=>", start, ref.start)
        return f"{doc.name} replace points a module at {what}" if arrow >= 0 else f"{doc.name} replaces {what}"
    if kind == "use":
        return f"go.work uses {what}"
    return f"{doc.name} {kind + ' ' if kind else ''}references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
