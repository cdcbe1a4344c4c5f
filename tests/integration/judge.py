"""Render a monorepo's Tiltfile, load it in the real Tilt, and compare what Tilt reports with
what the manifest implies (tests/integration/expected.py)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from devenv.manifest.load import load_manifest
from devenv.render import render
from devenv.render.output import write_atomic
from tests.fixtures.tilt import Tilt
from tests.integration import tiltjson
from tests.integration.expected import Expected, expected_resources

HEALTH_CMD = ["devenv", "doctor", "--only", "registries"]


def render_tiltfile(root: Path) -> Path:
    """`devenv render` for ``root/services.yaml``, in process (the CLI costs a second a call)."""
    target = root / "Tiltfile"
    write_atomic(target, render(load_manifest(root / "services.yaml"), target).text)
    return target


def load(tilt: Tilt, tiltfile: Path, **kwargs) -> tiltjson.Result:
    run = tilt.tiltfile_result(tiltfile, **kwargs)
    assert run.code == 0, f"Tilt refused the Tiltfile (exit {run.code}):\n{run.stderr}\n--- Tiltfile ---\n{tiltfile.read_text()}"
    return tiltjson.parse(run.stdout, run.stderr)


def differences(result: tiltjson.Result, expected: dict[str, Expected], root: Path) -> list[str]:
    problems = []
    if set(result.names) != set(expected):
        problems.append(f"resources: Tilt has {sorted(result.names)}, the manifest implies {sorted(expected)}")
    if set(result.enabled) != set(result.names):
        problems.append(f"enabled resources {sorted(result.enabled)} != {sorted(result.names)}")
    for name in sorted(set(result.names) & set(expected)):
        got, want = result.resources[name], expected[name]
        for f in fields(Expected):
            if f.name == "name":
                continue
            have, need = getattr(got, f.name), getattr(want, f.name)
            if f.name == "cmd" and name == "packages:health":
                problems += _health_cmd(have, root)
                continue
            if f.name == "objects" and need is None:
                continue
            if f.name == "dir" and need is None:
                continue
            if have != need:
                problems.append(f"{name}.{f.name}: Tilt reports {have!r}, the manifest implies {need!r}")
    warnings = result.warnings_about_resource_deps()
    if warnings:
        problems.append("Tilt warned about resource_deps: " + "; ".join(warnings))
    return problems


def _health_cmd(cmd: list[str] | None, root: Path) -> list[str]:
    cmd = cmd or []
    if cmd[:4] != HEALTH_CMD:
        return [f"packages:health runs {cmd!r}, not `devenv doctor --only registries`"]
    rest = cmd[4:]
    if rest and not (rest[0] in ("-f", "--manifest") and len(rest) == 2
                     and (root / rest[1]).resolve() == (root / "services.yaml").resolve()):
        return [f"packages:health passes {rest!r}; expected the manifest {root / 'services.yaml'}"]
    return []


def judge(tilt: Tilt, root: Path, *, env: dict[str, str] | None = None, helm_objects=None) -> tiltjson.Result:
    """Render ``root``, load it in Tilt with ``env``, and assert Tilt reports exactly what the manifest implies."""
    tiltfile = render_tiltfile(root)
    result = load(tilt, tiltfile, env=env)
    problems = differences(result, expected_resources(root, env, helm_objects), root)
    assert not problems, "\n".join(problems) + f"\n--- Tiltfile ---\n{tiltfile.read_text()}"
    return result
