"""Positions in a generated lockfile (uv.lock, poetry.lock), fast: the ``version = "…"`` of each
``[[package]]``, found line by line and trusted only where it agrees with ``tomllib``."""

from __future__ import annotations

from devenv.deps.tomlpos.scanner import TomlString


def package_versions(text: str, packages: list) -> dict[tuple, TomlString] | None:
    """The fast path for generated lockfiles: ``version = "…"`` right under each ``[[package]]``,
    found line by line and accepted only if every one is exactly the value ``tomllib`` read for
    that entry (else None, and the full scanner runs)."""
    if '"""' in text or "'''" in text:
        return None
    out: dict[tuple, TomlString] = {}
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
                out[("package", index, "version")] = TomlString(("package", index, "version"), start, start + len(value), value, '"')
        offset += len(line) + 1
    if index + 1 != len(packages):
        return None
    for (_, i, _), token in out.items():
        if not isinstance(packages[i], dict) or packages[i].get("version") != token.raw[1:-1]:
            return None
    if sum(1 for p in packages if isinstance(p, dict) and isinstance(p.get("version"), str)) != len(out):
        return None
    return out
