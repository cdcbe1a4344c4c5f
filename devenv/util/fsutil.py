"""Reading and writing the files devenv owns, so that nothing is ever half-written, hung on or
destroyed: the one writer every command uses (``render -o``, ``lint -o``, ``--fix``, stamps,
backups).

- A target is followed through symlinks and the link is kept (the file it points to is replaced).
- Only a regular file, or nothing, may be replaced: a device, FIFO or socket is refused (writing a
  FIFO would hang, and replacing ``/dev/null`` would break the machine).
- An existing target is read only as far as :data:`PREFIX_LIMIT` (``/dev/zero`` never ends).
- A file the same command reads (its manifest, a linted file) is never written over, unless the
  command exists to rewrite it (``lint --fix``).
- Backups are numbered (``Tiltfile.bak.1``, ``.2``, …): a second backup never replaces the first.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

# The largest file devenv reads whole: a generated Tiltfile is tens of kB, a manifest a few.
PREFIX_LIMIT = 8 * 1024 * 1024


class UnsafeTarget(OSError):
    """A path devenv was asked to write (or read) that it must not touch: a usage error (exit 2).
    An OSError, so every ``except OSError`` around a write already reports it as a failed write;
    ``message`` and ``hint`` say more where the caller passes them on."""

    def __init__(self, message: str, *, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.strerror = message
        self.hint = hint
        self.exit_code = 2

    def __str__(self) -> str:
        return self.message


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


@dataclass(frozen=True)
class Target:
    """Where a write to ``given`` really lands: ``real`` (symlinks followed), and whether a regular
    file is there now."""

    given: Path
    real: Path
    exists: bool


def resolve_target(path: str | os.PathLike, *, what: str = "output") -> Target:
    """Follow ``path`` through symlinks; refuse loops, and anything there that is not a regular
    file. A dangling link resolves to the file it names (written as a shell's ``>`` would)."""
    given = Path(path)
    try:
        info = os.stat(given)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UnsafeTarget(
            f"cannot use {given} as the {what}: {_strerror(exc)}", hint="a symlink loop or a folder you may not enter: pass another path"
        ) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UnsafeTarget(
            f"{given} is {_kind(info.st_mode)}, not a regular file: devenv writes only regular files",
            hint="pass a regular file path (to print instead, leave out -o)",
        )
    real = Path(os.path.realpath(given))
    if info is None and real.is_symlink():  # realpath stopped at a link it could not follow
        raise UnsafeTarget(f"cannot use {given} as the {what}: a symlink loop", hint="pass another path")
    return Target(given, real, info is not None)


def refuse_inputs(target: Target, inputs: Iterable[str | os.PathLike], *, what: str = "output") -> None:
    """Refuse to write over a file this command reads (the manifest, a linted file)."""
    if not target.exists:
        return
    for item in inputs:
        try:
            same = os.path.samefile(target.real, item)
        except OSError:
            continue
        if same:
            raise UnsafeTarget(f"{target.given} is an input of this command; refusing to write the {what} over it", hint="pass another path to -o")


def read_prefix(path: str | os.PathLike, limit: int = PREFIX_LIMIT) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a regular file, and whether there was more. Anything else (a
    FIFO, a device) is refused without blocking on it: opened non-blocking, checked, then read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeTarget(f"{path} is {_kind(info.st_mode)}, not a regular file", hint="pass a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return data[:limit], len(data) > limit
    finally:
        os.close(fd)


def read_stream(fd: int, limit: int = PREFIX_LIMIT, *, name: str = "stdin") -> bytes:
    """Everything on ``fd`` (stdin, a pipe) up to ``limit`` bytes; more than that is an error."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise UnsafeTarget(f"{name} holds more than {limit // (1024 * 1024)} MiB: not a manifest")


def write_atomic(path: str | os.PathLike, text: str, *, inputs: Iterable[str | os.PathLike] = (), what: str = "output") -> Path:
    """Write ``text`` next to the real target and rename it over: readers see the old file or the
    new one, never a mix; a failure leaves the old one untouched. The text is written as is (no
    newline translation, so CRLF files stay CRLF); an existing file keeps its mode, a new one gets
    0644. Returns the path really written (the symlink's target)."""
    target = resolve_target(path, what=what)
    refuse_inputs(target, inputs, what=what)
    real = target.real
    real.parent.mkdir(parents=True, exist_ok=True)
    mode = real.stat().st_mode & 0o7777 if target.exists else 0o644
    fd, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return real


def next_backup(path: str | os.PathLike) -> Path:
    """The first free ``<name>.bak.N`` next to ``path`` (N from 1)."""
    path = Path(path)
    number = 1
    while True:
        candidate = path.with_name(f"{path.name}.bak.{number}")
        if not os.path.lexists(candidate):
            return candidate
        number += 1


def backup(path: str | os.PathLike) -> Path:
    """Copy the file at ``path`` (through a symlink) to a new numbered backup; returns it."""
    target = resolve_target(path, what="file to back up")
    destination = next_backup(target.given)
    with open(target.real, "rb") as source, open(destination, "xb") as copy:
        shutil.copyfileobj(source, copy)
    shutil.copystat(target.real, destination)
    return destination
