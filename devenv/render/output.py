"""Writing the Tiltfile: a checksum line that detects hand edits, atomic replace, and --check."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devenv.errors import DevenvError

_CHECKSUM = re.compile(r"^# devenv-checksum: sha256:([0-9a-f]{64})\n")


def with_checksum(body: str) -> str:
    digest = hashlib.sha256(body.encode()).hexdigest()
    return f"# devenv-checksum: sha256:{digest}\n{body}"


@dataclass(frozen=True)
class OnDisk:
    exists: bool
    ours: bool = False  # written by devenv
    edited: bool = False  # written by devenv, then changed by hand
    text: str = ""


def inspect(path: Path) -> OnDisk:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return OnDisk(False)
    except (OSError, UnicodeDecodeError) as exc:
        raise DevenvError(f"cannot read {path}: {exc}")
    match = _CHECKSUM.match(text)
    if not match:
        return OnDisk(True, ours=False, text=text)
    body = text[match.end():]
    edited = hashlib.sha256(body.encode()).hexdigest() != match.group(1)
    return OnDisk(True, ours=True, edited=edited, text=text)


def refuse_overwrite_reason(disk: OnDisk) -> str | None:
    if not disk.exists:
        return None
    if not disk.ours:
        return "was not written by devenv"
    if disk.edited:
        return "was edited by hand since devenv wrote it"
    return None


def write_atomic(path: Path, text: str) -> None:
    """Write next to the target and rename over it: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=f"{name} (on disk)", tofile=f"{name} (rendered)",
    ))
