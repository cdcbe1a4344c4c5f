"""tomlpos's fast path (one value scanned, found by its table and key) against the whole-document
scan, itself checked against tomllib: on generated pyproject.toml files, wherever the fast path
answers, it answers exactly as the full scan; and the table/key lookup lint uses."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.deps import tomlpos

_ITEM = st.sampled_from(['"a>=1"', "'b'", "\"c ; python_version<'3'\"", '"e\\u0041"', "'x==1'"])
_SOURCE = st.sampled_from(
    [
        '{ path = "../a" }',
        "{workspace = true}",
        '{ git = "https://g", rev = "x" }',
        "{ path = '../b', editable = true }",
        '{ path = "e\\u0041" }',
        '{a.b = "1", c = "2", a.d = "3"}',
        '[{ path = "x" }, { path = "y" }]',
    ]
)
_ELSEWHERE = st.sampled_from(
    [
        "[tool.x]\nk = [\n  [1, 2],\n]",
        '[tool.y]\ndependencies = ["no"]',
        'top = "v"',
        '[tool.z]\nm = """\n[project]\ndependencies = ["no"]\n"""',
        '[[tool.uv.index]]\nurl = "u"',
    ]
)


@st.composite
def _pyproject(draw) -> str:
    items = draw(st.lists(_ITEM, max_size=4))
    body = "".join(i + draw(st.sampled_from([",\n  ", ", ", ",  # c\n  "])) for i in items)
    array = draw(st.sampled_from(["[{}]", "[\n  {}\n]", "[ # c\n  {}]"])).format(body)
    key = draw(st.sampled_from(["dependencies = ", "dependencies=", "  dependencies = ", '"dependencies" = ']))
    sources = [
        f"{draw(st.sampled_from(['', '  ', chr(34)]))}{name}{draw(st.sampled_from(['', chr(34)]))} = {draw(_SOURCE)}"
        for name in draw(st.lists(st.sampled_from(["sdk", "other"]), unique=True, max_size=2))
    ]
    parts = [
        *draw(st.lists(_ELSEWHERE, max_size=2, unique=True)),
        draw(st.sampled_from(["[project]", "[ project ] # h"])),
        'name = "n"',
        key + array,
        draw(st.sampled_from(["[tool.uv.sources]", "[ tool . uv . sources ]"])),
        *sources,
    ]
    return "\n".join(parts) + "\n"


@settings(max_examples=300, deadline=None)
@given(_pyproject())
def test_the_fast_path_answers_as_the_whole_scan(text):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    full = {s.path: s for s in tomlpos.strings(text, data)}
    places = [(("project",), "dependencies")] + [(("tool", "uv", "sources"), n) for n in data["tool"]["uv"]["sources"]]
    for table, key in places:
        fast = tomlpos.value_strings(text, table, key, _get(data, (*table, key)))
        if fast is not None:
            assert fast == {p: s for p, s in full.items() if p[: len(table) + 1] == (*table, key)}


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def test_the_fast_path_is_taken_for_the_usual_layout():
    text = '[project]\nname = "svc"\ndependencies = [\n  "fastapi>=0.110",\n  "sdk==1.4.0",\n]\n\n[tool.uv.sources]\nsdk = { path = "../sdk" }\n'
    data = tomllib.loads(text)
    deps = tomlpos.value_strings(text, ("project",), "dependencies", data["project"]["dependencies"])
    assert deps is not None and text[deps[("project", "dependencies", 1)].start :].startswith('"sdk==1.4.0"')
    source = tomlpos.value_strings(text, ("tool", "uv", "sources"), "sdk", data["tool"]["uv"]["sources"]["sdk"])
    assert source is not None and text[source[("tool", "uv", "sources", "sdk", "path")].start :].startswith('"../sdk"')


def test_table_and_key_of_an_offset():
    text = '[project]\ndependencies = [\n  "a",\n  "b",\n]\n\n[tool.uv.sources]\n  b = { path = "../b" }\n'
    assert tomlpos.table_and_key(text, text.index('"b"')) == ("project", "dependencies")
    assert tomlpos.table_and_key(text, text.index('"../b"')) == ("tool.uv.sources", "b")
    assert tomlpos.table_and_key(text, 0) == (None, None)
    broken = "[project\nx = 1\n[tool.a]\nk = 'v'\n"  # TOML rejects line 1: the rest still answers
    assert tomlpos.table_and_key(broken, broken.index("'v'")) == ("tool.a", "k")
