"""What an SDK chain leaves behind when a step succeeds: a result digest that Tilt watches.

Tilt's ``resource_deps`` gate only the *first* build (tilt-dev/tilt#3667): a chain that runs
again later (an edited ``.proto``) reaches neither its own later steps nor the services that
consume the SDK. devenv closes the gap with files Tilt already knows how to watch:

- after each step succeeds, ``devenv sdk mark <sdk> <step>`` writes the SDK's *result digest*
  to ``.devenv/sdk/<sdk>/<step>.sha256`` (next to the manifest), but only when it differs from
  what the file holds: an unchanged result writes nothing, so nothing downstream moves;
- the next step lists that file in its ``deps``: Tilt runs it again when the file changes;
- the last step's file is read by the Tiltfile (``read_file``) into the consumers'
  ``docker_build`` build args ``<SDK>_SDK_DIGEST`` and the SDK's version arg. Tilt watches every
  file a Tiltfile reads: the change reloads the Tiltfile, exactly the images whose build args
  changed are rebuilt, and a Dockerfile that declares the arg before installing the SDK gets a
  fresh layer.

A marker holds two lines: the digest, then the version the step completed with (the manifest's
``version`` when it ran; no second line for an SDK without one). The consumers take the version
from there, not from the render: a release bump that renders a new version changes no build arg
until the chain published it, and then version and digest change in one write (one Tiltfile
reload, one build per consumer).

The result digest is SHA-256 over the SDK's package name, version and the files under its
path, leaving out dependency caches, build outputs and dot files (see ``_SKIP_DIRS``): the
same sources give the same digest on every run and every machine.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from devenv.sdk.trusted import STATE_DIR
from devenv.tilt import sdk_digest_arg as digest_arg  # noqa: F401  (re-exported; import-light: `sdk mark` is hot)
from devenv.util.fsutil import read_prefix, write_atomic
from devenv.util.regular import regular_bytes

_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "dist", "build", "target", "vendor"})
_SKIP_SUFFIXES = (".egg-info", ".pyc")


def marker(sdk_name: str, step_name: str) -> str:
    """Where a step's result digest lives, relative to the manifest's folder."""
    return f"{STATE_DIR}/sdk/{sdk_name}/{step_name}.sha256"


def _files(folder: Path) -> list[str]:
    out: list[str] = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and not d.endswith(_SKIP_SUFFIXES))
        rel = os.path.relpath(current, folder)
        for name in names:
            if not name.startswith(".") and not name.endswith(_SKIP_SUFFIXES):
                out.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(out)


def result_digest(folder: Path | None, package: str, version: str | None) -> str:
    """SHA-256 over the package name, version and (path, size, bytes) of every kept file
    (``folder`` None: a Buf SDK with no workspace folder, known by its name and version only)."""
    h = hashlib.sha256(f"{package}\0{version or ''}\0".encode())
    if folder is None:
        return h.hexdigest()
    for rel in _files(folder):
        try:
            data = regular_bytes(folder / rel)
        except OSError:
            continue  # a file removed while we walk: the next run sees the settled folder
        if data is None:
            continue  # a FIFO or device is no source (and reading it would hang or never end)
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
        h.update(data)
    return h.hexdigest()


def marker_text(digest: str, version: str | None) -> str:
    """A marker's content: the result digest, then the version the chain completed with."""
    return f"{digest}\n{version}\n" if version else f"{digest}\n"


def write_marker(root: Path, sdk_name: str, step_name: str, digest: str, version: str | None = None) -> Path | None:
    """Write ``digest`` (and ``version``) as the step's marker, atomically, unless the file
    already holds them.

    Returns the path written, or None when nothing changed (and nothing was touched: Tilt
    reacts to any write, even of the same bytes)."""
    return write_state(root, marker(sdk_name, step_name), marker_text(digest, version))


def write_state(root: Path, relative: str, text: str) -> Path | None:
    """Write one file of devenv's local state (``relative`` under ``root``) unless it already
    holds ``text``; the state folder gets a .gitignore that keeps it out of commits."""
    path = root / relative
    if _holds(path, text.encode("utf-8")):
        return None
    gitignore = root / STATE_DIR / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, "# devenv's local state (SDK result digests): never committed\n*\n")
    write_atomic(path, text)
    return path


def _holds(path: Path, wanted: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``wanted``, byte for byte (a CRLF or undecodable
    copy is not the same state). Read without blocking and no further than ``wanted``: a FIFO, a
    device or a folder there raises :class:`~devenv.util.fsutil.UnsafeTarget` instead of hanging."""
    try:
        data, more = read_prefix(path, limit=len(wanted))
    except (FileNotFoundError, NotADirectoryError):
        return False
    except PermissionError:
        return False  # the write that follows says what is wrong
    return data == wanted and not more
