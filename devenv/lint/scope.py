"""Which repository paths the file loop looks at, from the few manifest keys it needs.

Plain values in, no manifest model: the early scan (:mod:`devenv.lint.early`) builds the same
scope from the raw YAML that :mod:`devenv.lint.engine` builds from the validated manifest.
"""

from __future__ import annotations

from collections.abc import Sequence

from devenv.lint.model import Notification
from devenv.lint.needles import Needles, normalize_path


class Scope:
    """Which repository paths lint may look at: not the proto workspace, the allowed paths,
    the SDKs' folders or the manifest itself."""

    def __init__(self, skipped: list[str], manifest_file: str):
        self.everything = "." in skipped
        self.exact = frozenset(skipped) | {manifest_file}
        self.prefixes = tuple(p + "/" for p in skipped)

    def excludes(self, path: str) -> bool:
        return self.everything or path in self.exact or path.startswith(self.prefixes)


def scope_and_needles(manifest_file: str, proto_path: str, names: Sequence[str], allowed: Sequence[str], sdk_paths: Sequence[str]) -> tuple[Scope, Needles]:
    """The scope and needles of `proto.path`/`names`/`allowed` and the SDKs' `path` ("" for none)."""
    needles = Needles(proto_path, names)
    normal = [normalize_path(a) for a in allowed] + [normalize_path(p) for p in sdk_paths if p]  # a Buf SDK may have none
    return Scope([needles.path, *dict.fromkeys(normal)], manifest_file), needles


def without_excluded(patterns: Sequence[str], files: list[str]) -> list[str]:
    """Drop the manifest's `lint.exclude` paths (gitignore patterns, relative to the manifest)."""
    if not patterns:
        return files
    import pathspec

    spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns)
    return [f for f in files if not spec.match_file(f)]


def unreadable_folders(unreadable: list[tuple[str, str]]) -> list[Notification]:
    return [Notification(f"cannot read {folder}: {why}; its files were not checked", folder) for folder, why in unreadable]
