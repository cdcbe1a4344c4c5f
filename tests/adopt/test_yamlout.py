"""The commented YAML writer: what it writes reads back as the same data, guesses are marked."""

import yaml
from hypothesis import given
from hypothesis import strategies as st

from devenv.adopt.yamlout import emit

_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none())
_keys = st.text(alphabet="abcdefghij_-.:/", min_size=1, max_size=10)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)), max_leaves=12)


@given(st.dictionaries(_keys, _values, min_size=1, max_size=5))
def test_reads_back_as_written(data):
    assert yaml.safe_load(emit(data)) == data


def test_guess_marks_and_header():
    text = emit(
        {"services": {"api": {"port_forwards": ["8080:80", "9000"]}}}, {("services", "api", "port_forwards"): "the first container port"}, ["from devenv init"]
    )
    assert text.startswith("# from devenv init\n")
    assert (
        "port_forwards: ['8080:80', '9000']  # GUESS: the first container port" in text
        or "port_forwards: [8080:80, '9000']  # GUESS: the first container port" in text
    )
    assert yaml.safe_load(text)["services"]["api"]["port_forwards"] == ["8080:80", "9000"]
