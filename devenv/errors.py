"""Errors a user can cause, each rendered as one clear message (never a traceback)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file, printed as ``file:line:col``."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One finding about a manifest: where, which key, what is wrong, how to fix it."""

    location: Location
    key: str
    message: str
    hint: str = ""
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        text = f"{self.location} {key}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


# -- text from the file system, made safe for a line-oriented message -------------------------
# A file name may hold a newline, a carriage return, a terminal escape or a bidi override;
# printed raw, it forges an output line or rewrites the terminal. `escape` spells every character
# that is not printable (line and paragraph separators included) the way Python's repr does.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spell(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def spell_undecodable(text: str) -> str:
    """``text`` with every lone surrogate (a byte that was not UTF-8, kept by surrogateescape)
    spelled as :func:`escape` spells it (``\\xff``): the rest as it is. Such text encodes as
    UTF-8, so a JSON or SARIF report stays valid, and names the file as the text report does."""
    return _SURROGATE.sub(lambda m: _spell(m.group()), text)


def escape(text: str) -> str:
    """``text`` with every non-printable character escaped (spaces stay)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _spell(c) for c in text)


class DevenvError(Exception):
    """A user-facing failure: a message, an optional hint, and the exit code to use."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


@dataclass
class ManifestError(DevenvError):
    """Every problem found in a manifest, reported together."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        DevenvError.__init__(self, f"{count} {noun} in the manifest")


def report_problems(problems, stream=None) -> None:
    """Print problems as `file:line:col level: key: message`, each hint on the line below."""
    stream = stream or sys.stderr
    for problem in problems:
        label = "warning" if problem.severity == "warning" else "error"
        key = f"{escape(problem.key)}: " if problem.key else ""
        stream.write(f"{escape(str(problem.location))} {label}: {key}{escape(problem.message)}\n")
        if problem.hint:
            stream.write(f"    hint: {escape(problem.hint)}\n")
