"""The one encoder from Python values to Starlark source: every manifest string goes through here.

Escapes follow go.starlark.net's scanner: it accepts ``\\a \\b \\f \\n \\r \\t \\v \\\\ \\' \\"``,
``\\xHH`` only up to 0x7F, ``\\uXXXX`` and ``\\UXXXXXXXX`` (not for surrogates), and rejects a raw
newline inside a quoted string. Printable non-ASCII text is kept as UTF-8 so commands stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

_NAMED = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\", "'": "\\'"}


class StarlarkEncodeError(ValueError):
    pass


@dataclass(frozen=True)
class Expr:
    """Starlark source written by devenv itself (never from user data), passed through as is."""

    source: str


def string(value: str) -> str:
    if value.isascii() and value.isprintable() and "'" not in value and "\\" not in value:
        return f"'{value}'"  # nothing to escape: the common case, without the loop below
    out = ["'"]
    for char in value:
        code = ord(char)
        if char in _NAMED:
            out.append(_NAMED[char])
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise StarlarkEncodeError(f"unpaired surrogate U+{code:04X} cannot be written to a Tiltfile")
        elif char.isprintable():
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append("'")
    return "".join(out)


def literal(value: object) -> str:
    """Starlark source for ``value``: str, int, bool, None, list/tuple, dict, or :class:`Expr`."""
    if type(value) is str:  # most values: tested first (an exact str is none of the types below)
        return string(value)
    if type(value) is list or type(value) is tuple:  # then lists, mostly of strings: those encoded without a call more
        return "[" + ", ".join([string(v) if type(v) is str else literal(v) for v in value]) + "]"
    if isinstance(value, Expr):
        return value.source
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join([literal(v) for v in value]) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise StarlarkEncodeError(f"cannot encode {type(value).__name__} as Starlark")


def call(function: str, *args: object, **kwargs: object) -> Expr:
    """A call expression with encoded arguments; ``None`` keyword values are left out."""
    parts = [literal(a) for a in args]
    parts += [f"{k}={literal(v)}" for k, v in kwargs.items() if v is not None]
    return Expr(f"{function}({', '.join(parts)})")


def comment(text: str) -> str:
    """Text made safe for a `#` comment line: no line breaks or control characters."""
    if text.isprintable():  # the common case; U+2028, U+2029 and U+0085 are not printable either
        return text
    return "".join(c if c.isprintable() and c not in "\u2028\u2029\x85" else "?" for c in text)
