"""The fast resolver tags every node as PyYAML's own resolver does."""

from __future__ import annotations

import pytest
import yaml

from devenv.util.yamlresolve import install_fast_resolver

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCALARS = [
    "", "~", "null", "Null", "NULL", "nul", "true", "True", "yes", "on", "Off", "n", "y", "0", "-1", "+12", "0x1F", "0o17",
    "017", "1_000", "1.5", "-.inf", ".NaN", "1e3", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=",
    "12:30:00", "190:20:30", "a", "web", "a-b", "x:y", "'quoted'", '"true"', "!!str 5", "!!int '7'", "\u00e9t\u00e9",
]  # fmt: skip


class _Plain(_BASE):  # type: ignore[valid-type,misc]
    pass


class _Fast(_BASE):  # type: ignore[valid-type,misc]
    pass


class _Narrow(_BASE):  # type: ignore[valid-type,misc]
    """Like the k8s loader: only some implicit resolvers."""


_Narrow.yaml_implicit_resolvers = {
    first: [(t, p) for t, p in resolvers if t.endswith(("null", "merge"))] for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
_NarrowPlain = type("_NarrowPlain", (_BASE,), {"yaml_implicit_resolvers": _Narrow.yaml_implicit_resolvers})
install_fast_resolver(_Fast)
install_fast_resolver(_Narrow)


def _tags(text: str, loader: type) -> list:
    tags, stack = [], [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        tags.append((type(node).__name__, node.tag))
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return tags


@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize(("fast", "plain"), [(_Fast, _Plain), (_Narrow, _NarrowPlain)])
def test_same_tags_as_pyyaml(scalar: str, fast: type, plain: type):
    text = f"k: {scalar}\nl: [{scalar or '~'}, {{a: {scalar or '~'}}}]\n{scalar or 'e'}: x\n"
    assert _tags(text, fast) == _tags(text, plain)


def test_the_fast_resolver_is_installed():
    assert _Fast.resolve is not _Plain.resolve
