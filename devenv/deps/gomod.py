"""The go.mod / go.work grammar, with positions: the one home for both the dependency reader
(:mod:`devenv.deps.readers.go`) and lint's ``proto-in-go-mod`` rule (:func:`verbs`).

The lexer follows ``golang.org/x/mod/modfile`` (read.go): ``//`` comments, identifier runs
of printable non-space characters other than ``()[]{},``, Go-quoted and back-quoted
strings, ``verb args`` lines and ``verb ( … )`` blocks. ``tests/deps/test_readers.py``
checks every fixture against ``go mod edit -json`` (Go's own parser).
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field

from devenv.deps.model import Positions, ReadError


@dataclass
class Token:
    text: str  # the value (unquoted)
    start: int
    end: int
    quoted: bool = False


@dataclass
class Line:
    verb: str
    args: list[Token]
    comment: str = ""  # the trailing // comment, without the slashes
    block: bool = False
    start: int = 0  # offset of the line's first token (the verb, or in a block the first argument)


@dataclass
class GoMod:
    lines: list[Line] = field(default_factory=list)
    blocks: list[tuple[Token, int]] = field(default_factory=list)  # each `verb (`: its verb, the offset of its `)`


# A run of identifier characters (anything but space, quotes and ()[]{},) that stops before "//".
_IDENT_RUN = re.compile(r"(?:[^\s()\[\]{},\"`/]|/(?!/))+")


def _ident(c: str) -> bool:
    return c not in " ()[]{},\t\r\n\v\f" and c.isprintable()


class _Lexer:
    def __init__(self, text: str, where: Positions):
        self.t = text
        self.i = 0
        self.where = where

    def error(self, what: str, at: int | None = None) -> ReadError:
        line, col = self.where(self.i if at is None else at)
        return ReadError(f"go.mod: {what}", line, col)

    def line(self) -> tuple[list[Token], str, bool] | None:
        """The tokens of the next line and its trailing comment; None at the end."""
        t = self.t
        tokens: list[Token] = []
        comment = ""
        while self.i < len(t):
            c = t[self.i]
            if c == "\n":
                self.i += 1
                return tokens, comment, True
            if c in " \t\r":
                self.i += 1
            elif t.startswith("//", self.i):
                end = t.find("\n", self.i)
                end = len(t) if end < 0 else end
                comment = t[self.i + 2 : end].strip()
                self.i = end
            elif t.startswith("/*", self.i):
                raise self.error("mod files must use // comments (not /* */ comments)")
            elif c in "()":
                tokens.append(Token(c, self.i, self.i + 1))
                self.i += 1
            elif c == '"':
                j = self.i + 1
                while j < len(t) and t[j] != '"':
                    if t[j] == "\n":
                        raise self.error("unterminated quoted string")
                    j += 2 if t[j] == "\\" else 1
                if j >= len(t):
                    raise self.error("unterminated quoted string")
                raw = t[self.i : j + 1]
                try:
                    value = ast.literal_eval(raw)  # a Go interpreted string is a Python one here
                except (ValueError, SyntaxError):
                    raise self.error(f"invalid quoted string {raw}") from None
                tokens.append(Token(value, self.i, j + 1, quoted=True))
                self.i = j + 1
            elif c == "`":
                j = t.find("`", self.i + 1)
                if j < 0:
                    raise self.error("unterminated raw string")
                tokens.append(Token(t[self.i + 1 : j], self.i, j + 1, quoted=True))
                self.i = j + 1
            elif _ident(c):
                j = _IDENT_RUN.match(t, self.i).end()  # type: ignore[union-attr]  # modfile's isIdent run, stopping at "//"
                word = t[self.i : j]
                if "/*" in word:
                    raise self.error("mod files must use // comments (not /* */ comments)", self.i + word.index("/*"))
                if not word.isprintable():
                    bad = next(k for k, ch in enumerate(word) if not ch.isprintable())
                    raise self.error(f"unexpected input character {word[bad]!r}", self.i + bad)
                tokens.append(Token(word, self.i, j))
                self.i = j
            else:
                raise self.error(f"unexpected input character {c!r}")
        return (tokens, comment, False) if tokens or comment else None


def parse(text: str, where: Positions | None = None, *, forgiving: bool = False) -> GoMod:
    """The lines of ``text``; ReadError where Go would reject it (``forgiving``: a line the lexer
    rejects is dropped and an unclosed block ends the file, for lint, which reads any file)."""
    where = where or Positions(text)
    lexer = _Lexer(text, where)
    mod = GoMod()
    block: str | None = None
    while True:
        try:
            got = lexer.line()
        except ReadError:
            if not forgiving:
                raise
            newline = text.find("\n", lexer.i)
            lexer.i = len(text) if newline < 0 else newline + 1
            continue
        if got is None:
            break
        tokens, comment, _ = got
        if not tokens:
            continue
        if block is not None:
            if len(tokens) == 1 and tokens[0].text == ")" and not tokens[0].quoted:
                block = None
                mod.blocks[-1] = (mod.blocks[-1][0], tokens[0].start)
                continue
            mod.lines.append(Line(block, tokens, comment, True, tokens[0].start))
            continue
        verb = tokens[0].text
        if len(tokens) >= 2 and tokens[1].text == "(" and not tokens[1].quoted:
            if len(tokens) == 3 and tokens[2].text == ")":
                mod.blocks.append((tokens[0], tokens[2].start))
                continue  # verb ( )
            if len(tokens) != 2 and not forgiving:
                raise lexer.error(f"syntax error after '{verb} ('", tokens[2].start)
            block = verb
            mod.blocks.append((tokens[0], len(text)))
            continue
        mod.lines.append(Line(verb, tokens[1:], comment, False, tokens[0].start))
    if block is not None and not forgiving:
        raise lexer.error(f"'{block} (' block is not closed")
    return mod


@functools.lru_cache(maxsize=16)
def verbs(text: str) -> dict[int, str]:
    """1-based line -> the directive governing it (``require``, ``replace``, ``use``, …): a
    directive's own line, a ``verb (`` line and every line of its block up to the ``)`` (blank
    and comment lines too); never raises."""
    where = Positions(text)
    mod = parse(text, where, forgiving=True)
    out: dict[int, str] = {}
    for verb, end in mod.blocks:
        first = where(verb.start)[0]
        out.update(dict.fromkeys(range(first, max(first + 1, where(end)[0] + (end == len(text)))), verb.text))
    for line in mod.lines:
        out[where(line.start)[0]] = line.verb
    return out
