"""One file's findings: decode the bytes that passed the prefilter, find the references in their
context, apply the file's suppressions."""

from __future__ import annotations

import os
from types import ModuleType
from typing import Protocol

from devenv.errors import Location
from devenv.lint import suppress
from devenv.lint.document import Document
from devenv.lint.model import Finding
from devenv.lint.needles import Needles, Ref
from devenv.lint.rules import other, package_json, refine, tiltfile
from devenv.util.regular import regular_bytes

# Contexts whose language is certain (a package.json is TypeScript's), so their fix names that
# language's SDK even inside a service of another language.
_DEFINITE = frozenset({"proto-in-package-json", "proto-in-pnpm-workspace", "proto-in-go-mod", "proto-in-python-deps", "proto-in-script", "proto-reference"})
_BINARY_PROBE = 8192


class FixSource(Protocol):
    """What gives a finding its fix (:class:`devenv.lint.hints.Hints`, or :class:`PendingFixes`)."""

    def fix(self, path: str, language: str | None, definite: bool, ref: Ref | None = None) -> str: ...


class PendingFix(str):
    """A fix not written yet: the arguments :meth:`Hints.fix` will get once the manifest is
    validated (the early scan, :mod:`devenv.lint.early`, runs before it is)."""

    args: tuple

    def __new__(cls, args: tuple) -> PendingFix:
        made = super().__new__(cls, "")
        made.args = args
        return made

    def __reduce__(self):  # a str subclass with state: pickle it through the pipe by its args
        return (PendingFix, (self.args,))


class PendingFixes:
    """A :class:`FixSource` that only records what to ask the real hints later."""

    def fix(self, path: str, language: str | None, definite: bool, ref: Ref | None = None) -> str:
        return PendingFix((path, language, definite, ref))


class NotRegular(Exception):
    """A FIFO, socket or device: never a source file, and reading one could block."""


def read_regular(path: str) -> bytes:
    """The bytes of a regular file (FIFOs, sockets and devices raise: never block on one)."""
    data = regular_bytes(path)
    if data is None:
        raise NotRegular(path)
    return data


def decode(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text[1:] if text.startswith("\ufeff") else text


def text_reader(root: str):
    """``read(relative path) -> text or None`` for the rules that read a file on demand."""

    def read(path: str) -> str | None:
        try:
            return decode(read_regular(os.path.join(root, path)))
        except (OSError, NotRegular):
            return None

    return read


class Checker:
    """Everything a worker needs to check one file; built once, shared by fork."""

    def __init__(self, root, needles: Needles, hints: FixSource):
        self.root = str(root)
        self.needles = needles
        self.hints = hints

    def check_data(self, path: str, context: ModuleType, data: bytes) -> list[Finding]:
        """Findings for one file whose bytes passed the prefilter."""
        if b"\0" in data[:_BINARY_PROBE]:
            return []
        if not getattr(context, "PYTHON_NAMES", False) and self.needles.quiet(data):
            return []  # only decoys (`@ameide/core-protocol`): nothing to decode (refine keeps PYTHON_NAMES off)
        text = decode(data)
        context = refine(context, path, text)
        if context is tiltfile and tiltfile.generated_by_devenv(text):
            return []  # rendered from services.yaml: the manifest rules check it
        return self.check_text(path, text, context)

    def check_text(self, path: str, text: str, context: ModuleType) -> list[Finding]:
        doc = Document(path, text)
        doc.refs = self.needles.find(text, doc.dir, python=getattr(context, "PYTHON_NAMES", False))
        if not doc.refs and "devenv" not in text:
            return []  # no reference, and no suppression (comment or "//devenv" key) can be there
        json_mode = context is package_json or (context is other and other.is_strict_json(doc))
        supps = suppress.from_comments(doc, context.comments(doc))
        if json_mode:
            supps += suppress.from_json(doc)
        supps = [s for s in supps if s.kind == "proto-import"]  # sdk-* kinds: devenv.lint.sdk.suppress
        if not doc.refs and not supps:
            return []
        findings = list(self._reference_findings(doc, context, supps, json_mode))  # marks the used suppressions
        findings.extend(suppression_findings(path, supps, doc))
        return findings

    def _reference_findings(self, doc: Document, context: ModuleType, supps: list[suppress.Suppression], json_mode: bool):
        language = context.language(doc)
        definite = context.ID in _DEFINITE
        for ref, message in context.check(doc):
            if any(s.span[0] <= ref.start < s.span[1] for s in supps):
                continue  # the suppression comment's own text
            line, col = doc.position(ref.start)
            end_line, end_col = doc.position(ref.end)
            found = doc.json.at(ref.start) if json_mode else None
            covering = [s for s in supps if s.covers(line, found[0] if found else None)]
            for s in covering:
                s.used = True
            allowing = [s for s in covering if s.active]
            yield Finding(
                Location(doc.path, line, col),
                context.ID,
                message,
                self.hints.fix(doc.path, language, definite, ref),
                end_col=end_col if end_line == line else 0,
                suppressed=bool(allowing),
                justification=allowing[0].reason if allowing else "",
                snippet=doc.line_text(line).strip(),
            )


def suppression_findings(path: str, supps: list[suppress.Suppression], doc: Document | None = None) -> list[Finding]:
    out = []
    for s in supps:
        snippet = doc.line_text(s.line).strip() if doc and s.line <= doc.line_count else ""
        if s.problem:
            fix = "delete it, or fix its syntax" if s.problem == "suppression-invalid" else 'add reason="…" saying why the exception was reviewed'
            out.append(Finding(Location(path, s.line, s.col), s.problem, s.detail, fix, snippet=snippet))
        if not s.used and s.problem != "suppression-invalid":
            target = "the line it is on" if s.line in s.lines else ("the next line" if s.lines else f'its "path" {list(s.json_path or ())}')
            out.append(
                Finding(
                    Location(path, s.line, s.col),
                    "suppression-unused",
                    f"suppression matches no reference to the proto workspace on {target}",
                    "delete it: allow-lists only shrink",
                    snippet=snippet,
                )
            )
    return out
