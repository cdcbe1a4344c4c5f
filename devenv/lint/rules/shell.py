"""Shell scripts: ``*.sh``/``*.bash``/``*.zsh`` and files with a shell shebang."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, is_comment_line

ID = "proto-in-shell"
TITLE = "Shell script"
SUMMARY = "A shell script copies, builds or generates from the proto workspace."
HELP = "Scripts outside the SDKs consume published SDK packages; only the SDKs' build steps run buf generate or pnpm --filter on the proto workspace."

EXTENSIONS = (".sh", ".bash", ".zsh", ".ksh", ".fish")
_SHEBANG = re.compile(r"#!\s*\S*(?:/env\s+(?:-\S+\s+)*)?\S*\b(?:sh|bash|zsh|ksh|dash|ash|fish)\b")


def matches(path: str, name: str) -> bool:
    return name.lower().endswith(EXTENSIONS)


def matches_shebang(first_line: str) -> bool:
    return bool(_SHEBANG.match(first_line))


def comments(doc: Document) -> tuple[str, ...]:
    return HASH


def language(doc: Document) -> str | None:
    return None


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if is_comment_line(doc, ref, HASH):
        return f"shell comment references {what}{COMMENTED}"
    line = doc.line_text(doc.line_of(ref.start))
    if re.search(r"\bbuf\s+generate\b|\bprotoc\b", line):
        return f"shell script generates code from {what}"
    if re.search(r"\b(?:pnpm|npm|yarn)\b.*(?:--filter|-F\s)", line):
        return f"shell script builds {what}"
    if re.search(r"\b(?:cp|rsync|ln|tar|mv)\s", line):
        return f"shell script copies {what}"
    return f"shell script references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
