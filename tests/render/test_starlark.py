import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.render.starlark import Expr, StarlarkEncodeError, call, comment, literal, string
from tests.render.standins import starlark_go


def _roundtrip(source: str):
    interpreter = starlark_go.Starlark()
    interpreter.exec(f"x = {source}")
    return interpreter.get("x")


@pytest.mark.parametrize(
    "value, source",
    [
        ("plain", "'plain'"),
        ("it's", "'it\\'s'"),
        ('say "hi"', "'say \"hi\"'"),
        ("a\\b", "'a\\\\b'"),
        ("line\nbreak", "'line\\nbreak'"),
        ("\x01\x7f", "'\\x01\\x7f'"),
        ("\x80", "'\\u0080'"),
        ("é😀", "'é😀'"),
        ("\u2028", "'\\u2028'"),
        ("\U000e0001", "'\\U000e0001'"),
    ],
)
def test_string_escapes_as_go_starlark_accepts(value, source):
    assert string(value) == source
    assert _roundtrip(source) == value


def test_surrogates_are_refused():
    with pytest.raises(StarlarkEncodeError):
        string("\ud800")


def test_literals_and_calls():
    assert literal([1, True, None, {"a": "b"}]) == "[1, True, None, {'a': 'b'}]"
    assert call("f", "x", y=[1], z=None).source == "f('x', y=[1])"
    assert literal(Expr("os.getenv('A', '')")) == "os.getenv('A', '')"
    with pytest.raises(StarlarkEncodeError):
        literal(1.5)


def test_comment_cannot_break_out_of_its_line():
    assert "\n" not in comment("a\nb\u2028c\x85d")


@settings(max_examples=500)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_any_text_round_trips_through_starlark(value):
    assert _roundtrip(literal(value)) == value
