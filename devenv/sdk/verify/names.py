"""Package names and versions as each registry spells them (the same rules as doctor's registries
group; kept here so this layer does not reach into doctor)."""

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


def go_version(version: str) -> str:
    return version if version.startswith("v") else "v" + version


def same_version(a: str, b: str) -> bool:
    """PEP 440 equality (``1.4`` == ``1.4.0``), else the literal text."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b
