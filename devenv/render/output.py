"""Writing the Tiltfile: a checksum line that detects hand edits, atomic replace, and --check."""

from __future__ import annotations

import difflib
import hashlib
import re
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


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=f"{name} (on disk)", tofile=f"{name} (rendered)",
    ))
