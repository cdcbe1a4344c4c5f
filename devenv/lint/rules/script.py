"""Scripts and sources: ``*.mjs``/``*.js``/``*.ts`` and ``*.py`` (and node/python shebangs)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, SLASHES, Hit, each, is_comment_line, language_of_extension

ID = "proto-in-script"
TITLE = "Script (JS/TS/Python)"
SUMMARY = "A JavaScript, TypeScript or Python file imports or reads the proto workspace."
HELP = "Code outside the SDKs imports the published SDK package, never the proto package or files of the proto workspace."

JS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
PY = (".py", ".pyi")
_NODE_SHEBANG = re.compile(r"#!\s*\S*(?:/env\s+(?:-\S+\s+)*)?\S*\b(?:node|deno|bun|tsx|ts-node)\b")
_PY_SHEBANG = re.compile(r"#!\s*\S*(?:/env\s+(?:-\S+\s+)*)?\S*\bpython[0-9.]*\b")
_PY_IMPORT = re.compile(r"^\s*(?:from\s+\S+\s+import\b|import\s)|\bimportlib\.import_module\(|__import__\(")
_JS_IMPORT = re.compile(r"^\s*(?:import|export)\b|\bfrom\s+['\"]|\brequire(?:\.resolve)?\s*\(|\bimport\s*\(")


def matches(path: str, name: str) -> bool:
    return name.lower().endswith(JS + PY)


def shebang_language(first_line: str) -> str | None:
    if _NODE_SHEBANG.match(first_line):
        return "typescript"
    if _PY_SHEBANG.match(first_line):
        return "python"
    return None


def _is_python(doc: Document) -> bool:
    if doc.name.lower().endswith(PY):
        return True
    return not doc.name.lower().endswith(JS) and shebang_language(doc.line_text(1)) == "python"


def comments(doc: Document) -> tuple[str, ...]:
    return HASH if _is_python(doc) else SLASHES


def language(doc: Document) -> str | None:
    return language_of_extension(doc.name) or shebang_language(doc.line_text(1))


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    python = _is_python(doc)
    label = "Python file" if python else ("TypeScript file" if "ts" in doc.name.rpartition(".")[2].lower() else "JavaScript file")
    if is_comment_line(doc, ref, comments(doc)):
        return f"{label} comment references {what}{COMMENTED}"
    line = doc.line_text(doc.line_of(ref.start))
    if (_PY_IMPORT if python else _JS_IMPORT).search(line):
        return f"{label} imports {what}"
    return f"{label} references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
