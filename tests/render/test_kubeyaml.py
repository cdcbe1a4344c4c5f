"""The k8s YAML reader builds what PyYAML's own constructor builds, values and errors alike."""

from __future__ import annotations

import pytest
import yaml

from devenv.render import kubeyaml
from devenv.render.workloads import _KubeLoader

PLAIN = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec: {containers: [{name: app, image: demo/web}]}\n",
    "---\na: 1\n---\n---\n- x\n- 'y'\n- \"z\"\n- ~\n- null\n- on\n- 0x1F\n- 3.5\n",
    "# only a comment\n",
    "",
    "a: &anchor {b: c}\nd: [e, f]\n",  # an anchor nobody aliases
    "a: 1\na: 2\nb: {}\nc: []\n",  # a duplicate key: the last one wins, as in PyYAML
    "kind: List\nitems:\n- kind: Service\n  metadata: {name: web, namespace: apps}\n",
    "!!map {a: !!str b, c: !!seq [d]}\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
]
UNUSUAL = [
    "base: &b {image: x}\nweb:\n  <<: *b\n  name: web\n",  # a merge key and an alias
    "a: &x [1]\nb: *x\n",  # an alias
    "a: !!int 5\nb: !!bool true\n",  # explicit tags other than str
    "~: null key\n",
    "a: !!float 1.5\n",
    "a: !!binary aGVsbG8=\n",
    "stars: '*.txt'\n",  # a '*' that is no alias: PyYAML's constructor, same result
]


def _pyyaml(text: str) -> list:
    return list(yaml.load_all(text, Loader=_KubeLoader))


@pytest.mark.parametrize("text", PLAIN + UNUSUAL)
def test_same_values_as_pyyaml(text: str):
    assert kubeyaml.load_documents(text, _KubeLoader) == _pyyaml(text)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_files_take_the_plain_build(text: str):
    assert kubeyaml._plain_documents(text, _KubeLoader) == _pyyaml(text)


@pytest.mark.parametrize("text", [t for t in UNUSUAL if "*" not in t])
def test_unusual_nodes_are_left_to_pyyaml(text: str):
    with pytest.raises(kubeyaml._Unusual):
        kubeyaml._plain_documents(text, _KubeLoader)


@pytest.mark.parametrize(
    "text",
    [
        "a: !custom x\n",  # no constructor for the tag
        "a: [1, 2\n",  # a syntax error
        "a: 1\n---\nb: : c\n",  # a syntax error in the second document
        "? {a: b}\n: c\n",  # an unhashable key
    ],
)
def test_same_errors_as_pyyaml(text: str):
    with pytest.raises(yaml.YAMLError) as expected:
        _pyyaml(text)
    with pytest.raises(type(expected.value)) as got:
        kubeyaml.load_documents(text, _KubeLoader)
    assert str(got.value) == str(expected.value)


def test_aliases_share_one_value_as_in_pyyaml():
    """Built once per node, an alias bomb would expand; with an alias PyYAML builds the file."""
    bomb = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20))
    (document,) = kubeyaml.load_documents(bomb, _KubeLoader)
    assert document["u"][0] is document["u"][1]


def _outcome(load, text: str) -> object:
    try:
        return load(text)
    except (RecursionError, yaml.YAMLError) as exc:
        return (type(exc), str(exc))


@pytest.mark.parametrize("depth", [200, 900, 3000])
def test_deep_nesting_behaves_as_pyyaml(depth: int):
    text = "a: " + "[" * depth + "]" * depth + "\n"
    assert _outcome(lambda t: kubeyaml.load_documents(t, _KubeLoader), text) == _outcome(_pyyaml, text)
