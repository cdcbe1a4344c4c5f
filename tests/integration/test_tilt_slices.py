"""Slices in the real Tilt: `tilt alpha tiltfile-result -f Tiltfile -- NAME...` enables exactly the
closure computed from the manifest alone (tests/integration/slices.py), for services, labels,
mixes and none, on the example manifest and on generated monorepos; services outside the slice
are not even declared (their YAML is not read, their chart not templated), and what is declared
is what a full load declares. An unknown NAME stops the Tiltfile with the valid names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.integration import tiltjson
from tests.integration.expected import expected_resources, helm_template
from tests.integration.judge import _companions, judge
from tests.integration.slices import closure, valid_names
from tests.integration.strategies import monorepos, tilt_settings

REPO = Path(__file__).resolve().parents[2]


def full_load(tilt, root: Path, env=None, helm_objects=None, tiltfile: Path | None = None) -> tuple[tiltjson.Result, dict[str, str]]:
    """The judged full load, and the companion resources (a service's other workloads) by owner."""
    result = judge(tilt, root, env=env, helm_objects=helm_objects, tiltfile=tiltfile)
    companions, problems = _companions(result, expected_resources(root, env, helm_objects))
    assert not problems, problems
    return result, companions


def slice_problems(tilt, tiltfile: Path, m: dict, names: list[str], full: tiltjson.Result, companions: dict[str, str], env=None) -> list[str]:
    run = tilt.tiltfile_result(tiltfile, args=names, env=env)
    assert run.code == 0, f"tilt -- {names}: exit {run.code}\n{run.stderr[-3000:]}"
    result = tiltjson.parse(run.stdout, run.stderr)
    want = closure(m, names)
    want |= {c for c, owner in companions.items() if owner in want}
    # Tilt always keeps the objects no workload claims (`uncategorized`) enabled.
    want |= {tiltjson.UNCATEGORIZED} & set(result.names)
    problems = []
    if set(result.enabled) != want:
        problems.append(f"-- {names}: Tilt enabled {sorted(result.enabled)}, the manifest implies {sorted(want)}")
    services = set(m.get("services") or {}) | set(companions)
    skipped = (set(result.names) & services) - want
    if skipped:
        problems.append(f"-- {names}: declared services outside the slice: {sorted(skipped)}")
    if tiltjson.UNCATEGORIZED in result.names:  # holds only the loaded services' loose objects
        extra = set(result.resources[tiltjson.UNCATEGORIZED].objects) - set(full.resources[tiltjson.UNCATEGORIZED].objects)
        if extra:
            problems.append(f"-- {names}: uncategorized objects a full load does not have: {sorted(extra)}")
    for name in (want & set(result.names)) - {tiltjson.UNCATEGORIZED}:
        got, ref = result.resources[name], full.resources[name]
        for attr in ("resource_deps", "labels", "objects", "cmd", "images"):
            if getattr(got, attr) != getattr(ref, attr):
                problems.append(f"-- {names}: {name}.{attr} is {getattr(got, attr)!r}, a full load says {getattr(ref, attr)!r}")
    problems += _button_problems(json.loads(run.stdout), m, want, names)
    missing = want - set(result.names)
    if missing:
        problems.append(f"-- {names}: not declared: {sorted(missing)}")
    return problems


def _button_problems(data: dict, m: dict, enabled: set[str], names: list[str]) -> list[str]:
    """The manifest's own buttons reach Tilt byte for byte, those on services outside the slice not at all."""
    objects = data.get("ObjectSet") or {}
    ui = objects.get("tilt.dev/v1alpha1, Resource=uibuttons") or {}
    cmds = objects.get("tilt.dev/v1alpha1, Resource=cmds") or {}
    problems = []
    for key, button in (m.get("buttons") or {}).items():
        name = f"devenv-button-{key}"
        shown = button.get("resource") is None or button["resource"] in enabled
        if shown != (name in ui and name in cmds):
            problems.append(f"-- {names}: button {key!r} {'missing' if shown else 'declared outside the slice'}")
        if not shown or name not in ui or name not in cmds:
            continue
        spec = ui[name]["spec"]
        if spec.get("text") != button["text"] or cmds[name]["spec"].get("args") != ["sh", "-c", button["cmd"]]:
            problems.append(f"-- {names}: button {key!r}: Tilt has {spec.get('text')!r} / {cmds[name]['spec'].get('args')!r}")
        if spec.get("requiresConfirmation", False) != button.get("confirm", False):
            problems.append(f"-- {names}: button {key!r} confirmation is {spec.get('requiresConfirmation')!r}")
    return problems


EXAMPLE_SLICES = [[], ["platform"], ["apps"], ["data", "inference_gateway"], ["packages"], ["agents", "graph"]]


@pytest.fixture(scope="module")
def example(tilt_helm, helm_bin, tmp_path_factory):
    """The example manifest, rendered outside the clone (the committed Tiltfile stays untouched)."""
    m = yaml.safe_load((REPO / "services.yaml").read_text())
    tiltfile = tmp_path_factory.mktemp("example") / "elsewhere" / "Tiltfile"
    full, companions = full_load(tilt_helm, REPO, helm_objects=helm_template(helm_bin, REPO), tiltfile=tiltfile)
    return tiltfile, m, full, companions


@pytest.mark.parametrize("names", EXAMPLE_SLICES, ids=lambda n: "+".join(n) or "none")
def test_example_slices_enable_exactly_the_closure(example, tilt_helm, names):
    tiltfile, m, full, companions = example
    assert set(names) <= valid_names(m)
    problems = slice_problems(tilt_helm, tiltfile, m, names, full, companions)
    assert not problems, "\n".join(problems)
    if names:  # a real slice: strictly less than everything
        assert closure(m, names) < closure(m, [])


def test_unknown_name_stops_the_tiltfile_with_the_valid_names(example, tilt_helm):
    tiltfile, m, _, _ = example
    run = tilt_helm.tiltfile_result(tiltfile, args=["platform", "platfrom"])
    assert run.code != 0
    message = next(line for line in run.stderr.splitlines() if "no service or label named" in line)
    assert "platfrom" in message
    listed = message.split("Valid names: ", 1)[1].split(", ")
    assert set(listed) == valid_names(m)


@tilt_settings()
@given(repo=monorepos(), data=st.data())
def test_slices_of_generated_monorepos_enable_exactly_the_closure(repo, data, tilt, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("sliced")
    repo.write(root)
    runner = request.getfixturevalue("tilt_helm") if repo.uses_helm else tilt
    full, companions = full_load(runner, root, repo.env, repo.helm_objects)
    names = data.draw(st.lists(st.sampled_from(sorted(valid_names(repo.manifest))), max_size=3, unique=True), label="names")
    problems = slice_problems(runner, root / "Tiltfile", repo.manifest, names, full, companions, repo.env)
    assert not problems, "\n".join(problems) + f"\n--- Tiltfile ---\n{(root / 'Tiltfile').read_text()}"
