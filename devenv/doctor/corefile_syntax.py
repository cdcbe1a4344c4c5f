"""The Corefile's syntax: tokens (Caddy's lexer rules) and the tree a parse yields (server
blocks, their addresses, directives). The grammar is described in :mod:`devenv.doctor.corefile`."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

DEFAULT_PORT = "53"
COREFILE_PATH = "/etc/coredns/Corefile"
MATCH_TYPES = ("exact", "prefix", "suffix", "substring", "regex")
NAME_RULE_TYPES = ("name",)
MAX_IMPORT_DEPTH = 10


class CorefileError(ValueError):
    """A syntax error, naming ``file:line``."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


# -- tokens ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    text: str
    file: str
    line: int
    quoted: bool = False
    depth: int = 0  # how many imports deep it came from
    origin: int = 0  # which import spliced it in (a new origin always starts a new line)

    @property
    def end_line(self) -> int:
        """A quoted token may span lines: the line its last character is on."""
        return self.line + self.text.count("\n")


def tokenize(text: str, file: str = "Corefile") -> list[Token]:
    tokens: list[Token] = []
    line = 1
    value: list[str] = []
    start = 1
    quoted = escaped = comment = False
    was_quoted = False

    def emit() -> None:
        nonlocal value, was_quoted
        tokens.append(Token("".join(value), file, start, was_quoted))
        value = []
        was_quoted = False

    for ch in text:
        if quoted:
            if not escaped:
                if ch == "\\":
                    escaped = True
                    continue
                if ch == '"':
                    quoted = False
                    emit()
                    continue
            if ch == "\n":
                line += 1
            if escaped and ch != '"':  # only \" is an escape; any other backslash is kept
                value.append("\\")
            value.append(ch)
            escaped = False
            continue
        if ch.isspace():
            if ch == "\n":
                line += 1
                comment = False
            if value:
                emit()
            continue
        if ch == "#":
            comment = True
        if comment:
            continue
        if not value:
            start = line
            if ch == '"':
                quoted = was_quoted = True
                continue
        value.append(ch)
    if quoted:
        raise CorefileError(file, start, "unterminated quoted string")
    if value:
        emit()
    return tokens


# -- the tree --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """One line of a block: ``name args...`` and, when it opens one, its nested lines."""

    name: str
    args: tuple[str, ...]
    file: str
    line: int
    block: tuple["Directive", ...] | None = None

    def words(self) -> tuple[str, ...]:
        return (self.name, *self.args)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def text(self) -> str:
        line = " ".join(_quote(w) for w in self.words())
        if self.block is None:
            return line
        inner = "; ".join(d.text() for d in self.block)
        return f"{line} {{ {inner} }}"


def _quote(word: str) -> str:
    if word == "" or any(c.isspace() or c in '"#{}' for c in word):
        return '"' + word.replace('"', '\\"') + '"'
    return word


@dataclass(frozen=True)
class Address:
    """A server block key: ``[scheme://]zone[:port]``."""

    scheme: str
    zone: str  # lower case, no trailing dot; "" is the root zone "."
    port: str
    key: str

    @classmethod
    def parse(cls, key: str) -> "Address":
        scheme = "dns"
        rest = key
        if "://" in rest:
            scheme, rest = rest.split("://", 1)
            scheme = scheme.lower()
        port = ""
        if rest.startswith("["):  # [::1]:53 style (not a zone, but keep it parseable)
            host, _, tail = rest[1:].partition("]")
            rest, port = host, tail.lstrip(":")
        elif rest.count(":") == 1:
            rest, port = rest.split(":", 1)
        zone = rest.strip().lower().rstrip(".")
        return cls(scheme, zone, port or DEFAULT_PORT, key)

    @property
    def is_name_zone(self) -> bool:
        """A forward zone of names (not a reverse zone written as a CIDR)."""
        return "/" not in self.zone

    def contains(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return self.is_name_zone and (self.zone == "" or host == self.zone or host.endswith("." + self.zone))

    @property
    def shown(self) -> str:
        return f"{self.zone or '.'}:{self.port}"


@dataclass(frozen=True)
class ServerBlock:
    keys: tuple[str, ...]
    directives: tuple[Directive, ...]
    file: str
    line: int
    imports: tuple[str, ...] = ()  # what its body imported (snippets, files, globs)

    @property
    def addresses(self) -> tuple[Address, ...]:
        return tuple(Address.parse(k) for k in self.keys)

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.directives if d.name == name]

    @property
    def label(self) -> str:
        return " ".join(self.keys)


def resolve_path(base: str, path: str) -> str:
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(base, path))
