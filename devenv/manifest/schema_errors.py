"""Turn pydantic's validation errors into positioned, human problems with did-you-mean."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from devenv.errors import Problem
from devenv.manifest import model
from devenv.manifest.positions import LoadedYaml, Path

_PATTERN_HINTS = {
    model.NAME_PATTERN: "letters, digits, '_', '.', '-', at most 63, starting with a letter or digit",
    model.ENV_NAME_PATTERN: "an environment variable name: letters, digits and '_', not starting with a digit",
    model.VERSION_PATTERN: "one word without spaces, tabs or line breaks, as the registry spells the version (e.g. '1.2.3')",
    model.PORT_FORWARD_PATTERN: "expected 'LOCAL', 'LOCAL:CONTAINER' or 'HOST:LOCAL:CONTAINER' (Tilt's port_forwards)",
}


def problems_from(error: ValidationError, loaded: LoadedYaml, root: type[BaseModel], prefix: Path = ()) -> list[Problem]:
    grouped: dict[Path, list[dict]] = {}
    for item in error.errors():
        data_path, via_union = _data_path(loaded.data, prefix + tuple(item["loc"]))
        key = data_path if via_union else data_path + (f"#{len(grouped)}",)
        grouped.setdefault(key, []).append(item | {"_data_path": data_path, "_union": via_union})
    problems = []
    for items in grouped.values():
        problems.append(_one_problem(items, loaded, root, prefix))
    return problems


def broken_paths(error: ValidationError, loaded: LoadedYaml, root: type[BaseModel]) -> frozenset[Path]:
    """The data paths the schema refused. The partial manifest lacks them, so a cross-key rule
    that sees them missing must stay quiet: the schema's error is the one problem. An unknown
    key with a did-you-mean (`k8:` for `k8s:`) counts as the key it most likely meant."""
    out = set()
    for item in error.errors():
        path = _data_path(loaded.data, tuple(item["loc"]))[0]
        out.add(path)
        if item["type"] == "extra_forbidden" and path:
            close = difflib.get_close_matches(str(path[-1]), _allowed_keys(root, tuple(item["loc"][:-1])), n=1, cutoff=0.6)
            if close:
                out.add((*path[:-1], close[0]))
    return frozenset(out)


def _one_problem(items: list[dict], loaded: LoadedYaml, root: type[BaseModel], prefix: Path) -> Problem:
    first = items[0]
    path: Path = first["_data_path"]
    dotted = ".".join(str(p) for p in path)
    if first["_union"] and len(items) > 1:
        # A member that failed only because the value has another type says nothing useful; if
        # one member remains (a string that missed the pattern of `str | int`), report its error.
        relevant = [i for i in items if not (i["type"].endswith("_type") or i["type"].endswith("_parsing"))]
        if len(relevant) == 1:
            return Problem(loaded.where(path), dotted, _message(relevant[0]))
        forms = _union_forms(root, prefix + tuple(first["loc"]))
        hint = f"expected {forms}" if forms else ""
        return Problem(loaded.where(path), dotted, "is not any of the allowed forms", hint)
    if first["type"] == "extra_forbidden":
        name = str(path[-1])
        allowed = _allowed_keys(root, prefix + tuple(first["loc"][:-1]))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
        return Problem(loaded.where(path, key=True), dotted, f"unknown key '{name}'", hint)
    if first["type"] == "missing":
        name = str(first["loc"][-1])
        return Problem(loaded.where(path), dotted, f"missing required key '{name}'")
    at_key = first["loc"][-1:] == ("[key]",)
    value = first.get("input")
    if at_key and isinstance(value, (bool, int, float)):
        # `no:` / `1:` as a name: YAML read it as a boolean or a number before devenv saw it.
        what = f"the boolean {str(value).lower()}" if isinstance(value, bool) else f"the number {value}"
        shown = path[:-1] if isinstance(value, bool) else (*path[:-1], value)  # `no` spelled as False would mislead
        return Problem(
            loaded.where(path, key=True), ".".join(str(p) for p in shown), f"YAML reads this name as {what}, not as text", 'quote the name (e.g. "no": or "1":)'
        )
    return Problem(loaded.where(path, key=at_key), dotted, _message(first))


def _message(item: dict) -> str:
    kind = item["type"]
    value = item.get("input")
    if kind == "string_pattern_mismatch":
        pattern = item.get("ctx", {}).get("pattern", "")
        shape = _PATTERN_HINTS.get(pattern, f"must match {pattern}")
        return f"'{value}' is not valid: {shape}"
    if kind == "literal_error":
        return f"'{value}' is not allowed: {item['msg'].replace('Input should be', 'expected')}"
    message = item["msg"].replace("Input should be", "expected").replace("Value error, ", "")
    if isinstance(value, (str, int, float, bool)) and kind.endswith("_type"):
        return f"{message}, got {type(value).__name__} {value!r}"
    return message


def _data_path(data: Any, loc: tuple) -> tuple[Path, bool]:
    """Follow ``loc`` through ``data``; parts that are not data (union member tags) are dropped."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        elif part == "[key]":
            return tuple(path), False
        elif _is_union_tag(part):
            # The error is about one member of a union: report it once, at the union's value.
            return tuple(path), True
        else:
            path.append(part)
            current = None
    return tuple(path), False


def _is_union_tag(part: Any) -> bool:
    """pydantic names the union member an error is about: a class name, `str`, `constrained-str`, …"""
    return isinstance(part, str) and (part[:1].isupper() or part in {"str", "int"} or "[" in part or part.startswith("constrained-"))


def _annotation_at(root: type[BaseModel], loc: tuple) -> Any:
    current: Any = root
    for part in loc:
        current = _strip(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) or _by_alias(current, part)
            if field is None:
                return None
            current = field.annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict:
            current = args[1]
        elif origin is list:
            current = args[0]
        elif origin in (typing.Union, types.UnionType):
            match = [a for a in args if getattr(_strip(a), "__name__", "") == part]
            if not match:
                return None
            current = match[0]
        else:
            return None
    return _strip(current)


def _by_alias(cls: type[BaseModel], name: Any):
    for field in cls.model_fields.values():
        if field.alias == name:
            return field
    return None


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _allowed_keys(root: type[BaseModel], loc: tuple) -> list[str]:
    cls = _annotation_at(root, loc)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [f.alias or name for name, f in cls.model_fields.items()]
    return []


def _union_forms(root: type[BaseModel], loc: tuple) -> str:
    path = []
    for part in loc:
        if _is_union_tag(part):
            break
        path.append(part)
    annotation = _annotation_at(root, tuple(path))
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return ""
    forms = []
    for member in typing.get_args(annotation):
        member = _strip(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            keys = [f.alias or n for n, f in member.model_fields.items() if f.is_required()]
            forms.append("{" + ", ".join(f"{k}: …" for k in keys) + "}")
        else:
            forms.append(getattr(member, "__name__", str(member)))
    return " or ".join(forms)
