"""`tilt ci` runs a manifest of only local resources (SDK chains, no services) to completion:
every step once, each after the step before it in its chain, parallel chains side by side and
a `parallel: false` chain alone (tests/render/fixtures/local-only: each step logs its start and
end to steps.log and sleeps STEP_SECONDS)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.integration.judge import render_tiltfile

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "render" / "fixtures" / "local-only"


def _intervals(log: str) -> dict[str, tuple[int, int]]:
    """step -> (line of its start, line of its end) in steps.log."""
    starts: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for index, line in enumerate(log.splitlines()):
        event, step = line.split(" ", 1)
        if event == "start":
            assert step not in starts, f"{step} ran twice:\n{log}"
            starts[step] = index
        else:
            spans[step] = (starts[step], index)
    return spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_tilt_ci_runs_local_only_manifest_in_dependency_order(tilt, tmp_path):
    root = tmp_path / "local-only"
    shutil.copytree(FIXTURE, root)
    render_tiltfile(root)
    run = tilt.run("ci", "--port", "0", cwd=root, env={"STEP_SECONDS": "0.5"}, timeout=180)
    assert run.code == 0, run.stdout + run.stderr
    assert "SUCCESS" in run.stdout + run.stderr

    # The chains, read from the manifest: step names are `<sdk>-<step>` in steps.log.
    sdks = yaml.safe_load((root / "services.yaml").read_text())["sdks"]
    chains = {name: [f"{name}-{step}" for step in sdk["steps"]] for name, sdk in sdks.items()}
    spans = _intervals((root / "steps.log").read_text())
    assert set(spans) == {step for chain in chains.values() for step in chain}, spans

    for chain in chains.values():
        for before, after in zip(chain, chain[1:]):
            assert spans[before][1] < spans[after][0], f"{after} started before {before} ended: {spans}"

    parallel = [name for name, sdk in sdks.items() if sdk.get("parallel", True)]
    serial = [name for name in sdks if name not in parallel]
    assert len(parallel) >= 2 and serial, "the fixture needs two parallel chains and a serial one"
    # allow_parallel chains interleave: some step of one runs while a step of another does.
    a, b = parallel[:2]
    assert any(_overlap(spans[x], spans[y]) for x in chains[a] for y in chains[b]), spans
    # A `parallel: false` step runs alone.
    for name in serial:
        for step in chains[name]:
            others = [s for s in spans if s != step]
            assert not any(_overlap(spans[step], spans[s]) for s in others), f"{step} overlapped: {spans}"
