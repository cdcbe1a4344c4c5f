"""Repository paths as the SDK rules compare and write them: POSIX, relative to the repository
root, normalised (``./a/../b`` -> ``b``, the root itself ``.``), and links spelled from a file's
folder with a leading ``./`` as package managers expect."""

from __future__ import annotations

import posixpath


def norm(path: str) -> str:
    path = posixpath.normpath(path.replace("\\", "/").strip() or ".")
    return path.lstrip("/") if path != "/" else "."


def folder_of(file: str) -> str:
    return posixpath.dirname(file) or "."


def relative(target: str, start: str) -> str:
    rel = posixpath.relpath(target, start)
    return rel if rel.startswith(".") else "./" + rel
