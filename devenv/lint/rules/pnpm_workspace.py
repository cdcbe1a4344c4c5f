"""``pnpm-workspace.yaml``: workspace packages, catalogs and overrides."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, is_comment_line

ID = "proto-in-pnpm-workspace"
TITLE = "pnpm-workspace.yaml"
SUMMARY = "pnpm-workspace.yaml names the proto workspace or package."
HELP = (
    "A pnpm workspace that lists the proto workspace, or a catalog/override that pins the proto "
    "package, lets any service link it directly instead of the published SDK. Only literal "
    "references count: a glob such as packages/* is not a reference."
)

_TOP_KEY = re.compile(r"^([A-Za-z0-9_-]+)\s*:", re.M)


def matches(path: str, name: str) -> bool:
    return name in ("pnpm-workspace.yaml", "pnpm-workspace.yml")


def comments(doc: Document) -> tuple[str, ...]:
    return HASH


def language(doc: Document) -> str | None:
    return "typescript"


def _section(doc: Document, offset: int) -> str | None:
    key = None
    for m in _TOP_KEY.finditer(doc.text, 0, offset):
        key = m.group(1)
    return key


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if is_comment_line(doc, ref, HASH):
        return f"pnpm-workspace.yaml comment references {what}{COMMENTED}"
    section = _section(doc, ref.start)
    if section == "packages":
        return f"pnpm workspace packages include {what}"
    if section in ("catalog", "catalogs"):
        return f"pnpm catalog pins {what}"
    if section == "overrides":
        return f"pnpm overrides point at {what}"
    return f"pnpm-workspace.yaml {section + ' ' if section else ''}references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
