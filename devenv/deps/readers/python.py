"""Python: ``pyproject.toml`` (PEP 621, PEP 735, Poetry, uv sources), ``requirements*.txt``
and the versions ``uv.lock`` / ``poetry.lock`` resolve.

Names are PEP 503-normalised (``Ameide_SDK`` is ``ameide-sdk``); requirement strings are
parsed by ``packaging`` (PEP 508: extras, specifiers, environment markers, URLs); TOML by
``tomllib``, with positions from :mod:`devenv.deps.tomlpos`. ``requirements*.txt`` follow
pip's own file rules: ``\\`` continues a line, `` #`` starts a comment, ``-r``/``-c`` include
another file (relative to the including one), ``-e``/paths/URLs install something that is
not a registry version.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from devenv.deps import tomlpos
from devenv.deps.filenames import is_requirements
from devenv.deps.model import Dependency, Positions, ReadError

MANIFESTS = frozenset({"pyproject.toml"})
LOCKFILES = frozenset({"uv.lock", "poetry.lock"})
Opener = Callable[[str], "str | None"]  # repository-relative path -> text, or None

def normalize(name: str) -> str:
    return canonicalize_name(name)


# The parts of a PEP 508 requirement packaging has accepted: name, [extras], then "(spec)" or
# "spec" up to the marker's ";" (or "@ url"). Only locates; packaging decides validity.
_SPEC_SPAN = re.compile(
    r"[ \t]*[A-Za-z0-9._-]+(?P<after>(?:[ \t]*\[[^\]]*\])?)[ \t]*"
    r"(?:(?P<url>@[^;]*)|\([ \t]*(?P<paren>[^)]*?)[ \t]*\)|(?P<bare>[^;]*?))[ \t]*(?:;|$)"
)


def spec_span(text: str) -> tuple[int, int] | None:
    """Offsets of the version specifier inside a PEP 508 requirement ``text`` (valid already).

    ``name [extras] (spec) ; marker`` or ``name [extras] spec ; marker``; None for URL
    requirements. An empty specifier is an empty span right after the name (and extras).
    """
    match = _SPEC_SPAN.match(text)
    if match is None or match.group("url"):
        return None
    group = "paren" if match.group("paren") is not None else "bare"
    start, end = match.span(group)
    if start == end:
        after = match.end("after")
        return after, after
    return start, end


def requirement(text: str) -> tuple[Requirement, tuple[int, int] | None]:
    """A parsed PEP 508 requirement and the span of its specifier (checked by re-parsing it)."""
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise ReadError(f"not a PEP 508 requirement: {text!r} ({exc})") from None
    # The span is found structurally in a string packaging just accepted; `devenv lint --fix`
    # re-parses every file it rewrites (devenv.lint.sdk.fix.verify) before writing a byte.
    span = spec_span(text) if req.url is None else None
    return req, span


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
        raise ReadError(f"not valid TOML: {exc}", int(match.group(1)) if match else 0,
                        int(match.group(2)) if match else 0) from None


def _string_index(text: str, data: dict) -> dict[tuple, tomlpos.TomlString]:
    try:
        return {s.path: s for s in tomlpos.strings(text, data)}
    except tomlpos.TomlPositionError:
        return {}  # positions unknown: findings point at line 1 and --fix leaves the file alone


def read_pyproject(path: str, text: str) -> list[Dependency]:
    data = _toml(text)
    project, tool = _table(data, "project"), _table(data, "tool")
    poetry, groups = _table(tool, "poetry"), _table(data, "dependency-groups")
    uv_sources = (tool.get("uv") or {}).get("sources") if isinstance(tool.get("uv"), dict) else None
    if not (project.get("dependencies") or project.get("optional-dependencies") or poetry or groups or uv_sources):
        return []
    strings = _string_index(text, data)
    where = Positions(text)
    out: list[Dependency] = []

    def pep508(item_path: tuple, value: object, section: str) -> None:
        if not isinstance(value, str):
            return
        req, inner = requirement(value)
        token = strings.get(item_path)
        span: tuple[int, int] | None = None
        line, col = (1, 1)
        if token is not None:
            start, _ = token.content_span
            if token.verbatim and inner is not None:
                span = (start + inner[0], start + inner[1])
                line, col = where(span[0])
            else:
                line, col = where(token.start)
        out.append(Dependency(
            "python", normalize(req.name), str(req.specifier) if span is None or inner is None else value[inner[0]:inner[1]],
            path, line, col, "pep440", "declared", section, span, col + (span[1] - span[0]) if span else 0,
            written_name=req.name, marker=str(req.marker or ""), local=req.url or "",
        ))

    for i, value in enumerate(project.get("dependencies") or []):
        pep508(("project", "dependencies", i), value, "project.dependencies")
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, values in optional.items():
            for i, value in enumerate(values if isinstance(values, list) else []):
                pep508(("project", "optional-dependencies", extra, i), value, f"project.optional-dependencies.{extra}")
    for group, values in groups.items():
        for i, value in enumerate(values if isinstance(values, list) else []):
            pep508(("dependency-groups", group, i), value, f"dependency-groups.{group}")

    def poetry_table(table: object, prefix: tuple, section: str) -> None:
        if not isinstance(table, dict):
            return
        for written, value in table.items():
            if normalize(written) == "python":
                continue
            entries = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, entry in entries:
                base = prefix + (written,) + ((index,) if index is not None else ())
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
                    continue
                token = strings.get(token_path)
                span = None
                line, col = 1, 1
                if token is not None:
                    if token.verbatim and not local:
                        span = token.content_span
                        line, col = where(span[0])
                    else:
                        line, col = where(token.start)
                marker = entry.get("markers", "") if isinstance(entry, dict) and isinstance(entry.get("markers"), str) else ""
                out.append(Dependency(
                    "python", normalize(written), spec, path, line, col, "poetry", "declared", section, span,
                    col + (span[1] - span[0]) if span else 0, written_name=written, marker=marker, local=local,
                ))

    if poetry:
        poetry_table(poetry.get("dependencies"), ("tool", "poetry", "dependencies"), "tool.poetry.dependencies")
        poetry_table(poetry.get("dev-dependencies"), ("tool", "poetry", "dev-dependencies"), "tool.poetry.dev-dependencies")
        for group, body in (poetry.get("group") or {}).items() if isinstance(poetry.get("group"), dict) else ():
            if isinstance(body, dict):
                poetry_table(body.get("dependencies"), ("tool", "poetry", "group", group, "dependencies"),
                             f"tool.poetry.group.{group}.dependencies")
    if isinstance(uv_sources, dict):
        for written, source in uv_sources.items():
            if not isinstance(source, dict):
                continue
            kind = next((k for k in ("path", "git", "url", "workspace") if k in source), None)
            if kind is None:
                continue  # an index pin: still the registry's version
            token = strings.get(("tool", "uv", "sources", written, kind))
            line, col = where(token.start) if token else (1, 1)
            target = str(source[kind]) if kind != "workspace" else "the uv workspace"
            out.append(Dependency(
                "python", normalize(written), "", path, line, col, "pep440", "replaced", "tool.uv.sources",
                written_name=written, local=f"{kind} {target}" if kind != "path" else target,
            ))
    return out


# -- requirements files ---------------------------------------------------------------------------

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's COMMENT_RE
_OPTIONS_AFTER = re.compile(r"\s+--?[a-z]")  # per-requirement options: --hash=…, --config-settings …
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def _logical_lines(text: str) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """pip's join_lines + ignore_comments, keeping where each character came from.

    Each item: (offset of the line's first character, joined text, [(offset in joined text,
    offset in file)] segment starts) so a column in the joined line maps back to the file.
    """
    out = []
    pieces: list[str] = []
    segments: list[tuple[int, int]] = []
    offset = 0
    start = 0
    length = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if not pieces:
            start = offset
        comment = _COMMENT.match(body) is not None
        if body.endswith("\\") and not comment:
            segments.append((length, offset))
            pieces.append(body[:-1])
            length += len(body) - 1
        else:
            if comment and pieces:
                body = ""  # a comment line ends the continuation and is dropped (pip's join_lines)
            segments.append((length, offset))
            pieces.append(body)
            joined = "".join(pieces)
            out.append((start, _COMMENT.sub("", joined), segments))
            pieces, segments, length = [], [], 0
        offset += len(raw)
    if pieces:
        out.append((start, _COMMENT.sub("", "".join(pieces)), segments))
    return out


def _file_offset(segments: list[tuple[int, int]], column: int) -> int:
    base = segments[0]
    for seg in segments:
        if seg[0] <= column:
            base = seg
    return base[1] + (column - base[0])


def read_requirements(path: str, text: str, opener: Opener | None = None, *, kind: str = "declared",
                      seen: set[str] | None = None, chain: str = "") -> list[Dependency]:
    seen = seen if seen is not None else set()
    seen.add(path)
    where = Positions(text)
    out: list[Dependency] = []
    folder = path.rpartition("/")[0]
    for _, line, segments in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        first_offset = _file_offset(segments, lead)
        if stripped.startswith("-"):
            option, _, rest = stripped.partition(" ")
            if "=" in option and option.startswith("--"):
                option, _, rest = stripped.partition("=")
            elif option[:2] in ("-r", "-c", "-e") and len(option) > 2:
                option, rest = option[:2], stripped[2:]
            value = rest.strip()
            if option in ("-r", "--requirement", "-c", "--constraint"):
                target = posixpath.normpath(posixpath.join(folder, value)) if folder else posixpath.normpath(value)
                if target in seen or opener is None:
                    continue
                included = opener(target)
                if included is None:
                    line_no, col = where(first_offset)
                    raise ReadError(f"{option} {value}: cannot read {target}", line_no, col)
                sub_kind = "constraint" if option in ("-c", "--constraint") else kind
                note = f"{'constraint' if sub_kind == 'constraint' else 'included'} via {path}"
                out.extend(read_requirements(target, included, opener, kind=sub_kind, seen=seen,
                                             chain=(chain + " <- " if chain else "") + note))
            elif option in ("-e", "--editable"):
                line_no, col = where(first_offset)
                name = _egg(value)
                out.append(Dependency("python", normalize(name) if name else "", "", path, line_no, col, "pep440",
                                      kind, "editable", written_name=name, local=value, note=chain))
            continue
        # a requirement, possibly followed by per-requirement options (--hash=…)
        requirement_text = _OPTIONS_AFTER.split(line, maxsplit=1)[0]
        body = requirement_text.strip()
        if body.startswith((".", "/")) or _URL.match(body):
            line_no, col = where(first_offset)
            name = _egg(body)
            out.append(Dependency("python", normalize(name) if name else "", "", path, line_no, col, "pep440", kind,
                                  "path", written_name=name, local=body, note=chain))
            continue
        try:
            req, inner = requirement(body)
        except ReadError as exc:
            line_no, col = where(first_offset)
            raise ReadError(exc.message, line_no, col) from None
        span = None
        if inner is not None:
            start = _file_offset(segments, lead + inner[0])
            end = _file_offset(segments, lead + inner[1])
            if text[start:end] == body[inner[0]:inner[1]]:
                span = (start, end)
        anchor = span[0] if span else first_offset
        line_no, col = where(anchor)
        out.append(Dependency(
            "python", normalize(req.name), body[inner[0]:inner[1]] if inner else str(req.specifier), path, line_no, col,
            "pep440", kind, "requirements", span, col + (span[1] - span[0]) if span else 0,
            written_name=req.name, marker=str(req.marker or ""), local=req.url or "", note=chain,
        ))
    return out


def _egg(value: str) -> str:
    match = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", value)
    return match.group(1) if match else ""


# -- lockfiles ------------------------------------------------------------------------------------

def read_lock(path: str, text: str) -> list[Dependency]:
    data = _toml(text)
    packages = data.get("package")
    if not isinstance(packages, list):
        return []
    strings = _lock_versions(text, packages)
    if strings is None:
        strings = _string_index(text, data)
    where = Positions(text)
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
        token = strings.get(("package", i, "version")) or strings.get(("package", i, "name"))
        line, col = where(token.content_span[0]) if token else (1, 1)
        out.append(Dependency("python", normalize(entry["name"]), version, path, line, col, "pep440", "locked",
                              "lockfile", written_name=entry["name"], local=local))
    return out


def _lock_versions(text: str, packages: list) -> dict[tuple, tomlpos.TomlString] | None:
    """The fast path for generated lockfiles: ``version = "…"`` right under each ``[[package]]``,
    found line by line and accepted only if every one is exactly the value ``tomllib`` read for
    that entry (else None, and the full scanner runs)."""
    if '"""' in text or "\'\'\'" in text:
        return None
    out: dict[tuple, tomlpos.TomlString] = {}
    index = -1
    in_package = False
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == "[[package]]"
            index += in_package
        elif in_package and stripped.startswith("version"):
            key, sep, rest = stripped.partition("=")
            value = rest.strip()
            if key.strip() == "version" and sep and value[:1] == '"' and value[-1:] == '"' and "\\" not in value:
                start = offset + line.index(value)
                out[("package", index, "version")] = tomlpos.TomlString(("package", index, "version"), start, start + len(value), value, '"')
        offset += len(line) + 1
    if index + 1 != len(packages):
        return None
    for (_, i, _), token in out.items():
        if not isinstance(packages[i], dict) or packages[i].get("version") != token.raw[1:-1]:
            return None
    if sum(1 for p in packages if isinstance(p, dict) and isinstance(p.get("version"), str)) != len(out):
        return None
    return out


def read(path: str, text: str, opener: Opener | None = None) -> list[Dependency]:
    name = path.rpartition("/")[2]
    if name == "pyproject.toml":
        return read_pyproject(path, text)
    if name in LOCKFILES:
        return read_lock(path, text)
    if is_requirements(path):
        return read_requirements(path, text, opener)
    return []
