"""Does a dependency's version spec admit the manifest's SDK version, and only it?

One function per grammar, each on the library that owns it:

- npm ranges: ``nodesemver`` (PyPI ``node-semver``, a port of npm's ``semver``; it agrees
  with the real ``semver`` package run by node on every case of ``tests/deps/semver_cases.py``;
  ``semantic_version.NpmSpec`` disagreed on 126 of 1,072 cases, mostly prereleases);
- PEP 440 specifiers: ``packaging``;
- Poetry constraints (``^1.4``, ``~1.4``, ``1.4.*``, ``||``): ``poetry-core``;
- Go module versions: :mod:`devenv.deps.gosemver` (a port of x/mod, checked against Go).

Each returns a :class:`Judgement`: ``EXACT`` (admits the version and nothing else), ``RANGE``
(admits it and others: the build may float), ``MISMATCH`` (does not admit it), or
``UNPUBLISHED`` (not a registry version at all: ``workspace:``, ``file:``, a git URL, a local
``replace``). ``pin(style, version)`` is the exact spec to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from devenv.deps import gosemver


class Verdict(str, Enum):
    EXACT = "exact"
    RANGE = "range"
    MISMATCH = "mismatch"
    UNPUBLISHED = "unpublished"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str = ""  # why, for the finding's message ("does not admit 1.4.0", "floats: admits …")

    @property
    def admits(self) -> bool:
        return self.verdict in (Verdict.EXACT, Verdict.RANGE)


EXACT = Judgement(Verdict.EXACT)


# -- npm ------------------------------------------------------------------------------------------

_NPM_NOT_REGISTRY = ("workspace:", "file:", "link:", "portal:", "patch:", "git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:", "http:", "https:")


def npm_protocol(spec: str) -> str | None:
    """The protocol of a spec that does not name a registry version (``workspace:``, ``file:``…)."""
    text = spec.strip()
    for prefix in _NPM_NOT_REGISTRY:
        if text.startswith(prefix):
            return prefix.rstrip(":+")
    if "/" in text and not text.startswith(("<", ">", "=", "~", "^")) and " " not in text and ":" not in text:
        return "github"  # "user/repo" or "user/repo#tag"
    if text.startswith((".", "/", "~/")):
        return "file"
    return None


@lru_cache(maxsize=4096)
def _npm_range(spec: str):
    import nodesemver

    return nodesemver.make_range(spec, loose=True)


def _npm_singleton(comparators, version) -> bool:
    """Does an AND-set of comparators admit exactly ``version``?"""
    import nodesemver

    low = high = False
    for c in comparators:
        if c.semver is nodesemver.ANY:
            return False
        same = nodesemver.compare(c.semver, version, True) == 0
        if c.operator in ("", "=") and same:
            return True
        if c.operator == ">=" and same:
            low = True
        if c.operator == "<=" and same:
            high = True
    return low and high


def npm(spec: str, version: str) -> Judgement:
    """An npm range (as npm reads package.json: loose) against an exact version."""
    text = spec.strip()
    protocol = npm_protocol(text)
    if protocol:
        return Judgement(Verdict.UNPUBLISHED, f"is a {protocol}: dependency, not the published {version}")
    try:
        import nodesemver

        wanted = nodesemver.make_semver(version, loose=True)
    except ValueError:
        return Judgement(Verdict.MISMATCH, f"the manifest's version '{version}' is not a semver version")
    try:
        rng = _npm_range(text)
    except ValueError:
        return Judgement(Verdict.MISMATCH, "is a dist-tag or no version range: it floats to whatever the registry tags")
    if not rng.test(wanted):
        return Judgement(Verdict.MISMATCH, f"does not admit {version}")
    if all(_npm_singleton(cs, wanted) or not _npm_satisfiable(cs) for cs in rng.set):
        return EXACT
    if text in ("", "*", "x", "X"):
        return Judgement(Verdict.RANGE, "admits any version")
    return Judgement(Verdict.RANGE, f"admits {version} and other versions")


def _npm_satisfiable(comparators) -> bool:
    """False only for AND-sets that obviously admit nothing (``>2 <1``)."""
    import nodesemver

    lows = [c.semver for c in comparators if c.semver is not nodesemver.ANY and c.operator in (">", ">=")]
    highs = [c.semver for c in comparators if c.semver is not nodesemver.ANY and c.operator in ("<", "<=")]
    if lows and highs:
        low = max(lows, key=nodesemver.cmp_to_key(lambda a, b: nodesemver.compare(a, b, True)))
        high = min(highs, key=nodesemver.cmp_to_key(lambda a, b: nodesemver.compare(a, b, True)))
        return nodesemver.compare(low, high, True) <= 0
    return True


# -- PEP 440 --------------------------------------------------------------------------------------


def pep440(spec: str, version: str) -> Judgement:
    """A PEP 440 specifier set (``>=1.3,<2``; "" = any) against an exact version."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        wanted = Version(version)
    except InvalidVersion:
        return Judgement(Verdict.MISMATCH, f"the manifest's version '{version}' is not a PEP 440 version")
    try:
        specs = SpecifierSet(spec)
    except InvalidSpecifier:
        return Judgement(Verdict.MISMATCH, "is not a PEP 440 specifier")
    if not specs.contains(wanted):
        why = " (it excludes pre-releases unless a specifier names one)" if wanted.is_prerelease and specs.contains(wanted, prereleases=True) else ""
        return Judgement(Verdict.MISMATCH, f"does not admit {version}{why}")
    low = high = False
    for s in specs:
        if s.operator == "===" and s.version == version:
            return EXACT
        if s.operator == "==" and not s.version.endswith(".*") and Version(s.version) == wanted:
            return EXACT
        if s.operator == ">=" and Version(s.version) == wanted:
            low = True
        if s.operator == "<=" and Version(s.version) == wanted:
            high = True
    if low and high:
        return EXACT
    if not str(specs):
        return Judgement(Verdict.RANGE, "names no version: pip installs whatever the index serves")
    return Judgement(Verdict.RANGE, f"admits {version} and other versions")


# -- Poetry ---------------------------------------------------------------------------------------


def poetry(spec: str, version: str) -> Judgement:
    """A Poetry constraint (``^1.4``, ``~1.4.0``, ``1.4.0`` = exactly, ``*``) against a version."""
    from poetry.core.constraints.version import Version, VersionUnion, parse_constraint

    try:
        wanted = Version.parse(version)
    except ValueError:
        return Judgement(Verdict.MISMATCH, f"the manifest's version '{version}' is not a PEP 440 version")
    try:
        constraint = parse_constraint(spec)
    except (ValueError, Exception):  # poetry-core raises its own ParseConstraintError(ValueError)
        return Judgement(Verdict.MISMATCH, "is not a Poetry version constraint")
    if not constraint.allows(wanted):
        return Judgement(Verdict.MISMATCH, f"does not admit {version}")
    if isinstance(constraint, Version) or (isinstance(constraint, VersionUnion) and all(isinstance(c, Version) and c == wanted for c in constraint.ranges)):
        return EXACT
    if constraint.is_any():
        return Judgement(Verdict.RANGE, "admits any version")
    return Judgement(Verdict.RANGE, f"admits {version} and other versions")


# -- Go -------------------------------------------------------------------------------------------


def go_version(version: str) -> str:
    """The manifest's version as Go spells it: ``1.4.0`` -> ``v1.4.0``."""
    return version if version.startswith("v") else "v" + version


def go(found: str, version: str) -> Judgement:
    """A go.mod requirement is one version (minimal version selection): it must be the SDK's."""
    wanted = go_version(version)
    if not gosemver.is_valid(found):
        return Judgement(Verdict.MISMATCH, "is not a Go module version")
    if found == wanted:
        return EXACT
    if gosemver.is_pseudo(found):
        base = gosemver.pseudo_base(found)
        after = f" after {base}" if base else ""
        return Judgement(Verdict.MISMATCH, f"is a pseudo-version (an untagged commit{after}), not the published {wanted}")
    order = gosemver.compare(found, wanted)
    if order == 0:
        return Judgement(Verdict.MISMATCH, f"is not spelled {wanted} (Go compares them equal, but the module proxy serves {wanted})")
    return Judgement(Verdict.MISMATCH, f"is {'older' if order < 0 else 'newer'} than {wanted}")


# -- what to write instead ------------------------------------------------------------------------


def pin(style: str, version: str) -> str:
    """The exact spec in a grammar: npm ``1.4.0``, pep440 ``==1.4.0``, poetry ``1.4.0``, go ``v1.4.0``."""
    if style == "pep440":
        return f"=={version}"
    if style == "go":
        return go_version(version)
    return version


@lru_cache(maxsize=8192)
def judge(style: str, spec: str, version: str) -> Judgement:
    """The judgement of ``spec`` in grammar ``style`` (npm, pep440, poetry, go); cached: a
    monorepo repeats its specs."""
    return {"npm": npm, "pep440": pep440, "poetry": poetry, "go": go}[style](spec, version)
