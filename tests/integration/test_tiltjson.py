"""The reader of `tilt alpha tiltfile-result`, on Tiltfiles written by hand: it sees what Tilt
drops silently (an unknown resource_deps entry is only a warning in Tilt's log) and what Tilt
refuses (exit 5)."""

from __future__ import annotations

import pytest

from tests.integration import tiltjson
from tests.integration.expected import Expected
from tests.integration.judge import differences


@pytest.mark.parametrize("text, seconds", [("314.345µs", 314.345e-6), ("86.945988ms", 0.086945988), ("1.5s", 1.5), ("1m2.5s", 62.5), ("12us", 12e-6)])
def test_go_duration(text, seconds):
    assert tiltjson.go_duration(text) == pytest.approx(seconds)


def test_unknown_resource_dep_is_dropped_by_tilt_and_caught_here(tilt, tmp_path):
    tiltfile = tmp_path / "Tiltfile"
    tiltfile.write_text("local_resource('a', cmd='true', resource_deps=['packages:missing'], labels=['x'])\n")
    run = tilt.tiltfile_result(tiltfile)
    assert run.code == 0  # Tilt loads it ...
    result = tiltjson.parse(run.stdout, run.stderr)
    assert result.resources["a"].resource_deps == []  # ... and drops the dependency
    assert result.warnings_about_resource_deps() == ["resource a specified a dependency on unknown resource packages:missing - dependency ignored"]
    assert result.load_seconds is not None and result.load_seconds < 5
    expected = {"a": Expected("a", "local", ["packages:missing"], ["x"], cmd=["sh", "-c", "true"], dir=str(tmp_path), allow_parallel=False)}
    problems = differences(result, expected, tmp_path)
    assert any("resource_deps: Tilt reports []" in p for p in problems), problems
    assert any(p.startswith("Tilt warned about resource_deps") for p in problems), problems


def test_a_tiltfile_error_is_exit_5(tilt, tmp_path):
    tiltfile = tmp_path / "Tiltfile"
    tiltfile.write_text("k8s_resource('nothing-here', labels=['x'])\n")
    run = tilt.tiltfile_result(tiltfile)
    assert run.code == 5
    assert "nothing-here" in run.stderr
