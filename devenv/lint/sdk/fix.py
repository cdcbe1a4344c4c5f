"""``devenv lint --fix``: replace the version text of fixable ``sdk-version`` findings in place.

Each :class:`Edit` replaces ``text[start:end]`` (exactly the version: ``^1.3.9`` in
``"^1.3.9"``, ``>=1.3,<2`` in ``"ameide-sdk>=1.3,<2; python_version>='3.8'"``, ``v1.3.9`` in a
``require`` line) and nothing else, so formatting, comments, key order and line endings stay
byte for byte. A file is rewritten only when

- it still holds, at every edit's span, the text lint read (no concurrent change), and
- after the edits its parser (json / tomllib and tomlkit / go.mod / requirements) reads it
  back with exactly the intended versions and nothing else changed (:func:`verify`);

then it is written atomically (a temporary file in the same folder, fsync, ``os.replace``,
the original mode kept). Anything else is reported as not rewritten, never half-written.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from devenv.errors import Location, escape
from devenv.util.fsutil import write_atomic


@dataclass(frozen=True)
class Edit:
    file: str  # relative to the lint root
    start: int
    end: int
    old: str
    new: str
    location: Location
    rule: str = "sdk-version"
    link: str = ""  # a workspace-link edit: the SDK folder (or "workspace") the result must link
    name: str = ""  # ... and the dependency it links


@dataclass
class FileFix:
    file: str
    edits: list[Edit]
    before: str = ""
    after: str = ""
    error: str = ""  # why the file was not rewritten

    @property
    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), _diff_name("a/", self.file), _diff_name("b/", self.file)
            )
        )


def _diff_name(prefix: str, file: str) -> str:
    """A diff header name; one with a control character is quoted and escaped as git does, so
    a file name cannot forge a diff line."""
    shown = escape(file)
    return prefix + file if shown == file else f'"{prefix}{shown}"'


@dataclass
class FixReport:
    fixed: list[FileFix] = field(default_factory=list)
    refused: list[FileFix] = field(default_factory=list)

    @property
    def edits(self) -> int:
        return sum(len(f.edits) for f in self.fixed)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with every edit applied (from the end, so earlier offsets stay valid)."""
    out = text
    last = None
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        if last is not None and edit.end > last:
            raise ValueError(f"overlapping edits in {edit.file}")
        out = out[: edit.start] + edit.new + out[edit.end :]
        last = edit.start
    return out


def _dedupe(edits: list[Edit]) -> list[Edit]:
    seen: dict[tuple[int, int], Edit] = {}
    for edit in edits:
        seen.setdefault((edit.start, edit.end), edit)
    return list(seen.values())


def verify(path: str, before: str, after: str, edits: list[Edit]) -> str:
    """ "" when ``after`` parses to what ``before`` parses to with only the edits' versions changed."""
    from devenv.deps.model import ReadError
    from devenv.deps.readers import read_file

    name = path.rpartition("/")[2]
    if any(e.rule == "sdk-digest-arg" for e in edits):
        if not all(e.rule == "sdk-digest-arg" for e in edits):
            return "a Dockerfile edit mixed with another rule's edit"
        from devenv.lint.sdk.digestarg import verify as verify_dockerfile

        return verify_dockerfile(path, before, after, edits)
    try:
        if name.endswith(".json"):
            import json

            json.loads(after)
        elif name.endswith(".toml"):
            import tomllib

            import tomlkit

            tomllib.loads(after)
            if tomlkit.parse(after).as_string() != after:
                return "tomlkit does not round-trip the result"
        old = read_file(path, before)
        new = read_file(path, after)
    except (ValueError, ReadError) as exc:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        return f"the result no longer parses ({exc})"
    if any(e.link for e in edits):
        if not all(e.link for e in edits):
            return "a workspace link and a version change in one file: fix one, then run --fix again"
        from devenv.lint.sdk.linkfix import verify_links

        return verify_links(old, new, edits)
    if len(old) != len(new):
        return "the result declares a different set of dependencies"
    by_start = {e.start: e for e in edits}
    for a, b in zip(old, new):
        if (a.name, a.kind, a.section, a.marker, a.local) != (b.name, b.kind, b.section, b.marker, b.local):
            return f"the result changed more than versions ({a.name})"
        edit = by_start.get(a.span[0]) if a.span else None
        if edit is not None and a.span and edit.end == a.span[1]:
            if b.spec.replace(" ", "") != edit.new.replace(" ", ""):
                return f"{a.name}: the result reads {b.spec!r}, not {edit.new!r}"
        elif a.spec != b.spec:
            return f"{a.name}: a version that was not to change changed"
    return ""


def plan(root: str, edits: Iterable[Edit]) -> FixReport:
    """Read each file once, apply its edits in memory and verify them; write nothing."""
    report = FixReport()
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for path in sorted(by_file):
        file_edits = _dedupe(by_file[path])
        fix = FileFix(path, sorted(file_edits, key=lambda e: e.start))
        try:
            with open(os.path.join(root, path), encoding="utf-8", newline="") as handle:
                fix.before = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            fix.error = f"cannot read it: {getattr(exc, 'strerror', None) or exc}"
            report.refused.append(fix)
            continue
        # Lint reads past a byte order mark, so its offsets start after one; the mark is kept.
        bom = "\ufeff" if fix.before.startswith("\ufeff") else ""
        body = fix.before[len(bom) :]
        if any(body[e.start : e.end] != e.old for e in fix.edits):
            fix.error = "it changed since lint read it; run lint again"
            report.refused.append(fix)
            continue
        try:
            after = apply_edits(body, fix.edits)
        except ValueError as exc:
            fix.error = str(exc)
            report.refused.append(fix)
            continue
        fix.after = bom + after
        fix.error = verify(path, body, after, fix.edits)
        (report.refused if fix.error else report.fixed).append(fix)
    return report


def apply(root: str, edits: Iterable[Edit], *, write: bool = True) -> FixReport:
    """Plan every file's edits, then (``write``) replace each verified file atomically."""
    report = plan(root, edits)
    if write:
        for fix in list(report.fixed):
            try:
                write_atomic(os.path.join(root, fix.file), fix.after)
            except OSError as exc:
                fix.error = f"cannot write it: {exc.strerror or exc}"
                report.fixed.remove(fix)
                report.refused.append(fix)
    return report
