"""Evaluate a rendered Tiltfile with starlark-go (the interpreter Tilt embeds) and stand-in builtins."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

starlark_go = pytest.importorskip("starlark_go", reason="starlark-go is in the [test] extra")

PRELUDE = (Path(__file__).parent / "tilt_standins.star").read_text()


# Tilt's modules' functions a rendered Tiltfile may call, each a plain stand-in named with
# underscores (os.path.exists -> os_path_exists).
MODULE_FUNCTIONS = {
    "os.getenv",
    "os.putenv",
    "os.path.exists",
    "os.path.join",
    "os.path.abspath",
    "config.define_string_list",
    "config.parse",
    "config.set_enabled_resources",
    "v1alpha1.ui_button",
    "v1alpha1.cmd",
    "v1alpha1.start_on_spec",
}
MODULES = {name.split(".")[0] for name in MODULE_FUNCTIONS}


def _rewrite_os_getenv(source: str) -> str:
    """`os.getenv` -> `os_getenv` (and the other MODULE_FUNCTIONS alike), by tokens, so text inside
    string literals is never touched.

    starlark-go's Python bindings cannot call back into Python and have no `struct`, so the
    stand-ins are plain Starlark functions; Tilt's modules' functions become `module_function`.
    """
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits = []
    for i in range(len(tokens) - 2):
        a = tokens[i]
        if not (a.type == tokenize.NAME and a.string in MODULES and tokens[i + 1].string == "."):
            continue
        if i > 0 and tokens[i - 1].string == ".":
            continue
        parts, j = [a.string], i + 1
        while j + 1 < len(tokens) and tokens[j].string == "." and tokens[j + 1].type == tokenize.NAME:
            parts.append(tokens[j + 1].string)
            j += 2
        name = ".".join(parts)
        if name not in MODULE_FUNCTIONS:
            raise AssertionError(f"unexpected use of Tilt's {a.string} module at line {a.start[0]}: {name}")
        edits.append((a.start, tokens[j - 1].end, name.replace(".", "_")))
    for (row, col), (_, end_col), replacement in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + replacement + line[end_col:]
    return "".join(lines)


def evaluate(tiltfile: str, env: dict[str, str] | None = None, args: list[str] | None = None, files: dict[str, str] | None = None) -> list[dict]:
    """The builtin calls the Tiltfile makes, in order (``args``: what follows `tilt up --`;
    ``files``: what ``read_file`` finds)."""
    source = PRELUDE + "\n" + _rewrite_os_getenv(tiltfile)
    interpreter = starlark_go.Starlark()
    interpreter.set(_ENV=dict(env or {}), _ARGS=list(args or []), _FILES=dict(files or {}))
    interpreter.exec(source, filename="Tiltfile")
    return interpreter.get("_calls")
