"""Dependency readers, one module per ecosystem, each exporting the same names
(pre-commit's ``languages/*.py`` idea):

- ``MANIFESTS``: file names that declare dependencies (``package.json``, ``go.mod``, …);
- ``LOCKFILES``: file names that record what was resolved;
- ``read(path, text[, opener]) -> list[Dependency]``, raising
  :class:`~devenv.deps.model.ReadError` when the file's grammar rejects it.

:func:`ecosystem_of` maps a path to its reader by name alone; :func:`read_file` reads one.
"""

from __future__ import annotations

from types import ModuleType

from devenv.deps.filenames import is_requirements
from devenv.deps.model import Dependency, Wanted
from devenv.deps.readers import go, npm, python

READERS: dict[str, ModuleType] = {"npm": npm, "go": go, "python": python}


_BY_NAME = {name: ecosystem for ecosystem, module in READERS.items() for name in module.MANIFESTS | module.LOCKFILES}


def ecosystem_of(path: str) -> str | None:
    name = path.rpartition("/")[2]
    found = _BY_NAME.get(name)  # lint asks for every file of the repository: one lookup, mostly a miss
    if found is None and name.endswith((".txt", ".in")) and is_requirements(path):
        return "python"
    return found


def read_file(path: str, text: str, opener=None, wanted: Wanted = None) -> list[Dependency]:
    """The dependencies ``path`` declares (``opener`` reads ``-r`` includes; None: no includes);
    with ``wanted``, only those it names and those with a local target (see :data:`Wanted`)."""
    ecosystem = ecosystem_of(path)
    if ecosystem == "python":
        return python.read(path, text, opener, wanted)
    if ecosystem is None:
        return []
    return READERS[ecosystem].read(path, text, wanted)
