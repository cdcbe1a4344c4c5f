"""Freshness on a real proto workspace: the example monorepo's own SDK build step, run as the
rendered Tiltfile runs it (`sh -c` in the manifest's folder). Edit a .proto -> doctor reports the
SDK stale with the step to rerun and the services it blocks; rerun the step -> fresh; remove the
proto workspace -> the step fails fast at the guard, one line naming the path, before its command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.render.standins import evaluate
from tests.support.cli import devenv, run_without_root_bypass

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's `devenv` console script, as Tilt finds it on PATH
PROTO = load_manifest(REPO / "services.yaml").manifest.proto.path  # the example's proto workspace


@pytest.fixture
def example(tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("generated", "dist", "node_modules"))
    shutil.copy(REPO / "services.yaml", root / "services.yaml")
    return root


def _step_cmd(root: Path, resource: str) -> tuple[str, Path]:
    loaded = load_manifest(root / "services.yaml")
    calls = evaluate(render(loaded, root / "Tiltfile").text)
    step = next(c for c in calls if c["fn"] == "local_resource" and c["name"] == resource)
    return step["cmd"], root / (step.get("dir") or ".")


def _run_step(root: Path, resource: str) -> subprocess.CompletedProcess:
    cmd, workdir = _step_cmd(root, resource)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}
    return subprocess.run(["sh", "-c", cmd], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def _doctor(root: Path) -> dict[str, dict]:
    result = devenv("doctor", "--only", "sdks", "--json", cwd=root)
    return {c["id"]: c for c in json.loads(result.out)["checks"]}


def test_stale_fresh_and_missing_workspace(example):
    ts = "sdks.ts-generated"
    assert _doctor(example)[ts]["status"] == "warn"  # never generated

    first = _run_step(example, "packages:ts-sdk-build")
    assert first.returncode == 0, first.stderr
    assert (example / "examples/packages/ameide_sdk_ts/generated/.devenv-sdk-stamp.json").is_file()
    checks = _doctor(example)
    assert checks[ts]["status"] == "ok", checks[ts]
    assert checks["sdks.go-generated"]["status"] == "warn"  # its step has not run

    proto = example / PROTO / "proto/ameide/graph/v1/graph.proto"
    proto.write_text(proto.read_text() + "\n// a new field is coming\n")
    stale = _doctor(example)[ts]
    assert stale["status"] == "fail"
    assert "generated from other proto sources" in stale["message"]
    assert stale["hint"] == "rerun its step: tilt trigger packages:ts-sdk-build"
    assert stale["blocked_services"] == ["platform", "threads", "www_ameide_platform"]
    assert devenv("sdk", "status", "ts", cwd=example).code == 1

    again = _run_step(example, "packages:ts-sdk-build")
    assert again.returncode == 0, again.stderr
    assert _doctor(example)[ts]["status"] == "ok"
    assert devenv("sdk", "status", "ts", cwd=example).code == 0

    shutil.rmtree(example / PROTO)
    stamp = (example / "examples/packages/ameide_sdk_ts/generated/STAMP").read_bytes()
    failed = _run_step(example, "packages:ts-sdk-build")
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert lines == [f"devenv: error: proto workspace {PROTO} is missing: SDK 'ts' is generated only from it (no fallback)"]
    assert "sync-proto" not in failed.stdout + failed.stderr  # the step's own command never ran
    assert (example / "examples/packages/ameide_sdk_ts/generated/STAMP").read_bytes() == stamp
    gone = _doctor(example)[ts]
    assert gone["status"] == "fail" and "restore the proto workspace" in gone["hint"]


def test_content_not_time_decides(example):
    assert _run_step(example, "packages:python-sdk-build").returncode == 0
    proto = example / PROTO / "proto/ameide/common/v1/types.proto"
    os.utime(proto, (1, 1))  # touched, not changed
    assert _doctor(example)["sdks.python-generated"]["status"] == "ok"
    readme = example / PROTO / "README.md"
    readme.write_text("docs are not proto sources\n")
    assert _doctor(example)["sdks.python-generated"]["status"] == "ok"
    generated = next((example / "examples/packages/ameide_sdk_python/generated").rglob("*.proto"))
    generated.write_text(generated.read_text() + "// hand edit\n")
    modified = _doctor(example)["sdks.python-generated"]
    assert modified["status"] == "warn" and "changed after its step stamped it" in modified["message"]


def test_guard_and_stamp_commands(example):
    assert devenv("sdk", "guard", "go", cwd=example).code == 0
    assert devenv("sdk", "guard", "nope", cwd=example).code == 2
    no_generated = devenv("sdk", "stamp", "go", cwd=example)
    assert no_generated.code == 1 and "wrote no generated code there" in no_generated.err
    (example / PROTO / "proto").rename(example / "elsewhere")
    empty = devenv("sdk", "guard", "go", cwd=example)
    assert empty.code == 1 and "holds no .proto file" in empty.err


def test_a_fifo_in_the_proto_workspace_or_as_the_stamp_never_hangs(example):
    """The proto digest read every file with read_bytes: a FIFO in the workspace hung `sdk guard`
    (every SDK step) and doctor; a FIFO as the stamp hung `sdk status`. Neither is read now."""
    os.mkfifo(example / PROTO / "proto" / "pipe.proto")
    guard = devenv("sdk", "guard", "ts", cwd=example, timeout=30)
    assert guard.code == 0, guard.err
    generated = load_manifest(example / "services.yaml").manifest.sdks["ts"].generated
    (example / generated).mkdir(parents=True, exist_ok=True)
    os.mkfifo(example / generated / ".devenv-sdk-stamp.json")
    status = devenv("sdk", "status", "ts", cwd=example, timeout=30)
    assert status.code in (0, 1) and "Traceback" not in status.err and status.out.startswith("ts: "), status.out + status.err


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_unreadable_proto_file_or_folder_is_named_not_a_crash_nor_skipped(example, what):
    """A .proto devenv may not read was a PermissionError (exit 3) in guard, stamp and status; a
    folder it may not enter was silently left out of the digest (status said fresh)."""
    protos = example / PROTO / "proto"
    target = next(protos.rglob("*.proto")) if what == "file" else next(p for p in protos.rglob("*") if p.is_dir())
    target.chmod(0)
    try:
        guard = run_without_root_bypass(["sdk", "guard", "ts"], example)
        status = run_without_root_bypass(["sdk", "status", "ts"], example)
    finally:
        target.chmod(0o755 if what == "folder" else 0o644)
    assert guard.returncode == 1 and f"cannot read {target}: Permission denied" in guard.stderr, guard.stderr
    assert status.returncode == 1 and f"cannot read {target}: Permission denied" in status.stdout, status.stdout + status.stderr
    assert "Traceback" not in guard.stderr + status.stderr
