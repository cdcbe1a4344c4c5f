"""One formatter module per output (yamllint's cli / check-jsonschema's reporters).

Each module exports ``report(result, options) -> str``; nothing prints itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from devenv.lint.model import LintResult


@dataclass(frozen=True)
class Options:
    cwd: Path  # text and JSON name files relative to where the user stands
    srcroot: Path  # SARIF URIs are relative to this (the git work tree, else the lint root)
    version: str = ""
    changes: Any = None  # `lint --fix --diff`: the devenv.lint.sdk.fix.FixReport to show, not write

    def display(self, result: LintResult, path: str) -> str:
        return os.path.relpath(os.path.join(result.root, path), self.cwd)


def _load(name: str) -> Callable[[LintResult, Options], str]:
    from importlib import import_module

    return import_module(f"devenv.lint.formats.{name}").report


NAMES = ("text", "json", "sarif")


def formatter(name: str) -> Callable[[LintResult, Options], str]:
    if name not in NAMES:
        raise KeyError(name)
    return _load(name)
