"""Every other code or configuration file (Go sources, Makefiles, tsconfig.json, compose files…)."""

from __future__ import annotations

from collections.abc import Iterator

from devenv.deps.jsonpos.tolerant import dotted
from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import ANY_COMMENT, COMMENTED, SLASHES, Hit, each, is_comment_line, language_of_extension

ID = "proto-reference"
TITLE = "Other files"
SUMMARY = "A code or configuration file outside the allowed paths references the proto workspace."
HELP = (
    "Only the SDKs (and proto.allowed) may reference the proto workspace. This covers files "
    "that have no rule of their own: Go sources, Makefiles, tsconfig.json paths, compose files."
)

# JSON that takes comments (JSONC): suppressions are // comments there.
_JSONC_NAMES = ("tsconfig", "jsconfig", ".eslintrc", "devcontainer", "turbo.json", "deno.json", "biome.json", "tslint.json")


def matches(path: str, name: str) -> bool:
    return True


def is_strict_json(doc: Document) -> bool:
    lower = doc.name.lower()
    if not lower.endswith(".json"):
        return False
    return not (lower.startswith(_JSONC_NAMES) or doc.path.startswith((".vscode/", ".devcontainer/")))


def _is_json(doc: Document) -> bool:
    return doc.name.lower().endswith((".json", ".jsonc", ".json5"))


def comments(doc: Document) -> tuple[str, ...]:
    if is_strict_json(doc):
        return ()
    if _is_json(doc) or doc.name.endswith(".go"):
        return SLASHES
    return ANY_COMMENT


def language(doc: Document) -> str | None:
    return language_of_extension(doc.name)


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if _is_json(doc):
        found = doc.json.at(ref.start)
        if found and found[0]:
            return f"{doc.name} {dotted(found[0])} references {what}"
    openers = comments(doc)
    if openers and is_comment_line(doc, ref, openers):
        return f"comment references {what}{COMMENTED}"
    return f"{doc.name} references {what}"


def check(doc: Document) -> Iterator[Hit]:
    for ref, message in each(doc, describe):
        if is_strict_json(doc):
            found = doc.json.at(ref.start)
            if found and found[0] and found[0][0] == "//devenv":
                continue
        yield ref, message
