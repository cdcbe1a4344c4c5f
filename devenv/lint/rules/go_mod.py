"""``go.mod`` / ``go.work``: ``require``, ``replace`` and ``use`` directives."""

from __future__ import annotations

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

# The directives Go knows; a line whose first word is another is no directive to describe.
_DIRECTIVES = frozenset({"module", "go", "toolchain", "godebug", "require", "replace", "exclude", "retract", "use"})
_COMMENTS = ("//",)


def matches(path: str, name: str) -> bool:
    return name in ("go.mod", "go.work")


def comments(doc: Document) -> tuple[str, ...]:
    return _COMMENTS


def language(doc: Document) -> str | None:
    return "go"


def directive(doc: Document, line: int) -> str | None:
    """The directive governing ``line`` (a ``require ( … )`` block's lines too), read by the
    go.mod grammar the dependency reader uses (:func:`devenv.deps.gomod.verbs`)."""
    from devenv.deps import gomod  # only when a go.mod holds a reference: lint's start-up stays small

    verb = gomod.verbs(doc.text).get(line)
    return verb if verb in _DIRECTIVES else None


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
