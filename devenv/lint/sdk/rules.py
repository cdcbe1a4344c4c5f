"""The SDK integrity rules of ``devenv lint``, run together over lint's file list.

A service's files are the dependency files under its ``context`` (the deepest context wins
when contexts nest), from lint's own file list (git's view, ``.gitignore`` honoured), less
``node_modules``/``vendor`` folders and anything inside an SDK's ``path`` or the proto
workspace (an SDK's own ``package.json`` is not a consumer): :mod:`.index`. Each is read by the
reader of its ecosystem (:mod:`devenv.deps.readers`), which builds only the dependencies that
can be on an SDK; each of those is judged by

- ``sdk-version`` (:mod:`.pins`), ``sdk-undeclared`` and ``sdk-unused`` (:mod:`.consumers`);
- the rules of the SDK's ``source`` (:mod:`.sources`): registry configuration, workspace links;
- ``sdk-digest-arg`` (:mod:`.digestarg`) on the consumers' Dockerfiles.

Findings use lint's :class:`~devenv.lint.model.Finding` and its suppressions (``devenv: allow
sdk-version reason="…"`` in a comment, or a ``"//devenv"`` entry in JSON); fixable findings
also yield an :class:`~devenv.lint.sdk.fix.Edit` for ``--fix``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from devenv.deps.model import Dependency, ReadError
from devenv.deps.readers import ecosystem_of, read_file
from devenv.lint.model import Finding, Notification
from devenv.lint.sdk import pins
from devenv.lint.sdk.consumers import Consumers
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.index import Owners, SdkIndex
from devenv.lint.sdk.paths import norm
from devenv.manifest.load import LoadedManifest

Reader = Callable[[str], "str | None"]


@dataclass
class SdkLintResult:
    findings: list[Finding] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    files_checked: int = 0
    dependencies: int = 0  # dependencies on an SDK (or with a local target) that were judged


class SdkRules:
    def __init__(self, loaded: LoadedManifest, manifest_file: str):
        self.loaded = loaded
        self.m = loaded.manifest
        self.manifest_file = manifest_file
        self.index = SdkIndex(loaded)
        self.owners = Owners(loaded)
        self.consumers = Consumers(loaded, manifest_file)
        self.wanted = {e: self.index.wanted(e) for e in ("npm", "go", "python")}
        self.out = SdkLintResult()

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

    def run(self, files: Iterable[str], read: Reader, *, whole: bool = True) -> SdkLintResult:
        from devenv.lint.sdk import suppress as sdk_suppress
        from devenv.lint.sdk.sources import SourceRules

        texts: dict[str, str | None] = {}
        files = list(files)

        def opener(path: str) -> str | None:
            if path in texts:  # read before (lint's paths come normalised)
                return texts[path]
            path = norm(path)
            if path.startswith("../") or path == "..":
                return None  # never outside the repository
            if path not in texts:
                texts[path] = read(path)
            return texts[path]

        self.sources = SourceRules(self.loaded, self.manifest_file, opener)
        findings: list[Finding] = []
        # Files reached through `-r`/`-c` are judged there (with their include chain); a
        # constraints file read on its own comes last so the include wins the dedupe below.
        chosen = sorted(self.dependency_files(files), key=lambda item: (_is_constraints(item[0]), item[0]))
        self.out.files_checked = len(chosen)
        seen: set[tuple] = set()
        for path, owners in chosen:
            for dep, sdk_name in self._sdk_dependencies(path, opener):
                ident = (dep.file, dep.line, dep.col, tuple(owners))
                if ident in seen:
                    continue
                seen.add(ident)
                dep = self.sources.resolve_catalog(dep)
                for service in owners:
                    findings.extend(self._judge(service, sdk_name, dep, opener))
                    findings.extend(self.sources.dependency(service, sdk_name, dep))
        findings.extend(self.sources.links(self.out.edits))
        findings.extend(self._digest_args(files, opener, whole))
        if whole:
            findings.extend(self.consumers.unused())
            findings.extend(self.sources.manifest_findings())
            texts[self.manifest_file] = self.loaded.text
        self.out.findings = sdk_suppress.apply(findings, self.out.edits, texts, self.manifest_file)
        return self.out

    def _digest_args(self, files: list[str], opener: Reader, whole: bool) -> list[Finding]:
        """``sdk-digest-arg`` on the Dockerfiles of consumers of SDKs with steps (listed ones only
        when lint was given a subset)."""
        if not any(sdk.steps for sdk in self.m.sdks.values()):
            return []
        from devenv.lint.sdk import digestarg

        listed = set(map(norm, files)) if not whole else None
        return digestarg.check(self.loaded, opener, self.out.edits, lambda path: listed is None or path in listed)

    def _sdk_dependencies(self, path: str, opener: Reader) -> list[tuple[Dependency, str]]:
        """The dependencies of ``path`` that are on an SDK, each with the SDK's name; a file its
        grammar rejects is a notification (its SDK dependencies go unchecked), not a finding."""
        text = opener(path)
        if text is None:
            return []
        try:
            deps = read_file(path, text, opener, self.wanted[ecosystem_of(path) or "npm"])
        except ReadError as exc:
            self.out.notifications.append(
                Notification(
                    f"{path}:{exc.line}:{exc.col}: {exc.message}; its SDK dependencies were not checked"
                    if exc.line
                    else f"{path}: {exc.message}; its SDK dependencies were not checked",
                    path,
                )
            )
            return []
        self.out.dependencies += len(deps)
        return [(dep, sdk_name) for dep in deps if (sdk_name := self.index.sdk_of(dep)) is not None]

    def _judge(self, service: str, sdk_name: str, dep: Dependency, opener: Reader) -> list[Finding]:
        """``sdk-undeclared`` and ``sdk-version`` for one dependency of ``service``."""
        sdk = self.m.sdks[sdk_name]
        text = opener(dep.file) or ""
        snippet = _line_of(text, dep.line)
        out = []
        undeclared = self.consumers.undeclared(service, sdk_name, dep, snippet)
        if undeclared is not None:
            out.append(undeclared)
        if sdk.version is None or sdk.source == "workspace":
            return out  # workspace SDKs are linked, not pinned: sdk-workspace-link judges them
        finding = pins.check(sdk_name, sdk, dep, text, snippet, self.out.edits)
        if finding is not None:
            out.append(finding)
        return out


def _is_constraints(path: str) -> bool:
    return path.rpartition("/")[2].startswith("constraints")


def _line_of(text: str, line: int) -> str:
    if line < 1:
        return ""
    lines = text.split("\n", line)  # only as far as the line
    return lines[line - 1].strip() if len(lines) >= line else ""


def check(loaded: LoadedManifest, files: Iterable[str], read: Reader, manifest_file: str, *, whole: bool = True) -> SdkLintResult:
    """Run the SDK rules over lint's file list; ``whole`` when every file was listed (sdk-unused)."""
    if not loaded.manifest.sdks or not loaded.manifest.services:
        return SdkLintResult()
    return SdkRules(loaded, manifest_file).run(files, read, whole=whole)
