"""One formatter module per output (yamllint's cli / check-jsonschema's reporters).

Each module exports ``report(result, options) -> str``; nothing prints itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from json import dumps  # not `import json`: the submodule formats.json would shadow it here
from pathlib import Path
from typing import Any, Callable

from devenv.errors import spell_undecodable
from devenv.lint.model import LintResult

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Options:
    cwd: Path  # text and JSON name files relative to where the user stands
    srcroot: Path  # SARIF URIs are relative to this (the git work tree, else the lint root)
    version: str = ""
    changes: Any = None  # `lint --fix --diff`: the devenv.lint.sdk.fix.FixReport to show, not write

    def display(self, result: LintResult, path: str) -> str:
        return os.path.relpath(os.path.join(result.root, path), self.cwd)


def json_text(document: Any) -> str:
    """``document`` as indented JSON that is valid UTF-8 whatever the file names. A name that is
    not UTF-8 reaches lint as lone surrogates (surrogateescape), which no encoder accepts: each
    is spelled ``\\xff``, as the text report names the file (:func:`devenv.errors.spell_undecodable`)."""
    text = dumps(document, indent=2, ensure_ascii=False)
    # Lone surrogates occur only inside JSON strings: the spelling goes in JSON-escaped.
    return _SURROGATE.sub(lambda m: dumps(spell_undecodable(m.group()))[1:-1], text) + "\n"


def _load(name: str) -> Callable[[LintResult, Options], str]:
    from importlib import import_module

    return import_module(f"devenv.lint.formats.{name}").report


NAMES = ("text", "json", "sarif")


def formatter(name: str) -> Callable[[LintResult, Options], str]:
    if name not in NAMES:
        raise KeyError(name)
    return _load(name)
