"""Package names and versions as each registry's protocol spells them: what doctor's registries
group and `devenv sdk verify` both send and compare.

- npm: ``@scope/name`` is addressed as ``/@scope%2fname``.
- PyPI: PEP 503 name normalisation; versions compared by PEP 440.
- Go: the module proxy's case encoding (uppercase -> ``!`` + lowercase).
"""

from __future__ import annotations

import re
from urllib.parse import quote


def npm_path(package: str) -> str:
    """``@scope/name`` -> ``/@scope%2fname`` (how npm and Verdaccio address a scoped package)."""
    if package.startswith("@") and "/" in package:
        scope, name = package.split("/", 1)
        return f"/{quote(scope, safe='@')}%2f{quote(name, safe='')}"
    return "/" + quote(package, safe="")


def pypi_normalize(name: str) -> str:
    """PEP 503: runs of ``-``, ``_``, ``.`` become one ``-``, lowercase."""
    return re.sub(r"[-_.]+", "-", name).lower()


def go_escape(path: str) -> str:
    """The module proxy's case encoding: every uppercase letter becomes ``!`` + its lowercase."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def same_pypi_version(a: str, b: str) -> bool:
    """PEP 440 equality (``1.4`` == ``1.4.0``), else the literal text."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b
