"""Run lint: list files, prefilter bytes, parse only files with a needle, apply suppressions.

The file loop (:mod:`devenv.lint.fileloop`) reads each candidate file once and asks the
prefilter before anything else; only files that contain a needle are decoded, classified by
content and handed to their context (:mod:`devenv.lint.checker`). Then the manifest rules and
the SDK integrity rules run, and the findings are sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.lint import suppress
from devenv.lint.checker import Checker, PendingFix, suppression_findings, text_reader
from devenv.lint.document import Document
from devenv.lint.fileloop import Outcome, jobs_for, run_files
from devenv.lint.gitlisting import GitListing
from devenv.lint.hints import Hints
from devenv.lint.model import Finding, LintResult
from devenv.lint.needles import Needles
from devenv.lint.scan import list_files
from devenv.lint.scope import Scope, scope_and_needles, unreadable_folders, without_excluded
from devenv.manifest.load import LoadedManifest

if TYPE_CHECKING:
    from devenv.lint.early import EarlyScan

__all__ = ["lint", "scan_facts"]


def _without_excluded(loaded: LoadedManifest, files: list[str]) -> list[str]:
    return without_excluded(loaded.manifest.lint.exclude, files)


def scan_facts(loaded: LoadedManifest) -> tuple | None:
    """Everything the file loop's result depends on from the manifest (None without `proto:`):
    the early scan (:mod:`devenv.lint.early`) is used only when its own facts are these."""
    proto = loaded.manifest.proto
    if proto is None:
        return None
    sdk_paths = [s.path for s in loaded.manifest.sdks.values()]
    return (
        str(loaded.root.resolve()),
        loaded.path.name,
        proto.path,
        tuple(proto.names),
        tuple(proto.allowed),
        tuple(p or "" for p in sdk_paths),
        tuple(loaded.manifest.lint.exclude),
    )


def lint(
    loaded: LoadedManifest, paths: Sequence[Path] = (), *, jobs: int | None = None, listing: GitListing | None = None, early: EarlyScan | None = None
) -> LintResult:
    """Check the repository of ``loaded`` (or only ``paths``) against the proto boundary.

    ``listing``: a :class:`GitListing` the caller started early (used if it fits). ``early``: a
    scan of the whole tree started before the manifest was validated, used when it scanned with
    exactly the validated manifest's facts (else stopped, and the tree scanned here).
    """
    root = loaded.root.resolve()
    result = LintResult(root=str(root))
    proto = loaded.manifest.proto
    manifest_file = loaded.path.name  # the root is its folder
    facts = scan_facts(loaded)
    outcome = None
    if early is not None:
        outcome = early.outcome(facts) if not paths else None
        if outcome is None and not paths:
            listing = early.listing()  # the child listed the tree all the same
        early.stop()
    if proto is None:
        result.notes.append("services.yaml has no `proto:` section: there is no proto boundary to check")
        if not loaded.manifest.sdks:
            if listing is not None:
                listing.cancel()
            return result
        files = _without_excluded(loaded, list_files(root, paths, listing)[0])
        return _with_sdk_rules(loaded, root, files, paths, manifest_file, result, [])
    assert facts is not None  # nosec B101: there is a proto: section
    scope, needles = scope_and_needles(*facts[1:6])
    hints = Hints(loaded.manifest)
    if outcome is not None:
        files, (findings, notes, result.files_checked, result.files_read) = outcome[0], _with_fixes(outcome[1], hints)
    else:
        files, (findings, notes, result.files_checked, result.files_read) = _scan(loaded, root, paths, listing, needles, hints, scope, jobs)
    result.notifications.extend(sorted(notes, key=lambda n: n.file))
    if not paths or manifest_file in files:
        everything = files if not paths else _without_excluded(loaded, list_files(root)[0])
        findings.extend(_manifest_findings(loaded, needles, hints, manifest_file, root, everything, scope))
    return _with_sdk_rules(loaded, root, files, paths, manifest_file, result, findings)


def _scan(loaded, root: Path, paths, listing, needles: Needles, hints: Hints, scope: Scope, jobs: int | None) -> tuple[list[str], Outcome]:
    """(the files in scope, the file loop's outcome), listing and scanning here."""
    unreadable: list[tuple[str, str]] = []
    files = _without_excluded(loaded, list_files(root, paths, listing, unreadable)[0])
    findings, notes, checked, parsed = run_files(Checker(root, needles, hints), scope, files, jobs_for(jobs, len(files)))
    notes += unreadable_folders(unreadable)
    return files, (findings, notes, checked, parsed)


def _with_fixes(outcome: Outcome, hints: Hints) -> Outcome:
    """The early scan's outcome with each pending fix written by the validated manifest's hints."""
    findings = [replace(f, fix=hints.fix(*f.fix.args)) if isinstance(f.fix, PendingFix) else f for f in outcome[0]]
    return findings, *outcome[1:]


def _with_sdk_rules(loaded, root: Path, files, paths, manifest_file: str, result: LintResult, findings: list[Finding]) -> LintResult:
    """Add the SDK integrity rules (devenv.lint.sdk.rules) and sort the findings into ``result``."""
    if not (loaded.manifest.sdks and loaded.manifest.services):  # nothing for them to judge: skip the import
        result.findings = _one_per_span(findings)
        return result
    from devenv.lint.sdk.rules import check as sdk_check

    listed = set(files)
    manifest_named = bool(paths) and manifest_file in listed
    # Named with the manifest (pre-commit after a manifest-only change), services are judged
    # against all their dependency files (sdk-unused), and only the named files are reported.
    judged = _without_excluded(loaded, list_files(root)[0]) if manifest_named else files
    sdk = sdk_check(loaded, judged, text_reader(str(root)), manifest_file, whole=not paths or manifest_named)
    named = (lambda file: file in listed) if manifest_named else (lambda file: True)
    findings = findings + [f for f in sdk.findings if named(f.location.file)]
    result.notifications.extend(n for n in sdk.notifications if not n.file or named(n.file))
    result.edits.extend(e for e in sdk.edits if named(e.file))
    result.findings = _one_per_span(findings)
    return result


def _one_per_span(findings: list[Finding]) -> list[Finding]:
    """Sorted, and one finding per span: where two rules hit the same text, the first (in rule
    order) is reported, so a reader - and GitHub's alert fingerprints - see it once."""
    ordered = sorted(findings, key=lambda f: (f.location.file, f.location.line, f.location.col, f.rule))
    seen: set[tuple] = set()
    out = []
    for finding in ordered:
        span = (finding.location.file, finding.location.line, finding.location.col, finding.end_col)
        if span in seen and finding.location.line:
            continue
        seen.add(span)
        out.append(finding)
    return out


def _manifest_findings(loaded, needles, hints, manifest_file, root: Path, files, scope: Scope) -> list[Finding]:
    from devenv.lint.rules.manifest import ManifestRules

    rules = ManifestRules(loaded, needles, hints, manifest_file)
    findings = list(rules.context_rules()) + list(rules.sdkless_rules(files, text_reader(str(root)), scope.excludes))
    doc = Document(manifest_file, loaded.text)
    supps = [s for s in suppress.from_comments(doc, ("#",)) if s.kind == "proto-import"]
    out = []
    for finding in findings:
        covering = [s for s in supps if s.covers(finding.location.line, None)]
        for s in covering:
            s.used = True
        allowing = [s for s in covering if s.active]
        if allowing:
            finding = Finding(finding.location, finding.rule, finding.message, finding.fix, suppressed=True, justification=allowing[0].reason)
        out.append(finding)
    out.extend(suppression_findings(manifest_file, supps, doc))
    return out
