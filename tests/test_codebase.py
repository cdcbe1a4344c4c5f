"""The code stays lint-clean and type-checked: `ruff check` and `mypy` with pyproject.toml's
settings, run as tests so CI runs them with everything else (they come with the [test] extra)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.components import missing

REPO = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec(module) is None:
        missing(f"{module} is not installed: pip install -e '.[test]'")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def test_ruff_lint_is_clean():
    done = _run("ruff", "check", "--no-cache", "devenv", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_package():
    done = _run("mypy", "--no-incremental", "--cache-dir", "/dev/null")  # packages = ["devenv"] in pyproject.toml
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("flaw, rule", [
    ("import os\n", "F401"),  # pyflakes: unused import
    ("def f(x=[]):\n    return x\n", "B006"),  # bugbear: mutable default
])
def test_ruff_would_catch_a_flaw(tmp_path, flaw, rule):
    """The configuration really selects the rule families it claims (a clean run is not an empty one)."""
    path = tmp_path / "flawed.py"
    path.write_text(flaw)
    done = _run("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(path))
    assert done.returncode == 1 and rule in done.stdout, done.stdout + done.stderr


def test_mypy_would_catch_a_type_error(tmp_path):
    path = tmp_path / "flawed.py"
    path.write_text("def f(x: int) -> str:\n    return x\n")
    done = _run("mypy", "--config-file", str(REPO / "pyproject.toml"), "--no-incremental", "--cache-dir", "/dev/null",
                str(path))
    assert done.returncode == 1 and "Incompatible return value" in done.stdout, done.stdout + done.stderr
