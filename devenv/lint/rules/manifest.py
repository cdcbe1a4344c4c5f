"""Rules read from services.yaml itself; their findings point at the manifest's lines.

- ``service-context-includes-proto``: a built service's ``context`` contains the proto
  workspace and neither ``only``, ``ignore`` nor the context's ``.dockerignore`` (or the
  Dockerfile's ``<Dockerfile>.dockerignore``) keeps it out.
- ``service-only-includes-proto``: an ``only`` entry is, contains or lies in the proto
  workspace.
- ``sdkless-service-depends-on-proto``: a service with ``sdks: []`` whose dependency files
  (package.json dependencies, go.mod require/replace, Python requirements) name a proto
  package or point into the proto workspace.

(A context or Dockerfile *inside* the proto workspace is already a manifest error.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from devenv.errors import Location
from devenv.lint.document import Document
from devenv.lint.hints import Hints
from devenv.lint.model import Finding
from devenv.lint.needles import Needles, normalize_path
from devenv.lint.rules import go_mod, package_json, python_deps
from devenv.manifest.load import LoadedManifest
from devenv.manifest.model import Service
from devenv.util.fsutil import read_prefix

DEPENDENCY_CONTEXTS = (package_json, go_mod, python_deps)


def _overlaps(a: str, b: str) -> bool:
    return a == "." or a == b or b.startswith(a + "/") or a.startswith(b + "/")


def _excluded(root: Path, context: str, svc: Service, inside: str) -> bool:
    """Is ``inside`` (relative to the context) kept out of the build by ignore/.dockerignore?"""
    lines = list(svc.ignore)
    base = root if context == "." else root / context
    dockerfile = root / normalize_path(svc.dockerfile or f"{context}/Dockerfile")
    for candidate in (dockerfile.with_name(dockerfile.name + ".dockerignore"), base / ".dockerignore"):
        try:
            # Non-blocking, regular files only: a FIFO named .dockerignore hung lint for ever.
            lines += read_prefix(candidate)[0].decode("utf-8", "replace").splitlines()
            break  # BuildKit uses the Dockerfile's own ignore file instead of the context's
        except OSError:
            continue
    if not lines:
        return False
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    parts = inside.split("/")
    return any(spec.match_file("/".join(parts[: i + 1]) + "/") for i in range(len(parts)))


class ManifestRules:
    def __init__(self, loaded: LoadedManifest, needles: Needles, hints: Hints, manifest_file: str):
        self.loaded = loaded
        self.m = loaded.manifest
        self.needles = needles
        self.hints = hints
        self.file = manifest_file

    def _at(self, path: tuple) -> Location:
        where = self.loaded.positions.where(path)
        return Location(self.file, where.line, where.col)

    def context_rules(self) -> Iterator[Finding]:
        proto = self.needles.path
        for name, svc in self.m.services.items():
            if not svc.context or not svc.image:
                continue
            context = normalize_path(svc.context)
            if not (context == "." or proto.startswith(context + "/")):
                continue
            inside = proto if context == "." else proto[len(context) + 1 :]
            fix = self.hints.sentence_for_service(name)
            if svc.only:
                for i, entry in enumerate(svc.only):
                    if _overlaps(normalize_path(entry), inside):
                        yield Finding(
                            self._at(("services", name, "only", i)),
                            "service-only-includes-proto",
                            f"service '{name}' puts the proto workspace '{proto}' into its build context (only: '{entry}')",
                            f"remove '{entry}' from `only`; {fix}",
                        )
                continue
            if _excluded(self.loaded.root, context, svc, inside):
                continue
            yield Finding(
                self._at(("services", name, "context")),
                "service-context-includes-proto",
                f"service '{name}' builds from context '{svc.context}', which includes the proto workspace '{proto}'",
                f"list what the image needs in `only:`, or exclude '{inside}' with `ignore:` or {context}/.dockerignore",
            )

    def sdkless_rules(self, files: Iterable[str], read: Callable[[str], str | None], excluded: Callable[[str], bool]) -> Iterator[Finding]:
        sdkless = {n: s for n, s in self.m.services.items() if s.sdks == [] and s.context}
        if not sdkless:
            return
        by_service: dict[str, list[str]] = {n: [] for n in sdkless}
        for path in files:
            name = path.rpartition("/")[2]
            if not any(c.matches(path, name) for c in DEPENDENCY_CONTEXTS) or excluded(path):
                continue
            owner = self.hints.owner(path)
            if owner in by_service:
                by_service[owner].append(path)
        for name, paths in by_service.items():
            for path in sorted(paths):
                text = read(path)
                if text is None:
                    continue
                context = next(c for c in DEPENDENCY_CONTEXTS if c.matches(path, path.rpartition("/")[2]))
                doc = Document(path, text)
                doc.refs = self.needles.find(text, doc.dir, python=getattr(context, "PYTHON_NAMES", False))
                deps = [r for r in doc.refs if context.is_dependency(doc, r)]
                if not deps:
                    continue
                line, _ = doc.position(deps[0].start)
                more = f" (and {len(deps) - 1} more)" if len(deps) > 1 else ""
                yield Finding(
                    self._at(("services", name, "sdks")),
                    "sdkless-service-depends-on-proto",
                    f"service '{name}' declares `sdks: []` but {path}:{line} depends on {deps[0].describe()}{more}",
                    self.hints.sdk_choice(path, context.language(doc)),
                )
