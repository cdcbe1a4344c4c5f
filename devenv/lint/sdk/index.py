"""Which files the SDK rules read and what they find in them: :class:`SdkIndex` says which SDK a
dependency is (by package name, or by a local path into the SDK's folder) and which files are
never a consumer's (``node_modules``, an SDK's own folder, the proto workspace); :class:`Owners`
says which services own a file (those with the deepest ``context`` that holds it)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from devenv.deps.model import Dependency
from devenv.lint.sdk.paths import norm
from devenv.manifest.load import LoadedManifest

SKIP_DIRS = frozenset({"node_modules", "vendor", ".venv", "venv", "site-packages", "bower_components", ".pnpm-store"})
LANGUAGE_ECOSYSTEM = {"typescript": "npm", "go": "go", "python": "python"}


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + "/")


class SdkIndex:
    """Which SDK a dependency is: by ecosystem and package name, or by a local path into it."""

    def __init__(self, loaded: LoadedManifest):
        m = loaded.manifest
        self.by_key: dict[tuple[str, str], str] = {}
        self.paths: list[tuple[str, str]] = []
        for name, sdk in m.sdks.items():
            ecosystem = LANGUAGE_ECOSYSTEM[sdk.language]
            if sdk.package:
                self.by_key[(ecosystem, self.key(ecosystem, sdk.package))] = name
            if sdk.path:
                self.paths.append((norm(sdk.path), name))
        self.paths.sort(key=lambda p: len(p[0]), reverse=True)
        self.excluded = [p for p, _ in self.paths]
        if m.proto is not None:
            self.excluded.append(norm(m.proto.path))
        self.excluded_set = frozenset(self.excluded)
        self._excluded_folders = tuple(f"{p}/" for p in self.excluded)  # one C call per path: is it under one?

    @staticmethod
    def key(ecosystem: str, name: str) -> str:
        if ecosystem == "python":
            from packaging.utils import canonicalize_name

            return canonicalize_name(name)
        if ecosystem == "go":
            from devenv.deps.gosemver import split_path_version

            return split_path_version(name)[0]
        return name

    def wanted(self, ecosystem: str) -> Callable[[str], bool]:
        """The names a reader of ``ecosystem`` should build dependencies for: the SDK packages.
        (Dependencies with a local target are always built: :meth:`sdk_of` matches their path.)"""
        names = frozenset(k for e, k in self.by_key if e == ecosystem)
        if ecosystem != "go":
            return names.__contains__
        # Go: a /vN major suffix still names the same SDK; compare without it, but only for
        # the module paths that start like an SDK's (splitting every path costs).
        prefixes = tuple(names)
        return lambda module: module in names or (module.startswith(prefixes) and self.key("go", module) in names)

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
            target = target[len("file:") :] if target.startswith("file:") else target
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
        return path in self.excluded_set or path.startswith(self._excluded_folders)


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
