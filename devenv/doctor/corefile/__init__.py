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

from devenv.doctor.corefile.parser import configmap_files, parse
from devenv.doctor.corefile.rewrite import Answer, Corefile, NameRule, rewrite_rules
from devenv.doctor.corefile.syntax import (
    COREFILE_PATH,
    DEFAULT_PORT,
    Address,
    CorefileError,
    Directive,
    ServerBlock,
    Token,
    tokenize,
)

__all__ = [
    "COREFILE_PATH", "DEFAULT_PORT", "Address", "Answer", "Corefile", "CorefileError", "Directive",
    "NameRule", "ServerBlock", "Token", "configmap_files", "parse", "rewrite_rules", "tokenize",
]
