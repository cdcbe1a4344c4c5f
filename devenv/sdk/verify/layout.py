"""What an SDK artifact should hold, derived from the proto workspace as it is now.

Per language, the usual generator naming (overridable per SDK under ``sdks.<s>.verify``):

==========  ===============  ==================================  =====================
language    root             generated (per .proto)              raw snapshot
==========  ===============  ==================================  =====================
typescript  ``dist/gen``     ``{path}_pb.js``, ``{path}_pb.d.ts``  ``dist/proto/raw``
python      ``<pkg>/gen``    ``{path}_pb2.py``                     ``<pkg>/proto/raw``
go          ``gen``          ``{path}.pb.go``                      (none)
==========  ===============  ==================================  =====================

``{path}`` is the proto file's path under the proto root without ``.proto``
(``ameide/graph/v1/graph``), ``{dir}`` its folder, ``{stem}`` its file name; ``<pkg>`` is the
Python distribution name as an import name (``ameide-sdk`` -> ``ameide_sdk``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devenv.manifest.model import Sdk

DEFAULTS = {
    "typescript": ("dist/gen", ("{path}_pb.js", "{path}_pb.d.ts"), "dist/proto/raw"),
    "python": ("{pkg}/gen", ("{path}_pb2.py",), "{pkg}/proto/raw"),
    "go": ("gen", ("{path}.pb.go",), ""),
}


@dataclass(frozen=True)
class Layout:
    """Where one SDK keeps its generated code and raw protos inside its artifact."""

    root: str  # "" = the artifact's top
    patterns: tuple[str, ...]
    raw: str  # "" = no raw snapshot promised

    def expected(self, proto: str) -> list[str]:
        """The artifact paths ``proto`` (relative to the proto root) should yield."""
        return [_join(self.root, _fill(p, proto)) for p in self.patterns]

    def matchers(self) -> list[re.Pattern[str]]:
        """Regexes that recognise a generated file and recover its proto path (for extras)."""
        groups = {"path": r"(?P<path>.+)", "dir": r"(?P<dir>(?:[^/]+/)*)", "stem": r"(?P<stem>[^/]+)"}
        found = []
        for pattern in self.patterns:
            full = (self.root + "/" + pattern) if self.root else pattern
            text, seen = "", set()
            for part in re.split(r"(\{path\}|\{dir\}|\{stem\})", full):
                key = part[1:-1] if part in ("{path}", "{dir}", "{stem}") else None
                if key is None:
                    text += re.escape(part)
                else:
                    text += f"(?P={key})" if key in seen else groups[key]
                    seen.add(key)
            found.append(re.compile(text + r"\Z"))
        return found

    def proto_of(self, path: str) -> str | None:
        """The proto a generated-looking artifact path stands for, or None."""
        for matcher in self.matchers():
            hit = matcher.match(path)
            if hit is None:
                continue
            groups = hit.groupdict()
            if groups.get("path"):
                return groups["path"] + ".proto"
            return (groups.get("dir") or "") + groups.get("stem", "") + ".proto"
        return None


def _fill(pattern: str, proto: str) -> str:
    path = proto[: -len(".proto")] if proto.endswith(".proto") else proto
    folder, stem = posixpath.split(path)
    return pattern.replace("{path}", path).replace("{dir}", folder + "/" if folder else "").replace("{stem}", stem)


def _join(root: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(root, path)) if root else posixpath.normpath(path)


def import_name(package: str) -> str:
    return re.sub(r"[-.]+", "_", package).lower()


def layout_for(sdk: "Sdk") -> Layout:
    root, patterns, raw = DEFAULTS[sdk.language]
    spec = sdk.verify
    root = spec.root if spec.root is not None else root
    patterns = tuple(spec.generated) if spec.generated is not None else patterns
    raw = spec.raw_protos if spec.raw_protos is not None else raw
    pkg = import_name(sdk.package_name)
    return Layout(root.replace("{pkg}", pkg).strip("/"), tuple(patterns), raw.replace("{pkg}", pkg).strip("/"))


# -- the proto workspace ---------------------------------------------------------------------------


def proto_roots(workspace: Path, explicit: Path | None = None) -> list[Path]:
    """The folders proto paths are relative to: ``verify.proto_root``, else buf.yaml's module paths
    (v2 ``modules[].path``, v1 ``roots``/``build.roots``), else the workspace itself."""
    if explicit is not None:
        return [explicit]
    buf = workspace / "buf.yaml"
    if buf.is_file():
        import yaml

        try:
            data = yaml.safe_load(buf.read_text()) or {}
        except (OSError, yaml.YAMLError):
            data = {}
        paths = [m.get("path") for m in data.get("modules") or [] if isinstance(m, dict) and m.get("path")]
        paths = paths or list(data.get("roots") or []) or list((data.get("build") or {}).get("roots") or [])
        roots = [workspace / p for p in paths if isinstance(p, str)]
        if roots:
            return roots
    return [workspace]


def proto_files(roots: list[Path]) -> dict[str, Path]:
    """``{relative proto path: file}`` under every root, sorted by path."""
    found: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for file in root.rglob("*.proto"):
            if file.is_file():
                found.setdefault(file.relative_to(root).as_posix(), file)
    return dict(sorted(found.items()))
