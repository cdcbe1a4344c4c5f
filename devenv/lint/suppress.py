"""Reviewed exceptions: ``devenv: allow proto-import reason="…"``.

In a file with comments, the marker follows a comment opener of the file's syntax (``#`` or
``//`` or ``/*``…) directly. A comment alone on its line covers the next line; a comment
after code covers its own line. JSON has no comments, so a strict JSON file (package.json)
lists its exceptions in a top-level ``"//devenv"`` key (npm and pnpm ignore unknown
top-level keys; the ``//`` prefix is npm's convention for comments)::

    "//devenv": [
      {"allow": "proto-import", "path": ["devDependencies", "@ameide/core-proto"],
       "reason": "the docs site renders the raw .proto files"}
    ]

``path`` is a prefix of the JSON key path of the reference (``["workspaces"]`` covers every
workspace entry); it is required, so a whole file can never be allowed at once.

A suppression without a reason suppresses nothing (``suppression-missing-reason``); one that
matches no reference is ``suppression-unused``: allow-lists shrink, never silently grow.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from devenv.deps.jsonpos.tolerant import JsonPath
from devenv.lint.document import Document

MARKER = re.compile(r"devenv:[ \t]*allow\b([^\n]*)")
# proto-import is lint's own; the sdk-* kinds are applied by devenv.lint.sdk.suppress to the SDK rules.
KINDS = ("proto-import", "sdk-version", "sdk-undeclared", "sdk-unused", "sdk-digest-arg")
_KIND = re.compile(r"\s+(" + "|".join(KINDS) + r")\b")
_REASON = re.compile(r"""\breason\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CLOSERS = ("*/", "-->", "#}", "}}", "*/}}", "-}}")
EXAMPLE = 'devenv: allow proto-import reason="…"'


@dataclass
class Suppression:
    line: int
    col: int
    reason: str = ""
    problem: str = ""  # "" | suppression-missing-reason | suppression-invalid
    detail: str = ""
    lines: frozenset[int] = frozenset()  # comment suppressions: lines covered
    json_path: JsonPath | None = None  # JSON suppressions: key path prefix covered
    span: tuple[int, int] = (0, 0)  # offsets of the comment itself (never a reference)
    used: bool = False
    kind: str = "proto-import"  # what it allows: one of KINDS

    @property
    def active(self) -> bool:
        return not self.problem

    def covers(self, line: int, json_path: JsonPath | None) -> bool:
        if self.json_path is not None:
            return json_path is not None and json_path[: len(self.json_path)] == self.json_path
        return line in self.lines


def _opener(before: str, openers: tuple[str, ...]) -> str | None:
    trimmed = before.rstrip()
    for opener in sorted(openers, key=len, reverse=True):
        if trimmed.endswith(opener):
            return opener
    return None


def from_comments(doc: Document, openers: tuple[str, ...]) -> list[Suppression]:
    out: list[Suppression] = []
    if not openers:
        return out
    text = doc.text
    if "devenv:" not in text:  # MARKER's literal start: str.find is far cheaper than the regex scan
        return out
    for match in MARKER.finditer(text):
        line = doc.line_of(match.start())
        line_start, line_end = doc.line_span(line)
        before = text[line_start : match.start()]
        opener = _opener(before, openers)
        if opener is None:
            continue  # not in a comment (a string, prose): not a suppression
        opener_at = line_start + len(before.rstrip()) - len(opener)
        code = text[line_start:opener_at].strip()
        rest = match.group(1).rstrip()
        for closer in _CLOSERS:
            if rest.endswith(closer):
                rest = rest[: -len(closer)].rstrip()
        item = Suppression(line=line, col=opener_at - line_start + 1, lines=frozenset({line} if code else {line + 1}), span=(opener_at, line_end))
        kind = _KIND.match(rest)
        if kind:
            item.kind = kind.group(1)
        if not kind:
            item.problem = "suppression-invalid"
            item.detail = f"unknown suppression 'allow{rest.split('reason')[0].rstrip()}': write `{EXAMPLE}`"
        else:
            reason = _REASON.search(rest)
            item.reason = (reason.group(1) if reason and reason.group(1) is not None else (reason.group(2) if reason else "")) or ""
            item.reason = item.reason.strip()
            if not item.reason:
                item.problem = "suppression-missing-reason"
                item.detail = f"suppression gives no reason: write `{EXAMPLE}` saying why this exception was reviewed"
        out.append(item)
    return out


def from_json(doc: Document) -> list[Suppression]:
    """Entries of a top-level ``"//devenv"`` key (strict JSON files)."""
    if '"//devenv"' not in doc.text:
        return []
    try:
        data = json.loads(doc.text)
    except ValueError:
        return []
    if not isinstance(data, dict) or "//devenv" not in data:
        return []
    raw = data["//devenv"]
    entries = list(enumerate(raw)) if isinstance(raw, list) else [(None, raw)]
    out: list[Suppression] = []
    for index, entry in entries:
        where = ("//devenv",) if index is None else ("//devenv", index)
        offset = doc.json.first_offset(where)
        if offset is None:
            offset = doc.json.first_offset(("//devenv",)) or 0
        line, col = doc.position(offset)
        item = Suppression(line=line, col=col)
        example = '{"allow": "proto-import", "path": ["devDependencies", "@ameide/core-proto"], "reason": "…"}'
        if isinstance(entry, dict) and entry.get("allow") in KINDS:
            item.kind = entry["allow"]
        if not isinstance(entry, dict) or entry.get("allow") not in KINDS:
            item.problem = "suppression-invalid"
            item.detail = f'"//devenv" entries are objects like {example}'
        elif not isinstance(entry.get("path"), list) or not entry["path"] or not all(isinstance(p, (str, int)) for p in entry["path"]):
            item.problem = "suppression-invalid"
            item.detail = f'"//devenv" entry needs "path": the JSON keys it allows, e.g. {example}'
        else:
            item.json_path = tuple(entry["path"])
            reason = entry.get("reason")
            item.reason = reason.strip() if isinstance(reason, str) else ""
            if not item.reason:
                item.problem = "suppression-missing-reason"
                item.detail = f'"//devenv" entry gives no "reason": say why this exception was reviewed, e.g. {example}'
        out.append(item)
    return out
