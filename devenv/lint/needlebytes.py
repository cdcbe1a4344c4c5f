"""The prefilter's fixed byte strings of a proto path and names, with nothing imported.

:class:`devenv.lint.needles.Needles` builds its prefilter from :func:`byte_needles`, and so does
``devenv lint`` before Python has imported anything else (:mod:`devenv.lint.prestart`), to give
`git grep` its patterns first: one definition for both, so they cannot drift apart.
"""

from __future__ import annotations

import posixpath

SUPPRESSION_NEEDLE = b"devenv"
MARKER_KIND = b"proto-import"  # the kind every suppression names

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_PYTHON_NAME = _ALNUM | frozenset("._-")


def normalize_path(path: str) -> str:
    """``./packages/x/`` -> ``packages/x``; ``.`` stays ``.``."""
    path = path.replace("\\", "/").strip()
    normal = posixpath.normpath(path) if path else "."
    return normal.lstrip("/") if normal != "/" else "."


def python_name(name: str) -> bool:
    """A name PEP 503 respells (``[A-Za-z0-9][A-Za-z0-9._-]*``)."""
    return bool(name) and name[0] in _ALNUM and all(c in _PYTHON_NAME for c in name)


def clean_names(names) -> tuple[str, ...]:
    """`proto.names` stripped, without blanks and repeats, in order."""
    return tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def byte_needles(proto_path: str, names) -> tuple[tuple[bytes, ...], bytes | None, bool]:
    """(the needles, the gate, whether the gate covers the suppression marker) of
    :meth:`devenv.lint.needles.Needles.prefilter`.

    The needles: the proto path's last segment, each name and the common PEP 503 respellings of
    the Python-like ones, without those that hold another (a file holding the longer holds the
    shorter). The gate: a substring every needle shares (their common suffix, usually the
    distinctive end of a package name: "proto"), so one search rejects most files before the
    others run; when the suppression marker (`devenv: allow proto-import`) holds it too, a file
    without it is rejected in one pass."""
    path = normalize_path(proto_path)
    segments = [s for s in path.split("/") if s]
    cleaned = clean_names(names)
    raw = {segments[-1] if segments else path, *cleaned}
    for name in cleaned:
        if python_name(name):
            raw.update({name.replace("_", "-"), name.replace("-", "_")})
    raw = {n for n in raw if n}
    minimal = {n for n in raw if not any(o != n and o in n for o in raw)}
    needles = tuple(sorted(n.encode() for n in minimal))
    gate = _common_suffix(list(needles)) if len(needles) > 1 else (needles[0] if needles else None)
    return needles, gate, gate is not None and bool(gate) and gate in MARKER_KIND


def pep503_parts(name: str) -> list[str]:
    """The pieces of a name between its runs of ``-``, ``_`` and ``.``: PEP 503 reads any run as
    one separator, in any case."""
    return [part for part in name.replace("-", "_").replace(".", "_").split("_") if part]


def python_last_parts(names) -> tuple[bytes, ...]:
    """The last part of each name PEP 503 respells, lower case (``proto`` of ``ameide_core_proto``):
    every spelling pip reads as that name (``Ameide.Core.PROTO``) holds it, in some case."""
    parts = (pep503_parts(name) for name in clean_names(names) if python_name(name))
    return tuple(dict.fromkeys(each[-1].lower().encode() for each in parts if each))


def grep_patterns(needles: tuple[bytes, ...], gate: bytes | None, gate_covers_marker: bool, python_parts: tuple[bytes, ...] = ()) -> list[bytes] | None:
    """Fixed strings, searched in any case, such that a file holding none of them fails the
    prefilter and holds no PEP 503 spelling of a name (``python_parts``, from
    :func:`python_last_parts`); None when git cannot search for them line by line
    (:mod:`devenv.lint.gitgrep`)."""
    if gate is not None:
        found = [gate] if gate_covers_marker else [gate, SUPPRESSION_NEEDLE]
    else:
        found = [*needles, SUPPRESSION_NEEDLE]
    # A part that holds a pattern (in any case) is found through it already.
    found += [part for part in python_parts if not any(p.lower() in part for p in found)]
    if not found or any(not p or b"\n" in p or b"\0" in p for p in found):
        return None
    return found


def _common_suffix(needles: list[bytes]) -> bytes | None:
    shortest = min(needles, key=len)
    size = 0
    while size < len(shortest) and all(n[-size - 1] == shortest[-size - 1] for n in needles):
        size += 1
    return shortest[len(shortest) - size :] if size >= 4 else None
