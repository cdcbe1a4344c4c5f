"""The entry points an SDK's own package metadata names must exist in the artifact:

- npm: ``main``, ``module``, ``types``/``typings``, ``bin`` and every target of ``exports`` in
  ``package.json`` (``main`` resolved as Node does: exact, ``.js``, ``.json``, ``/index.js``;
  ``*`` export patterns need at least one match);
- wheel: ``METADATA`` name and version, the import package, every ``top_level.txt`` name and every
  module an ``entry_points.txt`` entry names;
- Go module: ``go.mod`` declares the SDK's module path, and the module holds Go code.
"""

from __future__ import annotations

import configparser
import json
import posixpath
import re
from typing import TYPE_CHECKING, Iterator

from devenv.deps.wire import pypi_normalize
from devenv.deps.wire import same_pypi_version as same_version
from devenv.sdk.verify.layout import import_name
from devenv.sdk.verify.model import Artifact, Finding

if TYPE_CHECKING:
    from devenv.manifest.model import Sdk


def check(artifact: Artifact, sdk: "Sdk", version: str | None) -> tuple[list[Finding], int]:
    """(findings, number of entry points checked)."""
    if sdk.language == "typescript":
        return _npm(artifact.files)
    if sdk.language == "python":
        return _wheel(artifact, sdk, version)
    return _go(artifact.files, sdk)


# -- npm ---------------------------------------------------------------------------------------------


def _leaves(value, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for sub, item in value.items():
            yield from _leaves(item, f"{key}[{json.dumps(sub)}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{key}[{i}]")


def npm_targets(package: dict) -> list[tuple[str, str]]:
    """``[(field, target)]`` a consumer's resolver may load."""
    targets = []
    for field in ("main", "module", "types", "typings"):
        if isinstance(package.get(field), str):
            targets.append((field, package[field]))
    targets.extend(_leaves(package.get("bin"), "bin"))
    targets.extend(_leaves(package.get("exports"), "exports"))
    return targets


def _resolves(files: dict[str, bytes], field: str, target: str) -> bool:
    path = posixpath.normpath(target[2:] if target.startswith("./") else target)
    if "*" in target:
        pattern = re.compile(re.escape(path).replace(r"\*", ".+") + r"\Z")
        return any(pattern.match(name) for name in files)
    candidates = [path]
    if field == "main":
        candidates += [path + ".js", path + ".json", path + "/index.js"]
    return any(c in files for c in candidates)


def _npm(files: dict[str, bytes]) -> tuple[list[Finding], int]:
    if "package.json" not in files:
        return [Finding("metadata", "the artifact has no package.json", path="package.json")], 0
    try:
        package = json.loads(files["package.json"])
    except ValueError as exc:
        return [Finding("metadata", f"package.json is not JSON: {exc}", path="package.json")], 0
    targets = npm_targets(package)
    if not targets:
        targets = [("main", "index.js")]  # Node's default when package.json names nothing
    findings = [
        Finding(
            "entry-point",
            f"package.json {field} points to {target}, which the artifact lacks",
            path=target,
            hint='build before packing (npm pack runs `prepack`), and list the folder in package.json "files"',
        )
        for field, target in targets
        if not _resolves(files, field, target)
    ]
    return findings, len(targets)


# -- wheel -------------------------------------------------------------------------------------------


def _module_exists(files: dict[str, bytes], dotted: str) -> bool:
    path = dotted.replace(".", "/")
    return (
        f"{path}.py" in files
        or f"{path}/__init__.py" in files
        or any(name.startswith(path + "/") for name in files)
        or any(re.fullmatch(re.escape(path) + r"\.[^/]+\.(so|pyd)", name) for name in files)
    )


def _wheel(artifact: Artifact, sdk: "Sdk", version: str | None) -> tuple[list[Finding], int]:
    files = artifact.files
    infos = sorted({p.split("/", 1)[0] for p in files if p.split("/", 1)[0].endswith(".dist-info")})
    if not infos:
        return [Finding("metadata", "the artifact has no *.dist-info folder")], 0
    info = infos[0]
    findings: list[Finding] = []
    meta = files.get(f"{info}/METADATA", b"").decode("utf-8", "replace")
    fields = dict(line.split(": ", 1) for line in meta.split("\n\n", 1)[0].splitlines() if ": " in line)
    if pypi_normalize(fields.get("Name", "")) != pypi_normalize(sdk.package_name):
        findings.append(Finding("metadata", f"METADATA names {fields.get('Name')!r}, not {sdk.package_name}", path=f"{info}/METADATA"))
    if version and not same_version(fields.get("Version", ""), version):
        findings.append(Finding("metadata", f"METADATA says version {fields.get('Version')!r}, not {version}", path=f"{info}/METADATA"))
    modules = [(f"import package {import_name(sdk.package_name)}", import_name(sdk.package_name))]
    top = files.get(f"{info}/top_level.txt", b"").decode().split()
    modules += [(f"top_level.txt {name}", name) for name in top]
    points = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    points.optionxform = str  # type: ignore[assignment]
    try:
        points.read_string(files.get(f"{info}/entry_points.txt", b"").decode("utf-8", "replace"))
    except configparser.Error as exc:
        findings.append(Finding("metadata", f"entry_points.txt does not parse: {exc}", path=f"{info}/entry_points.txt"))
    for section in points.sections():
        for name, value in points.items(section):
            module = value.split(":", 1)[0].strip()
            modules.append((f"entry_points.txt [{section}] {name} = {value.strip()}", module))
    for what, module in modules:
        if not _module_exists(files, module):
            findings.append(
                Finding(
                    "entry-point",
                    f"{what}: module {module} is not in the wheel",
                    path=module.replace(".", "/"),
                    hint="include the package in the build (tool.setuptools.packages / hatch packages) or fix the entry point, then publish a new version",
                )
            )
    return findings, len(modules)


# -- Go module ---------------------------------------------------------------------------------------


def _go(files: dict[str, bytes], sdk: "Sdk") -> tuple[list[Finding], int]:
    mod = files.get("go.mod")
    if mod is None:
        return [Finding("metadata", "the module has no go.mod", path="go.mod")], 0
    match = re.search(rb"^\s*module\s+\"?([^\s\"]+)", mod, re.M)
    findings = []
    if not match or match.group(1).decode() != sdk.package:
        declared = match.group(1).decode() if match else "nothing"
        findings.append(
            Finding(
                "entry-point",
                f"go.mod declares module {declared}, not {sdk.package}",
                path="go.mod",
                hint="consumers' `go get` fails with \"module declares its path as\": fix go.mod's module line",
            )
        )
    if not any(p.endswith(".go") and not p.endswith("_test.go") for p in files):
        findings.append(Finding("entry-point", "the module holds no Go source", hint="publish the module with its code"))
    return findings, 2
