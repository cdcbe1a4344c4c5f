"""The one-line fix of a finding: which published SDK to depend on instead.

The SDK is picked from the manifest's ``sdks:`` by, in order: the file's own language when
it has one (package.json -> TypeScript, go.mod -> Go, requirements -> Python); the SDKs of
the service whose folder (or Dockerfile) holds the file; a language guessed from the file
(a Dockerfile's ``FROM node``); an npm-scoped name (``@scope/x``) -> TypeScript; and
finally every SDK package, named together.
"""

from __future__ import annotations

from devenv.lint.needles import Ref, normalize_path
from devenv.manifest.model import Manifest
from devenv.manifest.relations import consumed_sdks


class Hints:
    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self.by_language: dict[str, list[str]] = {}
        self.names_by_language: dict[str, list[str]] = {}
        for name, sdk in manifest.sdks.items():
            self.by_language.setdefault(sdk.language, []).append(sdk.package_name)
            self.names_by_language.setdefault(sdk.language, []).append(name)
        self.all = [sdk.package_name for sdk in manifest.sdks.values()]
        owners = []
        for name, svc in manifest.services.items():
            packages = [manifest.sdks[s].package_name for s in consumed_sdks(manifest, svc)]
            context = normalize_path(svc.context) if svc.context else None
            dockerfile = normalize_path(svc.dockerfile or f"{svc.context}/Dockerfile") if svc.context else None
            owners.append((name, context, dockerfile, packages))
        # Longest context first: services/web/api wins over services/web, "." last.
        self.owners = sorted(owners, key=lambda o: -1 if o[1] in (None, ".") else len(o[1]), reverse=True)

    def owner(self, path: str) -> str | None:
        """The service whose folder (or Dockerfile) holds ``path``; a root context owns only its Dockerfile."""
        for name, _context, dockerfile, _ in self.owners:
            if path == dockerfile:
                return name
        for name, context, _, _ in self.owners:
            if context and context != "." and (path == context or path.startswith(context + "/")):
                return name
        return None  # a service built from the repository root does not own every file

    def packages(self, path: str, language: str | None, definite: bool, ref: Ref | None = None) -> list[str]:
        if definite and language in self.by_language:
            return self.by_language[language]
        name = self.owner(path)
        if name:
            packages = next(o[3] for o in self.owners if o[0] == name)
            if packages:
                return packages
        if language in self.by_language:
            return self.by_language[language]
        if ref is not None and ref.kind == "name" and ref.text.startswith("@") and "typescript" in self.by_language:
            return self.by_language["typescript"]
        return self.all

    def sentence_for_service(self, service: str) -> str:
        packages = next((o[3] for o in self.owners if o[0] == service), [])
        return sentence(packages or self.all)

    def sdk_choice(self, path: str, language: str | None) -> str:
        """Fix for an SDK-less service that depends on proto packages: consume the SDK."""
        names = self.names_by_language.get(language or "", []) or list(self.manifest.sdks)
        packages = self.by_language.get(language or "", []) or self.all
        if not names:
            return "depend on a published SDK and declare it under `sdks:`"
        return f"consume the SDK (`sdks: [{', '.join(names)}]`) and {sentence(packages)}"

    def fix(self, path: str, language: str | None, definite: bool, ref: Ref | None = None) -> str:
        return sentence(self.packages(path, language, definite, ref))


def sentence(packages: list[str]) -> str:
    if not packages:
        return "depend on a published SDK instead of the proto workspace"
    if len(packages) == 1:
        return f"depend on {packages[0]} instead"
    return f"depend on the published SDK instead ({', '.join(packages[:-1])} or {packages[-1]})"
