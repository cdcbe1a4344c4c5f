"""A repository with the example's proto workspace and a manifest whose SDKs sit in given registries."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.sdk.verify import artifacts


def write_repo(folder: Path, registries: dict[str, str], *, version: str = "1.5.0", sdks: dict | None = None) -> Path:
    """A repository with the example's proto workspace and a manifest whose SDKs sit in
    ``registries`` (kind -> URL)."""
    proto = folder / "packages" / "ameide_core_proto"
    shutil.copytree(artifacts.PROTO_ROOT.parent, proto)
    kinds = {
        "npm": ("ts", "typescript", artifacts.NPM_PACKAGE, version),
        "pypi": ("python", "python", artifacts.PYPI_PROJECT, version),
        "goproxy": ("go", "go", artifacts.GO_MODULE, "v" + version),
    }
    manifest = {"version": 1, "project": "verify", "registries": {}, "sdks": {}, "proto": {"path": "packages/ameide_core_proto"}}
    for kind, url in registries.items():
        name, language, package, pinned = kinds[kind]
        manifest["registries"][kind] = {"kind": kind, "url": url}
        manifest["sdks"][name] = {
            "language": language,
            "path": f"packages/sdk_{name}",
            "package": package,
            "registry": kind,
            "version": pinned,
            **((sdks or {}).get(name, {})),
        }
    path = folder / "services.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path
