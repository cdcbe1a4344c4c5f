"""Imports run one way: cli -> commands -> capabilities -> sdk -> deps -> graph -> manifest -> tilt
-> errors/util. Read from the source (every `import`, lazy ones included), so a shortcut that
would only show at run time is caught here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "devenv"

# Each layer may import itself and any layer after it, never one before it. Capabilities side by
# side (render, doctor, lint, adopt, ...) may not import each other: what two of them share belongs
# in a layer below.
LAYERS: list[set[str]] = [
    {"__main__"},
    {"cli"},
    {"commands"},
    {"render", "doctor", "lint", "adopt"},
    {"sdk", "images"},
    {"deps"},
    {"graph"},
    {"manifest"},
    {"tilt"},
    {"errors", "util", "__init__"},
]


def _unit(module: str) -> str:
    """The top-level unit of a dotted module name inside devenv (``devenv.lint.sdk.rules`` -> lint)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.update(_submodule_or(module, alias.name) for alias in node.names)
    return {name for name in found if name == "devenv" or name.startswith("devenv.")}


def _submodule_or(module: str, name: str) -> str:
    """``from a import b``: the module a.b when b is one, else a (b is a name inside a)."""
    candidate = PACKAGE.parent.joinpath(*f"{module}.{name}".split("."))
    return f"{module}.{name}" if candidate.with_suffix(".py").is_file() or candidate.is_dir() else module


def _edges() -> set[tuple[str, str, str]]:
    edges = set()
    for path in PACKAGE.rglob("*.py"):
        source = _unit(_module_name(path)) if path != PACKAGE / "__init__.py" else "__init__"
        for target in _imports(path):
            if target == "devenv":
                continue
            unit = _unit(target)
            if unit != source:
                edges.add((source, unit, str(path.relative_to(PACKAGE.parent))))
    return edges


def _rank(unit: str) -> int:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"devenv/{unit} is in no layer: add it to LAYERS in {__file__}")


def test_every_unit_has_a_layer():
    units = {_unit(_module_name(p)) for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py"}
    for unit in units:
        _rank(unit)


def test_imports_run_one_way():
    wrong = sorted(f"{where}: {source} imports {target}" for source, target, where in _edges() if _rank(target) <= _rank(source))
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)
