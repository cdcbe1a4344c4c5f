"""Run the real `devenv` console entry point in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def devenv(*args: str, cwd: Path, env: dict | None = None, timeout: float = 60) -> Result:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_without_root_bypass(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """`devenv ARGS` as a user meets permissions: root writes anywhere, so as root its DAC
    override is dropped (as tests/test_hostile_paths.py does). Text output, TILT_PORT unset."""
    import shutil

    import pytest

    argv = [sys.executable, "-m", "devenv", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv (util-linux) is needed to drop root's DAC override")
        argv = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *argv]
    env = {**os.environ, "TILT_PORT": "", "NO_COLOR": "1"}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
