"""A faster tag resolver for PyYAML loaders, with PyYAML's own result.

libyaml's parser (``CParser``) calls the loader's Python ``resolve``, ``descend_resolver`` and
``ascend_resolver`` once per node; PyYAML's versions re-check path resolvers and concatenate the
resolver lists every time. A loader without path resolvers (devenv's never have any) gets the
same answers from one dictionary lookup: a tenth of parsing a plain k8s file.
"""

from __future__ import annotations

from typing import Any

import yaml


def install_fast_resolver(loader_class: Any) -> None:  # a PyYAML loader class
    """Give ``loader_class`` the resolver below, built from its implicit resolvers as they stand
    now: call it after the class's resolvers are final."""
    assert not loader_class.yaml_path_resolvers, "path resolvers need PyYAML's own resolve"
    table = loader_class.yaml_implicit_resolvers
    wildcard = tuple(table.get(None, ()))
    by_first = {first: tuple(resolvers) + wildcard for first, resolvers in table.items() if first is not None}
    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    scalar_tag, sequence_tag, mapping_tag = loader_class.DEFAULT_SCALAR_TAG, loader_class.DEFAULT_SEQUENCE_TAG, loader_class.DEFAULT_MAPPING_TAG

    def resolve(self, kind, value, implicit):
        if kind is scalar:
            if implicit[0]:
                for tag, regexp in by_first.get(value[:1], wildcard):
                    if regexp.match(value):
                        return tag
            return scalar_tag
        if kind is sequence:
            return sequence_tag
        if kind is mapping:
            return mapping_tag
        return None  # PyYAML's resolve also falls through to None for any other kind

    def descend_resolver(self, current_node, current_index):
        pass  # only path resolvers use the path

    def ascend_resolver(self):
        pass

    loader_class.resolve = resolve
    loader_class.descend_resolver = descend_resolver
    loader_class.ascend_resolver = ascend_resolver
