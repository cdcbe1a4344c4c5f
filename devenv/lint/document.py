"""One file being linted: its text, where its lines start, and the references in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from devenv.deps.jsonpos import tolerant as jsonpos
from devenv.lint.needles import Ref
from devenv.util import textpos


@dataclass
class Document:
    path: str  # relative to the lint root, posix
    text: str
    refs: list[Ref] = field(default_factory=list)

    @cached_property
    def json(self) -> jsonpos.JsonIndex:
        """Key paths of the file's JSON tokens (only computed for JSON files)."""
        return jsonpos.index(self.text)

    @cached_property
    def line_starts(self) -> list[int]:
        return textpos.line_starts(self.text)

    @property
    def dir(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    def line_of(self, offset: int) -> int:
        """1-based line number of ``offset``."""
        return textpos.line_of(self.line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset``; columns count Unicode code points."""
        return textpos.position(self.line_starts, offset)

    def line_span(self, line: int) -> tuple[int, int]:
        """Offsets of ``line`` (1-based), without its newline."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return start, end

    def line_text(self, line: int) -> str:
        start, end = self.line_span(line)
        return self.text[start:end].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self.line_starts)
