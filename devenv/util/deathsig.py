"""Forked helper processes that never outlive the process that forked them."""

from __future__ import annotations

import os
import sys


def die_with_parent(parent: int) -> None:
    """In a forked process: get SIGKILL when ``parent`` dies, however it dies (``kill -9``
    included), instead of living on as an orphan. Linux's PR_SET_PDEATHSIG; elsewhere the
    parent's own clean-up on a normal exit is what there is."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
