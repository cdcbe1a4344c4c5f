"""Reading a regular file, never blocking: a FIFO where a file should be would hang the reader
for ever, and /dev/zero would never end. Only os and stat, both loaded with the interpreter:
the hot commands (Tilt runs `devenv sdk guard/stamp/mark` in every SDK step, pre-commit runs
lint) read through it. :func:`devenv.util.fsutil.read_prefix` is the bounded, reporting form."""

from __future__ import annotations

import os
import stat


def regular_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes | None:
    """The bytes of the regular file at ``path`` (at most ``limit``), or None when ``path`` names
    something else (a FIFO, a device, a socket, a folder): opened non-blocking, checked, then
    read. Symlinks are followed. Raises OSError when it cannot be opened."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        size = 0
        while limit is None or size < limit:
            chunk = os.read(fd, 1 << 20 if limit is None else min(1 << 20, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
