"""The first SDK step's shell command: `guard && <cmd> && stamp`, run by the real `sh` as Tilt runs it.

A stand-in `devenv` on PATH records each call (and its folder); the step's own command touches a
marker. Whatever the command's shape (`||`, `;`, `#`, newlines, `cd`, `exit`), a failed guard runs
nothing else, the stamp runs only after the command succeeded, and always in the step's folder."""

from __future__ import annotations

import os
import subprocess

import pytest

from devenv.sdk.steps import first_step_cmd

SUCCEEDING = [
    "touch {m}",
    "false || touch {m}",
    "touch {m}; true",
    "cd / ; touch {m}",
    "cd /",
    "touch {m} # trailing comment",
    "touch {m}\n",
    "touch {m} &\nwait",
    "(touch {m})",
    "touch {m} && exit 0",
    "touch '{m}' && echo \"a b\" | cat",
    "if true; then touch {m}; fi",
    "exec touch {m}",
    "  touch {m}  ",
    "touch {m}\n# only a comment",
]
FAILING = ["false", "touch {m}; false", "exit 3", "touch {m} && false # no", "true\nfalse"]


@pytest.fixture
def shell(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    fake = bin_dir / "devenv"
    fake.write_text('#!/bin/sh\necho "$PWD $*" >> "$DEVENV_LOG"\n[ "$1 $2" = "sdk guard" ] && [ -n "$GUARD_FAILS" ] && exit 1\nexit 0\n')
    fake.chmod(0o755)
    workdir = tmp_path / "work"
    workdir.mkdir()

    def run(cmd: str, guard_fails: bool = False, stamp: bool = True) -> tuple[int, list[str], bool]:
        marker = tmp_path / "marker"
        marker.unlink(missing_ok=True)
        log.unlink(missing_ok=True)
        full = first_step_cmd("ts", cmd.format(m=marker), "services.yaml", stamp=stamp)
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "DEVENV_LOG": str(log)}
        if guard_fails:
            env["GUARD_FAILS"] = "1"
        proc = subprocess.run(["sh", "-c", full.strip()], cwd=workdir, env=env, capture_output=True, text=True, timeout=30)
        calls = log.read_text().splitlines() if log.exists() else []
        return proc.returncode, calls, marker.exists()

    shell.workdir = workdir
    return run, workdir


@pytest.mark.parametrize("cmd", SUCCEEDING + FAILING)
def test_a_failed_guard_runs_nothing(shell, cmd):
    run, workdir = shell
    code, calls, touched = run(cmd, guard_fails=True)
    assert code != 0
    assert calls == [f"{workdir} sdk guard ts -f services.yaml"]
    assert not touched


@pytest.mark.parametrize("cmd", SUCCEEDING)
def test_the_stamp_follows_success_in_the_steps_folder(shell, cmd):
    run, workdir = shell
    code, calls, _ = run(cmd)
    assert code == 0
    assert calls == [f"{workdir} sdk guard ts -f services.yaml", f"{workdir} sdk stamp ts -f services.yaml"]


@pytest.mark.parametrize("cmd", FAILING)
def test_no_stamp_after_a_failure(shell, cmd):
    run, workdir = shell
    code, calls, _ = run(cmd)
    assert code != 0
    assert calls == [f"{workdir} sdk guard ts -f services.yaml"]


def test_plain_commands_stay_readable():
    assert first_step_cmd("ts", "release/build.sh ts --fast", "services.yaml", stamp=True) == (
        "devenv sdk guard ts -f services.yaml && release/build.sh ts --fast && devenv sdk stamp ts -f services.yaml"
    )
    assert first_step_cmd("ts", "make a; make b", "my manifest.yaml", stamp=False) == ("devenv sdk guard ts -f 'my manifest.yaml' && (\nmake a; make b\n)")
