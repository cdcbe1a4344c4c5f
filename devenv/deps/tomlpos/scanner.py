"""Where each string of a TOML document is: its key path and its span in the text.

``tomllib`` and ``tomlkit`` give values without positions; findings need ``file:line:col``
and ``--fix`` needs the exact span of a version. This is a small recursive-descent scanner of
TOML 1.0's syntax (tables, arrays of tables, dotted and quoted keys, the four string kinds,
arrays and inline tables over several lines, comments) that records every string value.
It never decides what a value *is*: :func:`strings` checks each string it found against the
value ``tomllib`` parsed at the same path and raises :class:`TomlPositionError` on any
difference, so a scanner bug can cost a position but never a wrong finding or a wrong edit.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass

Path = tuple[str | int, ...]


class TomlPositionError(ValueError):
    pass


@dataclass(frozen=True)
class TomlString:
    path: Path
    start: int  # of the opening quote
    end: int  # after the closing quote
    raw: str  # the token as written, quotes included
    quote: str  # '"', "'", '"""' or "'''"

    @property
    def content_span(self) -> tuple[int, int]:
        return self.start + len(self.quote), self.end - len(self.quote)

    @property
    def verbatim(self) -> bool:
        """Is the text between the quotes the value itself (no escapes, no line-ending trim)?"""
        body = self.raw[len(self.quote) : len(self.raw) - len(self.quote)]
        if self.quote == '"':
            return "\\" not in body
        if self.quote == "'":
            return True
        return False  # multi-line strings: a leading newline is trimmed, "\" continues lines


_WS = re.compile(r"[ \t]*")
_WS_COMMENTS = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]*")
HEADER = re.compile(r"^[ \t]*\[", re.M)  # a table header, or (in an array) a nested array
_SIMPLE_STRING = re.compile(r"\"[^\"\\\n]*\"(?!\")|'[^'\n]*'(?!')")  # not the opening of a multi-line string


class Scanner:
    def __init__(self, text: str):
        self.t = text
        self.i = 0
        self.out: list[TomlString] = []
        self.aot: dict[Path, int] = {}
        # lint's question "which table and key is this text in?": where each header ends (after
        # its "]") and each key ends (its "="), with the name as written
        self.tables: list[tuple[int, str]] = []
        self.keys: list[tuple[int, str]] = []

    def error(self, what: str) -> TomlPositionError:
        line = self.t.count("\n", 0, self.i) + 1
        return TomlPositionError(f"line {line}: {what}")

    def ws(self) -> None:
        self.i = _WS.match(self.t, self.i).end()  # type: ignore[union-attr]  # a `*` pattern always matches

    def ws_comments_newlines(self) -> None:
        self.i = _WS_COMMENTS.match(self.t, self.i).end()  # type: ignore[union-attr]  # a `*` pattern always matches

    def skip_comment(self) -> None:
        nl = self.t.find("\n", self.i)
        self.i = len(self.t) if nl < 0 else nl

    def end_of_line(self) -> None:
        self.ws()
        if self.i < len(self.t) and self.t[self.i] == "#":
            self.skip_comment()
        if self.i < len(self.t) and self.t[self.i] == "\r":
            self.i += 1
        if self.i < len(self.t):
            if self.t[self.i] != "\n":
                raise self.error("expected the end of the line")
            self.i += 1

    # -- keys -------------------------------------------------------------------------------------
    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self.ws()
            c = self.t[self.i : self.i + 1]
            if c in ('"', "'"):
                token, value = self.string()
                parts.append(value)
            else:
                start = self.i
                self.i = BARE_KEY.match(self.t, self.i).end()  # type: ignore[union-attr]  # a `*` pattern always matches
                if start == self.i:
                    raise self.error("expected a key")
                parts.append(self.t[start : self.i])
            self.ws()
            if self.t[self.i : self.i + 1] == ".":
                self.i += 1
                continue
            return tuple(parts)

    # -- values -----------------------------------------------------------------------------------
    def string(self) -> tuple[str, str]:
        t, i = self.t, self.i
        for quote in ('"""', "'''"):
            if t.startswith(quote, i):
                j = i + 3
                while True:
                    k = t.find(quote, j)
                    if k < 0:
                        raise self.error("unterminated multi-line string")
                    if quote == '"""':
                        backslashes = 0
                        while t[k - 1 - backslashes] == "\\":
                            backslashes += 1
                        if backslashes % 2:
                            j = k + 1
                            continue
                    extra = 0  # up to two quotes of the content may touch the closing delimiter
                    while extra < 2 and t[k + 3 + extra : k + 4 + extra] == quote[0]:
                        extra += 1
                    self.i = k + 3 + extra
                    raw = t[i : self.i]
                    return raw, raw
        simple = _SIMPLE_STRING.match(t, i)
        if simple:  # no escapes: the common case, at C speed
            self.i = simple.end()
            raw = simple.group()
            return raw, raw[1:-1]
        quote = t[i]
        j = i + 1
        while j < len(t):
            c = t[j]
            if c == "\\" and quote == '"':
                j += 2
                continue
            if c == quote:
                self.i = j + 1
                raw = t[i : self.i]
                return raw, _decode(raw)
            if c == "\n":
                break
            j += 1
        raise self.error("unterminated string")

    def value(self, path: Path) -> None:
        t = self.t
        c = t[self.i : self.i + 1]
        if c in ('"', "'"):
            start = self.i
            raw, _ = self.string()
            quote = raw[:3] if raw[:3] in ('"""', "'''") else raw[0]
            self.out.append(TomlString(path, start, self.i, raw, quote))
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.ws_comments_newlines()
                if t[self.i : self.i + 1] == "]":
                    self.i += 1
                    return
                self.value(path + (index,))
                index += 1
                self.ws_comments_newlines()
                if t[self.i : self.i + 1] == ",":
                    self.i += 1
                elif t[self.i : self.i + 1] != "]":
                    raise self.error("expected ',' or ']' in an array")
        elif c == "{":
            self.i += 1
            self.ws()
            if t[self.i : self.i + 1] == "}":
                self.i += 1
                return
            while True:
                key = self.key()
                if t[self.i : self.i + 1] != "=":
                    raise self.error("expected '=' in an inline table")
                self.i += 1
                self.ws()
                self.value(path + key)
                self.ws()
                if t[self.i : self.i + 1] == ",":
                    self.i += 1
                    continue
                if t[self.i : self.i + 1] == "}":
                    self.i += 1
                    return
                raise self.error("expected ',' or '}' in an inline table")
        else:  # numbers, booleans, dates (a date may hold one space: "1979-05-27 07:32:00")
            start = self.i
            while self.i < len(t) and t[self.i] not in ",]}#\r\n":
                self.i += 1
            while self.i > start and t[self.i - 1] in " \t":
                self.i -= 1
            if self.i == start:
                raise self.error("expected a value")

    # -- document ---------------------------------------------------------------------------------
    def document(self) -> list[TomlString]:
        table: Path = ()
        t = self.t
        while True:
            self.ws_comments_newlines()
            if self.i >= len(t):
                return self.out
            if t.startswith("[[", self.i):
                at = self.i
                self.i += 2
                name = self.key()
                if not t.startswith("]]", self.i):
                    raise self.error("expected ']]'")
                self.tables.append((self.i + 2, t[at + 2 : self.i].strip()))
                self.i += 2
                index = self.aot.get(name, -1) + 1
                for nested in [k for k in self.aot if len(k) > len(name) and k[: len(name)] == name]:
                    del self.aot[nested]  # a new entry: its own arrays of tables start again
                self.aot[name] = index
                # a sub-table of an array-of-tables entry: [[a]] [[a.b]] -> a[n].b[m]
                table = self._under_aot(name) + (index,)
                self.end_of_line()
            elif t[self.i] == "[":
                at = self.i
                self.i += 1
                name = self.key()
                if t[self.i : self.i + 1] != "]":
                    raise self.error("expected ']'")
                self.tables.append((self.i + 1, t[at + 1 : self.i].strip()))
                self.i += 1
                table = self._under_aot(name)
                self.end_of_line()
            else:
                at = self.i
                key = self.key()
                if t[self.i : self.i + 1] != "=":
                    raise self.error("expected '='")
                self.keys.append((self.i + 1, t[at : self.i].strip()))
                self.i += 1
                self.ws()
                self.value(table + key)
                self.end_of_line()

    def _under_aot(self, name: tuple[str, ...]) -> Path:
        """Insert the current index of every enclosing array of tables into ``name``."""
        path: list[str | int] = []
        for n in range(1, len(name) + 1):
            path.append(name[n - 1])
            prefix = name[:n]
            if prefix in self.aot and n < len(name):
                path.append(self.aot[prefix])
        return tuple(path)


def _decode(raw: str) -> str:
    if raw[0] == "'" or "\\" not in raw:
        return raw[1:-1]
    return tomllib.loads("v = " + raw)["v"]


def _lookup(data, path: Path):
    for part in path:
        data = data[part]
    return data


def strings(text: str, data: dict | None = None) -> list[TomlString]:
    """Every string value of ``text`` with its path, checked against ``tomllib``'s parse.

    Raises :class:`TomlPositionError` if the scanner and the parser disagree anywhere, and
    ``tomllib.TOMLDecodeError`` if the text is not TOML.
    """
    if data is None:
        data = tomllib.loads(text)
    found = Scanner(text).document()
    for item in found:
        try:
            value = _lookup(data, item.path)
        except (KeyError, IndexError, TypeError):
            raise TomlPositionError(f"no value at {'.'.join(map(str, item.path))}") from None
        if not isinstance(value, str) or (item.verbatim and value != item.raw[len(item.quote) : -len(item.quote)]):
            raise TomlPositionError(f"the value at {'.'.join(map(str, item.path))} is not the string scanned")
    return found


@functools.lru_cache(maxsize=16)
def _layout(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    scanner = Scanner(text)
    while True:
        try:
            scanner.document()
            return scanner.tables, scanner.keys
        except (TomlPositionError, IndexError):  # a file TOML rejects: go on from the next line
            newline = text.find("\n", scanner.i)
            if newline < 0:
                return scanner.tables, scanner.keys
            scanner.i = newline + 1


def table_and_key(text: str, offset: int) -> tuple[str | None, str | None]:
    """The table header (as written, without brackets) and the key (as written, outer quotes
    dropped) whose value holds ``offset``; a multi-line array's lines belong to its key. For
    lint's messages about any text in a TOML file, so it never raises."""
    tables, keys = _layout(text)
    t = bisect.bisect_right(tables, offset, key=lambda item: item[0]) - 1  # headers that end by offset
    table_end = tables[t][0] if t >= 0 else -1
    k = bisect.bisect_right(keys, offset, key=lambda item: item[0]) - 1  # keys whose "=" is before offset
    key = keys[k][1].strip("\"'") if k >= 0 and keys[k][0] > table_end else None
    return (tables[t][1] if t >= 0 else None), key
