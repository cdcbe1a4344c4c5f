"""Positions in valid JSON, fast: the members of one object with their offsets, found with
``json``'s own C scanners so only the levels asked for are walked in Python. For text that may
be malformed or JSONC, :mod:`devenv.deps.jsonpos.tolerant` gives every string's key path."""

from __future__ import annotations

import json
import re

WS = re.compile(r"[ \t\r\n]*")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # the C scanner json itself uses
_raw_decode = json.JSONDecoder().raw_decode


def members(text: str, start: int) -> dict[str, tuple[int, int, int]] | None:
    """The members of the JSON object at ``text[start]`` (``{``): key -> (key start, value start,
    value end); the last of duplicate keys wins, as in ``json``. Strings and nested values are
    skipped with json's own (C) scanners, so only the levels asked for are walked in Python.
    None when ``text[start]`` is not an object (the caller already parsed ``text`` with json)."""
    if text[start : start + 1] != "{":
        return None
    out: dict[str, tuple[int, int, int]] = {}
    i = WS.match(text, start + 1).end()  # type: ignore[union-attr]  # a `*` pattern always matches
    if text[i : i + 1] == "}":
        return out
    while True:
        key_start = i
        key, i = _scanstring(text, i + 1)
        i = WS.match(text, i).end() + 1  # type: ignore[union-attr]  # always matches; +1 steps over the ":"
        value_start = WS.match(text, i).end()  # type: ignore[union-attr]  # a `*` pattern always matches
        _, value_end = _raw_decode(text, value_start)
        out[key] = (key_start, value_start, value_end)
        i = WS.match(text, value_end).end()  # type: ignore[union-attr]  # a `*` pattern always matches
        if text[i : i + 1] != ",":
            return out
        i = WS.match(text, i + 1).end()  # type: ignore[union-attr]  # a `*` pattern always matches
