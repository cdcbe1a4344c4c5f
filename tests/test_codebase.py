"""The code stays lint-clean and type-checked: `ruff check`, `ruff format --check` and `mypy` with pyproject.toml's
settings (over devenv, tests, bench and scripts), run as tests so CI runs them with everything else (they come with the [test] extra)."""

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
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean():
    done = _run("ruff", "check", "--no-cache", "devenv", "tests", "bench", "scripts")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = _run("ruff", "format", "--check", "--no-cache", "devenv", "tests", "bench", "scripts")
    assert done.returncode == 0, done.stdout + done.stderr + "\nrun: ruff format devenv tests bench scripts"


def test_mypy_is_clean_on_the_package():
    done = _run("mypy", "--no-incremental", "--cache-dir", "/dev/null")  # packages = ["devenv"] in pyproject.toml
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "flaw, rule",
    [
        ("import os\n", "F401"),  # pyflakes: unused import
        ("def f(x=[]):\n    return x\n", "B006"),  # bugbear: mutable default
    ],
)
def test_ruff_would_catch_a_flaw(tmp_path, flaw, rule):
    """The configuration really selects the rule families it claims (a clean run is not an empty one)."""
    path = tmp_path / "flawed.py"
    path.write_text(flaw)
    done = _run("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(path))
    assert done.returncode == 1 and rule in done.stdout, done.stdout + done.stderr


def test_mypy_would_catch_a_type_error(tmp_path):
    path = tmp_path / "flawed.py"
    path.write_text("def f(x: int) -> str:\n    return x\n")
    done = _run("mypy", "--config-file", str(REPO / "pyproject.toml"), "--no-incremental", "--cache-dir", "/dev/null", str(path))
    assert done.returncode == 1 and "Incompatible return value" in done.stdout, done.stdout + done.stderr


# Small modules and functions (about 300 and 50 lines): the test allows some slack, and a longer
# one passes when a `# long: <why>` comment inside it says why. KNOWN lists the debts this test
# found when it was written; shrink it, never grow it.
MODULE_LINES, FUNCTION_LINES = 330, 60
KNOWN: set[str] = set()


def test_modules_and_functions_stay_small():
    import ast

    too_long = []
    for path in sorted((REPO / "devenv").rglob("*.py")):
        name = str(path.relative_to(REPO))
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        if len(lines) > MODULE_LINES and name not in KNOWN and "# long: " not in source:
            too_long.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            if length > FUNCTION_LINES and f"{name}:{node.name}" not in KNOWN and "# long: " not in body:
                too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, "split these, or say why in a `# long: ...` comment:\n" + "\n".join(too_long)
