"""Doctor's two outputs: a compact table for people (and Tilt's log pane), JSON for machines.

Results never print themselves; glyph, colour and wording of a status live here, in one place.
The JSON schema is documented in docs/doctor-json.md; bump ``SCHEMA`` on incompatible changes.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from devenv import __version__
from devenv.doctor.base import CheckResult, Status, blocked_phrase

SCHEMA = "devenv.doctor/v1"

GLYPHS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.TIMEOUT: "✗", Status.CRASHED: "✗", Status.SKIPPED: "-", Status.UNCHECKED: "?"}
ASCII_GLYPHS = {Status.OK: "ok", Status.WARN: "!", Status.FAIL: "x", Status.TIMEOUT: "x", Status.CRASHED: "x", Status.SKIPPED: "-", Status.UNCHECKED: "?"}
STYLES = {
    Status.OK: "green",
    Status.WARN: "yellow",
    Status.FAIL: "red",
    Status.TIMEOUT: "red",
    Status.CRASHED: "red",
    Status.SKIPPED: "dim",
    Status.UNCHECKED: "red",
}
LABELS = {Status.TIMEOUT: "timeout", Status.CRASHED: "crashed", Status.UNCHECKED: "not checked"}  # shown before the message
MAX_NAMED = 6


@dataclass(frozen=True)
class GroupInfo:
    name: str
    title: str
    note: str = ""  # why it has no checks, when it has none
    pulled_in: bool = False  # not selected, but a selected check needs one of its checks
    empty: bool = False  # its module exports no checks: asked for, nothing could be checked


@dataclass
class Report:
    results: list[CheckResult]
    groups: list[GroupInfo]
    services: list[str]  # every service of the manifest, in manifest order
    duration: float
    budget: float
    manifest: str = ""
    strict: bool = False
    started: str = ""
    extra: dict = field(default_factory=dict)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def problems(self) -> list[CheckResult]:
        return [r for r in self.results if r.status.is_problem]

    @property
    def blocked(self) -> list[str]:
        hit = {s for r in self.problems for s in r.blocked}
        return [s for s in self.services if s in hit]

    @property
    def exit_code(self) -> int:
        if self.problems or (self.strict and self.count(Status.WARN)):
            return 1
        if any(g.empty and not g.pulled_in for g in self.groups):
            return 1
        return 0

    def summary(self) -> str:
        problems, warnings = len(self.problems), self.count(Status.WARN)
        if not self.results:
            return "no checks ran"
        if problems:
            noun = "problem" if problems == 1 else "problems"
            blocked = self.blocked
            if blocked:
                names = ", ".join(blocked[:MAX_NAMED]) + (", …" if len(blocked) > MAX_NAMED else "")
                verb = "blocks" if problems == 1 else "block"
                text = f"{problems} {noun} {verb} {len(blocked)} of {len(self.services)} services: {names}"
            else:
                text = f"{problems} {noun} (blocking no service of the manifest)"
        else:
            passed = self.count(Status.OK) + warnings
            text = f"{passed} of {len(self.results)} checks passed" if passed != len(self.results) else (f"all {passed} checks passed")
        if warnings:
            text += f"; {warnings} warning{'s' if warnings != 1 else ''}" + (" (fail with --strict)" if self.strict else "")
        return text + f" in {self.duration:.1f}s"


def _can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def render_text(report: Report, stream: TextIO | None = None, *, verbose: bool = False, no_color: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    stream = stream or sys.stdout
    glyphs = GLYPHS if _can_encode(stream, "✓✗…→") else ASCII_GLYPHS
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 110  # Tilt's log pane, CI logs: no tty
    # Not a terminal: render to a buffer and drop the table's right padding, so a narrower log
    # pane (Tilt's) wraps only real text, never a line of trailing spaces.
    out: TextIO = io.StringIO() if width is not None else stream
    colors: dict = {"color_system": None} if no_color else {}  # NO_COLOR: no escapes at all
    console = Console(file=out, no_color=no_color, highlight=False, emoji=False, soft_wrap=False, width=width, **colors)
    by_group: dict[str, list[CheckResult]] = {}
    for result in report.results:
        by_group.setdefault(result.group, []).append(result)
    title_width = max((len(r.title) for r in report.results), default=8)
    arrow = "→ " if glyphs is GLYPHS else "-> "
    for group in report.groups:
        results = by_group.get(group.name, [])
        heading = Text(group.title, style="bold")
        if group.pulled_in:
            heading.append("  (needed by the selected checks)", style="dim")
        if not results:
            heading.append(f": {group.note or 'no checks'}", style="dim")
        console.print(heading)
        if not results:
            continue
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=True)
        table.add_column(width=3, no_wrap=True)  # indent + glyph
        table.add_column(width=title_width, no_wrap=True)
        table.add_column(ratio=1, overflow="fold")  # message, hint, blocked services, details
        table.add_column(width=6, justify="right", no_wrap=True)
        for r in results:
            style = STYLES[r.status]
            message = Text()
            if r.status in LABELS:
                message.append(f"{LABELS[r.status]}: ", style=style)
            message.append(r.message)
            duration = f"{r.duration:.2f}s" if r.status is not Status.SKIPPED else ""
            table.add_row(Text(" " + glyphs[r.status], style=style), Text(r.title), message, Text(duration, style="dim"))
            if r.hint and r.status is not Status.OK:
                table.add_row("", "", Text(arrow + r.hint, style="cyan"), "")
            if r.blocked:
                table.add_row("", "", Text(blocked_phrase(r.blocked, verbose=verbose), style="dim"), "")
            if verbose:
                for line in r.details:
                    table.add_row("", "", Text(line, style="dim"), "")
        console.print(table)
    final = report.summary()
    console.print(Text(final, style="bold red" if report.exit_code else "bold green"))
    if isinstance(out, io.StringIO) and out is not stream:
        stream.write("".join(line.rstrip() + "\n" for line in out.getvalue().splitlines()))


def to_json(report: Report) -> dict:
    counts = {status.value: report.count(status) for status in Status}
    by_group: dict[str, int] = {}
    for r in report.results:
        by_group[r.group] = by_group.get(r.group, 0) + 1
    return {
        "schema": SCHEMA,
        "devenv": __version__,
        "manifest": report.manifest,
        "started": report.started,
        "duration": round(report.duration, 3),
        "budget": report.budget,
        "strict": report.strict,
        "exit_code": report.exit_code,
        "summary": {
            "text": report.summary(),
            "counts": counts,
            "problems": len(report.problems),
            "blocked_services": report.blocked,
            "services": len(report.services),
        },
        "groups": [
            {"name": g.name, "title": g.title, "checks": by_group.get(g.name, 0), "note": g.note or None, "pulled_in": g.pulled_in} for g in report.groups
        ],
        "checks": [
            {
                "id": r.id,
                "group": r.group,
                "title": r.title,
                "status": r.status.value,
                "message": r.message,
                "hint": r.hint or None,
                "details": list(r.details),
                "duration": r.duration,
                "deadline": r.deadline,
                "needs": list(r.needs),
                "blocked_services": list(r.blocked),
            }
            for r in report.results
        ],
    }


def render_json(report: Report, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    json.dump(to_json(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
