"""PEP 440 specifiers (against `packaging`) and Poetry constraints (against `poetry-core`)."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from devenv.deps import specs
from devenv.deps.specs import Verdict

SPECS = [
    "",
    "==1.4.0",
    "==1.4",
    "===1.4.0",
    "==1.4.*",
    "!=1.4.0",
    ">=1.4.0",
    ">1.4.0",
    "<1.4.0",
    "<=1.4.0",
    ">=1.3,<2",
    "~=1.4",
    "~=1.4.0",
    "~=1.3",
    ">=1.4.0,<=1.4.0",
    ">=1.4.0,<1.4.1",
    "==1.3.9",
    ">=1.5",
    "<1.4",
    "==1.4.0rc1",
    ">=1.4.0rc1",
    ">=1.4.0.dev0",
    "==1.4.0+local",
    "!=1.3.*",
    ">=1.4, !=1.4.1",
    ">= 1.3 , < 2",
]
VERSIONS = ["1.4.0", "1.4", "1.3.9", "1.4.1", "1.5.0", "2.0.0", "1.4.0rc1", "1.4.0.dev0", "1.4.0.post1", "1.4.0+local"]
NEIGHBOURS = ["1.3.9", "1.4.0", "1.4.0.post1", "1.4.1", "1.5.0", "2.0.0", "0.1", "1.4.0rc1", "1.4.0.dev1"]


@pytest.mark.parametrize("spec", SPECS)
def test_admits_exactly_what_packaging_admits(spec):
    for version in VERSIONS:
        assert specs.pep440(spec, version).admits == SpecifierSet(spec).contains(Version(version)), (spec, version)


def test_exact_is_sound_and_ranges_admit_others():
    for spec in SPECS:
        judgement = specs.pep440(spec, "1.4.0")
        others = [n for n in NEIGHBOURS if n != "1.4.0" and SpecifierSet(spec).contains(Version(n))]
        if judgement.verdict is Verdict.EXACT:
            assert not [o for o in others if Version(o) != Version("1.4.0")], (spec, others)
        elif judgement.verdict is Verdict.RANGE:
            assert others, spec
    exact = {s for s in SPECS if specs.pep440(s, "1.4.0").verdict is Verdict.EXACT}
    assert exact == {"==1.4.0", "==1.4", "===1.4.0", ">=1.4.0,<=1.4.0"}


def test_prerelease_manifest_versions_follow_packaging():
    for spec in (">=1.3", "==1.5.0rc1", ">=1.5.0rc1", "<1.5"):
        judgement = specs.pep440(spec, "1.5.0rc1")
        assert judgement.admits == SpecifierSet(spec).contains(Version("1.5.0rc1")), spec
    assert specs.pep440("==1.5.0rc1", "1.5.0rc1").verdict is Verdict.EXACT


POETRY = [
    ("1.4.0", Verdict.EXACT),
    ("==1.4.0", Verdict.EXACT),
    ("1.4", Verdict.EXACT),
    ("^1.4.0", Verdict.RANGE),
    ("^1.3", Verdict.RANGE),
    ("~1.4", Verdict.RANGE),
    ("~1.3", Verdict.MISMATCH),
    ("1.4.*", Verdict.RANGE),
    ("*", Verdict.RANGE),
    (">=1.3,<2.0", Verdict.RANGE),
    ("^1.3 || ^2", Verdict.RANGE),
    ("1.3.9", Verdict.MISMATCH),
    ("^2.0", Verdict.MISMATCH),
    (">=1.4.0,<=1.4.0", Verdict.EXACT),
    ("1.3.9 || 1.4.0", Verdict.RANGE),
]


@pytest.mark.parametrize("spec, verdict", POETRY)
def test_poetry_constraints(spec, verdict):
    from poetry.core.constraints.version import Version as PoetryVersion
    from poetry.core.constraints.version import parse_constraint

    judgement = specs.poetry(spec, "1.4.0")
    assert judgement.verdict is verdict, judgement
    assert judgement.admits == parse_constraint(spec).allows(PoetryVersion.parse("1.4.0"))


def test_pins():
    assert specs.pin("pep440", "1.4.0") == "==1.4.0"
    assert specs.pin("poetry", "1.4.0") == "1.4.0"
    assert specs.pin("npm", "1.4.0") == "1.4.0"
    assert specs.pin("go", "1.4.0") == specs.pin("go", "v1.4.0") == "v1.4.0"
