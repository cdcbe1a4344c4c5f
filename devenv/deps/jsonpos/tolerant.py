"""A forgiving JSON tokenizer that knows the key path of every string, for positions.

``json`` gives values without positions; lint needs the other direction: "which key is the
text at offset N in?". The tokenizer never raises: on malformed input the paths it gives are
approximate and lint falls back to plain-text messages. ``//`` and ``/* */`` comments are
skipped, so JSONC files (tsconfig.json) work too.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

JsonPath = tuple[str | int, ...]

_TOKEN = re.compile(
    r"""
      (?P<ws>[ \t\r\n]+)
    | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<str>"(?:[^"\\\n]|\\.)*"?)
    | (?P<punct>[{}\[\]:,])
    | (?P<lit>[^\s{}\[\]:,"/]+|/)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Frame:
    kind: str  # "obj" | "arr"
    path: JsonPath
    key: str | None = None
    index: int = 0
    expect_key: bool = True

    def child(self) -> JsonPath:
        return self.path + ((self.key if self.key is not None else "") if self.kind == "obj" else self.index,)


@dataclass
class JsonIndex:
    """Spans of every string and literal token with the path of the value they belong to."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    paths: list[JsonPath] = field(default_factory=list)
    is_key: list[bool] = field(default_factory=list)

    def at(self, offset: int) -> tuple[JsonPath, bool] | None:
        """(path, is_key) of the token containing ``offset``, or None outside any token."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.paths[i], self.is_key[i]
        return None

    def first_offset(self, prefix: JsonPath) -> int | None:
        for start, path in zip(self.starts, self.paths):
            if path[: len(prefix)] == prefix:
                return start
        return None


def _key(token: str) -> str:
    try:
        value = json.loads(token)
        return value if isinstance(value, str) else token.strip('"')
    except ValueError:
        return token.strip('"')


def index(text: str) -> JsonIndex:
    out = JsonIndex()
    stack: list[_Frame] = []
    frame: _Frame | None = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        token = match.group()
        if kind == "punct":
            if token in "{[":
                path = frame.child() if frame else ()
                if frame is not None:
                    stack.append(frame)
                frame = _Frame("obj" if token == "{" else "arr", path)
            elif token in "}]":
                frame = stack.pop() if stack else None
            elif frame is not None and token == ":":
                frame.expect_key = False
            elif frame is not None and token == ",":
                if frame.kind == "obj":
                    frame.expect_key, frame.key = True, None
                else:
                    frame.index += 1
            continue
        if frame is not None and frame.kind == "obj" and frame.expect_key and kind == "str":
            frame.key = _key(token)
            path, is_key = frame.path + (frame.key,), True
        else:
            path, is_key = (frame.child() if frame else ()), False
        out.starts.append(match.start())
        out.ends.append(match.end())
        out.paths.append(path)
        out.is_key.append(is_key)
    return out


def dotted(path: JsonPath) -> str:
    return ".".join(str(p) for p in path)
