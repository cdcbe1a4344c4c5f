"""What a dependency reader returns: one :class:`Dependency` per declared or locked package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devenv.util import textpos

# Which dependencies a caller wants built, by the name the reader gives (npm: the real package,
# Python: PEP 503-normalised, Go: the module path); None: all of them. Readers still parse every
# entry (a file the grammar rejects is still a ReadError) but build a Dependency, with its
# position, only for a wanted name or a local target (a path, a link: what may point into an SDK).
Wanted = Callable[[str], bool] | None


@dataclass(slots=True)  # not frozen: readers make one per dependency, and frozen init is slow
class Dependency:
    """One package a file depends on (or a lockfile resolves), with where its version is.

    ``name`` is the package as its ecosystem identifies it (npm: the real package behind an
    ``npm:`` alias; Python: PEP 503-normalised; Go: the module path). ``spec`` is the version
    text as written (``^1.3.9``, ``>=1.3,<2``, ``v1.3.9``; ``""`` when none). ``line``/``col``
    (1-based) point at the version text, or at the name when there is none. ``span`` is the
    ``(start, end)`` offset of the version text in the file's text when ``--fix`` may replace
    it byte for byte (None when it may not: an escaped string, a lockfile). ``style`` names the
    grammar of ``spec``: npm, pep440, poetry or go.
    """

    ecosystem: str  # npm | go | python
    name: str
    spec: str
    file: str  # relative to the lint root, posix
    line: int
    col: int
    style: str  # npm | pep440 | poetry | go
    kind: str = "declared"  # declared | locked | constraint | replaced
    section: str = ""  # dependencies, devDependencies, require, project.dependencies, …
    span: tuple[int, int] | None = None
    end_col: int = 0  # exclusive, 1-based, on ``line``; 0 when unknown
    written_name: str = ""  # the name as the file spells it (alias key, un-normalised name)
    marker: str = ""  # PEP 508 environment marker
    indirect: bool = False  # go.mod ``// indirect``
    local: str = ""  # a replace/path/workspace target that is not a registry version
    note: str = ""  # anything a message should add (the alias, the include chain)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class ReadError(ValueError):
    """A dependency file that its grammar's parser rejects; ``line``/``col`` when known."""

    def __init__(self, message: str, line: int = 0, col: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class Positions:
    """Offsets -> (line, col) for one text, with the line starts computed once."""

    def __init__(self, text: str):
        self.text = text
        self.starts = textpos.line_starts(text)

    def __call__(self, offset: int) -> tuple[int, int]:
        return textpos.position(self.starts, offset)
