"""Render warnings for ``source: workspace`` SDKs: a consumer's Docker build must see the SDK.

A service links its workspace SDK by path (``file:../../packages/sdk_ts``, a Go ``replace``, a uv
path source); inside ``docker build`` only the build context exists, so the SDK's folder must lie
inside the service's ``context`` and, when ``only`` narrows the context, inside one ``only`` entry.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from devenv.manifest.model import Manifest, Service
from devenv.manifest.relations import consumed_sdks


def _norm(path: str) -> str:
    path = posixpath.normpath(path.replace("\\", "/")) or "."
    return path.lstrip("/") or "."


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + "/")


def unseen_sdks(manifest: Manifest, name: str, svc: Service) -> Iterator[tuple[tuple, str, str]]:
    """(manifest path, message, hint) for each workspace SDK ``svc`` consumes but cannot see."""
    context = _norm(svc.context or ".")
    for sdk_name in consumed_sdks(manifest, svc):
        sdk = manifest.sdks[sdk_name]
        if sdk.source != "workspace" or not sdk.path:
            continue
        path = _norm(sdk.path)
        dockerfile = svc.dockerfile or f"{svc.context or '.'}/Dockerfile"
        if not _inside(path, context):
            yield (
                ("services", name, "context"),
                f"the docker build of services.{name} (context '{svc.context or '.'}') cannot see the workspace "
                f"SDK '{sdk_name}' at {sdk.path}: its link fails inside the build",
                f"build from a context that holds both: `context: {_common(context, path)}`, "
                f"`dockerfile: {dockerfile}`, `only: [{_rel(context, _common(context, path))}, "
                f"{_rel(path, _common(context, path))}]`",
            )
        elif svc.only and not any(_inside(path, _norm(posixpath.join(context, o))) or _inside(_norm(posixpath.join(context, o)), path) for o in svc.only):
            yield (
                ("services", name, "only"),
                f"`only` keeps the workspace SDK '{sdk_name}' at {sdk.path} out of services.{name}'s docker build",
                f"add {_rel(path, context)} to `only`",
            )


def _common(a: str, b: str) -> str:
    if "." in (a, b):
        return "."
    common = posixpath.commonpath([a, b])
    return common or "."


def _rel(path: str, start: str) -> str:
    return posixpath.relpath(path, start)
