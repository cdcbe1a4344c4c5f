"""What the hot SDK commands trust from a render (devenv.sdk.trusted): whatever sits where the
manifest, the Tiltfile or the recorded facts should be, they never hang on it nor read it
without end; anything but a regular file sends them to the full load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.manifests import build_tree
from tests.support.cli import devenv

FILES = {
    "services.yaml": "version: 1\nproject: p\nsdks:\n  ts:\n    language: typescript\n    path: sdk\n"
    "    package: '@a/ts'\n    steps:\n      build: {cmd: 'true'}\nservices: {}\n",
    "sdk/src/a.ts": "A",
}


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")


@pytest.fixture
def rendered(tmp_path) -> Path:
    build_tree(tmp_path, FILES)
    assert devenv("render", cwd=tmp_path).code == 0
    assert (tmp_path / ".devenv/rendered-facts.json").is_file()
    return tmp_path


@pytest.mark.parametrize("make", [_fifo, _dev_zero], ids=["fifo", "dev-zero"])
@pytest.mark.parametrize("where", [".devenv/rendered-facts.json", "Tiltfile"])
def test_a_facts_file_or_tiltfile_that_is_not_a_file_is_passed_over(rendered, make, where):
    make(rendered / where)
    for args in (["sdk", "guard", "ts"], ["sdk", "mark", "ts", "build"]):
        result = devenv(*args, cwd=rendered, env={"TILT_PORT": ""}, timeout=30)
        assert result.code == 0, result.err


@pytest.mark.parametrize("make", [_fifo, _dev_zero], ids=["fifo", "dev-zero"])
def test_a_manifest_that_is_not_a_file_is_one_message(rendered, make):
    make(rendered / "m.yaml")
    result = devenv("sdk", "guard", "ts", "-f", "m.yaml", cwd=rendered, timeout=30)
    assert result.code == 2 and "m.yaml is not a regular file" in result.err, result.err


def test_a_fifo_or_device_in_an_sdk_folder_is_no_source(rendered):
    """`sdk mark` hashed every file under the SDK's path with read_bytes: a FIFO there hung the
    step for ever, a link to /dev/zero never ended. Neither is source: the digest leaves them out."""
    env = {"TILT_PORT": ""}
    assert devenv("sdk", "mark", "ts", "build", cwd=rendered, env=env).code == 0
    os.mkfifo(rendered / "sdk/src/pipe.ts")
    (rendered / "sdk/src/zero.ts").symlink_to("/dev/zero")
    result = devenv("sdk", "mark", "ts", "build", cwd=rendered, env=env, timeout=30)
    assert result.code == 0 and "result unchanged" in result.err, result.err
