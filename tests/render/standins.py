"""Evaluate a rendered Tiltfile with starlark-go (the interpreter Tilt embeds) and stand-in builtins."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

starlark_go = pytest.importorskip("starlark_go", reason="starlark-go is in the [test] extra")

PRELUDE = (Path(__file__).parent / "tilt_standins.star").read_text()


# Tilt's modules' functions the render uses, each a plain stand-in named module_function.
MODULE_FUNCTIONS = {("os", "getenv"), ("config", "define_string_list"), ("config", "parse"),
                    ("config", "set_enabled_resources"), ("v1alpha1", "ui_button"), ("v1alpha1", "cmd"),
                    ("v1alpha1", "start_on_spec")}
MODULES = {m for m, _ in MODULE_FUNCTIONS}


def _rewrite_os_getenv(source: str) -> str:
    """`os.getenv` -> `os_getenv`, by tokens, so text inside string literals is never touched.

    starlark-go's Python bindings cannot call back into Python and have no `struct`, so the
    stand-ins are plain Starlark functions; Tilt's modules' functions become `module_function`.
    """
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits = []
    for i in range(len(tokens) - 2):
        a, b, c = tokens[i : i + 3]
        if a.type == tokenize.NAME and b.string == "." and (a.string, c.string) in MODULE_FUNCTIONS:
            edits.append((a.start, c.end, f"{a.string}_{c.string}"))
        elif a.type == tokenize.NAME and a.string in MODULES and b.string == ".":
            raise AssertionError(f"unexpected use of Tilt's {a.string} module at line {a.start[0]}")
    for (row, col), (_, end_col), name in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + name + line[end_col:]
    return "".join(lines)


def evaluate(tiltfile: str, env: dict[str, str] | None = None, args: list[str] | None = None) -> list[dict]:
    """The builtin calls the Tiltfile makes, in order (``args``: what follows `tilt up --`)."""
    source = PRELUDE + "\n" + _rewrite_os_getenv(tiltfile)
    interpreter = starlark_go.Starlark()
    interpreter.set(_ENV=dict(env or {}), _ARGS=list(args or []))
    interpreter.exec(source, filename="Tiltfile")
    return interpreter.get("_calls")
