"""The SDK integrity rules of ``devenv lint``: ``sdk-version``, ``sdk-undeclared``, ``sdk-unused``.

A service's files are the dependency files under its ``context`` (the deepest context wins
when contexts nest), from lint's own file list (git's view, ``.gitignore`` honoured), less
``node_modules``/``vendor`` folders and anything inside an SDK's ``path`` or the proto
workspace (an SDK's own ``package.json`` is not a consumer). Each is read by the reader of
its ecosystem (:mod:`devenv.deps.readers`); every dependency on an SDK ``package`` is then
judged by :mod:`devenv.deps.specs` against the SDK's ``version``.

Findings use lint's :class:`~devenv.lint.model.Finding` and its suppressions (``devenv: allow
sdk-version reason="…"`` in a comment, or a ``"//devenv"`` entry in JSON); fixable
``sdk-version`` findings also yield an :class:`~devenv.lint.sdk.fix.Edit` for ``--fix``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from devenv.deps import specs
from devenv.deps.model import Dependency, ReadError
from devenv.deps.readers import ecosystem_of, read_file
from devenv.errors import Location
from devenv.graph import sdk_ready_resource
from devenv.lint.model import Finding, Notification
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.paths import norm
from devenv.lint.sdk.ruleinfo import SDK_UNDECLARED, SDK_UNUSED, SDK_VERSION
from devenv.manifest.load import LoadedManifest
from devenv.manifest.model import Sdk
from devenv.manifest.relations import consumed_sdks

Reader = Callable[[str], "str | None"]
SKIP_DIRS = frozenset({"node_modules", "vendor", ".venv", "venv", "site-packages", "bower_components", ".pnpm-store"})
_LANGUAGE_ECOSYSTEM = {"typescript": "npm", "go": "go", "python": "python"}
_STYLE_OF = {"npm": "npm", "go": "go", "python": "pep440"}
_LOCK_COMMAND = {
    "pnpm-lock.yaml": "pnpm install", "package-lock.json": "npm install", "npm-shrinkwrap.json": "npm install",
    "uv.lock": "uv lock", "poetry.lock": "poetry lock",
}


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + "/")


@dataclass
class SdkLintResult:
    findings: list[Finding] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    files_checked: int = 0
    dependencies: int = 0


class SdkIndex:
    """Which SDK a dependency is: by ecosystem and package name, or by a local path into it."""

    def __init__(self, loaded: LoadedManifest):
        m = loaded.manifest
        self.by_key: dict[tuple[str, str], str] = {}
        self.paths: list[tuple[str, str]] = []
        for name, sdk in m.sdks.items():
            ecosystem = _LANGUAGE_ECOSYSTEM[sdk.language]
            if sdk.package:
                self.by_key[(ecosystem, self.key(ecosystem, sdk.package))] = name
            if sdk.path:
                self.paths.append((norm(sdk.path), name))
        self.paths.sort(key=lambda p: len(p[0]), reverse=True)
        self.excluded = [p for p, _ in self.paths]
        if m.proto is not None:
            self.excluded.append(norm(m.proto.path))
        self.excluded_set = frozenset(self.excluded)

    @staticmethod
    def key(ecosystem: str, name: str) -> str:
        if ecosystem == "python":
            from packaging.utils import canonicalize_name

            return canonicalize_name(name)
        if ecosystem == "go":
            from devenv.deps.gosemver import split_path_version

            return split_path_version(name)[0]
        return name

    def sdk_of(self, dep: Dependency) -> str | None:
        # Readers give npm names as written, Python names PEP 503-normalised, Go module paths
        # (whose /vN major suffix still names the same SDK).
        found = self.by_key.get((dep.ecosystem, dep.name)) if dep.name else None
        if found is None and dep.ecosystem == "go" and dep.name:
            found = self.by_key.get(("go", self.key("go", dep.name)))
        if found:
            return found
        if dep.local and not dep.local.startswith(("module ", "git", "url ")):
            target = dep.local.split("#", 1)[0]
            target = target[len("file:"):] if target.startswith("file:") else target
            if "://" not in target:
                resolved = norm(posixpath.join(posixpath.dirname(dep.file), target))
                for path, name in self.paths:
                    if _inside(resolved, path):
                        return name
        return None

    def skipped(self, path: str) -> bool:
        parts = path.split("/")
        if SKIP_DIRS.intersection(parts[:-1]):
            return True
        if "." in self.excluded_set:
            return True
        return any("/".join(parts[:n]) in self.excluded_set for n in range(1, len(parts) + 1))


class Owners:
    """The service(s) owning a path: those with the deepest context that holds it."""

    def __init__(self, loaded: LoadedManifest):
        self.contexts: dict[str, list[str]] = {}
        for name, svc in loaded.manifest.services.items():
            context = svc.context or ("." if svc.image else None)
            if context is None:
                continue
            # `only` narrows the build to those folders (a root context that also holds a
            # workspace SDK): the service owns what is under them, not the whole context.
            for folder in [posixpath.join(context, o) for o in svc.only] or [context]:
                self.contexts.setdefault(norm(folder), []).append(name)

    def of(self, path: str) -> list[str]:
        folder = path
        while folder:  # the deepest enclosing context first: services/web/ui, services/web, …, "."
            folder = folder.rpartition("/")[0]
            found = self.contexts.get(folder or ".")
            if found:
                return found
        return []


def _fix_line(text: str, span: tuple[int, int], replacement: str) -> str:
    start = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    end = len(text) if end < 0 else end
    return (text[start:span[0]] + replacement + text[span[1]:end]).strip().rstrip("\r")


def _sdks_line(current: Iterable[str], add: str | None = None, remove: str | None = None) -> str:
    names = [n for n in current if n != remove]
    if add and add not in names:
        names.append(add)
    return f"sdks: [{', '.join(names)}]"


class SdkRules:
    def __init__(self, loaded: LoadedManifest, manifest_file: str):
        self.loaded = loaded
        self.m = loaded.manifest
        self.manifest_file = manifest_file
        self.index = SdkIndex(loaded)
        self.owners = Owners(loaded)
        self.out = SdkLintResult()

    # -- files ----------------------------------------------------------------------------------------
    def dependency_files(self, files: Iterable[str]) -> list[tuple[str, list[str]]]:
        """(path, owning services) of every dependency file lint should read."""
        chosen = []
        for path in files:
            if ecosystem_of(path) is None or self.index.skipped(path):
                continue
            owners = self.owners.of(path)
            if owners:
                chosen.append((path, owners))
        return chosen

    # -- the run --------------------------------------------------------------------------------------
    def run(self, files: Iterable[str], read: Reader, *, whole: bool = True) -> SdkLintResult:
        from devenv.lint.sdk import suppress as sdk_suppress

        texts: dict[str, str | None] = {}

        def opener(path: str) -> str | None:
            path = norm(path)
            if path.startswith("../") or path == "..":
                return None  # never outside the repository
            if path not in texts:
                texts[path] = read(path)
            return texts[path]

        used: dict[str, set[str]] = {name: set() for name in self.m.services}
        from devenv.lint.sdk.sources import SourceRules

        self.sources = SourceRules(self.loaded, self.manifest_file, opener)
        findings: list[Finding] = []
        # Files reached through `-r`/`-c` are judged there (with their include chain); a
        # constraints file read on its own comes last so the include wins the dedupe below.
        chosen = sorted(self.dependency_files(files), key=lambda item: (_is_constraints(item[0]), item[0]))
        self.out.files_checked = len(chosen)
        seen: set[tuple] = set()
        for path, owners in chosen:
            text = opener(path)
            if text is None:
                continue
            try:
                deps = read_file(path, text, opener)
            except ReadError as exc:
                self.out.notifications.append(Notification(
                    f"{path}:{exc.line}:{exc.col}: {exc.message}; its SDK dependencies were not checked" if exc.line
                    else f"{path}: {exc.message}; its SDK dependencies were not checked", path))
                continue
            self.out.dependencies += len(deps)
            for dep in deps:
                sdk_name = self.index.sdk_of(dep)
                if sdk_name is None:
                    continue
                ident = (dep.file, dep.line, dep.col, tuple(owners))
                if ident in seen:
                    continue
                seen.add(ident)
                dep = self.sources.resolve_catalog(dep)
                for service in owners:
                    if dep.kind in ("declared", "locked", "replaced"):
                        used[service].add(sdk_name)
                    findings.extend(self._judge(service, sdk_name, dep, opener))
                    findings.extend(self.sources.dependency(service, sdk_name, dep))
        findings.extend(self.sources.links(self.out.edits))
        if whole:
            findings.extend(self._unused(used))
            findings.extend(self.sources.manifest_findings())
        if whole:
            texts[self.manifest_file] = self.loaded.text
        self.out.findings = sdk_suppress.apply(findings, self.out.edits, texts, self.manifest_file)
        return self.out

    # -- sdk-version and sdk-undeclared ---------------------------------------------------------------
    def _consumed(self, service: str) -> list[str]:
        cache = self.__dict__.setdefault("_consumed_cache", {})
        if service not in cache:
            cache[service] = consumed_sdks(self.m, self.m.services[service])
        return cache[service]

    def _judge(self, service: str, sdk_name: str, dep: Dependency, opener: Reader) -> list[Finding]:
        sdk = self.m.sdks[sdk_name]
        out: list[Finding] = []
        consumed = self._consumed(service)
        text = opener(dep.file) or ""
        snippet = _line_of(text, dep.line)
        if dep.kind == "declared" and sdk_name not in consumed:
            ready = sdk_ready_resource(sdk_name, sdk, bool(self.m.registries)) or f"SDK '{sdk_name}'"
            out.append(Finding(
                Location(dep.file, dep.line, dep.col), SDK_UNDECLARED,
                f"{_what(dep)} is SDK '{sdk_name}', which services.{service} does not consume: "
                f"Tilt will build {service} without waiting for {ready}",
                f"in {self.manifest_file}, services.{service}: write `{_sdks_line(consumed, add=sdk_name)}`",
                snippet=snippet,
            ))
        if sdk.version is None or sdk.source == "workspace":
            return out  # workspace SDKs are linked, not pinned: sdk-workspace-link judges them
        finding = self._version(service, sdk_name, sdk, dep, text, snippet)
        if finding is not None:
            out.append(finding)
        return out

    def _version(self, service: str, sdk_name: str, sdk: Sdk, dep: Dependency, text: str, snippet: str) -> Finding | None:
        version = sdk.version or ""
        where = Location(dep.file, dep.line, dep.col)
        owner = f"SDK '{sdk_name}' in services.yaml: {version}"
        if dep.kind == "locked":
            if dep.local:
                message = f"{dep.file.rpartition('/')[2]} installs {dep.name} from {dep.local}, not the published version ({owner})"
            elif _same_version(dep, version):
                return None
            else:
                message = f"{dep.file.rpartition('/')[2]} resolves {dep.name} to {dep.spec or '(no version)'}, not {version} ({owner})"
            command = _LOCK_COMMAND.get(dep.file.rpartition("/")[2], "your package manager")
            return Finding(where, SDK_VERSION, message,
                           f"pin {dep.name} to {specs.pin(_STYLE_OF[dep.ecosystem] if dep.ecosystem != 'npm' else 'npm', version)} "
                           f"in the dependency file, then run `{command}`", snippet=snippet)
        if dep.local:
            if dep.kind == "replaced":
                message = f"{_what(dep)} is replaced by {dep.local}: the build uses that, not the published version ({owner})"
                fix = "delete this replacement: services consume the published SDK"
            else:
                message = f"{_what(dep)} installs {dep.local}, not the published version ({owner})"
                fix = f"depend on {dep.name or sdk.package}{specs.pin('pep440', version) if dep.ecosystem == 'python' else '@' + version} instead"
            return Finding(where, SDK_VERSION, message, fix, snippet=snippet)
        judgement = specs.judge(dep.style, dep.spec, version)
        if judgement.verdict is specs.Verdict.EXACT:
            return None
        level = "error"
        if judgement.verdict is specs.Verdict.RANGE:
            level = "error" if sdk.exact_pins else "warning"
            message = f"{_what(dep)} {judgement.reason}: pin exactly what Tilt builds ({owner})"
        else:
            message = f"{_what(dep)} {judgement.reason} ({owner})"
        if dep.marker:
            message += f" (marker: {dep.marker})"
        replacement = specs.pin(dep.style, version)
        if dep.span is not None:
            fix = f"write: {_fix_line(text, dep.span, replacement)}"
            self.out.edits.append(Edit(dep.file, dep.span[0], dep.span[1], text[dep.span[0]:dep.span[1]], replacement,
                                       Location(dep.file, dep.line, dep.col), SDK_VERSION))
        elif " in pnpm-workspace.yaml" in dep.note or dep.note.endswith("/pnpm-workspace.yaml"):
            fix = f"set {dep.written_name or dep.name} to {replacement} in the catalog ({dep.note})"
        else:
            fix = f"pin {dep.written_name or dep.name} to {replacement}"
        return Finding(where, SDK_VERSION, message, fix, end_col=dep.end_col, snippet=snippet, severity=level)

    # -- sdk-unused -----------------------------------------------------------------------------------
    def _unused(self, used: dict[str, set[str]]) -> list[Finding]:
        out = []
        for service, svc in self.m.services.items():
            context = svc.context or ("." if svc.image else None)
            if context is None:
                continue
            consumed = consumed_sdks(self.m, svc)
            for sdk_name in consumed:
                if sdk_name in used[service]:
                    continue
                sdk = self.m.sdks[sdk_name]
                key = ("services", service, "sdks") if svc.sdks is not None else ("services", service, "language")
                at = self.loaded.positions.where(key)
                default = "" if svc.sdks is not None else f" (the default for language {svc.language})"
                out.append(Finding(
                    Location(self.manifest_file, at.line, at.col), SDK_UNUSED,
                    f"services.{service} consumes SDK '{sdk_name}'{default}, but no dependency file under "
                    f"{norm(context)} depends on {sdk.package}",
                    f"declare {_declaration(sdk, norm(context))} "
                    f"in the service's dependency file, or write `{_sdks_line(consumed, remove=sdk_name)}`",
                    severity="warning",
                ))
        return out


def _declaration(sdk: Sdk, folder: str) -> str:
    """How a service declares ``sdk``: its exact version, or for a workspace SDK the link to its folder."""
    if sdk.source == "workspace" and sdk.path:
        from devenv.lint.sdk.links import link_form

        return link_form(sdk, folder)
    return f"{sdk.package} {specs.pin(_STYLE_OF[_LANGUAGE_ECOSYSTEM[sdk.language]], sdk.version or '')}"


def _is_constraints(path: str) -> bool:
    return path.rpartition("/")[2].startswith("constraints")


def _what(dep: Dependency) -> str:
    shown = dep.written_name or dep.name
    spec = f" {dep.spec!r}" if dep.spec else ""
    alias = f" ({dep.note})" if dep.note and dep.note.startswith("alias") else ""
    section = f" in {dep.section}" if dep.section and dep.kind != "locked" else ""
    via = f" ({dep.note})" if dep.note and not dep.note.startswith(("alias", "replace")) else ""
    return f"{shown}{spec}{section}{alias}{via}"


def _line_of(text: str, line: int) -> str:
    if line < 1:
        return ""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)].strip()


def _same_version(dep: Dependency, version: str) -> bool:
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


def check(loaded: LoadedManifest, files: Iterable[str], read: Reader, manifest_file: str, *, whole: bool = True) -> SdkLintResult:
    """Run the SDK rules over lint's file list; ``whole`` when every file was listed (sdk-unused)."""
    if not loaded.manifest.sdks or not loaded.manifest.services:
        return SdkLintResult()
    return SdkRules(loaded, manifest_file).run(files, read, whole=whole)
