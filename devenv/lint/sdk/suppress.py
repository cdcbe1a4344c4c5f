"""Reviewed exceptions to the SDK rules, in lint's own syntax (:mod:`devenv.lint.suppress`).

``# devenv: allow sdk-version reason="…"`` (``//`` in go.mod) on the line or the line above;
in JSON files a top-level ``"//devenv"`` entry ``{"allow": "sdk-version", "path":
["dependencies", "@ameideio/ameide-sdk-ts"], "reason": "…"}``; ``sdk-undeclared`` and
``sdk-unused`` likewise (``sdk-unused`` in services.yaml, above the service's ``sdks:`` or
``language:``). A suppression allows only its own rule; one without a reason allows nothing
(``suppression-missing-reason``); one that allows nothing is ``suppression-unused``. A
suppressed ``sdk-version`` finding is never rewritten by ``--fix``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from devenv.errors import Location
from devenv.lint import suppress
from devenv.lint.document import Document
from devenv.lint.model import Finding
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.ruleinfo import KINDS

_SLASHES = ("//",)
_HASH = ("#",)


def _openers(path: str) -> tuple[str, ...]:
    name = path.rpartition("/")[2]
    if name.endswith(".json"):
        return ()
    if name == "go.mod":
        return _SLASHES
    return _HASH


def _replace(finding: Finding, **changes) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)


def apply(findings: list[Finding], edits: list[Edit], texts: Mapping[str, str | None], manifest_file: str) -> list[Finding]:
    """Mark suppressed findings, drop their edits, add findings about the suppressions."""
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.location.file, []).append(finding)
    out: list[Finding] = []
    dropped: set[Location] = set()
    for path in sorted(set(by_file) | {p for p, t in texts.items() if t and "devenv:" in t or (t and '"//devenv"' in t)}):
        items = by_file.get(path, [])
        text = texts.get(path)
        if not text or ("devenv" not in text):
            out.extend(items)
            continue
        doc = Document(path, text)
        is_json = path.endswith(".json")
        supps = suppress.from_comments(doc, _openers(path))
        if is_json:
            supps += suppress.from_json(doc)
        supps = [s for s in supps if s.kind in KINDS]
        for finding in items:
            json_path = None
            if is_json:
                offset = doc.line_starts[finding.location.line - 1] + finding.location.col - 1 if finding.location.line else 0
                found = doc.json.at(offset)
                json_path = found[0] if found else None
            covering = [s for s in supps if s.kind == finding.rule and s.covers(finding.location.line, json_path)]
            for s in covering:
                s.used = True
            allowing = [s for s in covering if s.active]
            if allowing:
                finding = _replace(finding, suppressed=True, justification=allowing[0].reason)
                dropped.add(finding.location)
            out.append(finding)
        out.extend(_about(path, supps, doc))
    if dropped:
        edits[:] = [e for e in edits if e.location not in dropped]
    return out


def _about(path: str, supps: Iterable[suppress.Suppression], doc: Document) -> list[Finding]:
    out = []
    for s in supps:
        snippet = doc.line_text(s.line).strip() if s.line <= doc.line_count else ""
        if s.problem == "suppression-missing-reason":
            out.append(
                Finding(
                    Location(path, s.line, s.col),
                    s.problem,
                    s.detail.replace("proto-import", s.kind),
                    'add reason="…" saying why the exception was reviewed',
                    snippet=snippet,
                )
            )
        elif not s.used:
            out.append(
                Finding(
                    Location(path, s.line, s.col),
                    "suppression-unused",
                    f"suppression allows {s.kind}, but there is no {s.kind} finding here",
                    "delete it: allow-lists only shrink",
                    snippet=snippet,
                )
            )
    return out
