"""``sdk-registry-config``: a service that depends on a Buf SDK can fetch it from the BSR.

- npm: an ``.npmrc`` npm or pnpm reads for the package (its folder, then each parent up to the
  repository root) maps ``@buf:registry`` to the BSR npm endpoint; otherwise ``@buf/…``
  installs from the public registry and gets a 404.
- Python: an index serves the wheel: ``--index-url``/``--extra-index-url`` in the requirements
  file or one it includes (or that includes it), ``[[tool.uv.index]]`` or a Poetry source in
  ``pyproject.toml``, a ``pip.conf``/``uv.toml`` in the service's folder, or
  ``PIP_*INDEX_URL``/``UV_*INDEX_URL``/``UV_INDEX`` set in the service's Dockerfile.

URLs compare without credentials (``https://${BUF_USER}:${BUF_TOKEN}@buf.build/gen/python``
is the endpoint) and without a trailing slash.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable

from devenv.deps.model import Dependency
from devenv.errors import Location
from devenv.lint.model import Finding
from devenv.lint.sdk.ruleinfo import SDK_REGISTRY_CONFIG

Reader = Callable[[str], "str | None"]
_NPMRC_BUF = re.compile(r"^\s*@buf:registry\s*=\s*(\S+)", re.M)
_REQ_INDEX = re.compile(r"^\s*(?:--index-url|--extra-index-url|-i)(?:\s+|\s*=\s*)(\S+)", re.M)
_REQ_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s+|\s*=\s*)(\S+)", re.M)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'\]]+")
_DOCKER_INDEX = re.compile(
    r"\b(?:PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|UV_INDEX_URL|UV_EXTRA_INDEX_URL|UV_DEFAULT_INDEX|UV_INDEX)\b"
    r"\s*[= ]\s*\"?([^\s\"]+)"
)


def same_url(a: str, b: str) -> bool:
    return _canonical(a) == _canonical(b)


@functools.lru_cache(maxsize=1024)
def _canonical(url: str) -> str:
    url = url.strip().strip("\"'")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.rstrip("/")
    host, slash, path = rest.partition("/")
    host = host.rsplit("@", 1)[-1].lower()
    return f"{scheme.lower()}://{host}{slash}{path}".rstrip("/")


def _parents(folder: str):
    while True:
        yield folder
        if folder in (".", ""):
            return
        folder = posixpath.dirname(folder) or "."


def _join(folder: str, name: str) -> str:
    return name if folder in (".", "") else f"{folder}/{name}"


class RegistryConfig:
    def __init__(self, read: Reader):
        self.read = read

    def finding(self, dep: Dependency, message: str, fix: str) -> Finding:
        return Finding(Location(dep.file, dep.line, dep.col), SDK_REGISTRY_CONFIG, message, fix, end_col=dep.end_col)

    def check(self, dep: Dependency, url: str, service_dir: str, dockerfile: str | None) -> Finding | None:
        if dep.ecosystem == "npm":
            return self._npm(dep, url)
        if dep.ecosystem == "python":
            return self._python(dep, url, service_dir, dockerfile)
        return None

    # -- npm ---------------------------------------------------------------------------------------
    def _npm(self, dep: Dependency, url: str) -> Finding | None:
        folder = posixpath.dirname(dep.file) or "."
        other = None
        for parent in _parents(folder):
            path = _join(parent, ".npmrc")
            text = self.read(path)
            if text is None:
                continue
            mapped = _NPMRC_BUF.findall(text)
            if any(same_url(m, url) for m in mapped):
                return None
            if mapped and other is None:
                other = (path, mapped[-1])
        name = dep.written_name or dep.name
        if other:
            message = f"{name} is a Buf SDK, but {other[0]} maps @buf:registry to {other[1]}, not the BSR's {url}"
            fix = f"in {other[0]}, write `@buf:registry={url}`"
        else:
            message = (
                f"{name} is a Buf SDK, but no .npmrc from {folder} up to the repository root maps @buf:registry: "
                "npm would fetch it from the public registry and get a 404"
            )
            fix = f"add `@buf:registry={url}` to {_join(folder, '.npmrc')}"
        return self.finding(dep, message, fix)

    # -- Python ------------------------------------------------------------------------------------
    def _python(self, dep: Dependency, url: str, service_dir: str, dockerfile: str | None) -> Finding | None:
        folder = posixpath.dirname(dep.file) or "."
        if any(same_url(u, url) for u in self._python_urls(dep, folder, service_dir, dockerfile)):
            return None
        name = dep.written_name or dep.name
        if dep.file.endswith(".toml"):
            fix = (
                f'add to {dep.file}: [[tool.uv.index]] name = "buf" url = "{url}" '
                f'(Poetry: [[tool.poetry.source]] name = "buf" url = "{url}" priority = "supplemental")'
            )
        else:
            fix = f"add `--extra-index-url {url}` as the first line of {dep.file}"
        return self.finding(dep, f"{name} is a Buf SDK, but no index the service's install reads serves it (the BSR's {url})", fix)

    def _python_urls(self, dep: Dependency, folder: str, service_dir: str, dockerfile: str | None) -> Iterable[str]:
        if not dep.file.endswith(".toml"):
            yield from self._requirements_urls(dep)
        pyproject = self.read(_join(folder, "pyproject.toml"))
        if pyproject:
            yield from _pyproject_urls(pyproject)
        for place in dict.fromkeys((service_dir, folder)):
            for name in ("pip.conf", "uv.toml"):
                text = self.read(_join(place, name))
                if text:
                    yield from _URL.findall(text) if name == "uv.toml" else _pip_conf_urls(text)
        if dockerfile:
            text = self.read(dockerfile)
            if text:
                yield from (m.group(1) for m in _DOCKER_INDEX.finditer(text))

    def _requirements_urls(self, dep: Dependency) -> Iterable[str]:
        """Index options in the dependency's file, the files that include it, and all they include."""
        files = [dep.file] + re.findall(r"via (\S+)", dep.note or "")
        seen: set[str] = set()
        while files:
            path = posixpath.normpath(files.pop())
            if path in seen or len(seen) > 32:
                continue
            seen.add(path)
            text = self.read(path)
            if text is None:
                continue
            yield from _REQ_INDEX.findall(text)
            base = posixpath.dirname(path)
            files.extend(posixpath.join(base, inc) for inc in _REQ_INCLUDE.findall(text))


_INDEX_TABLE = re.compile(r"^\[\[\s*tool\.(?:uv\.index|poetry\.source)\s*\]\]\s*$(.*?)(?=^\s*\[|\Z)", re.M | re.S)
_URL_KEY = re.compile(r"^\s*url\s*=\s*[\"']([^\"']+)[\"']", re.M)


def _pyproject_urls(text: str) -> list[str]:
    """The index URLs of ``[[tool.uv.index]]`` and ``[[tool.poetry.source]]`` tables: read from the
    table text when they are written the usual way, else from tomllib (dotted keys, inline tables)."""
    if "index" not in text and "source" not in text:
        return []
    found = [url for table in _INDEX_TABLE.findall(text) for url in _URL_KEY.findall(table)]
    return found or _pyproject_urls_parsed(text)


def _pyproject_urls_parsed(text: str) -> list[str]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except ValueError:
        return []
    tool_table = data.get("tool")
    tool: dict = tool_table if isinstance(tool_table, dict) else {}
    entries = list(((tool.get("uv") or {}).get("index") or [])) + list(((tool.get("poetry") or {}).get("source") or []))
    return [str(e.get("url")) for e in entries if isinstance(e, dict) and e.get("url")]


def _pip_conf_urls(text: str) -> list[str]:
    """``index-url``/``extra-index-url`` of any section (pip reads [global], [install], …), multi-line values too."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    return [url for section in parser.sections() for key in ("index-url", "extra-index-url") for url in _URL.findall(parser.get(section, key, fallback=""))]
