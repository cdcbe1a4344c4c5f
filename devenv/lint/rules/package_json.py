"""``package.json``: dependencies, workspaces and scripts. Suppressions: a ``"//devenv"`` key."""

from __future__ import annotations

from collections.abc import Iterator

from devenv.deps.jsonpos.tolerant import dotted
from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import Hit, each

ID = "proto-in-package-json"
TITLE = "package.json"
SUMMARY = "A package.json depends on, builds or includes the proto package or workspace."
HELP = (
    "Packages outside the SDKs depend on the published SDK (e.g. @ameideio/ameide-sdk-ts) at "
    "the manifest's version, never on the proto package or a file:/link:/workspace: path "
    "into the proto workspace."
)

DEPENDENCY_SECTIONS = frozenset(
    {"dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies", "overrides", "resolutions"}
)


def matches(path: str, name: str) -> bool:
    return name == "package.json"


def comments(doc: Document) -> tuple[str, ...]:
    return ()  # JSON has no comments: see devenv.lint.suppress (the "//devenv" key)


def language(doc: Document) -> str | None:
    return "typescript"


def _path(doc: Document, ref: Ref):
    found = doc.json.at(ref.start)
    return found if found else ((), False)


def is_dependency(doc: Document, ref: Ref) -> bool:
    path, _ = _path(doc, ref)
    return bool(path) and (path[0] in DEPENDENCY_SECTIONS or (path[0] == "pnpm" and len(path) > 1 and path[1] == "overrides"))


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    path, is_key = _path(doc, ref)
    if not path:
        return f"package.json references {what}"
    section = str(path[0])
    if is_dependency(doc, ref):
        where = dotted(path[:-1]) if len(path) > 1 else section
        if is_key or len(path) < 2:
            return f"package.json lists {what} in {where}"
        return f"package.json {where} points '{path[-1]}' at {what}"
    if section == "workspaces":
        return f"package.json workspaces include {what}"
    if section == "scripts" and len(path) > 1:
        return f"package.json script '{path[1]}' uses {what}"
    return f"package.json {dotted(path)} references {what}"


def check(doc: Document) -> Iterator[Hit]:
    for ref, message in each(doc, describe):
        path, _ = _path(doc, ref)
        if path and path[0] == "//devenv":
            continue  # the suppression entries themselves
        yield ref, message
