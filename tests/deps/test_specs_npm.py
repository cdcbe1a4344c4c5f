"""npm ranges: devenv's judgement against npm's own `semver` package, executed by node."""

from __future__ import annotations

import pytest

from devenv.deps import specs
from devenv.deps.specs import Verdict
from tests.deps.semver_cases import CASES, RANGES

NEIGHBOURS = ["1.3.9", "1.4.0", "1.4.1", "1.5.0", "2.0.0", "0.0.0", "1.4.0-0", "1.4.0-rc.1", "1.4.1-0", "1.3.99", "1.4.10", "99.0.0"]


def test_the_table_is_large_enough():
    assert len(CASES) >= 300


@pytest.mark.parametrize("loose", [True, False])
def test_range_test_agrees_with_node_semver_on_every_case(node_semver, loose):
    import nodesemver

    expected = node_semver([(r, v, loose) for r, v in CASES])
    disagree = []
    for (r, v), want in zip(CASES, expected):
        try:
            got = nodesemver.make_range(r, loose=loose).test(v)
        except ValueError:
            got = None
        if got != want:
            disagree.append((r, v, want, got))
    assert not disagree, f"{len(disagree)} of {len(CASES)} cases differ from node's semver: {disagree[:10]}"


def test_verdicts_admit_exactly_what_npm_admits(node_semver):
    """devenv reads package.json ranges as npm does (loose): admitted <=> npm satisfies."""
    expected = node_semver([(r, v, True) for r, v in CASES])
    for (r, v), want in zip(CASES, expected):
        judgement = specs.npm(r, v)
        if want is None:
            assert judgement.verdict is Verdict.MISMATCH, (r, v)
        else:
            assert judgement.admits == want, (r, v, judgement)


def test_exact_means_npm_admits_no_neighbour(node_semver):
    """An EXACT verdict is sound: among the version's neighbours npm admits only that version."""
    exact = [r for r in RANGES if specs.npm(r, "1.4.0").verdict is Verdict.EXACT]
    assert {"1.4.0", "=1.4.0", "v1.4.0", ">=1.4.0 <=1.4.0", "1.4.0 - 1.4.0"} <= set(exact)
    cases = [(r, n, True) for r in exact for n in NEIGHBOURS]
    answers = node_semver(cases)
    admitted = {(r, n) for (r, n, _), ok in zip(cases, answers) if ok}
    assert admitted == {(r, "1.4.0") for r in exact}


def test_ranges_that_admit_others_are_ranges(node_semver):
    ranges = [r for r in RANGES if specs.npm(r, "1.4.0").verdict is Verdict.RANGE]
    assert {"^1.4.0", "~1.4.0", "1.x", "*", "", ">=1.4.0", "1.3.9 || 1.4.0"} <= set(ranges)
    cases = [(r, n, True) for r in ranges for n in NEIGHBOURS if n != "1.4.0"]
    answers = node_semver(cases)
    others = {r for (r, _, _), ok in zip(cases, answers) if ok}
    assert others == set(ranges), set(ranges) - others


@pytest.mark.parametrize(
    "spec, verdict",
    [
        ("workspace:*", Verdict.UNPUBLISHED),
        ("workspace:^1.4.0", Verdict.UNPUBLISHED),
        ("file:../sdk", Verdict.UNPUBLISHED),
        ("link:../sdk", Verdict.UNPUBLISHED),
        ("git+https://example.com/sdk.git", Verdict.UNPUBLISHED),
        ("acme/sdk#v1.4.0", Verdict.UNPUBLISHED),
        ("https://example.com/sdk-1.4.0.tgz", Verdict.UNPUBLISHED),
        ("latest", Verdict.MISMATCH),
        ("1.3.9", Verdict.MISMATCH),
        ("1.4.0", Verdict.EXACT),
        ("^1.4.0", Verdict.RANGE),
    ],
)
def test_non_registry_specs(spec, verdict):
    assert specs.npm(spec, "1.4.0").verdict is verdict
