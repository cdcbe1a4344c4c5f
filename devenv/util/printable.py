"""Text from the file system made safe for a line-oriented report.

A file name may hold a newline, a carriage return, a terminal escape or a bidi override; printed
raw, it forges a report line or rewrites the terminal. :func:`escape` spells every character
that is not printable (line and paragraph separators included) the way Python's repr does,
so ``a\\nb.json`` reads as ``a\\nb.json`` on one line.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spell(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` with every non-printable character escaped (spaces stay)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _spell(c) for c in text)
