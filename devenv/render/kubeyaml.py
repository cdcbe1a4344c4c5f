"""Read a Kubernetes YAML stream into plain Python values, as ``yaml.load_all`` with the k8s
loader does, at a third of its cost.

Render reads every service's k8s files; PyYAML's constructor (pure Python even with libyaml's
parser) spends most of that time in per-node bookkeeping that plain k8s YAML never needs: a cache
of built objects for aliases, generators for recursive structures, a resolver round per scalar.
libyaml composes the nodes here exactly as before; a node whose tag is anything but a string,
null, mapping or sequence (an alias, a merge key, an explicit ``!!int``, a custom tag) sends the
whole file back to PyYAML's own constructor, so values and error messages stay its own.
"""

from __future__ import annotations

from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """A node the plain build does not handle: PyYAML's constructor builds the file instead."""


def _build(node: yaml.Node) -> Any:
    tag, kind = node.tag, node.__class__
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
    elif kind is yaml.MappingNode and tag == _MAP:
        out: dict = {}
        for key, value in node.value:
            if key.__class__ is not yaml.ScalarNode or key.tag != _STR:
                raise _Unusual  # merge keys, null or non-string keys
            # A string value inline (most of them): a call less per node.
            out[key.value] = value.value if value.tag == _STR and value.__class__ is yaml.ScalarNode else _build(value)
        return out
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(item) for item in node.value]
    raise _Unusual


def _plain_documents(text: str, loader_class: type) -> list:
    loader = loader_class(text)
    try:
        documents = []
        while loader.check_node():
            documents.append(_build(loader.get_node()))
        return documents
    finally:
        loader.dispose()


def load_documents(text: str, loader_class: type) -> list:
    """``list(yaml.load_all(text, Loader=loader_class))``; ``loader_class`` resolves plain scalars
    to strings and nulls only (a loader that makes ints or bools of them must not come here)."""
    if "*" not in text:  # without an alias no node is shared, so building each node once is safe
        try:
            return _plain_documents(text, loader_class)
        except (_Unusual, RecursionError):
            pass
    return list(yaml.load_all(text, Loader=loader_class))
