"""pnpm ``catalog:`` specs: the range a package.json names through ``pnpm-workspace.yaml``.

``"@acme/sdk": "catalog:"`` takes the default catalog's entry (``catalog:`` or
``catalogs.default``), ``"catalog:<name>"`` the named one (``catalogs.<name>``), from the
``pnpm-workspace.yaml`` of the nearest folder above the package (the workspace root).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import replace

from devenv.deps.model import Dependency

Reader = Callable[[str], "str | None"]


class Catalogs:
    def __init__(self, read: Reader):
        self.read = read
        self._cache: dict[str, dict | None] = {}

    def _workspace(self, folder: str) -> tuple[str, dict] | None:
        while True:
            path = "pnpm-workspace.yaml" if folder in (".", "") else f"{folder}/pnpm-workspace.yaml"
            if path not in self._cache:
                self._cache[path] = _load(self.read(path))
            cached = self._cache[path]
            if cached is not None:
                return path, cached
            if folder in (".", ""):
                return None
            folder = posixpath.dirname(folder) or "."

    def resolve(self, dep: Dependency) -> Dependency | None:
        """``dep`` with the catalog's range as its spec (no span: the package.json text is not it)."""
        name = dep.spec.strip()[len("catalog:") :].strip() or "default"
        found = self._workspace(posixpath.dirname(dep.file) or ".")
        if found is None:
            return None
        path, data = found
        catalogs_table = data.get("catalogs")
        catalogs: dict = catalogs_table if isinstance(catalogs_table, dict) else {}
        table = catalogs.get(name)
        if name == "default" and not isinstance(table, dict):
            table = data.get("catalog")
        if not isinstance(table, dict) or not isinstance(table.get(dep.name), (str, int, float)):
            return None
        spec = str(table[dep.name])
        return replace(dep, spec=spec, span=None, end_col=0, note=f"{dep.spec.strip()} is {spec!r} in {path}")


def _load(text: str | None) -> dict | None:
    if text is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
