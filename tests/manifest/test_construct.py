"""The builders derived from the models give pydantic's objects, and nothing pydantic refuses.

The oracle is pydantic itself (`Manifest.model_validate`). For documents hypothesis derives from
valid manifests (values swapped for near-misses of every pattern and type YAML can give, keys
dropped, misspelt or added), whenever :func:`construct.build` returns a manifest, pydantic
accepts the document and returns objects of the same types with the same values, key order and
fields set, all the way down. And whole loads (positions, rules, messages) match the loader as it
was: every error and warning of `parse_manifest` is the same text, file:line:col included.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from devenv.errors import ManifestError
from devenv.manifest import construct, load, positions
from devenv.manifest.model import Manifest
from tests.manifest.test_cascades import FILES, RICH

REPO = Path(__file__).resolve().parents[2]
VALID = [REPO / "services.yaml", *sorted((REPO / "tests/render/fixtures").glob("*/services.yaml"))]

NEAR = [
    "web",
    "Web-1.x_y",
    "-web",
    "a" * 63,
    "a" * 64,
    "web\n",
    "x y",
    "é",
    "ü-svc",
    "",
    " ",
    "http://x",
    "https://h.io/p",
    "http://u:p@h:8080/x",
    "ftp://x",
    "http://[zz]:1",
    "8080",
    "8080:80",
    "localhost:1:2",
    "1:2:3:4",
    "99999",
    "host-gateway",
    "10.0.0.1",
    "::1",
    "PATH",
    "FOO_BAR",
    "1X",
    "auto",
    "manual",
    "off",
    "typescript",
    "go",
    "python",
    "npm",
    "oci",
    "registry",
    "buf",
    "workspace",
    "buf.build/acme/petapis",
    "buf.build/bufbuild/es",
    "ns/name",
    "Ns/name",
    "v1.2.3",
    "1.0.0-20240102150405-abcdefabcdef.1",
    "\ud800",
]
SCALARS = st.one_of(st.sampled_from(NEAR), st.sampled_from([0, 1, 80, 65535, 65536, -1, True, False, None, 1.0, 8080.0, 2**70]), st.text(max_size=6))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.sampled_from(NEAR), st.text(max_size=4)), inner, max_size=3)),
    max_leaves=8,
)
KEYS = ["from", "from_", "sync", "run", "fall_back_on", "env", "default", "name", "url", "cmd", "k8s", "helm", "image", "package", "extra"]


def _bases() -> list[dict]:
    return [yaml.safe_load(RICH), *(yaml.safe_load(path.read_text()) for path in VALID)]


def _paths(node, prefix=()):
    if prefix:
        yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


@st.composite
def documents(draw) -> dict:
    """A valid manifest with a few values swapped, keys dropped, renamed or added."""
    data = copy.deepcopy(draw(st.sampled_from(_bases())))
    every = list(_paths(data))
    for path in draw(st.lists(st.sampled_from(every), max_size=3)):
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["value", "value", "drop", "rename", "add"]))
            if action == "value":
                parent[path[-1]] = draw(VALUES)
            elif action == "drop" and isinstance(parent, dict):
                del parent[path[-1]]
            elif action == "rename" and isinstance(parent, dict):
                parent[draw(st.sampled_from(KEYS))] = parent.pop(path[-1])
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.sampled_from(KEYS))] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    return data


def same(a, b) -> bool:
    """Equal, of the same types, in the same order, with the same fields set, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (
            a.__pydantic_fields_set__ == b.__pydantic_fields_set__
            and a.__pydantic_extra__ == b.__pydantic_extra__
            and a.__pydantic_private__ == b.__pydantic_private__
            and same(a.__dict__, b.__dict__)
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_as_pydantic(data) -> bool:
    before = copy.deepcopy(data)
    built = construct.build(Manifest, data)
    assert same(data, before), "the builders changed their input"
    try:
        validated = Manifest.model_validate(data)
    except ValidationError:
        assert built is None, f"built a manifest pydantic refuses: {data}"
        return False
    if built is not None:
        assert same(built, validated) and built == validated
    return built is not None


def test_every_model_is_derived():
    assert construct.unsupported(Manifest) == []


@pytest.mark.parametrize("data", _bases(), ids=["rich", *(p.parent.name for p in VALID)])
def test_valid_manifests_are_built_as_pydantic_builds_them(data):
    assert assert_as_pydantic(data), "a valid manifest of the usual shapes must not need pydantic"


def test_the_bench_manifest_is_built_as_pydantic_builds_it(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from bench_render import generate

    data = yaml.safe_load(generate(tmp_path, 50).read_text())
    assert assert_as_pydantic(data)


# Values where Python's reading and pydantic's could part: a final newline before a pattern's
# `$`, non-ASCII text, booleans for numbers, floats for integers, numbers as text.
EDGES = [
    (("project",), ["web\n", "wéb", "a" * 64, True, 1, "ok"]),
    (("version",), [True, 1.0, "1", 2]),
    (("services", "web", "port_forwards"), [["8080\n"], [True], [8080.0], ["08080"], [65536], [" 8080"], ["٣٠٠٠"], [3000]]),
    (("services", "web", "build_args"), [{"A\n": "x"}, {"A": 1}, {"A": {"env": "B\n"}}, {"A": {"env": "B", "default": None}}]),
    (("cluster", "coredns_rewrites"), ["auto", "off", "on", ["a"], True, None]),
    (("services", "web", "links"), [["http://x\n"], [{"url": "http://x"}], [{"url": "http://x", "name": 1}], ["http://ü"]]),
    (("sdks", "ts", "steps", "build", "auto_init"), ["yes", 1, 0, None, False]),
    (("registries", "npm", "url"), ["http://npm.example.io\n", "http://npm.example.io/\u00e9", "http://[::1]:4873"]),
    (("build", "extra_hosts", "hosts"), [["a\n"], ["é"], []]),
    (
        ("services", "web", "live_update"),
        [[{"sync": {"from_": "web", "to": "/app"}}], [{"sync": {"from": "web", "to": "/app"}, "run": {"cmd": "x"}}], [{"fall_back_on": []}]],
    ),
    (("sdks", "bufgo", "package"), ["", None, "x"]),
]


@pytest.mark.parametrize("path,value", [(path, value) for path, values in EDGES for value in values])
def test_edge_values_are_built_as_pydantic_builds_them_or_left_to_it(path, value):
    data = yaml.safe_load(RICH)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    assert_as_pydantic(data)
    if path == ("project",):  # the same text as a name (a key)
        data = yaml.safe_load(RICH)
        data["services"] = {str(value) if not isinstance(value, str) else value: data["services"]["web"]}
        assert_as_pydantic(data)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_the_builders_give_pydantics_objects_or_leave_it_to_pydantic(data):
    assert_as_pydantic(data)


# -- whole loads: the messages are the loader's as it was ----------------------------------


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    from tests.fixtures.manifests import build_tree

    return build_tree(tmp_path_factory.mktemp("construct"), {"services.yaml": RICH, **FILES})


def _outcome(text: str, root: Path):
    try:
        loaded = load.parse_manifest(text, root / "services.yaml", "services.yaml")
    except ManifestError as exc:
        return "error", [str(p) for p in exc.problems]
    return "ok", (loaded.manifest, [str(p) for p in loaded.warnings])


def _as_it_was(text: str, root: Path):
    """The loader before the plain build and the builders: positions always, pydantic always."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "load_yaml", positions._positioned)
        patch.setattr(construct, "build", lambda model, data: None)
        return _outcome(text, root)


def assert_same_outcome(text: str, root: Path) -> None:
    now, was = _outcome(text, root), _as_it_was(text, root)
    assert now[0] == was[0], (text, now, was)
    if now[0] == "error":
        assert now[1] == was[1], text
    else:
        assert same(now[1][0], was[1][0]) and now[1][1] == was[1][1], text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(documents(), st.sampled_from(["", "", "dup", "alias", "nul", "tab"]))
def test_loads_give_the_same_manifest_or_the_same_messages(repo, data, twist):
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return
    text += {"": "", "dup": "version: 1\n", "alias": "x: &a [1]\ny: *a\n", "nul": 'z: "\\0"\n', "tab": "\t"}[twist]
    assert_same_outcome(text, repo)


def test_rich_and_its_warnings_load_the_same(repo):
    assert_same_outcome(RICH, repo)
    assert_same_outcome(RICH.replace("version: 1.0.0", "version: 1.0.0\n    exact_pins: true") + "lint: {exclude: [x]}\n", repo)
    warned = RICH.replace("proto: {path: proto,", "proto: {path: protoo,")
    assert _outcome(warned, repo)[1][1] == ["services.yaml:5:15 proto.path: 'protoo' does not exist (did you mean 'proto'?)"]
    assert_same_outcome(warned, repo)
