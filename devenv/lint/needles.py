"""What counts as a reference to the proto workspace, and the byte prefilter in front of it.

A reference is either

- the proto path *as a path*: a path token whose segments end with the proto path's
  segments (``packages/ameide_core_proto/``, ``./packages/ameide_core_proto``,
  ``../../packages/ameide_core_proto``, ``/app/packages/ameide_core_proto``), or a relative
  path that resolves to it from the file's folder (``../ameide_core_proto`` next to it); or
- one of ``proto.names`` as a *whole token* (``@ameide/core-proto``, ``ameide_core_proto``,
  ``ameide_core_proto.v1``, ``@ameide/core-proto@1.2``), so ``ameide_core_protocol`` or
  ``@ameide/core-proto-extra`` are other packages and never match. In Python dependency
  files a name also matches its PEP 503 spellings (``ameide-core-proto``, any case).

Before any of that, :meth:`Needles.prefilter` looks for fixed byte strings (the last path
segment, each name, and ``devenv`` for suppressions) with ``bytes.__contains__``; only a file
that contains one is decoded and parsed. The prefilter is a superset: it never decides that
something *is* a reference.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from devenv.lint.needlebytes import MARKER_KIND, SUPPRESSION_NEEDLE, byte_needles, clean_names, normalize_path, pep503_parts, python_name

__all__ = ["MARKER_KIND", "SUPPRESSION_NEEDLE", "Needles", "Ref", "normalize_path"]

# Characters a path token is made of (extended leftwards from the last segment).
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~/+-")
_WORD = "A-Za-z0-9_"
_QUOTES = "\"'`"


@dataclass(frozen=True)
class Ref:
    """One reference in a text: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # "path" | "name"
    needle: str  # the proto path, or the configured name that matched
    text: str  # what the file says

    def describe(self) -> str:
        if self.kind == "path":
            return f"the proto workspace '{self.needle}'"
        return f"the proto package '{self.text}'"


def _python_pattern(name: str) -> str | None:
    """PEP 503: runs of ``-_.`` are one separator and case does not matter."""
    if not python_name(name):
        return None
    parts = [re.escape(p) for p in pep503_parts(name)]
    return "(?i:" + "[-_.]+".join(parts) + ")"


class Needles:
    """The proto path and names of one manifest, compiled once."""

    def __init__(self, proto_path: str, names: Iterable[str] = ()):
        self.path = normalize_path(proto_path)
        self.segments = tuple(s for s in self.path.split("/") if s)
        self.last = self.segments[-1] if self.segments else self.path
        self.names = clean_names(names)
        ordered = sorted(self.names, key=len, reverse=True)
        self._names_longest = tuple(ordered)
        py = [p for p in map(_python_pattern, ordered) if p]
        self._py_re = re.compile(rf"(?<![{_WORD}.@-])(?:{'|'.join(py)})(?![{_WORD}-])") if py else None
        self._py_names = {self._canonical(n): n for n in self.names}
        # Each PEP 503 name's parts, lower case: every spelling find() matches holds all of them.
        self._folded_parts = tuple(tuple(p.lower().encode() for p in pep503_parts(n)) for n in ordered if python_name(n))
        # The prefilter's byte strings and its gate (devenv.lint.needlebytes, shared with the
        # git grep lint starts before it imports this module).
        self.byte_needles, self.gate, self.gate_covers_marker = byte_needles(proto_path, self.names)
        literals = tuple(dict.fromkeys((self.last, *self._names_longest)))
        # quiet() reasons about bytes: sound only where each literal's characters are its bytes.
        self._quiet_literals = tuple(n.encode() for n in literals) if all(n and n.isascii() for n in literals) else None

    @staticmethod
    def _canonical(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    def prefilter(self, data: bytes) -> bool:
        """True when ``data`` may hold a reference or a suppression (a cheap superset).

        A suppression is recognised by ``devenv``, except in a file without the gate when
        the gate is part of ``proto-import``: a malformed marker that lacks it too is then
        only reported in files that hold a reference.
        """
        if self.gate is None or self.gate in data:
            for needle in self.byte_needles:
                if needle in data:
                    return True
            return SUPPRESSION_NEEDLE in data
        return not self.gate_covers_marker and SUPPRESSION_NEEDLE in data

    def may_hold_a_python_spelling(self, data: bytes) -> bool:
        """Whether ``data`` may hold a PEP 503 spelling of a name in any case (``Ameide-Core-Proto``),
        which the prefilter's exact bytes miss: a superset of :meth:`find` with ``python=True``
        for such names (each part of the name, lower-cased, is in the lower-cased bytes)."""
        if not self._folded_parts:
            return False
        lowered = data.lower()
        return any(all(part in lowered for part in parts) for parts in self._folded_parts)

    def quiet(self, data: bytes) -> bool:
        """True when :meth:`find` (without the PEP 503 spellings) certainly finds nothing in the
        text of ``data``, and it holds no suppression: every occurrence of the path's last segment
        and of each name runs on into a word character (``@ameide/core-protocol``,
        ``ameide_core_proto_test``). Such decoys pass the prefilter; rejecting them here, on the
        raw bytes, skips decoding and parsing them (a third of lint's parsing in a large tree).

        Exact because :meth:`find` looks only at occurrences of these literals and demands the
        same end boundary; ASCII literals appear in the decoded text exactly where their bytes
        are, and a non-ASCII byte after one counts as a boundary here (not quiet)."""
        if self._quiet_literals is None or SUPPRESSION_NEEDLE in data:
            return False
        size = len(data)
        for literal in self._quiet_literals:
            i = data.find(literal)
            while i >= 0:
                end = i + len(literal)
                if end == size or data[end] not in _WORD_BYTES:
                    return False
                i = data.find(literal, i + 1)
        return True

    # -- paths ---------------------------------------------------------------------------------
    def inside(self, relative: str) -> bool:
        """Is the repository-relative ``relative`` the proto workspace or inside it?"""
        return relative == self.path or relative.startswith(self.path + "/")

    def _is_path(self, text: str, start: int, end: int, file_dir: str) -> bool:
        token = text[start:end]
        segments = [s for s in token.split("/") if s and s != "."]
        n = len(self.segments)
        if n == 0:
            return False
        relative = token.startswith(("./", "../"))
        if relative and normalize_path(posixpath.join(file_dir, token)) == self.path:
            return True
        if relative and n == 1:
            # A one-segment workspace (`proto`) counts only where it resolves from the
            # referencing file's folder: a service's own `./proto` folder is another folder.
            return False
        if len(segments) >= n and tuple(segments[-n:]) == self.segments:
            if n == 1 and len(segments) > 1:
                # `example.com/svc/internal/proto`, `/app/proto`: a one-segment workspace name
                # under other folders is another folder of that name, not the workspace.
                return False
            if n > 1 or "/" in token or text[end : end + 1] == "/":
                return True
            before, after = text[start - 1 : start], text[end : end + 1]
            return bool(before) and before in _QUOTES and before == after
        return False

    def find(self, text: str, file_dir: str = "", *, python: bool = False) -> list[Ref]:
        """Every reference in ``text``, in order; ``file_dir`` resolves ``../x`` paths.

        Literals are located with ``str.find`` (fast, unlike a regex that opens with a
        look-behind) and their boundaries checked by hand.
        """
        refs: list[Ref] = []
        taken: list[tuple[int, int]] = []
        last = self.last
        for begin, end in _occurrences(text, last, _PATH_BEFORE):
            start = begin
            while start > 0 and text[start - 1] in _TOKEN_CHARS:
                start -= 1
            while start < begin and text[start] in ".-+~" and text[start : start + 2] not in ("./", ".."):
                start += 1  # sentence punctuation before a path is not part of it
            if self._is_path(text, start, end, file_dir):
                refs.append(Ref(start, end, "path", self.path, text[start:end]))
                taken.append((start, end))
        for name in self._names_longest:
            for start, end in _occurrences(text, name, _NAME_BEFORE):
                if not any(s <= start and end <= e for s, e in taken):
                    refs.append(Ref(start, end, "name", name, name))
                    taken.append((start, end))
        if python and self._py_re is not None:
            for match in self._py_re.finditer(text):
                start, end = match.span()
                if any(s <= start and end <= e for s, e in taken):
                    continue
                matched = match.group()
                refs.append(Ref(start, end, "name", self._py_names.get(self._canonical(matched), matched), matched))
                taken.append((start, end))
        refs.sort(key=lambda r: r.start)
        return refs


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_WORD_BYTES = frozenset("".join(sorted(_WORD_CHARS)).encode())  # the same characters, as byte values
_PATH_BEFORE = _WORD_CHARS
_NAME_BEFORE = _WORD_CHARS | {".", "@"}


def _occurrences(text: str, literal: str, not_before: frozenset[str]):
    """Spans of ``literal`` in ``text`` that are whole tokens (no word character around)."""
    size = len(literal)
    i = text.find(literal)
    while i >= 0:
        end = i + size
        if (i == 0 or text[i - 1] not in not_before) and (end == len(text) or text[end] not in _WORD_CHARS):
            yield i, end
        i = text.find(literal, i + 1)
