"""The Tiltfile's own text, for what Tilt's JSON does not say: the line a resource comes from,
and the `allow_k8s_contexts` list (the JSON has no field for it)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

_CONTEXTS = re.compile(r"allow_k8s_contexts\(\s*([^)]*)\)")
_STRING = re.compile(r"""(['"])((?:(?!\1).)*)\1""")


def _is_tiltfile(path: Path) -> bool:
    name = path.name.lower()
    return "tiltfile" in name or name.endswith((".star", ".bzl"))


@dataclass
class Sources:
    """Every Starlark file the load read (the Tiltfile and what it `include()`d), line by line."""

    main: Path
    files: dict[Path, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, main: Path, config_files: list[str]) -> "Sources":
        """Lines are shown relative to the main Tiltfile's folder: `Tiltfile:12`, `tilt/ops.Tiltfile:2`."""
        sources = cls(main)
        paths = [main] + [Path(p) for p in config_files if _is_tiltfile(Path(p)) and Path(p) != main]
        for path in paths:
            try:
                sources.files[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
        return sources

    def _display(self, path: Path, line: int) -> str:
        try:
            shown = os.path.relpath(path, self.main.parent)
        except ValueError:
            shown = str(path)
        return f"{shown}:{line}"

    def where(self, *needles: str, call: str | None = None) -> str:
        """`file:line` of the first line quoting a needle (a resource name, an image), else of
        the first ``call(`` line, else the Tiltfile itself."""
        for needle in needles:
            if not needle:
                continue
            quoted = re.compile(r"""['"]""" + re.escape(needle) + r"""['"]""")
            for path, lines in self.files.items():
                for number, line in enumerate(lines, 1):
                    if quoted.search(line) and not line.lstrip().startswith("#"):
                        return self._display(path, number)
        if call:
            pattern = re.compile(r"\b" + re.escape(call) + r"\s*\(")
            for path, lines in self.files.items():
                for number, line in enumerate(lines, 1):
                    if pattern.search(line) and not line.lstrip().startswith("#"):
                        return self._display(path, number)
        return self._display(self.main, 1)

    def allowed_contexts(self) -> tuple[list[str], list[str]]:
        """(contexts given as string literals, `file:line` of calls whose argument is computed)."""
        contexts, computed = [], []
        for path, lines in self.files.items():
            text = "\n".join(lines)
            for match in _CONTEXTS.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if lines[line - 1].lstrip().startswith("#"):
                    continue
                argument = match.group(1).strip().strip("[]").strip()
                strings = [m.group(2) for m in _STRING.finditer(argument)]
                rest = _STRING.sub("", argument).replace(",", "").strip()
                if rest:
                    computed.append(self._display(path, line))
                contexts += [s for s in strings if s not in contexts]
        return contexts, computed
