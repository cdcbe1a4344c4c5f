"""The Corefile parser (Caddy's grammar as CoreDNS uses it) and which rules answer a host."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.doctor.corefile import Corefile, CorefileError, Directive, configmap_files, parse, rewrite_rules, tokenize
from tests.fixtures.kube import K3S_COREFILE, K3S_NODEHOSTS

NPM = "npm.packages.dev.ameide.io"
GO = "go.packages.dev.ameide.io"


def k3s(custom: dict[str, str] | None = None, nodehosts: str = K3S_NODEHOSTS) -> Corefile:
    files = configmap_files({"Corefile": K3S_COREFILE, "NodeHosts": nodehosts}, custom or {})
    return parse(K3S_COREFILE, files=files)


def one_block(body: str, key: str = ".:53") -> Corefile:
    return parse(f"{key} {{\n{body}\n    kubernetes cluster.local\n}}\n")


# -- tokens ---------------------------------------------------------------------------------------------


def test_tokens_carry_lines_quotes_and_escapes():
    tokens = tokenize('a "b c"  # comment "x\nd\\"e "f\\"g" "h\\i"\n"multi\nline" z')
    assert [(t.text, t.line) for t in tokens] == [("a", 1), ("b c", 1), ('d\\"e', 2), ('f"g', 2), ("h\\i", 2), ("multi\nline", 3), ("z", 4)]
    assert tokens[1].quoted and not tokens[0].quoted
    assert tokens[5].end_line == 4


def test_a_hash_starts_a_comment_even_inside_a_token():
    assert [t.text for t in tokenize("forward .#not-an-arg\nnext")] == ["forward", ".", "next"]


def test_unterminated_quote_names_its_line():
    with pytest.raises(CorefileError, match=r"Corefile:2: unterminated quoted string"):
        tokenize('a\n"open\n', "Corefile")


# -- structure ----------------------------------------------------------------------------------------------


def test_k3s_default_corefile():
    cf = k3s()
    assert [s.keys for s in cf.servers] == [(".:53",)]
    server = cf.servers[0]
    names = [d.name for d in server.directives]
    assert names == ["errors", "health", "ready", "kubernetes", "hosts", "prometheus", "forward", "cache", "loop", "reload", "loadbalance"]
    kubernetes = server.find("kubernetes")[0]
    assert kubernetes.args == ("cluster.local", "in-addr.arpa", "ip6.arpa")
    assert [d.words() for d in kubernetes.block] == [("pods", "insecure"), ("fallthrough", "in-addr.arpa", "ip6.arpa")]
    assert server.find("hosts")[0].where == "/etc/coredns/Corefile:9"
    assert server.imports == ("/etc/coredns/custom/*.override",)
    assert set(cf.unmatched_imports) == {"/etc/coredns/custom/*.override", "/etc/coredns/custom/*.server"}
    assert cf.dns_port() == "53"


def test_custom_override_and_server_files_are_imported_where_k3s_puts_them():
    cf = k3s({"registries.override": f"rewrite name {NPM} host.k3d.internal\n", "ameide.server": "ameide.io:53 {\n  errors\n  forward . 10.0.0.10\n}\n"})
    assert [s.keys for s in cf.servers] == [(".:53",), ("ameide.io:53",)]
    assert cf.servers[0].directives[-1].where == "/etc/coredns/custom/registries.override:1"
    assert cf.servers[1].file == "/etc/coredns/custom/ameide.server"
    assert cf.unmatched_imports == ()


def test_keys_schemes_ports_and_commas():
    cf = parse("dns://example.org:1053 other.org,\n  third.org {\n  whoami\n}\n.:53 {\n  kubernetes cluster.local\n}")
    assert cf.servers[0].keys == ("dns://example.org:1053", "other.org", "third.org")
    assert [(a.scheme, a.zone, a.port) for a in cf.servers[0].addresses] == [
        ("dns", "example.org", "1053"),
        ("dns", "other.org", "53"),
        ("dns", "third.org", "53"),
    ]


def test_a_single_block_may_omit_its_braces():
    cf = parse(".:53\nkubernetes cluster.local\nrewrite name a.example b.example\n")
    assert cf.servers[0].keys == (".:53",)
    assert [d.name for d in cf.servers[0].directives] == ["kubernetes", "rewrite"]


def test_env_placeholders_are_kept_as_written():
    cf = parse(".:{$DNS_PORT} {\n  forward . {$UPSTREAM} {%ALT%}\n}")
    assert cf.servers[0].keys == (".:{$DNS_PORT}",)
    assert cf.servers[0].directives[0].args == (".", "{$UPSTREAM}", "{%ALT%}")


def test_snippets_are_imported_by_name():
    cf = parse("(common) {\n  errors\n  cache 30\n}\n.:53 {\n  import common\n  kubernetes cluster.local\n}")
    assert [d.name for d in cf.servers[0].directives] == ["errors", "cache", "kubernetes"]


@pytest.mark.parametrize(
    "text, where, message",
    [
        (".:53 {\n  errors\n", "Corefile:1", "missing '}'"),
        (".:53 {\n  errors\n}\n}\n", "Corefile:4", "unexpected '}'"),
        (".:53 {\n  kubernetes cluster.local {\n    pods insecure\n}\n", "Corefile:1", "'.:53': missing '}'"),
        (".:53 {\n  kubernetes cluster.local {\n    pods insecure\n", "Corefile:2", "'kubernetes': missing '}'"),
        (".:53 {\n  import /etc/coredns/nope.conf\n}", "Corefile:2", "no such file"),
        (".:53 {\n  import\n}", "Corefile:2", "exactly one argument"),
        ("a.org, {\n}", "Corefile:1", "expected another address"),
    ],
)
def test_syntax_errors_name_file_and_line(text, where, message):
    with pytest.raises(CorefileError) as info:
        parse(text, file="Corefile")
    assert str(info.value).startswith(where + ":")
    assert message in str(info.value)


def test_an_unclosed_block_in_an_imported_file_is_blamed_not_the_corefile():
    files = configmap_files({"Corefile": K3S_COREFILE}, {"broken.override": "rewrite name exact {\n"})
    with pytest.raises(CorefileError) as info:
        parse(K3S_COREFILE, files=files)
    assert str(info.value) == (
        "/etc/coredns/custom/broken.override:1: 'rewrite' opens a block that is not closed in this file (it takes the '}' at /etc/coredns/Corefile:21)"
    )


def test_an_import_cycle_is_an_error_not_a_hang():
    files = {"/etc/coredns/custom/loop.server": "import /etc/coredns/custom/*.server\n"}
    with pytest.raises(CorefileError, match="nest deeper"):
        parse("import /etc/coredns/custom/*.server\n", files=files)


# -- which rules answer a host ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        f"rewrite name {NPM} verdaccio.infra.svc.cluster.local",
        f"rewrite name exact {NPM} verdaccio.infra.svc.cluster.local",
        f"rewrite stop name exact {NPM.upper()}. verdaccio.infra.svc.cluster.local",
        f"rewrite continue name exact {NPM} verdaccio.infra.svc.cluster.local",
        "rewrite name suffix .packages.dev.ameide.io .infra.svc.cluster.local",
        "rewrite name prefix npm. verdaccio.",
        "rewrite name substring packages.dev.ameide.io infra.svc.cluster.local",
        r"rewrite name regex (.*)\.packages\.dev\.ameide\.io {1}.infra.svc.cluster.local"
        r" answer name (.*)\.infra\.svc\.cluster\.local {1}.packages.dev.ameide.io",
        "rewrite stop {\n    name regex (npm|go)\\.packages\\.dev\\.ameide\\.io\\. {1}.infra.svc.cluster.local\n"
        "    answer name (.*)\\.infra\\.svc\\.cluster\\.local {1}.packages.dev.ameide.io\n  }",
    ],
)
def test_rewrite_forms_that_count(rule):
    answer = one_block("  " + rule).answer(NPM)
    assert answer.ok, answer
    assert answer.how.startswith("rewrite")
    assert answer.where == "/etc/coredns/Corefile:2"


def test_targets_follow_the_match_type():
    def target(rule: str) -> str:
        return one_block(rule).answer(NPM).target

    assert target(f"rewrite name {NPM} verdaccio.infra.svc.cluster.local.") == "verdaccio.infra.svc.cluster.local"
    assert target("rewrite name suffix .packages.dev.ameide.io .infra.svc.cluster.local") == "npm.infra.svc.cluster.local"
    assert target(r"rewrite name regex (.*)\.packages\.dev\.ameide\.io {1}.mirror.local") == "npm.mirror.local"


@pytest.mark.parametrize(
    "rule",
    [
        "rewrite name exact other.packages.dev.ameide.io x.local",
        "rewrite name suffix .example.org .local",
        "rewrite type ANY HINFO",
        f"rewrite edns0 local set 0xffee {NPM}",
        f"rewrite cname exact {NPM} x.local",
        f'template IN A {NPM} {{\n  answer "{{{{ .Name }}}} 60 IN A 10.0.0.1"\n}}',
        f"forward {NPM} 10.0.0.1",
        f"# rewrite name exact {NPM} commented.out",
    ],
)
def test_forms_that_do_not_count(rule):
    assert not one_block("  " + rule).answer(NPM).ok


def test_bad_rules_are_reported_not_matched():
    cf = one_block("  rewrite name glob *.ameide.io x.local\n  rewrite name regex (?<bad x.local")
    answer = cf.answer(NPM)
    assert not answer.ok
    assert any("unknown match type 'glob'" in n for n in answer.notes)
    assert any("not evaluated" in n for n in answer.notes)


def test_rewrite_rules_reads_the_block_form():
    cf = parse(".:53 {\n  rewrite continue {\n    name suffix .a.org .b.org\n    answer auto\n  }\n}")
    (rule,) = rewrite_rules(cf.servers[0].directives[0])
    assert (rule.mode, rule.match, rule.source, rule.replacement) == ("continue", "suffix", ".a.org", ".b.org")


def test_a_more_specific_zone_takes_the_query_and_shadows_the_root_block():
    cf = k3s({"registries.override": f"rewrite name {NPM} host.k3d.internal\n", "ameide.server": f"ameide.io:53 {{\n  hosts {{\n    10.0.0.5 {GO}\n  }}\n}}\n"})
    npm, go = cf.answer(NPM), cf.answer(GO)
    assert not npm.ok and npm.server.keys == ("ameide.io:53",)
    assert go.ok and go.how == f"hosts entry 10.0.0.5 {GO}" and go.where == "/etc/coredns/custom/ameide.server:3"


def test_only_the_cluster_dns_port_counts():
    cf = parse(f".:53 {{\n  kubernetes cluster.local\n}}\n.:5353 {{\n  rewrite name {NPM} x.local\n}}")
    assert not cf.answer(NPM).ok
    cf = parse(f".:5353 {{\n  kubernetes cluster.local\n  rewrite name {NPM} x.local\n}}")
    assert cf.dns_port() == "5353" and cf.answer(NPM).ok
    cf = parse(f"tls://.:53 {{\n  rewrite name {NPM} x.local\n}}\n.:53 {{\n  kubernetes cluster.local\n}}")
    assert not cf.answer(NPM).ok


def test_hosts_entries_inline_and_from_nodehosts():
    assert one_block(f"  hosts {{\n    10.1.2.3 {NPM} alias.local\n    fallthrough\n  }}").answer(NPM).ok
    cf = k3s(nodehosts=K3S_NODEHOSTS + f"172.18.0.1 {NPM}  # added by k3d --host-alias\n")
    answer = cf.answer(NPM)
    assert answer.ok and answer.where == "/etc/coredns/NodeHosts:3" and answer.target == "172.18.0.1"
    assert not k3s().answer(NPM).ok
    assert k3s().answer("host.k3d.internal").ok


def test_hosts_zones_limit_what_it_answers():
    block = f"  hosts /etc/coredns/NodeHosts example.org {{\n    10.1.2.3 {NPM}\n  }}"
    assert not one_block(block).answer(NPM).ok


def test_a_hosts_file_outside_the_configmaps_is_noted():
    answer = one_block("  hosts /etc/hosts").answer(NPM)
    assert not answer.ok
    assert any("/etc/hosts is not in the ConfigMaps" in n for n in answer.notes)


def test_no_block_serves_the_host():
    answer = parse("example.org:53 {\n  kubernetes cluster.local\n}").answer(NPM)
    assert not answer.ok and answer.server is None and "no server block serves" in answer.missing


# -- a real parser: whatever the tree, printing and parsing it again gives it back ----------------------------------

# Caddy's quoting cannot express a backslash before a quote or at the end of a quoted token,
# and compares braces and `import` by text (quoted or not), as this parser does.
WORD = st.text(alphabet=st.sampled_from(list('abcxyz.:-_/*$%{}#" \\\t') + ["é"]), min_size=1, max_size=8).filter(
    lambda w: w not in ("{", "}", "import") and '\\"' not in w and not w.endswith("\\")
)
NAME = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda w: w != "import")


def directives(depth: int = 0):
    block = st.none() if depth >= 2 else st.one_of(st.none(), st.lists(st.deferred(lambda: directives(depth + 1)), max_size=3).map(tuple))
    return st.builds(lambda name, args, blk: Directive(name, tuple(args), "Corefile", 0, blk), NAME, st.lists(WORD, max_size=4), block)


def render(directive: Directive, indent: str = "  ") -> str:
    line = indent + " ".join(_quoted(w) for w in directive.words())
    if directive.block is None:
        return line
    inner = "".join("\n" + render(d, indent + "  ") for d in directive.block)
    return f"{line} {{{inner}\n{indent}}}"


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '\\"') + '"' if word != word.strip() or any(c in word for c in ' \t"#{}\\') else word


def shape(directive: Directive):
    return (directive.name, directive.args, None if directive.block is None else tuple(shape(d) for d in directive.block))


@settings(max_examples=200, deadline=None)
@given(st.lists(directives(), min_size=1, max_size=5))
def test_printed_trees_parse_back_to_themselves(tree):
    text = ".:53 {\n" + "\n".join(render(d) for d in tree) + "\n}\n"
    parsed = parse(text, file="Corefile")
    assert [shape(d) for d in parsed.servers[0].directives] == [shape(d) for d in tree]


def test_a_catastrophic_regex_is_answered_within_its_deadline():
    """`^(\\w+|\\w+\\.)*-x$` against a 32-character host did not finish in 200 s on Python's
    backtracking `re` (holding the GIL, so no deadline could fire). On RE2, as in CoreDNS, it is
    linear: the child process must answer well inside the doctor check's deadline."""
    import subprocess
    import sys

    code = (
        "from devenv.doctor.corefile import parse\n"
        "cf = parse('.:53 {\\n  rewrite name regex ^(\\\\w+|\\\\w+\\\\.)*-x$ x.local\\n  kubernetes cluster.local\\n}\\n')\n"
        "print(cf.answer('a' * 32 + '.example').ok)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr
    assert result.stderr == ""  # RE2's own error log stays quiet


def test_a_pattern_re2_rejects_is_reported_as_coredns_would():
    answer = one_block(r"  rewrite name regex (?<=npm)\.packages x.local").answer(NPM)
    assert not answer.ok and any("not evaluated" in n for n in answer.notes)
