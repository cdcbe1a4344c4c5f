"""A valid manifest's model objects, built without pydantic's validation, as validation builds them.

pydantic builds the validators of the manifest's 23 models (its core schema) the first time it
validates, ~40 ms of every command that loads a manifest, and validating 1,000 services costs
~10 ms more. For a document of the usual shapes (the types YAML gives, strings that match their
patterns) the objects validation makes are plain to build. The builders here are derived from
the model classes themselves (model.py stays the single source of truth): each model's fields,
their annotations and constraints, aliases, defaults, its `after` field validators and `before`
model validators. A value a builder does not fully accept (one pydantic would coerce, or refuse,
or a union it cannot settle alone) raises :class:`Declined`, and the caller validates the whole
document with pydantic, so every error message stays pydantic's. A model feature the derivation
does not know makes that model always declined (:func:`unsupported` lists them; a test keeps the
list empty). tests/manifest/test_construct.py proves the objects equal pydantic's.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

_NONE = type(None)
_IMMUTABLE = (_NONE, str, bool, int, float)
# Python's `re` and pydantic's (Rust) regex engine read the models' patterns alike on printable
# ASCII (`$` before a final newline, Unicode classes: the differences need other characters).
_PRINTABLE_ASCII = re.compile(r"[ -~]*\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONFIG = {"extra", "frozen", "populate_by_name", "defer_build", "title"}


class Declined(Exception):
    """A value the builders do not accept as they stand: pydantic decides."""


class Unsupported(Exception):
    """A model feature the builders are not derived for."""


class Builder(typing.NamedTuple):
    kinds: frozenset[type]  # the input types it may accept (a union picks its members by them)
    build: Callable[[Any], Any]


def build(model: type[BaseModel], data: Any) -> BaseModel | None:
    """``model.model_validate(data)``'s result when the builders accept ``data``, else None."""
    try:
        return _model(model).build(data)
    except Declined:
        return None


def unsupported(model: type[BaseModel]) -> list[str]:
    """Why ``model`` or a model it holds is always left to pydantic (empty: never)."""
    _model(model)
    return sorted(_WHY)


_MODELS: dict[type, Builder] = {}
_WHY: set[str] = set()


def _model(cls: type[BaseModel]) -> Builder:
    if cls not in _MODELS:
        _MODELS[cls] = Builder(frozenset({dict}), _declined)  # until derived (and if it cannot be)
        try:
            _MODELS[cls] = _derive_model(cls)
        except Unsupported as exc:
            _WHY.add(f"{cls.__name__}: {exc}")
    return _MODELS[cls]


def _declined(value: Any) -> Any:
    raise Declined


def _missing() -> Any:
    raise Declined  # a required key is missing: pydantic's error


def _derive_model(cls: type[BaseModel]) -> Builder:
    config = cls.model_config
    if set(config) - _CONFIG or config.get("extra") != "forbid" or cls.__private_attributes__ or cls.__pydantic_post_init__:
        raise Unsupported(f"config {dict(config)}, private attributes or a post-init")
    befores = _model_validators(cls)
    checks = _field_validators(cls)
    fields = [_derive_field(cls, name, info, checks.get(name, [])) for name, info in cls.model_fields.items()]
    known = frozenset(key for key, *_ in fields)
    new, setattr_ = cls.__new__, object.__setattr__

    def build(value: Any) -> BaseModel:
        for before in befores:
            value = before(value)
        if type(value) is not dict or not known.issuperset(value):
            raise Declined  # not a mapping, or a key it does not declare (or spelt by its name, not its alias)
        out: dict[str, Any] = {}
        present = set()
        for key, name, field_build, validators, default in fields:
            if key in value:
                item = field_build(value[key])
                for validator in validators:
                    try:
                        item = validator(item)
                    except Exception:  # noqa: BLE001 - whatever it raises, pydantic reports it
                        raise Declined from None
                out[name] = item
                present.add(name)
            else:
                out[name] = default()
        obj = new(cls)
        setattr_(obj, "__dict__", out)
        setattr_(obj, "__pydantic_fields_set__", present)
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        return obj

    return Builder(frozenset({dict}), build)


def _model_validators(cls: type[BaseModel]) -> list[Callable[[Any], Any]]:
    befores = []
    for decorator in cls.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "before" or _arity(decorator.func) != 1:
            raise Unsupported(f"model validator {decorator.cls_var_name} ({decorator.info.mode})")
        befores.append(_guarded(decorator.func))
    return befores


def _guarded(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(value: Any) -> Any:
        try:
            return function(value)
        except Exception:  # noqa: BLE001 - whatever it raises, pydantic reports it
            raise Declined from None

    return call


def _field_validators(cls: type[BaseModel]) -> dict[str, list[Callable[[Any], Any]]]:
    checks: dict[str, list[Callable[[Any], Any]]] = {}
    for decorator in cls.__pydantic_decorators__.field_validators.values():
        if decorator.info.mode != "after" or _arity(decorator.func) != 1 or "*" in decorator.info.fields:
            raise Unsupported(f"field validator {decorator.cls_var_name} ({decorator.info.mode})")
        for name in decorator.info.fields:
            checks.setdefault(name, []).append(decorator.func)
    return checks


def _arity(function: Callable) -> int:
    import inspect

    return len(inspect.signature(function).parameters)


def _derive_field(cls: type[BaseModel], name: str, info: FieldInfo, validators: list) -> tuple:
    if info.validation_alias not in (None, info.alias) or info.discriminator or info.validate_default:
        raise Unsupported(f"field {name}: an alias choice, a discriminator or validate_default")
    field_build = _builder(info.annotation, list(info.metadata)).build
    return (info.alias or name, name, field_build, tuple(validators), _default(cls, name, info))


def _default(cls: type[BaseModel], name: str, info: FieldInfo) -> Callable[[], Any]:
    if info.is_required():
        return _missing
    if info.default_factory is not None:
        factory = info.default_factory
        if isinstance(factory, type) and issubclass(factory, BaseModel):
            _model(factory)
            return lambda: _MODELS[factory].build({})  # as ``factory()`` validates an empty mapping
        if info.default_factory_takes_validated_data:
            raise Unsupported(f"field {name}: a default factory that takes the data")
        return typing.cast(Callable[[], Any], factory)
    default = info.default
    if default is PydanticUndefined or not isinstance(default, _IMMUTABLE):
        raise Unsupported(f"field {name}: a mutable default")
    return lambda: default


def _builder(annotation: Any, constraints: list) -> Builder:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        for item in extra:
            constraints = constraints + (list(item.metadata) if isinstance(item, FieldInfo) else [item])
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _union(args, constraints)
    if constraints:
        return _constrained(annotation, constraints)
    if annotation in (str, int, bool, _NONE):
        return _constrained(annotation, [])
    if origin is typing.Literal:
        return _literal(args)
    if origin is list and len(args) == 1:
        item = _builder(args[0], []).build
        return Builder(frozenset({list}), lambda value: [item(v) for v in _of(list, value)])
    if origin is dict and len(args) == 2:
        key, item = _builder(args[0], []).build, _builder(args[1], []).build
        return Builder(frozenset({dict}), lambda value: {key(k): item(v) for k, v in _of(dict, value).items()})
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_ref(annotation)
    raise Unsupported(f"annotation {annotation!r}")


def _model_ref(cls: type[BaseModel]) -> Builder:
    """The model's builder, derived now and looked up when used (a model may hold itself)."""
    _model(cls)
    return Builder(frozenset({dict}), lambda value: _MODELS[cls].build(value))


def _of(kind: type, value: Any) -> Any:
    if type(value) is not kind:
        raise Declined
    return value


def _constrained(kind: Any, constraints: list) -> Builder:
    if kind not in (str, int, bool, _NONE):
        raise Unsupported(f"constraints {constraints} on {kind!r}")
    checks = [_check(kind, constraint) for constraint in constraints]

    def build(value: Any) -> Any:
        if type(value) is not kind:
            raise Declined  # pydantic's lax mode may coerce it (`"1"` to 1, `"yes"` to True): it decides
        if kind is str and not value.isascii() and _SURROGATE.search(value):
            raise Declined
        for check in checks:
            if not check(value):
                raise Declined
        return value

    return Builder(frozenset({kind}), build)


def _check(kind: type, constraint: Any) -> Callable[[Any], bool]:  # long: one branch per constraint kind
    if kind is str and isinstance(constraint, at.MinLen):
        return lambda v: len(v) >= constraint.min_length
    if kind is str and isinstance(constraint, at.MaxLen):
        return lambda v: len(v) <= constraint.max_length
    if kind is int and isinstance(constraint, at.Ge):
        return lambda v: v >= constraint.ge
    if kind is int and isinstance(constraint, at.Le):
        return lambda v: v <= constraint.le
    if kind is int and isinstance(constraint, at.Gt):
        return lambda v: v > constraint.gt
    if kind is int and isinstance(constraint, at.Lt):
        return lambda v: v < constraint.lt
    if kind is str and type(constraint).__name__ == "_PydanticGeneralMetadata" and set(vars(constraint)) == {"pattern"}:
        pattern = re.compile(constraint.pattern)
        return lambda v: _PRINTABLE_ASCII.match(v) is not None and pattern.search(v) is not None
    raise Unsupported(f"constraint {constraint!r} on {kind.__name__}")


def _literal(values: tuple) -> Builder:
    kinds = frozenset(type(v) for v in values)
    if not kinds <= {str, int} or bool in kinds:
        raise Unsupported(f"literal {values!r}")

    def build(value: Any) -> Any:
        if type(value) not in kinds or value not in values:
            raise Declined
        return value

    return Builder(kinds, build)


def _union(members: tuple, constraints: list) -> Builder:
    """pydantic's smart union, where the input's type settles the member: a builder accepts only
    its exact input types, so one accepting member is the member pydantic's strict pass picks."""
    if constraints:  # `str | None` with `min_length`: pydantic applies them to the one non-None member
        others = [m for m in members if m is not _NONE]
        if len(others) != 1:
            raise Unsupported(f"constraints {constraints} on a union")
        members = (_builder(others[0], constraints), *([_builder(_NONE, [])] if _NONE in members else []))
    builders = [m if isinstance(m, Builder) else _builder(m, []) for m in members]
    by_kind: dict[type, list[Callable[[Any], Any]]] = {}
    for member in builders:
        for kind in member.kinds:
            by_kind.setdefault(kind, []).append(member.build)

    def build(value: Any) -> Any:
        candidates = by_kind.get(type(value))
        if not candidates:
            raise Declined
        if len(candidates) == 1:
            return candidates[0](value)
        built = []
        for candidate in candidates:
            try:
                built.append(candidate(value))
            except Declined:
                continue
        if len(built) != 1:
            raise Declined
        return built[0]

    return Builder(frozenset(by_kind), build)
