"""Tiltfiles, Starlark (``*.star``) and templates (``*.tmpl``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, enclosing_call, is_comment_line

ID = "proto-in-tiltfile"
TITLE = "Tiltfile / Starlark"
SUMMARY = "A Tiltfile, Starlark file or template references the proto workspace."
HELP = (
    "Tilt builds SDK resources first and every service waits for them with resource_deps: "
    "only the SDKs' own steps may watch or build the proto workspace. Generate the Tiltfile "
    "with `devenv render`; declare SDK steps and their deps in services.yaml."
)

_TEMPLATE_COMMENTS = ("#", "//", "/*", "{#")
# A Tiltfile devenv wrote and nobody edited: derived from services.yaml, checked there.
_CHECKSUM = re.compile(r"^# devenv-checksum: sha256:([0-9a-f]{64})\n")


def matches(path: str, name: str) -> bool:
    return name == "Tiltfile" or name.startswith("Tiltfile.") or name.endswith((".star", ".tmpl", ".star.j2", ".tiltfile", ".tilt"))


def comments(doc: Document) -> tuple[str, ...]:
    return HASH if doc.name.startswith("Tiltfile") or doc.name.endswith(".star") else _TEMPLATE_COMMENTS


def language(doc: Document) -> str | None:
    return None


def generated_by_devenv(text: str) -> bool:
    """True for a Tiltfile `devenv render` wrote whose checksum still matches its body."""
    import hashlib

    match = _CHECKSUM.match(text)
    return match is not None and hashlib.sha256(text[match.end() :].encode()).hexdigest() == match.group(1)


def _label(doc: Document) -> str:
    if doc.name.startswith("Tiltfile"):
        return "Tiltfile"
    if doc.name.endswith(".star"):
        return "Starlark file"
    return "template"


def describe(doc: Document, ref: Ref) -> str:
    label = _label(doc)
    what = ref.describe()
    if is_comment_line(doc, ref, comments(doc)):
        return f"{label} comment references {what}{COMMENTED}"
    call, keyword = enclosing_call(doc.text, ref.start)
    if call:
        where = f"{call}({keyword}=…)" if keyword else f"{call}(…)"
        return f"{label} {where} references {what}"
    return f"{label} references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
