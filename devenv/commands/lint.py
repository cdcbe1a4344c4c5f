"""`devenv lint`: the proto-boundary guardrail, as text, JSON or SARIF."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from devenv import __version__
from devenv.errors import DevenvError, escape
from devenv.lint.formats import NAMES, Options, formatter
from devenv.util.fsutil import UnsafeTarget, resolve_target, write_atomic
from devenv.util.gcpause import collector_paused


# No cyclic collections in lint: importing and validating the manifest model, and the file loop's
# 50,000 reads in a large tree, allocate much and make almost no cycles; the forked scan
# processes inherit the paused collector (devenv.util.gcpause).
@collector_paused()
def run_lint(
    manifest: Path | None,
    paths: list[Path],
    format: str = "text",
    *,
    output: Path | None = None,
    jobs: int | None = None,
    fix: bool = False,
    diff: bool = False,
    listing=None,
) -> int:
    """Exit 0 clean, 1 any unsuppressed finding, 2 (DevenvError) usage or manifest error.

    ``listing``: :func:`devenv.lint.early.start_listing` of ``manifest``, started by the caller
    before it imported this module (the hot path); started here otherwise."""
    try:
        _check_options(format, jobs, output)
    except DevenvError:
        if listing is not None:
            listing.cancel()
        raise
    # Let git list the tree, and the file loop start, while Python imports the rest and loads the
    # manifest (devenv.lint.early); a plain GitListing where that cannot run.
    early = None
    if paths and listing is not None:
        listing.cancel()
        listing = None
    if not paths:
        from devenv.lint.early import EarlyScan, start_listing

        listing = listing if listing is not None else start_listing(manifest)
        early = EarlyScan.start(manifest, jobs, listing)
        if early is not None:
            listing = None  # the child reads it; the parent reaps git (EarlyScan)
    try:
        loaded = _load(manifest)
        result = _lint(loaded, paths, jobs=jobs, listing=listing, early=early)
    finally:
        if early is not None:
            early.stop()
        if listing is not None:
            listing.cancel()
    _without_own_report(result, output)
    changes = None
    if fix or diff:  # rewrite SDK versions in place (devenv.lint.sdk.fix); --diff only shows the change
        result, code, changes = apply_lint_fixes(result, write=not diff, relint=lambda: _lint(loaded, paths, jobs=jobs))
    inputs = (loaded.path, *paths, *_linted_source(output, Path(result.root), paths))
    _emit(_report_text(result, format, changes if diff else None), output, inputs)
    if diff:
        return code
    from devenv.lint.formats.text import summary

    for note in result.notifications:
        print(f"devenv lint: warning: {escape(note.message)}", file=sys.stderr)
    for text_note in result.notes:
        print(f"devenv lint: {escape(text_note)}", file=sys.stderr)
    print(summary(result), file=sys.stderr)
    return result.exit_code


def _check_options(format: str, jobs: int | None, output: Path | None) -> None:
    if format not in NAMES:
        raise DevenvError(f"unknown format '{format}'", hint=f"use one of: {', '.join(NAMES)}")
    if jobs is not None and jobs < 1:
        raise DevenvError(f"--jobs must be 1 or more, not {jobs}")
    if output is not None:
        try:
            resolve_target(output, what="report")  # a device, FIFO or loop is refused before any work
        except UnsafeTarget as exc:
            raise DevenvError(exc.message, hint=exc.hint) from None


def _load(manifest: Path | None):
    """The validated manifest; its warnings printed, a missing proto workspace refused."""
    from devenv.manifest.load import load_manifest

    loaded = load_manifest(manifest)
    for problem in loaded.warnings:
        if problem.key == "proto.path":  # a missing workspace would silently turn the guardrail off
            raise DevenvError(f"{problem.location} proto.path: {problem.message}: the proto boundary cannot be checked", hint=problem.hint)
        print(f"{problem.location} warning: {problem.message}", file=sys.stderr)
    return loaded


def _lint(loaded, paths: list[Path], **kwargs):
    from devenv.lint.engine import lint

    return lint(loaded, paths, **kwargs)


def _without_own_report(result, output: Path | None) -> None:
    """The report file this run replaces is not an input: an earlier report names the proto
    workspace in its messages, and linting it would grow the next report with itself."""
    import os

    if output is None:
        return
    own = os.path.relpath(os.path.realpath(output), result.root).replace(os.sep, "/")
    result.findings = [f for f in result.findings if f.location.file != own]


def _linted_source(output: Path | None, root: Path, paths: list[Path]) -> list[Path]:
    """``output`` when it is a source file this run linted (a Dockerfile, a package.json, a
    script: anything a rule of its own checks, inside the linted paths): writing the report over
    it would destroy an input. A report file (lint.sarif, report.json) stays writable."""
    import os

    from devenv.lint.rules import classify, other

    if output is None or not output.is_file():
        return []
    real = Path(os.path.realpath(output))
    scopes = [Path(os.path.realpath(p)) for p in paths] or [root]
    if not any(real == scope or scope in real.parents for scope in scopes) or root not in real.parents:
        return []
    context = classify(real.relative_to(root).as_posix())
    return [output] if context is not None and context is not other else []


def _report_text(result, format: str, changes) -> str:
    """The report in ``format``. With ``changes`` (--diff), what --fix would write: a unified
    diff as text, the report with the changes otherwise (JSON `changes`, SARIF `fixes`)."""
    from devenv.lint.scan import git_toplevel

    if changes is not None and format == "text":
        return "".join(c.diff for c in changes.fixed)
    root = Path(result.root)
    options = Options(cwd=Path.cwd(), srcroot=(git_toplevel(root) or root) if format == "sarif" else root, version=__version__, changes=changes)
    return formatter(format)(result, options)


def _emit(text: str, output: Path | None, inputs) -> None:
    if output:
        write_report(text, output, inputs=inputs)
    else:
        sys.stdout.write(text)


def write_report(text: str, output: Path, *, inputs) -> None:
    """The report, through the safe writer: never over the manifest or a file named to lint."""
    try:
        write_atomic(output, text, inputs=inputs, what="report")
    except UnsafeTarget as exc:
        raise DevenvError(exc.message, hint=exc.hint) from None
    except OSError as exc:
        raise DevenvError(f"cannot write {output}: {exc.strerror or exc}", hint="pass -o a path in a writable folder") from None


def apply_lint_fixes(result, *, write: bool, relint: Callable[[], object]):
    """Apply (or, ``write=False``, plan) the edits of a lint result; (result to report, exit code, FixReport)."""
    from devenv.lint.sdk import fix

    report = fix.apply(result.root, result.edits, write=write)
    verb = "would rewrite" if not write else "rewrote"
    for item in report.fixed:
        count = len(item.edits)
        noun = "ARG line" if all(e.rule == "sdk-digest-arg" for e in item.edits) else "version"
        print(f"devenv lint --fix: {verb} {count} {noun}{'s' if count != 1 else ''} in {escape(item.file)}", file=sys.stderr)
    for item in report.refused:
        print(f"devenv lint --fix: {escape(item.file)} not rewritten: {escape(item.error)}", file=sys.stderr)
    if not write:
        return result, 1 if (report.fixed or report.refused) else 0, report
    if report.fixed:
        result = relint()
    return result, result.exit_code, report
