"""Go module versions: a line-for-line port of ``golang.org/x/mod/semver`` and the
pseudo-version test of ``golang.org/x/mod/module``.

Go's versions are not npm's or PEP 440's: a leading ``v`` is required, ``v1`` and ``v1.2``
are shorthands (of ``v1.0.0`` and ``v1.2.0``), build metadata (``+incompatible``) is ignored
when comparing, and a pseudo-version (``v1.4.1-0.20240102150405-abcdefabcdef``) is a
prerelease naming a commit. No maintained Python package implements these rules, so this
is a port; ``tests/deps/test_specs_go.py`` checks it against the Go module itself
(``go run`` of a program calling x/mod) and against ``go list -m`` on a local proxy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Parsed:
    major: str
    minor: str
    patch: str
    short: str  # ".0.0" / ".0" for the shorthands, "" otherwise
    prerelease: str  # with its leading "-"
    build: str  # with its leading "+"


def _int(v: str) -> tuple[str, str] | None:
    if not v or not ("0" <= v[0] <= "9"):
        return None
    i = 1
    while i < len(v) and "0" <= v[i] <= "9":
        i += 1
    if v[0] == "0" and i != 1:
        return None
    return v[:i], v[i:]


def _ident_char(c: str) -> bool:
    return "A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9" or c == "-"


def _bad_num(v: str) -> bool:
    i = 0
    while i < len(v) and "0" <= v[i] <= "9":
        i += 1
    return i == len(v) and i > 1 and v[0] == "0"


def _prerelease(v: str) -> tuple[str, str] | None:
    if not v or v[0] != "-":
        return None
    i = start = 1
    while i < len(v) and v[i] != "+":
        if not _ident_char(v[i]) and v[i] != ".":
            return None
        if v[i] == ".":
            if start == i or _bad_num(v[start:i]):
                return None
            start = i + 1
        i += 1
    if start == i or _bad_num(v[start:i]):
        return None
    return v[:i], v[i:]


def _build(v: str) -> tuple[str, str] | None:
    if not v or v[0] != "+":
        return None
    i = start = 1
    while i < len(v):
        if not _ident_char(v[i]) and v[i] != ".":
            return None
        if v[i] == ".":
            if start == i:
                return None
            start = i + 1
        i += 1
    if start == i:
        return None
    return v[:i], v[i:]


def parse(v: str) -> Parsed | None:
    if not v or v[0] != "v":
        return None
    got = _int(v[1:])
    if got is None:
        return None
    major, v = got
    if not v:
        return Parsed(major, "0", "0", ".0.0", "", "")
    if v[0] != ".":
        return None
    got = _int(v[1:])
    if got is None:
        return None
    minor, v = got
    if not v:
        return Parsed(major, minor, "0", ".0", "", "")
    if v[0] != ".":
        return None
    got = _int(v[1:])
    if got is None:
        return None
    patch, v = got
    pre = build = ""
    if v and v[0] == "-":
        got = _prerelease(v)
        if got is None:
            return None
        pre, v = got
    if v and v[0] == "+":
        got = _build(v)
        if got is None:
            return None
        build, v = got
    if v:
        return None
    return Parsed(major, minor, patch, "", pre, build)


def is_valid(v: str) -> bool:
    return parse(v) is not None


def canonical(v: str) -> str:
    """``v1.2`` -> ``v1.2.0``; build metadata dropped; "" when invalid."""
    p = parse(v)
    if p is None:
        return ""
    if p.build:
        return v[: len(v) - len(p.build)]
    if p.short:
        return v + p.short
    return v


def build(v: str) -> str:
    p = parse(v)
    return p.build if p else ""


def prerelease(v: str) -> str:
    p = parse(v)
    return p.prerelease if p else ""


def major(v: str) -> str:
    p = parse(v)
    return "v" + p.major if p else ""


def _cmp_int(x: str, y: str) -> int:
    if x == y:
        return 0
    if len(x) != len(y):
        return -1 if len(x) < len(y) else 1
    return -1 if x < y else 1


def _next_ident(x: str) -> tuple[str, str]:
    i = 0
    while i < len(x) and x[i] != ".":
        i += 1
    return x[:i], x[i:]


def _is_num(v: str) -> bool:
    return bool(v) and all("0" <= c <= "9" for c in v)


def _cmp_pre(x: str, y: str) -> int:
    if x == y:
        return 0
    if not x:
        return 1
    if not y:
        return -1
    while x and y:
        x, y = x[1:], y[1:]  # the "-" or "."
        dx, x = _next_ident(x)
        dy, y = _next_ident(y)
        if dx != dy:
            ix, iy = _is_num(dx), _is_num(dy)
            if ix != iy:
                return -1 if ix else 1
            if ix and len(dx) != len(dy):
                return -1 if len(dx) < len(dy) else 1
            return -1 if dx < dy else 1
    return -1 if not x else 1


def compare(v: str, w: str) -> int:
    """-1, 0 or +1; an invalid version sorts before every valid one (x/mod's rule)."""
    pv, pw = parse(v), parse(w)
    if pv is None and pw is None:
        return 0
    if pv is None:
        return -1
    if pw is None:
        return 1
    for a, b in ((pv.major, pw.major), (pv.minor, pw.minor), (pv.patch, pw.patch)):
        c = _cmp_int(a, b)
        if c:
            return c
    return _cmp_pre(pv.prerelease, pw.prerelease)


# The expression golang.org/x/mod/module/pseudo.go itself uses (pseudoVersionRE).
_PSEUDO = re.compile(r"^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$")


def is_pseudo(v: str) -> bool:
    """``module.IsPseudoVersion``: a version naming a commit, not a tag."""
    return v.count("-") >= 2 and is_valid(v) and _PSEUDO.match(v) is not None


def pseudo_base(v: str) -> str:
    """``module.PseudoVersionBase``: the tag a pseudo-version builds on (``v1.4.1-0.2024…-abc``
    -> ``v1.4.0``), "" when it has none (``v0.0.0-2024…-abc``) or ``v`` is no pseudo-version."""
    if not is_pseudo(v):
        return ""
    extra = build(v)
    rest = v[: len(v) - len(extra)]
    rest = rest[: rest.rfind("-")]  # drop the revision
    dash, dot = rest.rfind("-"), rest.rfind(".")
    base = rest[:dot] if dot > dash else rest[:dash]
    pre = prerelease(base)
    if pre == "":
        return ""
    if pre == "-0":
        base = base[: -len(pre)]
        i = base.rfind(".")
        patch = int(base[i + 1 :])
        if patch == 0:
            return ""
        base = base[: i + 1] + str(patch - 1)
    else:
        base = base[: -len(".0")] if base.endswith(".0") else base
    return base + extra


def split_path_version(path: str) -> tuple[str, str]:
    """``example.com/m/v2`` -> (``example.com/m``, ``/v2``); ``gopkg.in/yaml.v3`` -> (``gopkg.in/yaml``, ``.v3``)."""
    if path.startswith("gopkg.in/"):
        dot = path.rfind(".v")
        if dot > 0 and path[dot + 2 :].isdigit():
            return path[:dot], path[dot:]
        return path, ""
    slash = path.rfind("/")
    if slash > 0:
        tail = path[slash + 1 :]
        if len(tail) >= 2 and tail[0] == "v" and tail[1:].isdigit() and tail[1] != "0" and tail != "v1":
            return path[:slash], path[slash:]
    return path, ""
