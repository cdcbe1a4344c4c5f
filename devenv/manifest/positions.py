"""Safe YAML loading that remembers where every key and value came from.

PyYAML's composer already shares one node per anchor, so composing is linear in the
file size; the blow-up of a "billion laughs" file happens only when aliases are
expanded into Python objects. We construct objects ourselves and stop once the
expansion outgrows the document, so such a file is refused in milliseconds.

The usual manifest is built without positions first (:mod:`devenv.manifest.plainyaml`); its
positions are found by parsing it again, here, when a message first asks for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from devenv.errors import Location, Problem
from devenv.manifest.plainyaml import MAX_DEPTH, PLAIN_SCALAR_TAGS, UNWRITABLE, Unusual, plain_build
from devenv.util.yamlresolve import install_fast_resolver

Path = tuple[str | int, ...]

# How many objects alias expansion may add beyond the document's own nodes.
ALIAS_EXPANSION_BUDGET = 20_000


@dataclass
class LoadedYaml:
    """A parsed document plus the position of every value and every mapping key."""

    file: str
    data: Any
    problems: list[Problem] = field(default_factory=list)
    # Where each value and key starts, as the parser's marks ((values, keys)): made into a
    # Location only when a message asks. A document the plain build read has none until then:
    # ``text`` is parsed again, with positions, on the first question (an error or a warning).
    marks: tuple[dict[Path, yaml.Mark], dict[Path, yaml.Mark]] | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)

    @property
    def values(self) -> dict[Path, yaml.Mark]:
        return self._marks()[0]

    @property
    def keys(self) -> dict[Path, yaml.Mark]:
        return self._marks()[1]

    def _marks(self) -> tuple[dict[Path, yaml.Mark], dict[Path, yaml.Mark]]:
        if self.marks is None:
            self.marks = _positioned(self.text, self.file).marks if self.text is not None else None
            if self.marks is None:
                self.marks = ({}, {})
        return self.marks

    def where(self, path: Path, *, key: bool = False) -> Location:
        """The position of ``path``, or of its nearest known ancestor."""
        values, keys = self._marks()
        table = keys if key else values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return _location(self.file, table[prefix])
            if prefix in values:
                return _location(self.file, values[prefix])
        return Location(self.file, 1, 1)


# libyaml's parser (when PyYAML was built with it) keeps marks and is several times faster.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]  # chosen at import time
    """Safe loader whose objects are built by :class:`_Builder` instead."""


install_fast_resolver(_Loader)


def _location(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, loader: _Loader, result: LoadedYaml, distinct_nodes: int, text: str):
        self.loader = loader
        # A scalar can hold NUL or a surrogate only if the text does or an escape (`"\0"`,
        # `"\ud800"`) makes one: without either, no value needs the scan.
        self.check_text = "\\" in text or UNWRITABLE.search(text) is not None
        self.result = result
        self.values: dict[Path, yaml.Mark] = {}
        self.keys: dict[Path, yaml.Mark] = {}
        self.remaining = distinct_nodes + ALIAS_EXPANSION_BUDGET
        self.building: set[int] = set()  # the nodes on the current path: an alias to one is a cycle

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.remaining -= 1
        if self.remaining < 0:
            raise _TooLarge(node)
        if len(path) > MAX_DEPTH:
            raise _Refused(node, f"values nest more than {MAX_DEPTH} levels deep; refusing to load", "a manifest needs only a few levels: flatten it")
        if id(node) in self.building:
            raise _Refused(node, "a YAML alias refers to a value that contains it (a recursive alias)", "an alias must point to an anchor outside itself")
        self.values.setdefault(path, node.start_mark)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.building.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path)
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            finally:
                self.building.discard(id(node))
        value = self._scalar(node)
        if self.check_text and isinstance(value, str):
            self._check_text(value, node, path)
        return value

    def _scalar(self, node: yaml.Node) -> Any:
        """What ``construct_object`` makes of a scalar, calling its tag's constructor directly
        (scalars are immutable: the loader's per-node cache and recursion guard buy nothing)."""
        constructor = self.loader.yaml_constructors.get(node.tag) if node.tag in PLAIN_SCALAR_TAGS and isinstance(node, yaml.ScalarNode) else None
        if constructor is None:
            return self.loader.construct_object(node, deep=True)
        try:
            return constructor(self.loader, node)
        except yaml.YAMLError:
            raise  # PyYAML's own message and mark (`!!binary 'x'`)
        except Exception:  # a tag on a value it cannot be: PyYAML's constructors then raise whatever the
            # parse hit (ValueError for `!!int '[7'`, KeyError for `!!bool 'maybe'`, AttributeError for `!!timestamp 'x'`)
            tag = node.tag.rsplit(":", 1)[-1]
            raise _Refused(node, f"{node.value!r} is not a valid !!{tag} value", f"remove the !!{tag} tag or write a valid {tag}") from None

    def _check_text(self, value: str, node: yaml.Node, path: Path) -> None:
        """NUL and unpaired surrogates cannot reach a command line, an env var or a UTF-8 Tiltfile."""
        found = UNWRITABLE.search(value)
        bad = found.group() if found else None
        if bad is not None:
            dotted = ".".join(str(p) for p in path)
            self.result.problems.append(
                Problem(
                    _location(self.result.file, node.start_mark),
                    dotted,
                    f"contains the character U+{ord(bad):04X}, which no command, variable or Tiltfile can carry",
                    "remove it",
                )
            )

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        self._report_duplicate_keys(node, path)
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys; own keys come last
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node, "a key is a list or mapping; keys must be plain names", "write the key as a name")
            key = self._scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            key_path = path + (key,)
            self.keys.setdefault(key_path, key_node.start_mark)
            out[key] = self.build(value_node, key_path)
        return out

    def _report_duplicate_keys(self, node: yaml.MappingNode, path: Path) -> None:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                first = _location(self.result.file, seen[key].start_mark)
                dotted = ".".join(str(p) for p in path + (key,))
                self.result.problems.append(
                    Problem(
                        _location(self.result.file, key_node.start_mark),
                        dotted,
                        f"duplicate key '{key}' (first defined at line {first.line})",
                        "names must be unique: rename or remove one of them",
                    )
                )
            else:
                seen[key] = key_node


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


class _Refused(Exception):
    """A document that parses but cannot be a manifest (too deep, a recursive alias)."""

    def __init__(self, node: yaml.Node, message: str, hint: str):
        self.node, self.message, self.hint = node, message, hint


def _count_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _distinct_nodes(text: str, root: yaml.Node) -> int:
    """The budget's base. Without an alias (no ``*`` anywhere in the text) no node is shared, so
    building visits each node at most once and can never exceed the budget: skip the count (a
    walk over every node, about a tenth of loading a large manifest)."""
    if "*" not in text:
        return _NO_ALIASES
    return _count_nodes(root)


# Larger than any count of builds: a document without aliases builds each node at most once.
_NO_ALIASES = 1 << 62


def load_yaml(text: str, file: str) -> LoadedYaml:
    """Parse ``text``; syntax errors and refused documents become problems, not exceptions. The
    usual manifest is built without positions: they are found when a message first asks."""
    return _load(text, file, plain=True)


def _positioned(text: str, file: str) -> LoadedYaml:
    """``text`` parsed with the position of every value and key recorded as it is built."""
    return _load(text, file, plain=False)


def _load(text: str, file: str, *, plain: bool) -> LoadedYaml:
    result = LoadedYaml(file=file, data=None)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return result
        if plain:
            try:
                result.data, result.text = plain_build(loader, root, text), text
                return result
            except Unusual:
                pass  # the positioned build below handles it, and reports what it must
        builder = _Builder(loader, result, _distinct_nodes(text, root), text)
        result.marks = (builder.values, builder.keys)
        result.data = builder.build(root, ())
    except _TooLarge as exc:
        result.data = None
        result.problems.append(
            Problem(
                _location(file, exc.node.start_mark),
                "",
                f"YAML aliases expand to more than {ALIAS_EXPANSION_BUDGET:,} extra values (an alias bomb?); refusing to load",
                "write the values out or use fewer nested aliases",
            )
        )
    except _Refused as exc:
        result.data = None
        result.problems.append(Problem(_location(file, exc.node.start_mark), "", exc.message, exc.hint))
    except RecursionError:  # the parser itself ran out of stack on deep nesting
        result.data = None
        result.problems.append(
            Problem(
                Location(file, 1, 1),
                "",
                f"values nest too deeply (more than {MAX_DEPTH} levels); refusing to load",
                "a manifest needs only a few levels: flatten it",
            )
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _location(file, mark) if mark else Location(file, 1, 1)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        result.problems.append(Problem(where, "", f"invalid YAML: {message}"))
    except yaml.YAMLError as exc:
        result.problems.append(Problem(Location(file, 1, 1), "", f"invalid YAML: {exc}"))
    finally:
        loader.dispose()
    return result
