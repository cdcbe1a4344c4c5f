"""The file loop of lint, in one process or several: read every file in scope once, keep the few
whose bytes hold a needle (:meth:`Needles.prefilter`), then check only those.

The read-and-prefilter pass runs once per file of the repository (50,000 in the benchmark), so it
is kept flat: no helper call per file, the prefilter inlined, and one read for most files (fstat
only when the first read fills the buffer). Everything after the prefilter runs for a few files
only. Large trees are split across worker processes (fork), each running the same loop over a
slice of the file list.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from itertools import repeat

from devenv.deps.filenames import python_dependency_files
from devenv.lint.checker import Checker
from devenv.lint.model import Finding, Notification
from devenv.lint.needles import SUPPRESSION_NEEDLE
from devenv.lint.rules import UNPARSED_EXTENSIONS, classify
from devenv.lint.scope import Scope
from devenv.util.deathsig import die_with_parent

_CHUNK = 1 << 16  # most source files fit in one read
PARALLEL_THRESHOLD = 4000  # files; below this a worker pool costs more than it saves
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

Outcome = tuple[list[Finding], list[Notification], int, int]  # findings, notes, files checked, files parsed


# Why a listed name is not read, where the system's words ("Is a directory") would not say.
_REASONS = {
    errno.EISDIR: "it is a folder (lint does not follow a symlink to a folder, nor enter a repository git lists as one entry)",
    errno.ENXIO: "it is a socket",
}


def _unreadable(path: str, exc: OSError) -> Notification:
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    return Notification(f"cannot read {path}: {reason}; skipped", path)


def _read_rest(fd: int, first: bytes) -> bytes | None:
    """The whole file whose first read filled the buffer; None for a device (/dev/zero never ends)."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        return None
    chunks = [first]
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def prefiltered(checker: Checker, scope: Scope, paths: list[str], notes: list[Notification]) -> tuple[list[tuple[str, bytes]], int]:
    """(path and bytes of each file that may hold a reference or a suppression, files in scope).

    The loop every file of the tree goes through: see the module's docstring before adding a
    call to it.
    """
    root_fd = _open_root(checker.root)
    base = "" if root_fd is not None else checker.root + os.sep
    try:
        return _prefiltered(checker, scope, paths, notes, base, root_fd)
    finally:
        if root_fd is not None:
            os.close(root_fd)


def _open_root(root: str) -> int | None:
    """A descriptor of the root: files opened relative to it skip the walk of the root's own
    path (about a tenth of the loop's system time); None where that is not supported."""
    if os.open not in os.supports_dir_fd:
        return None
    try:
        return os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


def _prefiltered(
    checker: Checker, scope: Scope, paths: list[str], notes: list[Notification], base: str, root_fd: int | None
) -> tuple[list[tuple[str, bytes]], int]:
    exact, prefixes, unparsed = scope.exact, scope.prefixes, UNPARSED_EXTENSIONS
    needles = checker.needles
    gate, byte_needles, marker = needles.gate, needles.byte_needles, SUPPRESSION_NEEDLE
    marker_without_gate = not needles.gate_covers_marker
    open_, read_, close, flags, size = os.open, os.read, os.close, _OPEN_FLAGS, _CHUNK
    kept: list[tuple[str, bytes]] = []
    checked = 0
    # Python dependency files name packages in any case (PEP 503): the exact bytes may miss them.
    python_files, python_spelling = python_dependency_files(paths), needles.may_hold_a_python_spelling
    for path in paths:
        if path in exact or path.startswith(prefixes):
            continue
        checked += 1
        dot = path.rfind(".")
        if dot > 0 and path[dot:].lower() in unparsed and path[dot - 1] != "/":
            continue  # images, archives, Markdown: never parsed, so never read (a jar can be large)
        try:
            fd = open_(base + path, flags, dir_fd=root_fd)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue  # a tracked file deleted from the work tree, a submodule
        except OSError as exc:
            notes.append(_unreadable(path, exc))
            continue
        try:
            data = read_(fd, size)
            if len(data) == size:
                rest = _read_rest(fd, data)
                if rest is None:
                    continue
                data = rest
        except BlockingIOError:
            continue  # a FIFO with a writer: not a source file
        except OSError as exc:
            notes.append(_unreadable(path, exc))
            continue
        finally:
            close(fd)
        if gate is None or gate in data:  # the prefilter (Needles.prefilter, inlined)
            for needle in byte_needles:
                if needle in data:
                    break
            else:
                if marker not in data and not (path in python_files and python_spelling(data)):
                    continue
        elif not (marker_without_gate and marker in data) and not (path in python_files and python_spelling(data)):
            continue
        kept.append((path, data))
    return kept, checked


def check_kept(checker: Checker, kept: list[tuple[str, bytes]]) -> tuple[list[Finding], int]:
    """(findings, files parsed) of the files that passed the prefilter.

    Only these have their context decided (prose, lockfiles and ignore files are skipped here
    rather than before reading: classifying every file costs more than reading the few that
    survive the prefilter)."""
    findings: list[Finding] = []
    parsed = 0
    for path, data in kept:
        context = classify(path)
        if context is None:
            continue
        parsed += 1
        findings.extend(checker.check_data(path, context, data))
    return findings, parsed


def in_scope(scope: Scope, paths: list[str]) -> int:
    """How many of ``paths`` the loop counts as checked (those in scope)."""
    if scope.everything:
        return 0
    # C-level loops (map, filter) over the whole listing: a generator step per file cost more
    # than the rest of the early scan's bookkeeping.
    exact, prefixes = scope.exact, scope.prefixes
    excluded = sum(map(str.startswith, paths, repeat(prefixes)))
    excluded += sum(1 for p in filter(exact.__contains__, paths) if not p.startswith(prefixes))
    return len(paths) - excluded


_WORKER: tuple[Checker, Scope] | None = None  # set before the pool forks


def _check_many(paths: list[str]) -> Outcome:
    """(findings, notifications, files checked, files parsed) for a slice of the tree."""
    assert _WORKER is not None  # nosec B101: set before the pool forks
    checker, scope = _WORKER
    if scope.everything:
        return [], [], 0, 0
    notes: list[Notification] = []
    kept, checked = prefiltered(checker, scope, paths, notes)
    findings, parsed = check_kept(checker, kept)
    return findings, notes, checked, parsed


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def jobs_for(requested: int | None, count: int) -> int:
    """Processes to use, the parent included: never more than there are files or CPUs (more
    only adds processes that wait; `-j 100000` must not fork 100,000 of them)."""
    if requested is None and (count < PARALLEL_THRESHOLD or sys.platform == "win32"):
        return 1
    wanted = requested if requested is not None else 8
    return max(1, min(wanted, count, _cpus()))


def run_files(checker: Checker, scope: Scope, paths: list[str], jobs: int) -> Outcome:
    """The file loop over ``paths`` in ``jobs`` processes, the caller's included."""
    global _WORKER
    _WORKER = (checker, scope)
    try:
        if jobs <= 1 or len(paths) < 2 or not hasattr(os, "fork"):
            return _check_many(paths)
        # Interleaved slices: neighbouring files tend to be alike, so each worker gets a mix.
        # The caller takes a slice itself instead of idling while the others work.
        slices = [paths[i::jobs] for i in range(jobs)]
        workers = [_fork(part) for part in slices[1:]]
        parts = [_check_many(slices[0]), *(_collect(pid, fd) for pid, fd in workers)]
        return ([f for part in parts for f in part[0]], [n for part in parts for n in part[1]], sum(part[2] for part in parts), sum(part[3] for part in parts))
    finally:
        _WORKER = None


# Plain fork and a pipe rather than multiprocessing's pool: no import of multiprocessing, no
# helper threads competing with the loop for the GIL, one pickle each way.
def _fork(paths: list[str]) -> tuple[int, int]:
    """A worker running the loop over ``paths``: (its pid, the read end of its result pipe)."""
    import pickle

    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            die_with_parent(parent)
            try:
                answer: tuple = ("ok", _check_many(paths))
            except Exception as exc:  # noqa: BLE001 - the parent raises it as an internal error
                answer = ("error", f"{type(exc).__name__}: {exc}")
            data = memoryview(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
            while data:
                data = data[os.write(write_end, data) :]
            code = 0
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> Outcome:
    import pickle

    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    if not chunks:
        raise RuntimeError("a lint worker process died without an answer")
    status, value = pickle.loads(b"".join(chunks))  # nosec B301: our own worker's data
    if status != "ok":
        raise RuntimeError(f"a lint worker failed: {value}")
    return value
