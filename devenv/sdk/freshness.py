"""Is an SDK's generated code current with the proto sources? Content hashes, never file times.

- :func:`guard` runs before an SDK's first step (the render puts ``devenv sdk guard <sdk> -f
  <manifest> &&`` in front of its cmd): it fails fast, naming the path, when the proto
  workspace is missing or holds no ``.proto`` file. There is no fallback and it records
  nothing.
- :func:`stamp` runs after that step's cmd succeeded (``&& devenv sdk stamp <sdk> -f
  <manifest>``, for SDKs with a ``generated:`` path): it records, in
  ``<generated>/.devenv-sdk-stamp.json``, the SHA-256 of the proto sources the step just
  generated from and of what it wrote. The stamp lives with the code it describes: delete or
  regenerate the folder and the stamp goes with it. It holds no time or host, so a committed
  generated folder stays byte-identical across machines.
- :func:`status` compares a stamp with the current hashes: ``fresh``, ``stale`` (the protos
  changed since), ``modified`` (the generated files changed since: a hand edit or a partial
  run), ``missing`` (never stamped, or the folder is gone), ``no-proto``.

The proto sources are the workspace's ``*.proto`` files and Buf's configuration
(``buf.yaml``, ``buf.gen*.yaml``, ``buf.work.yaml``, ``buf.lock``): what generation reads.
A README edit does not make an SDK stale. Folders named ``node_modules`` or starting with a
dot are not entered.
"""

from __future__ import annotations

import hashlib
import os
from collections import namedtuple
from enum import Enum
from pathlib import Path

from devenv import __version__
from devenv.util.regular import regular_bytes

STAMP_NAME = ".devenv-sdk-stamp.json"
STAMP_SCHEMA = "devenv.sdk-stamp/v1"
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})


def is_proto_source(name: str) -> bool:
    return name.endswith(".proto") or name in ("buf.yaml", "buf.work.yaml", "buf.lock") or (name.startswith("buf.gen") and name.endswith((".yaml", ".yml")))


# Plain named tuples, not dataclasses: `devenv sdk guard` runs in every SDK build step, and the
# dataclasses module (with inspect) would cost more start-up than the guard's own work.
Digest = namedtuple("Digest", "sha256 files protos", defaults=(0,))  # sha256: str, files: int, protos: int


def _unreadable(exc: OSError) -> None:
    raise GuardError(f"cannot read {exc.filename}: {exc.strerror or exc}: its content decides the digest (fix its permissions)")


def _files(folder: Path, keep) -> list[str]:
    out: list[str] = []
    for current, dirs, names in os.walk(folder, onerror=_unreadable):  # a folder left out would be a wrong digest
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        rel = os.path.relpath(current, folder)
        for name in names:
            if keep(name):
                out.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(out)


def digest(folder: Path, keep=lambda name: True) -> Digest:
    """SHA-256 over (path, size, bytes) of every kept file under ``folder``, in path order."""
    h = hashlib.sha256()
    files = 0
    protos = 0
    for rel in _files(folder, keep):
        try:
            data = regular_bytes(folder / rel)
        except FileNotFoundError:
            continue  # removed while we walk (a dangling link, too): not content
        except OSError as exc:
            _unreadable(exc)
        if data is None:
            continue  # a FIFO or device is no source (and reading it would hang or never end)
        files += 1
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
        h.update(data)
        protos += rel.endswith(".proto")
    return Digest(h.hexdigest(), files, protos)


def proto_digest(folder: Path) -> Digest:
    return digest(folder, is_proto_source)


def generated_digest(folder: Path) -> Digest:
    return digest(folder, lambda name: name != STAMP_NAME)


class Freshness(str, Enum):
    FRESH = "fresh"
    STALE = "stale"
    MODIFIED = "modified"
    MISSING = "missing"
    NO_PROTO = "no-proto"


# state: Freshness, message: str, proto: Digest | None, stamp: dict | None
Status = namedtuple("Status", "state message proto stamp", defaults=(None, None))


class GuardError(Exception):
    """The proto workspace is not there, or a file of it cannot be read: one line, naming the path."""


def check_proto(root: Path, proto_path: str, sdk_name: str) -> Digest:
    """The proto sources' digest, or :class:`GuardError` naming what is missing."""
    folder = root / proto_path
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "is missing"
        raise GuardError(f"proto workspace {proto_path} {what}: SDK '{sdk_name}' is generated only from it (no fallback)")
    found = proto_digest(folder)
    if not found.protos:
        raise GuardError(f"proto workspace {proto_path} holds no .proto file: SDK '{sdk_name}' is generated only from it (no fallback)")
    return found


def stamp_path(root: Path, generated: str) -> Path:
    return root / generated / STAMP_NAME


def read_stamp(root: Path, generated: str) -> dict | None:
    import json  # here, not at the top: the guard never reads a stamp

    try:
        text = regular_bytes(stamp_path(root, generated))  # a FIFO there is no stamp, not a hang
        data = json.loads(text) if text is not None else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == STAMP_SCHEMA else None


def write_stamp(root: Path, sdk_name: str, proto_path: str, generated: str) -> dict:
    """Record the proto and generated digests after a successful generation step."""
    proto = check_proto(root, proto_path, sdk_name)
    folder = root / generated
    if not folder.is_dir():
        raise GuardError(f"{generated} does not exist: the step of SDK '{sdk_name}' wrote no generated code there")
    made = generated_digest(folder)
    stamp = {
        "schema": STAMP_SCHEMA,
        "sdk": sdk_name,
        "proto": {"path": proto_path, "sha256": proto.sha256, "files": proto.files},
        "generated": {"path": generated, "sha256": made.sha256, "files": made.files},
        "devenv": __version__,
    }
    import json

    text = json.dumps(stamp, indent=2, sort_keys=True) + "\n"
    from devenv.util.fsutil import write_atomic  # tempfile: only the stamp writes

    write_atomic(stamp_path(root, generated), text)
    return stamp


def status(root: Path, sdk_name: str, proto_path: str, generated: str) -> Status:
    try:
        proto = check_proto(root, proto_path, sdk_name)
    except GuardError as exc:
        return Status(Freshness.NO_PROTO, str(exc))
    folder = root / generated
    if not folder.is_dir():
        return Status(Freshness.MISSING, f"{generated} does not exist: SDK '{sdk_name}' was never generated here", proto)
    stamp = read_stamp(root, generated)
    if stamp is None:
        return Status(Freshness.MISSING, f"{generated} has no {STAMP_NAME}: nothing records which proto sources it was generated from", proto)
    recorded = (stamp.get("proto") or {}).get("sha256")
    if recorded != proto.sha256:
        return Status(
            Freshness.STALE,
            f"{generated} was generated from other proto sources than {proto_path} holds now "
            f"({proto.files} files, sha256 {proto.sha256[:12]}, stamped {str(recorded)[:12]})",
            proto,
            stamp,
        )
    try:
        made = generated_digest(folder)
    except GuardError as exc:
        return Status(Freshness.MISSING, str(exc), proto, stamp)
    if (stamp.get("generated") or {}).get("sha256") != made.sha256:
        return Status(Freshness.MODIFIED, f"{generated} changed after its step stamped it (a hand edit or a partial run)", proto, stamp)
    return Status(Freshness.FRESH, f"{generated} is current with {proto_path} (sha256 {proto.sha256[:12]})", proto, stamp)
