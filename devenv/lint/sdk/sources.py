"""The rules that depend on an SDK's ``source``, gathered for :class:`devenv.lint.sdk.rules.SdkRules`:

- ``sdk-registry-config`` (:mod:`.bufconfig`) for dependencies on ``source: buf`` SDKs;
- ``sdk-workspace-link`` (:mod:`.links`) for dependencies on ``source: workspace`` SDKs, judged
  per file once every dependency of that file is known;
- ``sdk-buf-commit`` (:mod:`.bufcommit`) on the manifest;
- pnpm ``catalog:`` specs resolved (:mod:`.catalog`) before any rule judges them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from devenv.deps.model import Dependency
from devenv.lint.model import Finding
from devenv.lint.sdk.fix import Edit
from devenv.manifest import buf
from devenv.manifest.load import LoadedManifest

if TYPE_CHECKING:
    from devenv.lint.sdk.bufconfig import RegistryConfig
    from devenv.lint.sdk.catalog import Catalogs

Reader = Callable[[str], "str | None"]


def sdk_registry_url(loaded: LoadedManifest, sdk_name: str) -> str | None:
    """Where a Buf SDK is served: its `registry`'s URL, else the BSR endpoint of its module's host."""
    m = loaded.manifest
    sdk = m.sdks[sdk_name]
    if sdk.registry and sdk.registry in m.registries:
        return m.registries[sdk.registry].url
    module = buf.Ref.parse(sdk.buf.module) if sdk.buf else None
    return buf.endpoint(buf.ECOSYSTEM_OF_LANGUAGE[sdk.language], module) if module else None


class SourceRules:
    def __init__(self, loaded: LoadedManifest, manifest_file: str, read: Reader):
        self.loaded = loaded
        self.m = loaded.manifest
        self.manifest_file = manifest_file
        self.read = read
        self.kinds = {s.source for s in self.m.sdks.values()}
        self._groups: dict[tuple[str, str], list[Dependency]] = {}
        self._configured: set[tuple[str, str]] = set()
        self._catalogs: Catalogs | None = None
        self._urls: dict[str, str | None] = {}
        self._config: RegistryConfig | None = None

    def resolve_catalog(self, dep: Dependency) -> Dependency:
        if dep.ecosystem != "npm" or not dep.spec.startswith("catalog:"):
            return dep
        if self._catalogs is None:
            from devenv.lint.sdk.catalog import Catalogs

            self._catalogs = Catalogs(self.read)
        return self._catalogs.resolve(dep) or dep

    def dependency(self, service: str, sdk_name: str, dep: Dependency) -> list[Finding]:
        source = self.m.sdks[sdk_name].source
        if source == "workspace":
            group = self._groups.setdefault((dep.file, sdk_name), [])
            if dep not in group:
                group.append(dep)
            return []
        if source == "buf" and dep.kind == "declared" and (dep.file, sdk_name) not in self._configured:
            self._configured.add((dep.file, sdk_name))
            return self._registry_config(service, sdk_name, dep)
        return []

    def _registry_config(self, service: str, sdk_name: str, dep: Dependency) -> list[Finding]:
        if sdk_name not in self._urls:
            self._urls[sdk_name] = sdk_registry_url(self.loaded, sdk_name)
        url = self._urls[sdk_name]
        if url is None:
            return []
        svc = self.m.services[service]
        context = svc.context or "."
        dockerfile = svc.dockerfile or (f"{svc.context}/Dockerfile" if svc.context else None)
        if self._config is None:
            from devenv.lint.sdk.bufconfig import RegistryConfig

            self._config = RegistryConfig(self.read)
        finding = self._config.check(dep, url, context.rstrip("/") or ".", dockerfile)
        return [finding] if finding else []

    def links(self, edits: list[Edit]) -> list[Finding]:
        if not self._groups:
            return []
        from devenv.lint.sdk.links import LinkJudge
        from devenv.manifest.sources import own_version

        judge = LinkJudge(self.read)
        out: list[Finding] = []
        owns: dict[str, str | None] = {}
        for (_, sdk_name), deps in self._groups.items():
            sdk = self.m.sdks[sdk_name]
            if sdk_name not in owns:
                found = own_version(self.loaded.root / sdk.path, sdk.language) if sdk.path and not sdk.version else None
                owns[sdk_name] = sdk.version or (found[1] if found and found[1] else None)
            out.extend(judge.judge(sdk_name, sdk, deps, owns[sdk_name], edits))
        return out

    def manifest_findings(self) -> list[Finding]:
        if "buf" not in self.kinds:
            return []
        from devenv.lint.sdk import bufcommit

        return bufcommit.check(self.m, self.loaded.positions, self.manifest_file, self.loaded.text)
