"""Writing the Tiltfile: a checksum line that detects hand edits, atomic replace, and --check."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from devenv.errors import DevenvError
from devenv.manifest.load import LoadedManifest, display_name
from devenv.util.fsutil import UnsafeTarget, read_prefix, resolve_target, write_atomic

_CHECKSUM = re.compile(r"^# devenv-checksum: sha256:([0-9a-f]{64})\n")
# How much of an existing Tiltfile is read. A rendered one takes about 1 KB per service (10 MB at
# 10,000 services, over fsutil's default prefix), and devices and FIFOs are refused before any read.
TILTFILE_LIMIT = 256 * 1024 * 1024


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
    """What is at ``path`` now. Only a regular file (or nothing) is acceptable, and only a bounded
    prefix of it is read: a Tiltfile larger than that is not one devenv wrote."""
    try:
        target = resolve_target(path, what="Tiltfile")
    except UnsafeTarget as exc:
        raise DevenvError(exc.message, hint=exc.hint) from None
    if not target.exists:
        return OnDisk(False)
    try:
        data, truncated = read_prefix(target.real, TILTFILE_LIMIT)
    except OSError as exc:
        raise DevenvError(f"cannot read {display_name(path)}: {exc.strerror or exc}", hint="check its permissions, or pass -o elsewhere") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        truncated = True
    if truncated:
        return OnDisk(True, ours=False, text=data.decode("utf-8", "replace"))
    match = _CHECKSUM.match(text)
    if not match:
        return OnDisk(True, ours=False, text=text)
    body = text[match.end() :]
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
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"{name} (on disk)", tofile=f"{name} (rendered)")
    )


def default_output(loaded: LoadedManifest, output: Path | None) -> Path:
    """``-o`` as given (a folder means its Tiltfile), else the Tiltfile next to the manifest."""
    if output is not None and output.is_dir():
        output = output / "Tiltfile"
    return (output or loaded.root / "Tiltfile").absolute()


def write_rendered(text: str, target: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> str:
    """Write ``text`` unless that would lose a hand edit; returns what happened."""
    name = display_name(target)
    disk = inspect(target)
    reason = refuse_overwrite_reason(disk)
    if reason and not force:
        raise DevenvError(
            f"{name} {reason}; refusing to overwrite it",
            hint="move your changes into services.yaml or a template override, then rerun with --force",
            exit_code=1,
        )
    if disk.text == text:
        return f"{name} is up to date"
    try:
        write_atomic(target, text, inputs=inputs, what="Tiltfile")
    except UnsafeTarget as exc:
        raise DevenvError(exc.message, hint=exc.hint) from None
    except OSError as exc:
        raise DevenvError(f"cannot write {name}: {exc.strerror or exc}", hint="check that its folder exists and is writable, or pass -o elsewhere")
    return f"wrote {name}"
