"""The manifest's values without positions, for the usual document: what the positioned build
(:mod:`devenv.manifest.positions`) makes of it, at a fraction of the cost.

Recording the start of each of the ~12,000 values and keys of a 1,000-service manifest costs
more than building them; the marks are wanted only by a message, and a valid manifest has none.
Anything the positioned build treats specially raises :class:`Unusual`, and the caller builds
the document that way instead: an alias (a node met twice), a merge key, a duplicate key (two
keys that build to one), a tag beyond the plain ones, a character to refuse, too deep a nesting.
So both builds give the same values, and every problem is the positioned build's own.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# Tags whose safe constructors return a value from a scalar node (the collection ones are
# generators, and refuse scalars: those go through construct_object).
PLAIN_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary"))
UNWRITABLE = re.compile("[\0\ud800-\udfff]")
# How deep values may nest: a manifest needs about 8 levels; Python's stack ends near 1,000.
MAX_DEPTH = 64

_STR, _NULL, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "null", "map", "seq", "merge"))


class Unusual(Exception):
    """Something only the positioned build handles (and reports) exactly."""


def plain_build(loader: Any, root: yaml.Node, text: str) -> Any:  # loader: the positioned build's
    """The values of the document ``root`` composed from ``text``, or :class:`Unusual`."""
    constructors = loader.yaml_constructors
    check_text = "\\" in text or UNWRITABLE.search(text) is not None  # as the positioned build decides
    seen: set[int] | None = set() if "*" in text else None  # without a `*` no node is shared
    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode

    def scalar(node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR:
            if check_text and UNWRITABLE.search(node.value):
                raise Unusual
            return node.value
        if tag == _NULL:
            return None
        if tag in PLAIN_SCALAR_TAGS:
            try:
                return constructors[tag](loader, node)
            except Exception:  # a tag on a value it cannot be (`!!int '[7'`): the positioned build reports it
                raise Unusual from None
        raise Unusual

    def build(node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise Unusual
        if seen is not None:
            if id(node) in seen:
                raise Unusual
            seen.add(id(node))
        kind = node.__class__
        if kind is scalar_node:
            return scalar(node)
        if kind is mapping_node and node.tag == _MAP:
            out: dict = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not scalar_node or key_node.tag == _MERGE:
                    raise Unusual
                key = scalar(key_node)
                if not isinstance(key, (str, int, float, bool)):
                    key = str(key)
                out[key] = build(value_node, depth + 1)
            if len(out) != len(node.value):
                raise Unusual  # a duplicate key: the positioned build reports it
            return out
        if kind is sequence_node and node.tag == _SEQ:
            return [build(item, depth + 1) for item in node.value]
        raise Unusual

    return build(root, 0)
