"""npm: ``package.json`` dependencies and the version a lockfile resolves.

- ``package.json``: ``dependencies``, ``devDependencies``, ``peerDependencies`` and
  ``optionalDependencies``; ``"x": "npm:@scope/real@^1.4.0"`` aliases depend on ``@scope/real``
  (and ``"@scope/real": "npm:other@1"`` on ``other``); ``workspace:``/``file:``/``link:`` specs
  are kept as written (they name no registry version). Values come from ``json``; positions
  from json's own scanners (:func:`members`), walking only the levels that hold dependencies.
- ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfile v1 ``dependencies``, v2/v3
  ``packages``) and ``pnpm-lock.yaml`` (v5 top-level ``dependencies``, v6+ ``importers``):
  the version installed for each direct dependency, with the YAML parser's own marks.
"""

from __future__ import annotations

import dataclasses
import json

from devenv.deps.jsonpos.members import WS as _WS
from devenv.deps.jsonpos.members import members
from devenv.deps.model import Dependency, Positions, ReadError, Wanted

SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
MANIFESTS = frozenset({"package.json"})
LOCKFILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml"})


def split_spec(text: str) -> tuple[str, str, int]:
    """``@scope/name@^1`` -> (``@scope/name``, ``^1``, offset of ``^1``); no ``@range`` -> ("", -1)."""
    at = text.find("@", 1)
    if at < 0:
        return text, "", -1
    return text[:at], text[at + 1 :], at + 1


def _json(text: str, path: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        col = getattr(exc, "colno", 0)
        raise ReadError(f"not valid JSON: {getattr(exc, 'msg', exc)}", line, col) from None


def read_package_json(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    data = _json(text, path)
    if not isinstance(data, dict):
        raise ReadError("package.json is not a JSON object", 1, 1)
    if not any(isinstance(data.get(s), dict) and data[s] for s in SECTIONS):
        return []
    top: dict[str, tuple[int, int, int]] | None = None
    where: Positions | None = None
    out: list[Dependency] = []
    for section in SECTIONS:
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        tokens: dict[str, tuple[int, int, int]] | None = None
        for written, value in deps.items():
            if not isinstance(value, str):
                continue
            name, spec, offset, note = written, value, 0, ""
            if value.startswith("npm:"):
                name, spec, at = split_spec(value[4:])
                offset = 4 + at if at >= 0 else len(value)
                note = f"alias '{written}' of {name}"
            if wanted is not None and not wanted(name):
                continue  # positions only for the dependencies the caller judges
            if tokens is None:  # the first wanted one of this section: walk to its members
                if top is None:
                    top = members(text, _WS.match(text).end()) or {}  # type: ignore[union-attr]  # `*` always matches
                    where = Positions(text)
                tokens = members(text, top[section][1]) or {}
            assert where is not None
            key_start, start, end = tokens[written]
            span = None
            begin = start
            if text[start + 1 : end - 1] == value:  # no escapes: the text between the quotes is the value
                begin = start + 1 + offset
                span = (begin, begin + len(spec))
            line, col = where(begin)
            end_col = col + len(spec) if span else 0
            out.append(Dependency("npm", name, spec, path, line, col, "npm", "declared", section, span, end_col, written_name=written, note=note))
    return out


# -- lockfiles ------------------------------------------------------------------------------------


def read_package_lock(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    data = _json(text, path)
    if not isinstance(data, dict):
        raise ReadError(f"{path.rpartition('/')[2]} is not a JSON object", 1, 1)
    where = Positions(text)
    out: list[Dependency] = []
    top = members(text, _WS.match(text).end()) or {}  # type: ignore[union-attr]  # a `*` pattern always matches

    sections: dict[str, dict] = {}

    def value_offset(section: str, key: str, field: str) -> int | None:
        if section not in sections:
            sections[section] = members(text, top[section][1]) or {}
        entries = sections[section]
        entry = members(text, entries[key][1]) if key in entries else None
        return entry[field][1] if entry and field in entry else None

    def add(written: str, version: str, token_path: tuple, local: str = "", real: str = "") -> None:
        name, note = written, ""
        if version.startswith("npm:"):
            name, version, _ = split_spec(version[4:])
            note = f"alias '{written}' of {name}"
        if wanted is not None and not local and not wanted(name) and not (real and wanted(real)):
            return
        offset = value_offset(*token_path)
        line, col = where(offset + 1) if offset is not None else (1, 1)
        out.append(Dependency("npm", name, version, path, line, col, "npm", "locked", "lockfile", written_name=written, local=local, note=note))

    packages = data.get("packages")
    if isinstance(packages, dict):
        for key, entry in packages.items():
            if not isinstance(key, str) or not key.startswith("node_modules/") or not isinstance(entry, dict):
                continue
            installed = key[len("node_modules/") :]
            if "/node_modules/" in installed:
                continue  # a nested copy under another package: not this project's direct dependency
            written = installed
            real = entry["name"] if isinstance(entry.get("name"), str) else installed
            if entry.get("link"):
                add(real, "", ("packages", key, "resolved"), local=str(entry.get("resolved", "")))
                continue
            version = entry.get("version")
            if isinstance(version, str):
                before = len(out)
                add(written, version, ("packages", key, "version"), real=real)
                if real != written and len(out) > before:
                    out[-1] = dataclasses.replace(out[-1], name=real, written_name=written, note=f"alias '{written}' of {real}")
        return out
    legacy = data.get("dependencies")
    if isinstance(legacy, dict):
        for written, entry in legacy.items():
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                add(written, entry["version"], ("dependencies", written, "version"))
    return out


def _pnpm_version(raw: str) -> tuple[str, str, str]:
    """(package if aliased, version, local target) of a pnpm lockfile version string."""
    text = raw.split("(", 1)[0]  # v6+: 1.4.0(react@18.2.0)
    if text.startswith(("link:", "file:", "workspace:")):
        return "", "", text
    if text.startswith("npm:"):
        name, version, _ = split_spec(text[4:])
        return name, version.split("_", 1)[0], ""
    if not text[:1].isdigit() and "@" in text[1:]:  # v9 alias: '@scope/real@1.4.0' (v5: 1.3.9_react@18.2.0)
        name, version, _ = split_spec(text)
        return name, version, ""
    return "", text.split("_", 1)[0], ""  # v5: 1.4.0_peerhash


def _value_of(node, key: str):
    """The value of ``key`` in a YAML mapping node (the last, as in a dict), without building one."""
    import yaml

    found = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found = v
    return found


def read_pnpm_lock(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReadError(f"not valid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else 0, mark.column + 1 if mark else 0) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        return []
    out: list[Dependency] = []

    def mapping(node) -> dict:
        if not isinstance(node, yaml.MappingNode):
            return {}
        return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}

    def from_sections(importer: dict, where: str) -> None:
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            for written, node in mapping(importer.get(section)).items():
                version_node = _value_of(node, "version") if isinstance(node, yaml.MappingNode) else node
                if not isinstance(version_node, yaml.ScalarNode):
                    continue
                alias, version, local = _pnpm_version(str(version_node.value))
                name = alias or written
                if wanted is not None and not local and not wanted(name):
                    continue
                mark = version_node.start_mark
                out.append(
                    Dependency(
                        "npm",
                        name,
                        version,
                        path,
                        mark.line + 1,
                        mark.column + 1,
                        "npm",
                        "locked",
                        f"{where}{section}",
                        written_name=written,
                        local=local,
                        note=f"alias '{written}' of {name}" if alias else "",
                    )
                )

    top = mapping(root)
    importers = mapping(top.get("importers"))
    if importers:
        for key, node in importers.items():
            from_sections(mapping(node), "" if key == "." else f"importers.{key}.")
    else:
        from_sections(top, "")
    return out


def read(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    name = path.rpartition("/")[2]
    if name == "package.json":
        return read_package_json(path, text, wanted)
    if name == "pnpm-lock.yaml":
        return read_pnpm_lock(path, text, wanted)
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return read_package_lock(path, text, wanted)
    return []
