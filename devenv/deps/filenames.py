"""Which file names are Python requirements files, by pip's conventions. Its own module (no
``packaging`` import) so lint's proto rules can ask without loading the dependency readers."""

from __future__ import annotations

import re

_REQUIREMENTS = re.compile(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$|^[\w.-]*requirements\.(?:txt|in)$")


def is_requirements(path: str) -> bool:
    """``requirements*.txt``, ``constraints*.in``, ``dev-requirements.txt``, or any ``.txt``/``.in``
    under a ``requirements/`` folder."""
    name = path.rpartition("/")[2]
    return bool(_REQUIREMENTS.match(name)) or ("/requirements/" in f"/{path}" and name.endswith((".txt", ".in")))
