"""A parser for CoreDNS's Corefile, and the question doctor asks of it: is this name rewritten?

The grammar is Caddy's (v1 ``caddyfile`` package, which CoreDNS vendors):

- tokens are separated by white space; ``"..."`` quotes a token (it may span lines; only
  ``\\"`` is an escape); ``#`` starts a comment to the end of the line, even inside a token;
- a file is a list of server blocks, each: one or more keys (addresses such as ``.:53``,
  ``example.org:53``, ``dns://.:53``; separated by spaces, or commas across lines), then
  ``{`` directives ``}``; a file with a single block may omit the braces;
- a directive is the first token on a line, its arguments the rest of that line, optionally
  followed by a ``{ ... }`` block of lines (nested arbitrarily);
- ``import PATTERN`` (at the top level or as a directive) splices in the tokens of every file
  matching the glob (relative to the importing file's folder), or of a snippet ``(name) {...}``
  defined earlier; a glob that matches nothing is fine (that is how k3s ships its
  ``import /etc/coredns/custom/*.override``), a plain path that matches nothing is an error;
- ``{$VAR}`` / ``{%VAR%}`` environment placeholders are kept as written.

Files are a mapping ``path -> text`` (doctor builds it from the ConfigMaps: every key of
``coredns`` under ``/etc/coredns/``, every key of k3s's ``coredns-custom`` under
``/etc/coredns/custom/``, which is where their deployments mount them).

:func:`Corefile.answer` decides whether a query for a host is answered by a rewrite or a
``hosts`` entry. Which forms count, and why:

- only the server block that receives the query: the most specific zone containing the host,
  on the cluster DNS port (the port of the block running the ``kubernetes`` plugin, else 53),
  plain DNS (``dns://``, no scheme); a rewrite in any other block never sees the query;
- ``rewrite [continue|stop] name [exact|prefix|suffix|substring|regex] FROM TO [answer ...]``,
  also its block form ``rewrite [stop] { name regex FROM TO; answer name ... }``: the type
  defaults to ``exact`` when only ``FROM TO`` are given (as CoreDNS does); each match type is
  evaluated as CoreDNS does against the lower-cased, fully qualified name (``host.``), a
  ``regex`` with Python's ``re`` (RE2 patterns that Python cannot compile never match and are
  reported); ``continue`` and ``stop`` both count: either way the query is rewritten;
- ``hosts`` entries: inline lines of a ``hosts`` block and the lines of its file when that
  file is one of the known files (``/etc/coredns/NodeHosts`` on k3s, where k3d also writes
  ``host.k3d.internal``), limited to the zones the directive names;
- not counted: ``rewrite`` of other fields (``type``, ``class``, ``edns0``, ``ttl``,
  ``cname``, ``rcode``), ``template``, ``file``, and ``forward`` to a resolver doctor cannot
  see into (set ``cluster.coredns_rewrites: off`` when names are answered that way).
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import posixpath
import re
from dataclasses import dataclass, field
from typing import Mapping

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


@dataclass(frozen=True)
class Corefile:
    servers: tuple[ServerBlock, ...]
    files: Mapping[str, str] = field(default_factory=dict)
    unmatched_imports: tuple[str, ...] = ()  # glob imports that matched no file (fine, but worth a note)

    # -- which block gets a query ----------------------------------------------------------------

    def dns_port(self) -> str:
        """The port cluster DNS queries arrive on: that of a block running ``kubernetes``, else 53."""
        for server in self.servers:
            if server.find("kubernetes"):
                for addr in server.addresses:
                    if addr.scheme == "dns":
                        return addr.port
        return DEFAULT_PORT

    def server_for(self, host: str, port: str | None = None) -> tuple[ServerBlock, Address] | None:
        """The block CoreDNS hands a plain-DNS query for ``host`` to: the longest matching zone."""
        port = port or self.dns_port()
        best: tuple[ServerBlock, Address] | None = None
        for server in self.servers:
            for addr in server.addresses:
                if addr.scheme != "dns" or addr.port != port or not addr.contains(host):
                    continue
                if best is None or len(addr.zone) > len(best[1].zone):
                    best = (server, addr)
        return best

    # -- is it answered ------------------------------------------------------------------------

    def answer(self, host: str) -> "Answer":
        host = host.lower().rstrip(".")
        chosen = self.server_for(host)
        if chosen is None:
            return Answer(host, None, f"no server block serves {host} on port {self.dns_port()}")
        server, addr = chosen
        notes: list[str] = []
        for directive in server.directives:
            if directive.name == "rewrite":
                rules = rewrite_rules(directive)
                for rule in rules:
                    if rule.error:
                        notes.append(f"{directive.where}: {rule.error}")
                        continue
                    if rule.matches(host):
                        return Answer(host, server, "", how=directive.text(), where=directive.where,
                                      target=rule.target_for(host), block=addr.shown)
        for directive in server.directives:
            if directive.name == "hosts":
                hit = self._hosts_answer(directive, server, addr, host, notes)
                if hit:
                    return hit
        return Answer(host, server, f"the {addr.shown} block has no rewrite or hosts entry for it",
                      notes=tuple(notes), block=addr.shown)

    def _hosts_answer(self, directive: Directive, server: ServerBlock, addr: Address, host: str,
                      notes: list[str]) -> "Answer | None":
        args = list(directive.args)
        path = args[0] if args else "/etc/hosts"
        zones = [z.lower().rstrip(".") for z in args[1:]] or [a.zone for a in server.addresses]
        if not any(z == "" or host == z or host.endswith("." + z) for z in zones):
            return None
        entries: list[tuple[str, list[str], str]] = []
        for line in directive.block or ():
            if _is_ip(line.name):
                entries.append((line.name, [a.lower().rstrip(".") for a in line.args], line.where))
        resolved = _resolve(posixpath.dirname(COREFILE_PATH), path)
        if resolved in self.files:
            for number, raw in enumerate(self.files[resolved].splitlines(), 1):
                words = raw.split("#", 1)[0].split()
                if len(words) >= 2 and _is_ip(words[0]):
                    entries.append((words[0], [w.lower().rstrip(".") for w in words[1:]], f"{resolved}:{number}"))
        elif args:
            notes.append(f"{directive.where}: hosts file {path} is not in the ConfigMaps: not checked")
        for ip, names, where in entries:
            if host in names:
                return Answer(host, server, "", how=f"hosts entry {ip} {host}", where=where, target=ip,
                              block=addr.shown)
        return None


@dataclass(frozen=True)
class Answer:
    host: str
    server: ServerBlock | None = field(repr=False)
    missing: str  # why it is not answered; "" when it is
    how: str = ""
    where: str = ""
    target: str = ""
    block: str = ""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing


# -- rewrite rules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class NameRule:
    """One ``rewrite ... name`` rule as CoreDNS's rewrite plugin reads it."""

    mode: str  # continue | stop
    match: str  # exact | prefix | suffix | substring | regex
    source: str
    replacement: str
    error: str = ""

    def _name(self, host: str) -> str:
        return host.lower().rstrip(".") + "."

    def matches(self, host: str) -> bool:
        name = self._name(host)
        src = self.source.lower()
        if self.match == "exact":
            return name == _fqdn(src)
        if self.match == "suffix":
            return name.endswith(_fqdn(src))
        if self.match == "prefix":
            return name.startswith(src)
        if self.match == "substring":
            return src in name
        if self.match == "regex":
            try:
                return rewrite_regex(self.source).search(name) is not None
            except ValueError:
                return False
        return False

    def target_for(self, host: str) -> str:
        name = self._name(host)
        if self.match == "exact":
            return self.replacement.rstrip(".")
        if self.match == "suffix":
            return (name[: len(name) - len(_fqdn(self.source))] + _fqdn(self.replacement)).rstrip(".")
        if self.match == "prefix":
            return (self.replacement + name[len(self.source):]).rstrip(".")
        if self.match == "substring":
            return name.replace(self.source.lower(), self.replacement, 1).rstrip(".")
        try:
            found = rewrite_regex(self.source).search(name)
        except ValueError:
            return self.replacement
        if not found:
            return self.replacement
        return re.sub(r"\{(\d+)\}", lambda m: found.group(int(m.group(1))) or "", self.replacement).rstrip(".")


@functools.lru_cache(maxsize=256)
def rewrite_regex(pattern: str):
    """A rewrite rule's pattern compiled with RE2, the engine CoreDNS uses (Go's regexp has its
    syntax and semantics): linear time, so a pattern such as ``^(\\w+|\\w+\\.)*-x$`` cannot
    stall doctor past its deadline as Python's backtracking ``re`` did. ValueError if RE2 (so
    CoreDNS) rejects it."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error to stderr
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        message = exc.args[0] if exc.args else exc
        raise ValueError(message.decode(errors="replace") if isinstance(message, bytes) else str(message)) from None


def _fqdn(name: str) -> str:
    return name.lower().rstrip(".") + "."


def rewrite_rules(directive: Directive) -> list[NameRule]:
    """The ``name`` rules of one ``rewrite`` directive (other fields yield nothing)."""
    args = list(directive.args)
    if len(args) < 2 and directive.block:  # block form: its lines are one rule's arguments
        for line in directive.block:
            args.extend(line.words())
    mode = "stop"
    if args and args[0].lower() in ("continue", "stop"):
        mode = args.pop(0).lower()
    if not args or args[0].lower() not in NAME_RULE_TYPES:
        return []
    rest = args[1:]
    if len(rest) < 2:
        return [NameRule(mode, "exact", "", "", error="rewrite name needs FROM and TO")]
    if len(rest) == 2:
        return [NameRule(mode, "exact", rest[0], rest[1])]
    match = rest[0].lower()
    if match not in MATCH_TYPES:
        return [NameRule(mode, match, rest[0], rest[1],
                         error=f"rewrite name: unknown match type '{rest[0]}' (CoreDNS rejects this Corefile)")]
    rule = NameRule(mode, match, rest[1], rest[2])
    if match == "regex":
        try:
            rewrite_regex(rest[1])
        except ValueError as exc:
            return [NameRule(mode, match, rest[1], rest[2], error=f"regex {rest[1]!r} not evaluated ({exc})")]
    return [rule]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _resolve(base: str, path: str) -> str:
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(base, path))


# -- the parser ------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, files: Mapping[str, str]):
        self.files = files
        self.snippets: dict[str, list[Token]] = {}
        self.unmatched: list[str] = []
        self.imported: list[str] = []  # every import pattern, in order (per server block: see below)
        self.origins = 0
        self.crossed: tuple[Token, Token] | None = None

    # token stream with lookahead; imports are spliced in place
    def run(self, text: str, file: str) -> list[ServerBlock]:
        self.tokens = tokenize(text, file)
        self.pos = 0
        servers: list[ServerBlock] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if tok.text == "import" and self._line_start(self.pos):
                self._splice_import(self.pos)
                continue
            if self._is_snippet(tok):
                self._define_snippet()
                continue
            servers.append(self._server_block())
        return servers

    def _line_start(self, i: int) -> bool:
        if i == 0:
            return True
        prev, cur = self.tokens[i - 1], self.tokens[i]
        return prev.file != cur.file or prev.origin != cur.origin or prev.end_line < cur.line

    def _is_snippet(self, tok: Token) -> bool:
        return len(tok.text) > 2 and tok.text.startswith("(") and tok.text.endswith(")")

    def _define_snippet(self) -> None:
        name_tok = self.tokens[self.pos]
        name = name_tok.text[1:-1]
        self.pos += 1
        if self.pos >= len(self.tokens) or self.tokens[self.pos].text != "{":
            raise CorefileError(name_tok.file, name_tok.line, f"snippet ({name}) must be followed by '{{'")
        self.pos += 1
        depth = 1
        body: list[Token] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok.text == "{":
                depth += 1
            elif tok.text == "}":
                depth -= 1
                if depth == 0:
                    self.snippets[name] = body
                    return
            body.append(tok)
        raise CorefileError(name_tok.file, name_tok.line, f"snippet ({name}): missing '}}'")

    def _splice_import(self, i: int) -> None:
        """Replace ``import X`` (at token ``i``) by the tokens of the snippet or files it names."""
        tok = self.tokens[i]
        count = 0
        for t in self.tokens[i + 1:]:
            if t.file != tok.file or t.origin != tok.origin or t.line != tok.end_line:
                break
            count += 1
        args = self.tokens[i + 1:i + 1 + count]
        if len(args) != 1:
            raise CorefileError(tok.file, tok.line, "import takes exactly one argument (a file, glob or snippet)")
        pattern = args[0].text
        if tok.depth >= MAX_IMPORT_DEPTH:
            raise CorefileError(tok.file, tok.line, f"import {pattern}: imports nest deeper than {MAX_IMPORT_DEPTH} (a cycle?)")
        self.imported.append(pattern)
        spliced: list[Token] = []
        self.origins += 1
        origin = self.origins
        if pattern in self.snippets:
            spliced = [Token(t.text, t.file, t.line, t.quoted, tok.depth + 1, origin) for t in self.snippets[pattern]]
        else:
            base = posixpath.dirname(tok.file) if tok.file.startswith("/") else posixpath.dirname(COREFILE_PATH)
            path = _resolve(base, pattern)
            if any(c in path for c in "*?["):
                matched = sorted(p for p in self.files if fnmatch.fnmatchcase(p, path))
                if not matched:
                    self.unmatched.append(pattern)
            else:
                matched = [path] if path in self.files else []
                if not matched:
                    raise CorefileError(tok.file, tok.line, f"import {pattern}: no such file")
            for path in matched:
                self.origins += 1
                spliced.extend(Token(t.text, t.file, t.line, t.quoted, tok.depth + 1, self.origins)
                               for t in tokenize(self.files[path], path))
        self.tokens[i:i + 1 + count] = spliced

    def _server_block(self) -> ServerBlock:
        first = self.tokens[self.pos]
        keys: list[str] = []
        expecting = False
        while True:
            tok = self.tokens[self.pos]
            if tok.text == "{":
                if expecting:
                    raise CorefileError(tok.file, tok.line, "expected another address after ',' but found '{'")
                break
            if tok.text == "}":
                raise CorefileError(tok.file, tok.line, "unexpected '}': no block is open")
            text = tok.text
            for part in filter(None, text.split(",")):
                keys.append(part)
            expecting = text.endswith(",")
            self.pos += 1
            if self.pos >= len(self.tokens):
                if expecting:
                    raise CorefileError(tok.file, tok.line, "expected another address after ','")
                break
            if not expecting and self._line_start(self.pos):
                break
        before = len(self.imported)
        if self.pos < len(self.tokens) and self.tokens[self.pos].text == "{":
            self.pos += 1
            directives = self._lines(closing=True, opener=first)
        else:  # a single server block without braces: the rest of the file is its body
            directives = self._lines(closing=False, opener=first)
        imports = tuple(self.imported[before:])
        return ServerBlock(tuple(keys), tuple(directives), first.file, first.line, imports)

    def _lines(self, *, closing: bool, opener: Token) -> list[Directive]:
        lines: list[Directive] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if tok.text == "}":
                if not closing:
                    raise CorefileError(tok.file, tok.line, "unexpected '}': no block is open")
                if (tok.file, tok.origin) != (opener.file, opener.origin) and not self.crossed:
                    self.crossed = (opener, tok)  # a block opened in one file, closed in another
                self.pos += 1
                return lines
            if tok.text == "{":
                raise CorefileError(tok.file, tok.line, "unexpected '{': a block must follow a directive")
            if tok.text == "import" and self._line_start(self.pos):
                self._splice_import(self.pos)
                continue
            lines.append(self._directive())
        if closing:
            if self.crossed:  # the real culprit: its '}' is missing, so it took someone else's
                culprit, closer = self.crossed
                raise CorefileError(culprit.file, culprit.line,
                                    f"'{culprit.text}' opens a block that is not closed in this file "
                                    f"(it takes the '}}' at {closer.file}:{closer.line})")
            raise CorefileError(opener.file, opener.line, f"'{opener.text}': missing '}}' (unexpected end of file)")
        return lines

    def _directive(self) -> Directive:
        head = self.tokens[self.pos]
        self.pos += 1
        args: list[str] = []
        block: tuple[Directive, ...] | None = None
        while self.pos < len(self.tokens) and not self._line_start(self.pos):
            tok = self.tokens[self.pos]
            if tok.text == "{":
                self.pos += 1
                block = tuple(self._lines(closing=True, opener=head))
                break
            if tok.text == "}":
                break  # closes the enclosing block (e.g. `foo }` on one line)
            args.append(tok.text)
            self.pos += 1
        return Directive(head.text, tuple(args), head.file, head.line, block)


def parse(text: str, *, file: str = COREFILE_PATH, files: Mapping[str, str] | None = None) -> Corefile:
    """Parse a Corefile; ``files`` (``path -> text``) are what its ``import`` and ``hosts`` may read."""
    known = dict(files or {})
    known.setdefault(file, text)
    parser = _Parser(known)
    servers = parser.run(text, file)
    return Corefile(tuple(servers), known, tuple(parser.unmatched))


def configmap_files(coredns: Mapping[str, str], custom: Mapping[str, str] | None = None) -> dict[str, str]:
    """Where CoreDNS's deployments mount the ConfigMaps: ``coredns`` at ``/etc/coredns``,
    k3s's ``coredns-custom`` at ``/etc/coredns/custom``."""
    files = {f"/etc/coredns/{k}": v for k, v in coredns.items()}
    files.update({f"/etc/coredns/custom/{k}": v for k, v in (custom or {}).items()})
    return files
