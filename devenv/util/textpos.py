"""Offsets in a text -> 1-based (line, column): the one mechanism behind lint's documents and the
dependency readers' positions. Columns count code points; only ``\\n`` ends a line (as editors,
SARIF and the readers' own parsers count; ``splitlines`` would also split at ``\\r``, ``\\v``, …)."""

from __future__ import annotations

import bisect
import itertools


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (the first is 0), summed at C speed."""
    return [0, *itertools.accumulate(map((1).__add__, map(len, text.split("\n"))))][:-1]


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of ``offset``."""
    return bisect.bisect_right(starts, offset)


def position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset``."""
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1
