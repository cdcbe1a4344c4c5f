"""Run lint: list files, prefilter bytes, parse only files with a needle, apply suppressions.

The hot loop reads each candidate file once and asks :meth:`Needles.prefilter` (a handful of
``bytes in bytes`` searches) before anything else; only files that contain a needle are
decoded, classified by content and handed to their context. Large trees are split across
worker processes (fork), each running the same loop over a slice of the file list.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from devenv.errors import Location
from devenv.lint import suppress
from devenv.lint.document import Document
from devenv.lint.hints import Hints
from devenv.lint.model import Finding, LintResult, Notification
from devenv.lint.needles import SUPPRESSION_NEEDLE, Needles, normalize_path
from devenv.lint.rules import (
    BINARY_EXTENSIONS,
    classify,
    other,
    package_json,
    refine,
    tiltfile,
)
from devenv.lint.scan import GitListing, list_files
from devenv.manifest.load import LoadedManifest

# Contexts whose language is certain (a package.json is TypeScript's), so their fix names that
# language's SDK even inside a service of another language.
_DEFINITE = frozenset({"proto-in-package-json", "proto-in-pnpm-workspace", "proto-in-go-mod", "proto-in-python-deps", "proto-in-script", "proto-reference"})
_BINARY_PROBE = 8192
_CHUNK = 1 << 16  # most source files fit in one read
PARALLEL_THRESHOLD = 4000  # files; below this a worker pool costs more than it saves


class _NotRegular(Exception):
    """A FIFO, socket or device: never a source file, and reading one could block."""


def _read(path: str) -> bytes:
    """The bytes of a regular file (FIFOs, sockets and devices raise: never block on one)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(path)
        data = os.read(fd, info.st_size + 1)
        if not data:
            return data
        chunks = [data]
        while True:  # the file grew, or fstat lied (procfs and friends)
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _decode(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text[1:] if text.startswith("\ufeff") else text


class Checker:
    """Everything a worker needs to check one file; built once, shared by fork."""

    def __init__(self, root: Path, needles: Needles, hints: Hints):
        self.root = str(root)
        self.needles = needles
        self.hints = hints

    def check_data(self, path: str, context: ModuleType, data: bytes) -> list[Finding]:
        """Findings for one file whose bytes passed the prefilter."""
        if b"\0" in data[:_BINARY_PROBE]:
            return []
        text = _decode(data)
        context = refine(context, path, text)
        if context is tiltfile and tiltfile.generated_by_devenv(text):
            return []  # rendered from services.yaml: the manifest rules check it
        return self.check_text(path, text, context)

    def check_text(self, path: str, text: str, context: ModuleType) -> list[Finding]:
        doc = Document(path, text)
        doc.refs = self.needles.find(text, doc.dir, python=getattr(context, "PYTHON_NAMES", False))
        json_mode = context is package_json or (context is other and other.is_strict_json(doc))
        supps = suppress.from_comments(doc, context.comments(doc))
        if json_mode:
            supps += suppress.from_json(doc)
        supps = [s for s in supps if s.kind == "proto-import"]  # sdk-* kinds: devenv.lint.sdk.suppress
        if not doc.refs and not supps:
            return []
        findings: list[Finding] = []
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
            findings.append(Finding(
                Location(path, line, col), context.ID, message,
                self.hints.fix(path, language, definite, ref),
                end_col=end_col if end_line == line else 0,
                suppressed=bool(allowing), justification=allowing[0].reason if allowing else "",
                snippet=doc.line_text(line).strip(),
            ))
        findings.extend(suppression_findings(path, supps, doc))
        return findings


def suppression_findings(path: str, supps: list[suppress.Suppression], doc: Document | None = None) -> list[Finding]:
    out = []
    for s in supps:
        snippet = doc.line_text(s.line).strip() if doc and s.line <= doc.line_count else ""
        if s.problem:
            fix = "delete it, or fix its syntax" if s.problem == "suppression-invalid" else 'add reason="…" saying why the exception was reviewed'
            out.append(Finding(Location(path, s.line, s.col), s.problem, s.detail, fix, snippet=snippet))
        if not s.used and s.problem != "suppression-invalid":
            target = "the line it is on" if s.line in s.lines else ("the next line" if s.lines else f"its \"path\" {list(s.json_path or ())}")
            out.append(Finding(
                Location(path, s.line, s.col), "suppression-unused",
                f"suppression matches no reference to the proto workspace on {target}",
                "delete it: allow-lists only shrink", snippet=snippet,
            ))
    return out


# -- the file loop, in one process or several ---------------------------------------------------
class Scope:
    """Which repository paths lint may look at: not the proto workspace, the allowed paths,
    the SDKs' folders or the manifest itself."""

    def __init__(self, skipped: list[str], manifest_file: str):
        self.everything = "." in skipped
        self.exact = frozenset(skipped) | {manifest_file}
        self.prefixes = tuple(p + "/" for p in skipped)

    def excludes(self, path: str) -> bool:
        return self.everything or path in self.exact or path.startswith(self.prefixes)


_WORKER: tuple[Checker, Scope] | None = None


def _check_many(paths: list[str]) -> tuple[list[Finding], list[Notification], int, int]:
    """(findings, notifications, files checked, files parsed) for a slice of the tree.

    The hot loop of lint, run once per file of the repository: kept flat (no helper call
    per file; the prefilter inlined) and one read for most files (fstat only when the first
    read fills the buffer). Everything after the prefilter runs for a few files only.
    """
    assert _WORKER is not None  # nosec B101: set before the pool forks
    checker, scope = _WORKER
    if scope.everything:
        return [], [], 0, 0
    exact, prefixes = scope.exact, scope.prefixes
    needles = checker.needles
    gate, byte_needles, marker = needles.gate, needles.byte_needles, SUPPRESSION_NEEDLE
    marker_without_gate = not needles.gate_covers_marker
    binary = BINARY_EXTENSIONS
    base = checker.root + os.sep
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    open_, fstat, read_, close, is_regular = os.open, os.fstat, os.read, os.close, stat.S_ISREG
    findings: list[Finding] = []
    notes: list[Notification] = []
    checked = parsed = 0
    for path in paths:
        if path in exact or path.startswith(prefixes):
            continue
        checked += 1
        dot = path.rfind(".")
        if dot > 0 and path[dot:].lower() in binary:
            continue  # images, archives: never read (a jar can be large)
        try:
            fd = open_(base + path, flags)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue  # a tracked file deleted from the work tree, a submodule
        except OSError as exc:
            notes.append(Notification(f"cannot read {path}: {exc.strerror or exc}; skipped", path))
            continue
        try:
            data = read_(fd, _CHUNK)
            if len(data) == _CHUNK:
                if not is_regular(fstat(fd).st_mode):
                    continue  # a device: /dev/zero never ends
                chunks = [data]
                while chunk := read_(fd, 1 << 20):
                    chunks.append(chunk)
                data = b"".join(chunks)
        except BlockingIOError:
            continue  # a FIFO with a writer: not a source file
        except OSError as exc:
            notes.append(Notification(f"cannot read {path}: {exc.strerror or exc}; skipped", path))
            continue
        finally:
            close(fd)
        # The prefilter (Needles.prefilter, inlined).
        if gate is None or gate in data:
            for needle in byte_needles:
                if needle in data:
                    break
            else:
                if marker not in data:
                    continue
        elif not (marker_without_gate and marker in data):
            continue
        # Only now, for the few files holding a needle, decide their context (prose, lockfiles
        # and ignore files are skipped here rather than before reading: classifying every file
        # costs more than reading the few that survive the prefilter).
        context = classify(path)
        if context is None:
            continue
        parsed += 1
        found = checker.check_data(path, context, data)
        if found:
            findings.extend(found)
    return findings, notes, checked, parsed


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def _jobs(requested: int | None, count: int) -> int:
    """Processes to use, the parent included: never more than there are files or CPUs (more
    only adds processes that wait; `-j 100000` must not fork 100,000 of them)."""
    if requested is None and (count < PARALLEL_THRESHOLD or sys.platform == "win32"):
        return 1
    wanted = requested if requested is not None else 8
    return max(1, min(wanted, count, _cpus()))


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker gets SIGKILL when the process that forked it dies, however it
    dies (``kill -9`` included), instead of living on as an orphan. Linux's PR_SET_PDEATHSIG;
    elsewhere the pool's own clean-up on a normal exit is what there is."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def run_files(checker: Checker, scope: Scope, paths: list[str], jobs: int) -> tuple[list[Finding], list[Notification], int, int]:
    global _WORKER
    _WORKER = (checker, scope)
    try:
        if jobs <= 1 or len(paths) < 2:
            return _check_many(paths)
        import multiprocessing

        try:
            mp = multiprocessing.get_context("fork")
        except ValueError:
            return _check_many(paths)
        # Interleaved slices: neighbouring files tend to be alike, so each worker gets a mix.
        # The parent takes a slice itself instead of idling while the others work.
        slices = [paths[i::jobs] for i in range(jobs)]
        with mp.Pool(jobs - 1, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            pending = pool.map_async(_check_many, slices[1:])
            parts = [_check_many(slices[0]), *pending.get()]
        return (
            [f for part in parts for f in part[0]],
            [n for part in parts for n in part[1]],
            sum(part[2] for part in parts),
            sum(part[3] for part in parts),
        )
    finally:
        _WORKER = None


def _without_excluded(loaded: LoadedManifest, files: list[str]) -> list[str]:
    """Drop the manifest's `lint.exclude` paths (gitignore patterns, relative to the manifest)."""
    patterns = loaded.manifest.lint.exclude
    if not patterns:
        return files
    import pathspec

    spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns)
    return [f for f in files if not spec.match_file(f)]


def _skipped(needles: Needles, loaded: LoadedManifest) -> list[str]:
    proto = loaded.manifest.proto
    allowed = [normalize_path(a) for a in (proto.allowed if proto else [])]
    allowed += [normalize_path(s.path) for s in loaded.manifest.sdks.values() if s.path]  # a Buf SDK may have none
    return [needles.path, *dict.fromkeys(allowed)]


def lint(loaded: LoadedManifest, paths: Sequence[Path] = (), *, jobs: int | None = None, listing: GitListing | None = None) -> LintResult:
    """Check the repository of ``loaded`` (or only ``paths``) against the proto boundary.

    ``listing``: a :class:`GitListing` the caller started early (used if it fits).
    """
    root = loaded.root.resolve()
    result = LintResult(root=str(root))
    proto = loaded.manifest.proto
    if proto is None:
        result.notes.append("services.yaml has no `proto:` section: there is no proto boundary to check")
        if not loaded.manifest.sdks:
            if listing is not None:
                listing.cancel()
            return result
        manifest_file = loaded.path.name  # the root is its folder
        files = _without_excluded(loaded, list_files(root, paths, listing)[0])
        return _with_sdk_rules(loaded, root, files, paths, manifest_file, result, [])
    needles = Needles(proto.path, proto.names)
    hints = Hints(loaded.manifest)
    manifest_file = loaded.path.name  # the root is its folder
    unreadable: list[tuple[str, str]] = []
    files = _without_excluded(loaded, list_files(root, paths, listing, unreadable)[0])
    scope = Scope(_skipped(needles, loaded), manifest_file)
    checker = Checker(root, needles, hints)
    findings, notes, result.files_checked, result.files_read = run_files(checker, scope, files, _jobs(jobs, len(files)))
    notes += [Notification(f"cannot read {folder}: {why}; its files were not checked", folder) for folder, why in unreadable]
    result.notifications.extend(sorted(notes, key=lambda n: n.file))
    if not paths or manifest_file in files:
        everything = files if not paths else _without_excluded(loaded, list_files(root)[0])
        findings.extend(_manifest_findings(loaded, needles, hints, manifest_file, root, everything, scope))
    return _with_sdk_rules(loaded, root, files, paths, manifest_file, result, findings)


def _with_sdk_rules(loaded, root: Path, files, paths, manifest_file: str, result: LintResult, findings: list[Finding]) -> LintResult:
    """Add the SDK integrity rules (devenv.lint.sdk.rules) and sort the findings into ``result``."""
    if not (loaded.manifest.sdks and loaded.manifest.services):  # nothing for them to judge: skip the import
        result.findings = _one_per_span(findings)
        return result
    from devenv.lint.sdk.rules import check as sdk_check

    def read(path: str) -> str | None:
        try:
            return _decode(_read(os.path.join(str(root), path)))
        except (OSError, _NotRegular):
            return None

    listed = set(files)
    manifest_named = bool(paths) and manifest_file in listed
    # Named with the manifest (pre-commit after a manifest-only change), services are judged
    # against all their dependency files (sdk-unused), and only the named files are reported.
    judged = _without_excluded(loaded, list_files(root)[0]) if manifest_named else files
    sdk = sdk_check(loaded, judged, read, manifest_file, whole=not paths or manifest_named)
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

    def read(path: str) -> str | None:
        try:
            return _decode(_read(os.path.join(str(root), path)))
        except (OSError, _NotRegular):
            return None

    findings = list(rules.context_rules()) + list(rules.sdkless_rules(files, read, scope.excludes))
    doc = Document(manifest_file, loaded.text)
    supps = [s for s in suppress.from_comments(doc, ("#",)) if s.kind == "proto-import"]
    out = []
    for finding in findings:
        covering = [s for s in supps if s.covers(finding.location.line, None)]
        for s in covering:
            s.used = True
        allowing = [s for s in covering if s.active]
        if allowing:
            finding = Finding(
                finding.location, finding.rule, finding.message, finding.fix,
                suppressed=True, justification=allowing[0].reason,
            )
        out.append(finding)
    out.extend(suppression_findings(manifest_file, supps, doc))
    return out
