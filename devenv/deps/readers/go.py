"""Go: ``go.mod`` ``require`` and ``replace`` directives, with positions.

The lexer follows ``golang.org/x/mod/modfile`` (read.go): ``//`` comments, identifier runs
of printable non-space characters other than ``()[]{},``, Go-quoted and back-quoted
strings, ``verb args`` lines and ``verb ( … )`` blocks. ``tests/deps/test_readers.py``
checks every fixture against ``go mod edit -json`` (Go's own parser).

A ``require`` gives (module, version, ``// indirect``); a ``replace`` of an SDK module gives a
``replaced`` dependency whose spec is the replacement version, or ``local`` set to the
directory it points at (a local replace uses no published version at all).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from devenv.deps.model import Dependency, Positions, ReadError, Wanted

MANIFESTS = frozenset({"go.mod"})
LOCKFILES: frozenset[str] = frozenset()


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


@dataclass
class GoMod:
    lines: list[Line] = field(default_factory=list)


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
                comment = t[self.i + 2:end].strip()
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
                raw = t[self.i:j + 1]
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
                tokens.append(Token(t[self.i + 1:j], self.i, j + 1, quoted=True))
                self.i = j + 1
            elif _ident(c):
                j = _IDENT_RUN.match(t, self.i).end()  # type: ignore[union-attr]  # modfile's isIdent run, stopping at "//"
                word = t[self.i:j]
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


def parse(text: str, where: Positions | None = None) -> GoMod:
    where = where or Positions(text)
    lexer = _Lexer(text, where)
    mod = GoMod()
    block: str | None = None
    while True:
        got = lexer.line()
        if got is None:
            break
        tokens, comment, _ = got
        if not tokens:
            continue
        if block is not None:
            if len(tokens) == 1 and tokens[0].text == ")" and not tokens[0].quoted:
                block = None
                continue
            mod.lines.append(Line(block, tokens, comment, True))
            continue
        verb = tokens[0].text
        if len(tokens) >= 2 and tokens[1].text == "(" and not tokens[1].quoted:
            if len(tokens) == 3 and tokens[2].text == ")":
                continue  # verb ( )
            if len(tokens) != 2:
                raise lexer.error(f"syntax error after '{verb} ('", tokens[2].start)
            block = verb
            continue
        mod.lines.append(Line(verb, tokens[1:], comment))
    if block is not None:
        raise lexer.error(f"'{block} (' block is not closed")
    return mod


def _is_local(path: str) -> bool:
    """modfile.IsDirectoryPath: a replacement that is a directory, not a module."""
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or (
        len(path) >= 2 and path[1] == ":" and path[0].isalpha()
    )


def read(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    where = Positions(text)
    mod = parse(text, where)
    out: list[Dependency] = []

    def dep(name_token: Token, version: Token | None, kind: str, section: str, **extra) -> Dependency:
        anchor = version or name_token
        line, col = where(anchor.start)
        span = None
        end_col = 0
        if version is not None:
            if not version.quoted:
                span = (version.start, version.end)
            elif text[version.start + 1:version.end - 1] == version.text:
                span = (version.start + 1, version.end - 1)
                col += 1
            if span:
                end_col = col + (span[1] - span[0])
        return Dependency("go", name_token.text, version.text if version else "", path, line, col, "go", kind,
                          section, span, end_col, written_name=name_token.text, **extra)

    for line in mod.lines:
        args = line.args
        if line.verb == "require":
            if len(args) != 2:
                raise ReadError("go.mod: usage: require module/path v1.2.3", *where(args[0].start if args else 0))
            if wanted is not None and not wanted(args[0].text):
                continue  # positions only for the dependencies the caller judges
            indirect = line.comment == "indirect" or line.comment.startswith("indirect;")
            out.append(dep(args[0], args[1], "declared", "require", indirect=indirect))
        elif line.verb == "replace":
            arrow = next((i for i, a in enumerate(args) if a.text == "=>" and not a.quoted), -1)
            if arrow not in (1, 2) or len(args) - arrow - 1 not in (1, 2):
                raise ReadError("go.mod: usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir",
                                *where(args[0].start if args else 0))
            old = args[0]
            old_version = args[1].text if arrow == 2 else ""
            new = args[arrow + 1]
            new_version = args[arrow + 2] if len(args) - arrow - 1 == 2 else None
            if new_version is None and not _is_local(new.text):
                raise ReadError("go.mod: a replacement module needs a version", *where(new.start))
            if wanted is not None and new_version is not None and not wanted(old.text):
                continue  # a module replaced by a module: judged only for a wanted one
            note = f"replace {old.text}{' ' + old_version if old_version else ''} => {new.text}"
            if new_version is None:
                out.append(dep(old, None, "replaced", "replace", local=new.text, note=note))
                line_no, col = where(new.start)
                last = out[-1]
                out[-1] = Dependency(last.ecosystem, last.name, "", path, line_no, col, "go", "replaced", "replace",
                                     None, 0, written_name=old.text, local=new.text, note=note)
            else:
                out.append(dep(old, new_version, "replaced", "replace", note=note))
                if new.text != old.text:
                    last = out[-1]
                    out[-1] = Dependency(last.ecosystem, last.name, last.spec, path, last.line, last.col, "go", "replaced",
                                         "replace", last.span, last.end_col, written_name=old.text,
                                         local=f"module {new.text}", note=note)
    return out
