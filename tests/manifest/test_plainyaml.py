"""The plain build (no positions) gives what the positioned build gives, on any text.

The oracle is the positioned build itself (:func:`devenv.manifest.positions._positioned`, the
loader as it was before the plain build existed): for every text hypothesis makes up, hostile
YAML included (aliases, merge keys, tags, duplicate keys, escapes, deep nesting, syntax errors),
``load_yaml`` returns the same values (same types, same key order), the same problems, and,
once a message asks, the same position for every value and key.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.manifest.positions import _positioned, load_yaml

SCALARS = [
    "a",
    "web",
    "1",
    "01",
    "0x1f",
    "0o7",
    "1_000",
    "-1",
    "1.5",
    "1e3",
    ".inf",
    ".nan",
    "yes",
    "no",
    "on",
    "~",
    "null",
    "true",
    "2020-01-01",
    "2020-01-01 10:00:00",
    "=",
    "''",
    '""',
    '"x\\0y"',
    '"\\ud800"',
    '"a\\tb"',
    "'q*'",
    "x*y",
    "!!str 1",
    "!!int '7'",
    "!!binary aGk=",
    "!!float 1",
    "!custom x",
    "!!null ''",
    "*a",
    "*b",
    "<<",
    "é",
]
# What a usual manifest holds: the plain build reads a document of only these by itself.
USUAL_SCALARS = [s for s in SCALARS if not s.startswith(("!", "*", '"x', '"\\u')) and s not in ("=", "<<")]
KEYS = ["a", "b", "web", "1", "01", "yes", "no", "~", "1.5", "2020-01-01", "<<", "'<<'", "=", '"a"', "!!str 1", "[x]", "{y: 1}", "!!binary aGk="]
USUAL_KEYS = ["a", "b", "web", "1", "01", "yes", "no", "~", "1.5", "2020-01-01", "'<<'", '"a"']


def _anchored(draw, text: str, usual: bool) -> str:
    anchor = "" if usual else draw(st.sampled_from(["", "", "", "&a ", "&b "]))
    return anchor + text


@st.composite
def _flow(draw, usual: bool, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["scalar", "scalar", "list", "map"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        return _anchored(draw, draw(st.sampled_from(USUAL_SCALARS if usual else SCALARS)), usual)
    tag = "" if usual else draw(st.sampled_from(["", "", "", "", "!!set ", "!!omap ", "!tagged "]))
    if kind == "list":
        items = draw(st.lists(_flow(usual, depth + 1), max_size=4))
        return _anchored(draw, tag + "[" + ", ".join(items) + "]", usual)
    pairs = draw(st.lists(st.tuples(st.sampled_from(USUAL_KEYS if usual else KEYS), _flow(usual, depth + 1)), max_size=4))
    return _anchored(draw, tag + "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}", usual)


@st.composite
def _documents(draw) -> str:
    """Half of them a usual document (no alias, tag or bad character; duplicate keys, deep
    nesting and syntax errors still), half anything."""
    usual = draw(st.booleans())
    lines = []
    for key, value in draw(st.lists(st.tuples(st.sampled_from(USUAL_KEYS if usual else KEYS), _flow(usual)), min_size=1, max_size=6)):
        form = draw(st.sampled_from(["flow", "flow", "block", "deep"] if usual else ["flow", "flow", "block", "merge", "deep", "complex"]))
        if form == "block":
            lines.append(f"{key}:\n  - {value}\n  - x: {value}")
        elif form == "merge":
            lines.append(f"{key}:\n  <<: *a\n  z: {value}")
        elif form == "deep":
            depth = draw(st.integers(61, 66))
            lines.append(f"{key}: " + "[" * depth + value + "]" * depth)
        elif form == "complex":
            lines.append(f"? [{key}]\n: {value}")
        else:
            lines.append(f"{key}: {value}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 3)) == 0:  # a syntax error, a tab, a stray character somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["[", "]", "\t", ": ", "- ", "&", "*", "\\", "\0", "'"])) + text[at:]
    return text


def same_values(a, b) -> bool:
    """Equal and of the same types all the way down, dict key order included (``==`` would
    take True for 1 and 1.0 for 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_values(k, j) and same_values(a[k], b[j]) for k, j in zip(a, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _marks(table) -> dict:
    return {path: (mark.line, mark.column) for path, mark in table.items()}


def assert_same_load(text: str) -> None:
    plain, positioned = load_yaml(text, "f.yaml"), _positioned(text, "f.yaml")
    assert same_values(plain.data, positioned.data), text
    assert plain.problems == positioned.problems, text
    assert _marks(plain.values) == _marks(positioned.values), text
    assert _marks(plain.keys) == _marks(positioned.keys), text
    for path in positioned.values:
        assert plain.where(path) == positioned.where(path)
        assert plain.where(path, key=True) == positioned.where(path, key=True)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_the_plain_build_gives_the_positioned_builds_values_and_problems(text):
    assert_same_load(text)


def test_the_cases_the_plain_build_leaves_to_the_positioned_one_load_the_same():
    cases = [
        "a: 1\na: 2\n",  # a duplicate key
        "a: 1\n01: x\n1: y\n",  # two keys that build to one
        "base: &b {x: 1}\nsvc:\n  <<: *b\n  y: 2\n",  # a merge key
        "a: &x [1]\nb: *x\n",  # an alias
        "a: &x [1, *x]\n",  # a recursive alias
        'a: "x\\0y"\n',  # a NUL
        "a: !!set {x}\n",
        "a: !custom x\n",
        "a: =\n",
        "? [x]\n: 1\n",
        "a: " + "[" * 70 + "]" * 70 + "\n",
        "a: " + "[" * 63 + "x" + "]" * 63 + "\n",  # the deepest a manifest may nest
        "a: " + "[" * 64 + "x" + "]" * 64 + "\n",  # one level deeper
        "a: [1, 2\n",
        "",
        "# only a comment\n",
        "a: 'a*b'\nb: \"tab\\there\"\n",  # `*` and `\\` without an alias or a bad character
    ]
    for text in cases:
        assert_same_load(text)


def test_a_usual_manifest_is_read_without_positions_until_a_message_asks():
    text = "version: 1\nproject: p\nservices:\n  web: {k8s: [w.yaml], port_forwards: ['80', 81], ratio: 1.5, on: yes, at: 2020-01-01}\n"
    loaded = load_yaml(text, "services.yaml")
    assert loaded.marks is None and loaded.problems == []
    assert str(loaded.where(("services", "web", "k8s", 0))) == "services.yaml:4:15"
    assert loaded.marks is not None
    assert_same_load(text)
