"""Evaluate a rendered Tiltfile with starlark-go (the interpreter Tilt embeds) and stand-in builtins."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

starlark_go = pytest.importorskip("starlark_go", reason="starlark-go is in the [test] extra")

PRELUDE = (Path(__file__).parent / "tilt_standins.star").read_text()


def _rewrite_os_getenv(source: str) -> str:
    """`os.getenv` -> `os_getenv`, by tokens, so text inside string literals is never touched.

    starlark-go's Python bindings cannot call back into Python and have no `struct`, so the
    stand-ins are plain Starlark functions; Tilt's `os` module is the one name we rename.
    """
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits = []
    for i in range(len(tokens) - 2):
        a, b, c = tokens[i : i + 3]
        if a.type == tokenize.NAME and a.string == "os" and b.string == "." and c.string == "getenv":
            edits.append((a.start, c.end))
        elif a.type == tokenize.NAME and a.string == "os" and b.string == ".":
            raise AssertionError(f"unexpected use of Tilt's os module at line {a.start[0]}")
    for (row, col), (_, end_col) in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + "os_getenv" + line[end_col:]
    return "".join(lines)


def evaluate(tiltfile: str, env: dict[str, str] | None = None, files: dict[str, str] | None = None) -> list[dict]:
    """The builtin calls the Tiltfile makes, in order (``files``: what ``read_file`` finds)."""
    source = PRELUDE + "\n" + _rewrite_os_getenv(tiltfile)
    interpreter = starlark_go.Starlark()
    interpreter.set(_ENV=dict(env or {}), _FILES=dict(files or {}))
    interpreter.exec(source, filename="Tiltfile")
    return interpreter.get("_calls")
