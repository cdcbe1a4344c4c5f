"""What the full parser checks of a path argument before any command runs, for the hot paths.

typer gives every ``Path`` argument and option (except the ``-o`` targets, declared
``readable=False``) click's ``Path(readable=True)`` check: a path that exists but cannot be read
is a usage error ("… is not readable"), exit 2. The hot paths (:mod:`devenv.cli.hot`) skip click,
so they hand such a command line to the full parser, which prints that exact message.
"""

from __future__ import annotations

import os


def click_refuses(value: str | None) -> bool:
    """True when click would reject ``value`` as an unreadable path (as click: stat, then R_OK)."""
    if value is None or value == "-":
        return False
    try:
        os.stat(value)
    except (OSError, ValueError):
        return False  # a missing path is the command's to report (click does not check existence here)
    return not os.access(value, os.R_OK)
