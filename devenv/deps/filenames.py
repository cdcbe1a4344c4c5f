"""Which file names are Python requirements files, by pip's conventions. Its own module (no
``packaging`` import) so lint's proto rules can ask without loading the dependency readers."""

from __future__ import annotations

import re
from itertools import compress, repeat

_REQUIREMENTS = re.compile(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$|^[\w.-]*requirements\.(?:txt|in)$")


def is_requirements(path: str) -> bool:
    """``requirements*.txt``, ``constraints*.in``, ``dev-requirements.txt``, or any ``.txt``/``.in``
    under a ``requirements/`` folder."""
    name = path.rpartition("/")[2]
    return bool(_REQUIREMENTS.match(name)) or ("/requirements/" in f"/{path}" and name.endswith((".txt", ".in")))


_PYTHON_DEPENDENCY_NAMES = ("pyproject.toml", "setup.cfg", "Pipfile")
_CANDIDATE_ENDINGS = (".txt", ".in", *_PYTHON_DEPENDENCY_NAMES)


def is_python_dependency_file(path: str) -> bool:
    """``pyproject.toml``, ``setup.cfg``, ``Pipfile`` or a requirements file."""
    return path.rpartition("/")[2] in _PYTHON_DEPENDENCY_NAMES or is_requirements(path)


def python_dependency_files(paths: list[str]) -> set[str]:
    """The Python dependency files among ``paths``: a C-level pass on their endings first (lint
    asks this of every name in the tree)."""
    candidates = compress(paths, map(str.endswith, paths, repeat(_CANDIDATE_ENDINGS)))
    return set(filter(is_python_dependency_file, candidates))
