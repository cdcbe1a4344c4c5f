"""What each kind of registry says it serves, read from its own protocol (pure functions, no I/O).

- npm: the package document (``GET /<name>``, ``@scope/name`` as ``@scope%2fname``), its ``versions``.
- PyPI: the simple index page of the project (PEP 503 name normalisation), HTML (PEP 503) or
  JSON (PEP 691, ``application/vnd.pypi.simple.v1+json``); versions read from file names.
- Go: ``<module>/@v/list`` with the module path escaped (uppercase -> ``!`` + lowercase).
- OCI: ``/v2/<name>/tags/list``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from devenv.deps.wire import pypi_normalize

PYPI_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
NPM_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
_ARCHIVES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar")


# Names on the wire (npm_path, pypi_normalize, go_escape) and PyPI version equality live in
# devenv.deps.wire: `devenv sdk verify` speaks the same protocols.

# -- npm --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """What a registry serves of one package: versions in the registry's order, and notes."""

    versions: tuple[str, ...]
    latest: str | None = None
    yanked: tuple[str, ...] = ()
    format: str = ""  # how it was read, for -v: "npm metadata", "PEP 691 JSON", "PEP 503 HTML", ...


def parse_npm(document: bytes | str) -> Served:
    data = json.loads(document)
    if not isinstance(data, dict):
        raise ValueError("the package document is not a JSON object")
    versions = data.get("versions") or {}
    tags = data.get("dist-tags") or {}
    abbreviated = "modified" in data and "time" not in data
    return Served(
        tuple(versions), tags.get("latest") if isinstance(tags, dict) else None, format="npm metadata (abbreviated)" if abbreviated else "npm metadata"
    )


# -- PyPI -------------------------------------------------------------------------------------------

_ANCHOR = re.compile(r"<a\s([^>]*)>(.*?)</a\s*>", re.I | re.S)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _attrs(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for match in _ATTR.finditer(text):
        value = next((g for g in match.groups()[1:] if g is not None), None)
        found[match.group(1).lower()] = html.unescape(value) if value is not None else None
    return found


def pypi_files(body: bytes | str, content_type: str) -> tuple[list[tuple[str, bool]], str]:
    """``[(filename, yanked)]`` from a project's simple page, and which format it was."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "json" in content_type.lower():
        data = json.loads(text)
        files = []
        for entry in data.get("files", []):
            yanked = entry.get("yanked", False)
            files.append((str(entry.get("filename", "")), bool(yanked)))
        return files, "PEP 691 JSON"
    files = []
    for match in _ANCHOR.finditer(text):
        attrs = _attrs(match.group(1))
        href = attrs.get("href") or ""
        name = unquote(urlsplit(href).path.rsplit("/", 1)[-1]) or html.unescape(match.group(2)).strip()
        files.append((name, "data-yanked" in attrs))
    return files, "PEP 503 HTML"


def pypi_version_of(filename: str, project: str) -> str | None:
    """The version in a wheel or sdist file name of ``project``, or None if it is not one."""
    wanted = pypi_normalize(project)
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) >= 5 and pypi_normalize(parts[0]) == wanted:
            return parts[1]
        return None
    stem = next((filename[: -len(ext)] for ext in _ARCHIVES if filename.endswith(ext)), None)
    if stem is None:
        return None
    for i, char in enumerate(stem):  # sdist names may keep dashes: split where the name matches
        if char == "-" and pypi_normalize(stem[:i]) == wanted:
            return stem[i + 1 :] or None
    return None


def parse_pypi(body: bytes | str, content_type: str, project: str) -> Served:
    files, fmt = pypi_files(body, content_type)
    versions: dict[str, bool] = {}  # version -> every file of it yanked
    for filename, yanked in files:
        version = pypi_version_of(filename, project)
        if version is None:
            continue
        versions[version] = versions.get(version, True) and yanked
    live = tuple(v for v, y in versions.items() if not y)
    return Served(live, yanked=tuple(v for v, y in versions.items() if y), format=fmt)


# -- Go ---------------------------------------------------------------------------------------------


def parse_go_list(body: bytes | str) -> Served:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return Served(tuple(line.strip() for line in text.splitlines() if line.strip()), format="@v/list")


# -- OCI --------------------------------------------------------------------------------------------


def parse_oci_tags(body: bytes | str) -> Served:
    data = json.loads(body)
    return Served(tuple(data.get("tags") or ()), format="tags/list")


def served_list(served: Served, limit: int = 6) -> str:
    """``1.3.0, 1.3.1, … (9 versions)``: the newest few, for a message."""
    versions = list(served.versions)
    if not versions:
        return "no version"
    shown = versions[-limit:]
    text = ", ".join(shown)
    if len(versions) > limit:
        text = "…, " + text + f" ({len(versions)} versions)"
    return text
