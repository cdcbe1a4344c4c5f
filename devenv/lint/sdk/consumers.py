"""The manifest's consumer lists against the dependency files: ``sdk-undeclared`` (a service's
file depends on an SDK its ``sdks`` does not list, so Tilt builds it without waiting for the SDK)
and ``sdk-unused`` (a service consumes an SDK that no dependency file under its context names)."""

from __future__ import annotations

from collections.abc import Iterable

from devenv.deps import specs
from devenv.deps.model import Dependency
from devenv.errors import Location
from devenv.graph import sdk_ready_resource
from devenv.lint.model import Finding
from devenv.lint.sdk.index import LANGUAGE_ECOSYSTEM
from devenv.lint.sdk.paths import norm
from devenv.lint.sdk.pins import STYLE_OF, what
from devenv.lint.sdk.ruleinfo import SDK_UNDECLARED, SDK_UNUSED
from devenv.manifest.load import LoadedManifest
from devenv.manifest.model import Sdk
from devenv.manifest.relations import consumed_sdks


def _sdks_line(current: Iterable[str], add: str | None = None, remove: str | None = None) -> str:
    names = [n for n in current if n != remove]
    if add and add not in names:
        names.append(add)
    return f"sdks: [{', '.join(names)}]"


class Consumers:
    def __init__(self, loaded: LoadedManifest, manifest_file: str):
        self.loaded = loaded
        self.m = loaded.manifest
        self.manifest_file = manifest_file
        self._consumed: dict[str, list[str]] = {}
        self.used: dict[str, set[str]] = {name: set() for name in self.m.services}

    def consumed(self, service: str) -> list[str]:
        if service not in self._consumed:
            self._consumed[service] = consumed_sdks(self.m, self.m.services[service])
        return self._consumed[service]

    def undeclared(self, service: str, sdk_name: str, dep: Dependency, snippet: str) -> Finding | None:
        """``sdk-undeclared`` for ``dep``, and note the SDK as used by ``service`` (for ``sdk-unused``)."""
        if dep.kind in ("declared", "locked", "replaced"):
            self.used[service].add(sdk_name)
        consumed = self.consumed(service)
        if dep.kind != "declared" or sdk_name in consumed:
            return None
        sdk = self.m.sdks[sdk_name]
        ready = sdk_ready_resource(sdk_name, sdk, bool(self.m.registries)) or f"SDK '{sdk_name}'"
        return Finding(
            Location(dep.file, dep.line, dep.col),
            SDK_UNDECLARED,
            f"{what(dep)} is SDK '{sdk_name}', which services.{service} does not consume: Tilt will build {service} without waiting for {ready}",
            f"in {self.manifest_file}, services.{service}: write `{_sdks_line(consumed, add=sdk_name)}`",
            snippet=snippet,
        )

    def unused(self) -> list[Finding]:
        """``sdk-unused``: run once every file was read (lint was not given a subset)."""
        out = []
        for service, svc in self.m.services.items():
            context = svc.context or ("." if svc.image else None)
            if context is None:
                continue
            consumed = consumed_sdks(self.m, svc)
            for sdk_name in consumed:
                if sdk_name in self.used[service]:
                    continue
                sdk = self.m.sdks[sdk_name]
                key = ("services", service, "sdks") if svc.sdks is not None else ("services", service, "language")
                at = self.loaded.positions.where(key)
                default = "" if svc.sdks is not None else f" (the default for language {svc.language})"
                out.append(
                    Finding(
                        Location(self.manifest_file, at.line, at.col),
                        SDK_UNUSED,
                        f"services.{service} consumes SDK '{sdk_name}'{default}, but no dependency file under {norm(context)} depends on {sdk.package}",
                        f"declare {_declaration(sdk, norm(context))} in the service's dependency file, or write `{_sdks_line(consumed, remove=sdk_name)}`",
                        severity="warning",
                    )
                )
        return out


def _declaration(sdk: Sdk, folder: str) -> str:
    """How a service declares ``sdk``: its exact version, or for a workspace SDK the link to its folder."""
    if sdk.source == "workspace" and sdk.path:
        from devenv.lint.sdk.links import link_form

        return link_form(sdk, folder)
    return f"{sdk.package} {specs.pin(STYLE_OF[LANGUAGE_ECOSYSTEM[sdk.language]], sdk.version or '')}"
