"""``requirements*.txt`` by pip's own file rules: ``\\`` continues a line, `` #`` starts a comment,
``-r``/``-c`` include another file (relative to the including one), ``-e``/paths/URLs install
something that is not a registry version, ``--hash=…`` and other per-requirement options follow
the requirement."""

from __future__ import annotations

import posixpath
import re

from devenv.deps.model import Dependency, Positions, ReadError, Wanted
from devenv.deps.readers.pep508 import Opener, normalize, requirement, specifier_span

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's COMMENT_RE
_OPTIONS_AFTER = re.compile(r"\s+--?[a-z]")  # per-requirement options: --hash=…, --config-settings …
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_PLAIN_BREAKING = re.compile(r"[\\#\r\x0b\x0c\x1c-\x1e]")  # what makes a file's lines more than split("\n")


def _logical_lines(text: str) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """pip's join_lines + ignore_comments, keeping where each character came from.

    Each item: (offset of the line's first character, joined text, [(offset in joined text,
    offset in file)] segment starts) so a column in the joined line maps back to the file.
    """
    if text.isascii() and _PLAIN_BREAKING.search(text) is None:  # no continuation, comment or odd line break
        out, offset = [], 0
        lines = text.split("\n")
        for line in lines if lines[-1] else lines[:-1]:  # as splitlines: no empty line after the last "\n"
            out.append((offset, line, [(0, offset)]))
            offset += len(line) + 1
        return out
    out = []
    pieces: list[str] = []
    segments: list[tuple[int, int]] = []
    offset = 0
    start = 0
    length = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if not pieces:
            start = offset
        comment = _COMMENT.match(body) is not None
        if body.endswith("\\") and not comment:
            segments.append((length, offset))
            pieces.append(body[:-1])
            length += len(body) - 1
        else:
            if comment and pieces:
                body = ""  # a comment line ends the continuation and is dropped (pip's join_lines)
            segments.append((length, offset))
            pieces.append(body)
            joined = "".join(pieces)
            out.append((start, _COMMENT.sub("", joined), segments))
            pieces, segments, length = [], [], 0
        offset += len(raw)
    if pieces:
        out.append((start, _COMMENT.sub("", "".join(pieces)), segments))
    return out


def _file_offset(segments: list[tuple[int, int]], column: int) -> int:
    base = segments[0]
    for seg in segments:
        if seg[0] <= column:
            base = seg
    return base[1] + (column - base[0])


def read_requirements(
    path: str, text: str, opener: Opener | None = None, *, kind: str = "declared", seen: set[str] | None = None, chain: str = "", wanted: Wanted = None
) -> list[Dependency]:
    """The requirements of one file and of the files it includes with ``-r``/``-c`` (``opener``
    reads them; None: includes are skipped). ``seen`` stops include cycles; ``chain`` says how
    an included file was reached, for the finding's note."""
    seen = seen if seen is not None else set()
    seen.add(path)
    file = _File(path, text, opener, kind, seen, chain, wanted)
    out: list[Dependency] = []
    for _, line, segments in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        if stripped.startswith("-"):
            out.extend(file.option(stripped, _file_offset(segments, lead)))
        else:
            dep = file.requirement(line, lead, segments)
            if dep is not None:
                out.append(dep)
    return out


class _File:
    """One requirements file being read: where its lines are, and how it was reached."""

    def __init__(self, path: str, text: str, opener: Opener | None, kind: str, seen: set[str], chain: str, wanted: Wanted):
        self.path, self.text, self.opener, self.kind, self.seen, self.chain = path, text, opener, kind, seen, chain
        self.wanted = wanted
        self._where: Positions | None = None
        self.folder = path.rpartition("/")[0]

    def where(self, offset: int) -> tuple[int, int]:
        if self._where is None:  # line starts only for a file with a dependency to place
            self._where = Positions(self.text)
        return self._where(offset)

    def option(self, stripped: str, first_offset: int) -> list[Dependency]:
        """``-r``/``-c`` (the included file's requirements), ``-e`` (an editable install); other options: nothing."""
        option, _, rest = stripped.partition(" ")
        if "=" in option and option.startswith("--"):
            option, _, rest = stripped.partition("=")
        elif option[:2] in ("-r", "-c", "-e") and len(option) > 2:
            option, rest = option[:2], stripped[2:]
        value = rest.strip()
        if option in ("-r", "--requirement", "-c", "--constraint"):
            return self.include(option, value, first_offset)
        if option in ("-e", "--editable"):
            return [self.local(value, first_offset, "editable")]
        return []

    def local(self, target: str, first_offset: int, section: str) -> Dependency:
        """A requirement on a folder, file or URL (``-e ./sdk``, ``./sdk``): no registry version."""
        line_no, col = self.where(first_offset)
        name = _egg(target)
        return Dependency(
            "python",
            normalize(name) if name else "",
            "",
            self.path,
            line_no,
            col,
            "pep440",
            self.kind,
            section,
            written_name=name,
            local=target,
            note=self.chain,
        )

    def include(self, option: str, value: str, first_offset: int) -> list[Dependency]:
        target = posixpath.normpath(posixpath.join(self.folder, value)) if self.folder else posixpath.normpath(value)
        if target in self.seen or self.opener is None:
            return []
        included = self.opener(target)
        if included is None:
            line_no, col = self.where(first_offset)
            raise ReadError(f"{option} {value}: cannot read {target}", line_no, col)
        sub_kind = "constraint" if option in ("-c", "--constraint") else self.kind
        note = f"{'constraint' if sub_kind == 'constraint' else 'included'} via {self.path}"
        return read_requirements(
            target, included, self.opener, kind=sub_kind, seen=self.seen, chain=(self.chain + " <- " if self.chain else "") + note, wanted=self.wanted
        )

    def requirement(self, line: str, lead: int, segments: list[tuple[int, int]]) -> Dependency | None:
        """A requirement, possibly followed by per-requirement options (``--hash=…``)."""
        first_offset = _file_offset(segments, lead)
        body = _OPTIONS_AFTER.split(line, maxsplit=1)[0].strip()
        if body.startswith((".", "/")) or _URL.match(body):
            return self.local(body, first_offset, "path")
        try:
            req = requirement(body)
        except ReadError as exc:
            line_no, col = self.where(first_offset)
            raise ReadError(exc.message, line_no, col) from None
        if self.wanted is not None and not req.url and not self.wanted(normalize(req.name)):
            return None  # positions only for the dependencies the caller judges
        inner = specifier_span(req, body)
        span = None
        if inner is not None:
            start = _file_offset(segments, lead + inner[0])
            end = _file_offset(segments, lead + inner[1])
            if self.text[start:end] == body[inner[0] : inner[1]]:
                span = (start, end)
        line_no, col = self.where(span[0] if span else first_offset)
        return Dependency(
            "python",
            normalize(req.name),
            body[inner[0] : inner[1]] if inner else str(req.specifier),
            self.path,
            line_no,
            col,
            "pep440",
            self.kind,
            "requirements",
            span,
            col + (span[1] - span[0]) if span else 0,
            written_name=req.name,
            marker=str(req.marker or ""),
            local=req.url or "",
            note=self.chain,
        )


def _egg(value: str) -> str:
    match = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", value)
    return match.group(1) if match else ""
