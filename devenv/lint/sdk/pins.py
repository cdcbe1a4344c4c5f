"""``sdk-version``: a dependency on an SDK pins exactly the version Tilt builds (the manifest's
``version``), judged by :mod:`devenv.deps.specs` in the dependency's own grammar; a lockfile
resolves that version; a local install or a ``replace`` is not the published SDK. Fixable
findings (a span to rewrite byte for byte) also yield an :class:`~devenv.lint.sdk.fix.Edit`.
Workspace SDKs are linked, not pinned: :mod:`devenv.lint.sdk.links` judges them."""

from __future__ import annotations

from devenv.deps import specs
from devenv.deps.model import Dependency
from devenv.errors import Location
from devenv.lint.model import Finding
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.ruleinfo import SDK_VERSION
from devenv.manifest.model import Sdk

STYLE_OF = {"npm": "npm", "go": "go", "python": "pep440"}
_LOCK_COMMAND = {
    "pnpm-lock.yaml": "pnpm install",
    "package-lock.json": "npm install",
    "npm-shrinkwrap.json": "npm install",
    "uv.lock": "uv lock",
    "poetry.lock": "poetry lock",
}


def what(dep: Dependency) -> str:
    """The dependency as a message names it: name, spec as written, section, alias or include chain."""
    shown = dep.written_name or dep.name
    spec = f" {dep.spec!r}" if dep.spec else ""
    alias = f" ({dep.note})" if dep.note and dep.note.startswith("alias") else ""
    section = f" in {dep.section}" if dep.section and dep.kind != "locked" else ""
    via = f" ({dep.note})" if dep.note and not dep.note.startswith(("alias", "replace")) else ""
    return f"{shown}{spec}{section}{alias}{via}"


def check(sdk_name: str, sdk: Sdk, dep: Dependency, text: str, snippet: str, edits: list[Edit]) -> Finding | None:
    """The ``sdk-version`` finding for ``dep`` (on SDK ``sdk_name``) in ``text``, if any."""
    version = sdk.version or ""
    owner = f"SDK '{sdk_name}' in services.yaml: {version}"
    if dep.kind == "locked":
        return _locked(dep, version, owner, snippet)
    if dep.local:
        return _local(dep, sdk, version, owner, snippet)
    judgement = specs.judge(dep.style, dep.spec, version)
    if judgement.verdict is specs.Verdict.EXACT:
        return None
    level = "error"
    if judgement.verdict is specs.Verdict.RANGE:
        level = "error" if sdk.exact_pins else "warning"
        message = f"{what(dep)} {judgement.reason}: pin exactly what Tilt builds ({owner})"
    else:
        message = f"{what(dep)} {judgement.reason} ({owner})"
    if dep.marker:
        message += f" (marker: {dep.marker})"
    replacement = specs.pin(dep.style, version)
    if dep.span is not None:
        fix = f"write: {_fix_line(text, dep.span, replacement)}"
        edits.append(Edit(dep.file, dep.span[0], dep.span[1], text[dep.span[0] : dep.span[1]], replacement, Location(dep.file, dep.line, dep.col), SDK_VERSION))
    elif " in pnpm-workspace.yaml" in dep.note or dep.note.endswith("/pnpm-workspace.yaml"):
        fix = f"set {dep.written_name or dep.name} to {replacement} in the catalog ({dep.note})"
    else:
        fix = f"pin {dep.written_name or dep.name} to {replacement}"
    return Finding(Location(dep.file, dep.line, dep.col), SDK_VERSION, message, fix, end_col=dep.end_col, snippet=snippet, severity=level)


def _locked(dep: Dependency, version: str, owner: str, snippet: str) -> Finding | None:
    if dep.local:
        message = f"{dep.file.rpartition('/')[2]} installs {dep.name} from {dep.local}, not the published version ({owner})"
    elif _same_version(dep, version):
        return None
    else:
        message = f"{dep.file.rpartition('/')[2]} resolves {dep.name} to {dep.spec or '(no version)'}, not {version} ({owner})"
    command = _LOCK_COMMAND.get(dep.file.rpartition("/")[2], "your package manager")
    return Finding(
        Location(dep.file, dep.line, dep.col),
        SDK_VERSION,
        message,
        f"pin {dep.name} to {specs.pin(STYLE_OF[dep.ecosystem] if dep.ecosystem != 'npm' else 'npm', version)} in the dependency file, then run `{command}`",
        snippet=snippet,
    )


def _local(dep: Dependency, sdk: Sdk, version: str, owner: str, snippet: str) -> Finding:
    if dep.kind == "replaced":
        message = f"{what(dep)} is replaced by {dep.local}: the build uses that, not the published version ({owner})"
        fix = "delete this replacement: services consume the published SDK"
    else:
        message = f"{what(dep)} installs {dep.local}, not the published version ({owner})"
        fix = f"depend on {dep.name or sdk.package}{specs.pin('pep440', version) if dep.ecosystem == 'python' else '@' + version} instead"
    return Finding(Location(dep.file, dep.line, dep.col), SDK_VERSION, message, fix, snippet=snippet)


def _fix_line(text: str, span: tuple[int, int], replacement: str) -> str:
    start = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    end = len(text) if end < 0 else end
    return (text[start : span[0]] + replacement + text[span[1] : end]).strip().rstrip("\r")


def _same_version(dep: Dependency, version: str) -> bool:
    if dep.spec == version and dep.ecosystem != "go":
        return True  # as written (the manifest's version is valid): no parse needed, lockfiles mostly agree
    if dep.ecosystem == "npm":
        import nodesemver

        try:
            return nodesemver.eq(dep.spec, version, True)
        except ValueError:
            return False
    if dep.ecosystem == "python":
        from packaging.version import InvalidVersion, Version

        try:
            return Version(dep.spec) == Version(version)
        except InvalidVersion:
            return False
    return dep.spec == specs.go_version(version)
