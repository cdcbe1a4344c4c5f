"""CoreDNS's Corefile and the question doctor asks of it: is this name rewritten? This module
evaluates rewrites and hosts entries; lexing and the tree are :mod:`devenv.doctor.corefile_syntax`,
parsing (imports, snippets, blocks) :mod:`devenv.doctor.corefile_parser`.

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

import functools
import posixpath
import re
from dataclasses import dataclass, field
from typing import Mapping

from devenv.doctor.corefile_parser import Parser
from devenv.doctor.corefile_syntax import (
    COREFILE_PATH,
    DEFAULT_PORT,
    MATCH_TYPES,
    NAME_RULE_TYPES,
    Address,
    CorefileError,
    Directive,
    ServerBlock,
    Token,
    resolve_path,
    tokenize,
)
from devenv.util.net import is_ip

__all__ = [
    "COREFILE_PATH",
    "DEFAULT_PORT",
    "Address",
    "Answer",
    "Corefile",
    "CorefileError",
    "Directive",
    "NameRule",
    "ServerBlock",
    "Token",
    "configmap_files",
    "parse",
    "rewrite_rules",
    "tokenize",
]


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
                        return Answer(host, server, "", how=directive.text(), where=directive.where, target=rule.target_for(host), block=addr.shown)
        for directive in server.directives:
            if directive.name == "hosts":
                hit = self._hosts_answer(directive, server, addr, host, notes)
                if hit:
                    return hit
        return Answer(host, server, f"the {addr.shown} block has no rewrite or hosts entry for it", notes=tuple(notes), block=addr.shown)

    def _hosts_answer(self, directive: Directive, server: ServerBlock, addr: Address, host: str, notes: list[str]) -> "Answer | None":
        args = list(directive.args)
        path = args[0] if args else "/etc/hosts"
        zones = [z.lower().rstrip(".") for z in args[1:]] or [a.zone for a in server.addresses]
        if not any(z == "" or host == z or host.endswith("." + z) for z in zones):
            return None
        entries: list[tuple[str, list[str], str]] = []
        for line in directive.block or ():
            if is_ip(line.name):
                entries.append((line.name, [a.lower().rstrip(".") for a in line.args], line.where))
        resolved = resolve_path(posixpath.dirname(COREFILE_PATH), path)
        if resolved in self.files:
            for number, raw in enumerate(self.files[resolved].splitlines(), 1):
                words = raw.split("#", 1)[0].split()
                if len(words) >= 2 and is_ip(words[0]):
                    entries.append((words[0], [w.lower().rstrip(".") for w in words[1:]], f"{resolved}:{number}"))
        elif args:
            notes.append(f"{directive.where}: hosts file {path} is not in the ConfigMaps: not checked")
        for ip, names, where in entries:
            if host in names:
                return Answer(host, server, "", how=f"hosts entry {ip} {host}", where=where, target=ip, block=addr.shown)
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
            return (self.replacement + name[len(self.source) :]).rstrip(".")
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
        return [NameRule(mode, match, rest[0], rest[1], error=f"rewrite name: unknown match type '{rest[0]}' (CoreDNS rejects this Corefile)")]
    rule = NameRule(mode, match, rest[1], rest[2])
    if match == "regex":
        try:
            rewrite_regex(rest[1])
        except ValueError as exc:
            return [NameRule(mode, match, rest[1], rest[2], error=f"regex {rest[1]!r} not evaluated ({exc})")]
    return [rule]


def parse(text: str, *, file: str = COREFILE_PATH, files: Mapping[str, str] | None = None) -> Corefile:
    """Parse a Corefile; ``files`` (``path -> text``) are what its ``import`` and ``hosts`` may read."""
    known = dict(files or {})
    known.setdefault(file, text)
    parser = Parser(known)
    servers = parser.run(text, file)
    return Corefile(tuple(servers), known, tuple(parser.unmatched))


def configmap_files(coredns: Mapping[str, str], custom: Mapping[str, str] | None = None) -> dict[str, str]:
    """Where CoreDNS's deployments mount the ConfigMaps: ``coredns`` at ``/etc/coredns``,
    k3s's ``coredns-custom`` at ``/etc/coredns/custom``."""
    files = {f"/etc/coredns/{k}": v for k, v in coredns.items()}
    files.update({f"/etc/coredns/custom/{k}": v for k, v in (custom or {}).items()})
    return files
