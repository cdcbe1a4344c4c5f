"""Python dependency files: ``pyproject.toml``, ``requirements*.txt``, ``setup.cfg``, ``Pipfile``.

Names match in their PEP 503 spellings here (``ameide-core-proto`` is ``ameide_core_proto``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.deps.filenames import is_python_dependency_file
from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, is_comment_line

ID = "proto-in-python-deps"
TITLE = "Python dependencies"
SUMMARY = "A Python dependency file requires the proto package or installs the proto workspace."
HELP = (
    "Python services depend on the published Python SDK at the manifest's version; an "
    "editable or path install of the proto workspace, or a requirement on a proto package, "
    "bypasses it."
)

PYTHON_NAMES = True  # match PEP 503 spellings of proto.names
_INI_SECTION = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$", re.M)  # setup.cfg's [section]
_INI_KEY = re.compile(r"^([A-Za-z0-9_.\"'-]+)\s*[=:]", re.M)


def matches(path: str, name: str) -> bool:
    return is_python_dependency_file(path)


def comments(doc: Document) -> tuple[str, ...]:
    return HASH


def language(doc: Document) -> str | None:
    return "python"


def _is_requirements(doc: Document) -> bool:
    return doc.name not in ("pyproject.toml", "setup.cfg", "Pipfile")


def _where(doc: Document, offset: int) -> tuple[str | None, str | None]:
    """(table, key) of ``offset``; keys of multi-line arrays carry over. TOML files by the TOML
    scanner the dependency readers use (:mod:`devenv.deps.tomlpos`); setup.cfg is INI."""
    if doc.name != "setup.cfg":
        from devenv.deps import tomlpos  # only when a TOML file holds a reference: lint's start-up stays small

        return tomlpos.table_and_key(doc.text, offset)
    table = key = None
    for m in _INI_SECTION.finditer(doc.text, 0, offset):
        table, key_from = m.group(1).strip(), m.end()
    start = 0 if table is None else key_from
    for m in _INI_KEY.finditer(doc.text, start, offset):
        key = m.group(1).strip("\"'")
    return table, key


def _dependency_place(table: str | None, key: str | None) -> bool:
    table = (table or "").lower()
    key = (key or "").lower()
    return (
        "dependencies" in table
        or "dependencies" in key
        or "requires" in key
        or table in ("dependency-groups", "tool.uv.sources", "packages", "dev-packages", "options.extras_require")
        or table.startswith(("tool.uv.sources", "dependency-groups"))
    )


def is_dependency(doc: Document, ref: Ref) -> bool:
    if is_comment_line(doc, ref, HASH):
        return False
    if _is_requirements(doc):
        return True
    return _dependency_place(*_where(doc, ref.start))


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if is_comment_line(doc, ref, HASH):
        return f"{doc.name} comment references {what}{COMMENTED}"
    if _is_requirements(doc):
        line = doc.line_text(doc.line_of(ref.start)).lstrip()
        if line.startswith(("-e", "--editable")) or ref.kind == "path":
            return f"{doc.name} installs {what}"
        return f"{doc.name} requires {what}"
    table, key = _where(doc, ref.start)
    place = f"[{table}]" if table else ""
    if key:
        place = f"{place} {key}".strip()
    if _dependency_place(table, key):
        return f"{doc.name} {place} requires {what}".replace("  ", " ")
    return f"{doc.name} {place + ' ' if place else ''}references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
