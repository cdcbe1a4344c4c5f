"""Validation of `sdks.<s>.source`: what each source needs and forbids.

- ``registry`` (the default): ``path`` and ``package``, as always;
- ``buf``: ``buf: {module, plugin}`` and ``version``; a given ``package`` must be the BSR's name
  for the SDK, and ``version`` must read as a generated SDK version of the SDK's ecosystem;
- ``workspace``: ``path`` and ``package``; no ``registry`` (services link the folder); a
  ``version``, when given, must be the one the SDK's own package file declares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from devenv.errors import Problem
from devenv.manifest import buf
from devenv.manifest.model import Manifest, Sdk, derived_package

ProblemFn = Callable[..., Problem]


def check(manifest: Manifest, raw_sdks: dict, root: Path, problem: ProblemFn, refused: Callable[..., bool] = lambda *paths: False) -> Iterator[Problem]:
    """``refused(path)``: the schema refused that key already; its absence is not a second problem."""
    for name, sdk in manifest.sdks.items():
        entry = raw_sdks.get(name)
        raw: dict = entry if isinstance(entry, dict) else {}
        base = ("sdks", name)
        if refused(base + ("source",)):  # what the SDK needs depends on the source the schema refused
            continue
        if sdk.source == "buf":
            yield from _buf(name, sdk, raw, problem, refused)
        else:
            if sdk.buf is not None:
                yield problem(
                    base + ("buf",),
                    f"`buf` only applies to `source: buf` (this SDK's source is {sdk.source})",
                    "write `source: buf`, or remove `buf`",
                    key=True,
                )
            if not sdk.path and not refused(base + ("path",)):
                yield problem(base, f"a `source: {sdk.source}` SDK needs `path`", "add `path: <the SDK's folder>`", key=True)
            if not sdk.package and not refused(base + ("package",)):
                yield problem(
                    base, f"a `source: {sdk.source}` SDK needs `package`", "add `package: <its name in package.json, go.mod or pyproject.toml>`", key=True
                )
        if sdk.source == "workspace":
            yield from _workspace(name, sdk, root, problem)


def _buf(name: str, sdk: Sdk, raw: dict, problem: ProblemFn, refused: Callable[..., bool]) -> Iterator[Problem]:
    base = ("sdks", name)
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    if sdk.buf is None and not refused(base + ("buf",)):
        yield problem(
            base,
            "a `source: buf` SDK needs `buf: {module: <host>/<owner>/<module>, plugin: <host>/<owner>/<plugin>}`",
            "e.g. buf: {module: buf.build/acme/petapis, plugin: buf.build/bufbuild/es}",
            key=True,
        )
    else:
        derived = derived_package(raw) or ""
        given = raw.get("package")
        if given and derived and given != derived:
            yield problem(
                base + ("package",),
                f"'{given}' is not the BSR's name for this SDK: it is '{derived}'",
                f"write `package: {derived}`, or remove `package` (it is derived from buf.module and buf.plugin)",
            )
    if not sdk.version:
        if not refused(base + ("version",)):
            yield problem(
                base,
                "a `source: buf` SDK needs `version` (the generated SDK version services install)",
                f"add `version:` ({buf.SHAPES[ecosystem]}); `buf registry sdk version` prints it",
                key=True,
            )
    elif buf.parse_version(ecosystem, sdk.version) is None:
        yield problem(base + ("version",), f"'{sdk.version}' is not a Buf generated SDK version for {ecosystem}", f"expected {buf.SHAPES[ecosystem]}")


def _workspace(name: str, sdk: Sdk, root: Path, problem: ProblemFn) -> Iterator[Problem]:
    base = ("sdks", name)
    if sdk.registry:
        yield problem(
            base + ("registry",),
            "a `source: workspace` SDK has no registry: services link its folder",
            "remove `registry`, or write `source: registry`",
            key=True,
        )
    if not sdk.version or not sdk.path:
        return
    own = own_version(root / sdk.path, sdk.language)
    if own is not None and own[1] and own[1] != sdk.version and own[1].lstrip("v") != sdk.version.lstrip("v"):
        yield problem(
            base + ("version",), f"'{sdk.version}' is not the SDK's own version: {own[0]} says {own[1]}", f"write `version: {own[1]}`, or remove `version`"
        )


def own_version(folder: Path, language: str) -> tuple[str, str] | None:
    """(file, version) that a workspace SDK's own package file declares, or None."""
    try:
        if language == "typescript":
            data = json.loads(_text(folder / "package.json"))
            return "package.json", str(data.get("version") or "") if isinstance(data, dict) else ""
        if language == "python":
            import tomllib

            data = tomllib.loads(_text(folder / "pyproject.toml"))
            return "pyproject.toml", str((data.get("project") or {}).get("version") or ((data.get("tool") or {}).get("poetry") or {}).get("version") or "")
    except (OSError, ValueError):
        return None
    return None  # Go modules carry no version of their own


def _text(path: Path) -> str:
    """A package file's text, read non-blocking and only if it is a regular file (a FIFO there
    hung every command that validates the manifest): anything else raises OSError."""
    from devenv.util.fsutil import read_prefix

    return read_prefix(path)[0].decode("utf-8")
