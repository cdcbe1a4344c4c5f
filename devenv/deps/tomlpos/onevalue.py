"""The fast path of :func:`devenv.deps.tomlpos.strings`: the strings of one value, found by its
table and key, without scanning the rest of the document (a service's pyproject.toml is read for
its PEP 621 dependencies and uv sources; scanning the whole file cost as much as tomllib's parse)."""

from __future__ import annotations

import functools
import re

from devenv.deps.tomlpos.scanner import BARE_KEY, HEADER, Path, Scanner, TomlPositionError, TomlString


def value_strings(text: str, table: tuple[str, ...], key: str, value: object) -> dict[Path, TomlString] | None:
    """The fast path for the usual ``[a.b]`` … ``key = [ "…", … ]`` or ``key = { … }`` (a PEP 621
    dependency list, a uv source): only that value is scanned, and only when it can be found for
    certain: bare names, no multi-line string (so a line that starts ``[`` is a header or a nested
    array, and ``key =`` at a line start in the table's body is that table's key, TOML allowing no
    duplicate), and its strings are exactly those of ``value``, what ``tomllib`` read there, each
    written verbatim. Else None, and :func:`strings` scans the document."""
    if '"""' in text or "'''" in text or not all(BARE_KEY.fullmatch(part) for part in (*table, key)):
        return None
    header_pattern, key_pattern = _patterns(table, key)
    header = header_pattern.search(text)
    if header is None:
        return None
    following = HEADER.search(text, header.end())
    found = key_pattern.search(text, header.end(), following.start() if following else len(text))
    if found is None:
        return None
    scanner = Scanner(text)
    scanner.i = found.end()
    path = (*table, key)
    try:
        scanner.value(path)
        expected = list(_string_leaves(value, path))
    except (TomlPositionError, IndexError):
        return None
    tokens = scanner.out
    if len(tokens) != len(expected) or any(t.path != p or not t.verbatim or t.raw[len(t.quote) : -len(t.quote)] != v for t, (p, v) in zip(tokens, expected)):
        return None
    return {t.path: t for t in tokens}


@functools.lru_cache(maxsize=64)
def _patterns(table: tuple[str, ...], key: str) -> tuple[re.Pattern, re.Pattern]:
    """The ``[table]`` header line and a ``key = [``/``key = {`` line start (bare names only)."""
    name = r"[ \t]*\.[ \t]*".join(map(re.escape, table))
    return (re.compile(rf"^\[[ \t]*{name}[ \t]*\][ \t]*(?:#[^\n]*)?$", re.M), re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*(?=[\[{{])", re.M))


def _string_leaves(value: object, path: Path):
    """(path, string) of every string in a parsed value, in document order (dicts keep it)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _string_leaves(item, path + (i,))
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _string_leaves(item, path + (k,))
