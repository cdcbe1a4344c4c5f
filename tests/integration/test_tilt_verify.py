"""The real `tilt ci` runs `devenv sdk verify` as the smoke step render adds to a published SDK's
chain that has none: a complete SDK lets the chain finish, a gap fails it (and so everything that
waits for the SDK). Verdaccio holds SDK variants built by the real npm (tests/sdk/verify)."""

from __future__ import annotations

import yaml

from tests.integration.judge import render_tiltfile
from tests.sdk.verify.artifacts import VARIANTS
from tests.sdk.verify.repo import write_repo


def _repo(tmp_path, url: str, version: str):
    manifest = write_repo(tmp_path, {"npm": url}, version=version)
    data = yaml.safe_load(manifest.read_text())
    data["sdks"]["ts"]["steps"] = {"build": {"cmd": "true"}, "publish": {"cmd": "true"}}
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    render_tiltfile(tmp_path)
    return tmp_path


def test_tilt_ci_verifies_the_published_sdk_as_the_smoke_step(tilt, verify_npm, tmp_path):
    root = _repo(tmp_path, verify_npm.url, VARIANTS["complete"])
    assert "'packages:ts-sdk-smoke'" in (root / "Tiltfile").read_text()
    run = tilt.run("ci", "--port", "0", cwd=root, timeout=240)
    out = run.stdout + run.stderr
    assert run.code == 0, out
    assert "devenv sdk verify ts -f services.yaml" in out
    assert "ok    ts: @ameideio/ameide-sdk-ts@1.5.0 (registry)" in out


def test_tilt_ci_fails_the_chain_on_a_gap(tilt, verify_npm, tmp_path):
    root = _repo(tmp_path, verify_npm.url, VARIANTS["no-generated"])
    run = tilt.run("ci", "--port", "0", cwd=root, timeout=240)
    out = run.stdout + run.stderr
    assert run.code != 0, out
    assert "missing-generated: dist/gen/ameide/graph/v1/graph_pb.js is missing" in out
    assert 'Command "devenv sdk verify ts -f services.yaml && devenv sdk mark ts smoke -f services.yaml" failed: exit status 1' in out
