"""Reading the files the SDK helpers hash or trust, never blocking: Tilt runs them in every SDK
step, and a FIFO in an SDK folder (or where the manifest should be) would hang the step for
ever, /dev/zero would never end. Not devenv.util.fsutil: its imports cost these hot commands."""

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
