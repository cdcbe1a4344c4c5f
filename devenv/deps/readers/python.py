"""Python: ``pyproject.toml`` (PEP 621, PEP 735, Poetry, uv sources), ``requirements*.txt``
and the versions ``uv.lock`` / ``poetry.lock`` resolve.

Names are PEP 503-normalised (``Ameide_SDK`` is ``ameide-sdk``); requirement strings are
parsed by ``packaging`` (PEP 508: extras, specifiers, environment markers, URLs); TOML by
``tomllib``, with positions from :mod:`devenv.deps.tomlpos`. ``requirements*.txt`` are read by
:mod:`devenv.deps.readers.requirements`, PEP 508 strings by :mod:`devenv.deps.readers.pep508`.
"""

from __future__ import annotations

import re
import tomllib

from devenv.deps import tomlpos
from devenv.deps.filenames import is_requirements
from devenv.deps.model import Dependency, Positions, ReadError, Wanted
from devenv.deps.readers.pep508 import Opener, normalize, requirement, spec_span, specifier_span
from devenv.deps.readers.requirements import read_requirements

__all__ = [
    "LOCKFILES",
    "MANIFESTS",
    "Opener",
    "normalize",
    "read",
    "read_lock",
    "read_pyproject",
    "read_requirements",
    "requirement",
    "spec_span",
    "specifier_span",
]

MANIFESTS = frozenset({"pyproject.toml"})
LOCKFILES = frozenset({"uv.lock", "poetry.lock"})

# -- pyproject.toml -------------------------------------------------------------------------------


def _table(parent: dict, key: str) -> dict:
    """``parent[key]`` when it is a table, else an empty one."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        raise ReadError(f"not valid TOML: {exc}", int(match.group(1)) if match else 0, int(match.group(2)) if match else 0) from None


def _lookup(data: dict, path: tuple) -> object:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def _string_index(text: str, data: dict) -> dict[tuple, tomlpos.TomlString]:
    try:
        return {s.path: s for s in tomlpos.strings(text, data)}
    except tomlpos.TomlPositionError:
        return {}  # positions unknown: findings point at line 1 and --fix leaves the file alone


def read_pyproject(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    data = _toml(text)
    project, tool = _table(data, "project"), _table(data, "tool")
    poetry, groups = _table(tool, "poetry"), _table(data, "dependency-groups")
    uv_sources = (tool.get("uv") or {}).get("sources") if isinstance(tool.get("uv"), dict) else None
    if not (project.get("dependencies") or project.get("optional-dependencies") or poetry or groups or uv_sources):
        return []
    reader = _Pyproject(path, text, data, wanted)
    for i, value in enumerate(project.get("dependencies") or []):
        reader.pep508(("project", "dependencies", i), value, "project.dependencies")
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, values in optional.items():
            for i, value in enumerate(values if isinstance(values, list) else []):
                reader.pep508(("project", "optional-dependencies", extra, i), value, f"project.optional-dependencies.{extra}")
    for group, values in groups.items():
        for i, value in enumerate(values if isinstance(values, list) else []):
            reader.pep508(("dependency-groups", group, i), value, f"dependency-groups.{group}")
    if poetry:
        reader.poetry_table(poetry.get("dependencies"), ("tool", "poetry", "dependencies"), "tool.poetry.dependencies")
        reader.poetry_table(poetry.get("dev-dependencies"), ("tool", "poetry", "dev-dependencies"), "tool.poetry.dev-dependencies")
        for group, body in (poetry.get("group") or {}).items() if isinstance(poetry.get("group"), dict) else ():
            if isinstance(body, dict):
                reader.poetry_table(body.get("dependencies"), ("tool", "poetry", "group", group, "dependencies"), f"tool.poetry.group.{group}.dependencies")
    if isinstance(uv_sources, dict):
        reader.uv_sources(uv_sources)
    return reader.out


class _Pyproject:
    """The dependencies of one pyproject.toml, each with the position of its version text."""

    def __init__(self, path: str, text: str, data: dict, wanted: Wanted):
        self.path, self.text, self.data, self.wanted = path, text, data, wanted
        self._strings: dict[tuple, tomlpos.TomlString] | None = None
        self._fast: dict[tuple, dict[tuple, tomlpos.TomlString] | None] = {}
        self._where: Positions | None = None
        self.out: list[Dependency] = []

    # Positions are found on the first dependency that is kept: a file without one is only parsed.
    @property
    def strings(self) -> dict[tuple, tomlpos.TomlString]:
        if self._strings is None:
            self._strings = _string_index(self.text, self.data)
        return self._strings

    def token(self, path: tuple) -> tomlpos.TomlString | None:
        """The string at ``path``: [project] dependencies and uv sources by tomlpos's fast path
        when it applies (only that value is scanned), else from the whole document's scan."""
        if self._strings is None:
            split = 2 if path[:2] == ("project", "dependencies") else 4 if path[:3] == ("tool", "uv", "sources") else 0
            if split and len(path) > split:
                table, key = path[: split - 1], path[split - 1]
                if (table, key) not in self._fast:
                    value = _lookup(self.data, (*table, key))
                    self._fast[(table, key)] = tomlpos.value_strings(self.text, table, str(key), value)
                found = self._fast[(table, key)]
                if found is not None:
                    return found.get(path)
        return self.strings.get(path)

    def where(self, offset: int) -> tuple[int, int]:
        if self._where is None:
            self._where = Positions(self.text)
        return self._where(offset)

    def skip(self, name: str, local: str) -> bool:
        return self.wanted is not None and not local and not self.wanted(normalize(name))

    def pep508(self, item_path: tuple, value: object, section: str) -> None:
        """A PEP 508 string of [project] or [dependency-groups]."""
        if not isinstance(value, str):
            return
        req = requirement(value)
        if self.skip(req.name, req.url or ""):
            return
        inner = specifier_span(req, value)
        token = self.token(item_path)
        span: tuple[int, int] | None = None
        line, col = (1, 1)
        if token is not None:
            start, _ = token.content_span
            if token.verbatim and inner is not None:
                span = (start + inner[0], start + inner[1])
                line, col = self.where(span[0])
            else:
                line, col = self.where(token.start)
        self.out.append(
            Dependency(
                "python",
                normalize(req.name),
                str(req.specifier) if span is None or inner is None else value[inner[0] : inner[1]],
                self.path,
                line,
                col,
                "pep440",
                "declared",
                section,
                span,
                col + (span[1] - span[0]) if span else 0,
                written_name=req.name,
                marker=str(req.marker or ""),
                local=req.url or "",
            )
        )

    def poetry_table(self, table: object, prefix: tuple, section: str) -> None:
        """A Poetry dependency table: ``name = "^1.4"``, ``{version, markers}``, ``{path|git|url}``, or a list of those."""
        if not isinstance(table, dict):
            return
        for written, value in table.items():
            if normalize(written) == "python":
                continue
            entries = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, entry in entries:
                base = prefix + (written,) + ((index,) if index is not None else ())
                self._poetry_entry(written, base, entry, section)

    def _poetry_entry(self, written: str, base: tuple, entry: object, section: str) -> None:
        if isinstance(entry, str):
            spec, token_path, local = entry, base, ""
        elif isinstance(entry, dict):
            spec = entry.get("version", "") if isinstance(entry.get("version", ""), str) else ""
            token_path = base + ("version",)
            local = next((f"{k} {entry[k]}" for k in ("path", "git", "url") if isinstance(entry.get(k), str)), "")
            if local:
                spec = ""
                token_path = base + (next(k for k in ("path", "git", "url") if isinstance(entry.get(k), str)),)
        else:
            return
        if self.skip(written, local):
            return
        token = self.strings.get(token_path)
        span = None
        line, col = 1, 1
        if token is not None:
            if token.verbatim and not local:
                span = token.content_span
                line, col = self.where(span[0])
            else:
                line, col = self.where(token.start)
        marker = entry.get("markers", "") if isinstance(entry, dict) and isinstance(entry.get("markers"), str) else ""
        self.out.append(
            Dependency(
                "python",
                normalize(written),
                spec,
                self.path,
                line,
                col,
                "poetry",
                "declared",
                section,
                span,
                col + (span[1] - span[0]) if span else 0,
                written_name=written,
                marker=marker,
                local=local,
            )
        )

    def uv_sources(self, sources: dict) -> None:
        """``[tool.uv.sources]`` entries that replace the registry's version with a local copy."""
        for written, source in sources.items():
            if not isinstance(source, dict):
                continue
            kind = next((k for k in ("path", "git", "url", "workspace") if k in source), None)
            if kind is None:
                continue  # an index pin: still the registry's version
            token = self.token(("tool", "uv", "sources", written, kind))
            line, col = self.where(token.start) if token else (1, 1)
            target = str(source[kind]) if kind != "workspace" else "the uv workspace"
            self.out.append(
                Dependency(
                    "python",
                    normalize(written),
                    "",
                    self.path,
                    line,
                    col,
                    "pep440",
                    "replaced",
                    "tool.uv.sources",
                    written_name=written,
                    local=f"{kind} {target}" if kind != "path" else target,
                )
            )


# -- lockfiles ------------------------------------------------------------------------------------


def read_lock(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    data = _toml(text)
    packages = data.get("package")
    if not isinstance(packages, list):
        return []
    strings: dict[tuple, tomlpos.TomlString] | None = None
    where: Positions | None = None
    out = []
    for i, entry in enumerate(packages):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        version = entry["version"] if isinstance(entry.get("version"), str) else ""
        source = _table(entry, "source")
        local = ""
        for key in ("editable", "path", "directory", "virtual", "git"):
            if isinstance(source.get(key), str):
                local = f"{key} {source[key]}"
        if source.get("type") in ("directory", "file", "git") and isinstance(source.get("url"), str):
            local = f"{source['type']} {source['url']}"
        if wanted is not None and not local and not wanted(normalize(entry["name"])):
            continue  # positions only for the dependencies the caller judges
        if strings is None or where is None:
            strings = tomlpos.package_versions(text, packages)
            if strings is None:
                strings = _string_index(text, data)
            where = Positions(text)
        token = strings.get(("package", i, "version")) or strings.get(("package", i, "name"))
        line, col = where(token.content_span[0]) if token else (1, 1)
        out.append(
            Dependency("python", normalize(entry["name"]), version, path, line, col, "pep440", "locked", "lockfile", written_name=entry["name"], local=local)
        )
    return out


def read(path: str, text: str, opener: Opener | None = None, wanted: Wanted = None) -> list[Dependency]:
    name = path.rpartition("/")[2]
    if name == "pyproject.toml":
        return read_pyproject(path, text, wanted)
    if name in LOCKFILES:
        return read_lock(path, text, wanted)
    if is_requirements(path):
        return read_requirements(path, text, opener, wanted=wanted)
    return []
