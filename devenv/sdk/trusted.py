"""What `devenv sdk guard/stamp` need from the manifest, without validating it a second time.

Tilt runs guard and stamp in every SDK build step, next to the Tiltfile that devenv rendered from
the manifest. When that Tiltfile was written by this devenv version from exactly this manifest
document (its `manifest-sha256:` header line, :mod:`devenv.manifest.digest`), the manifest passed every rule at render time, so the
two keys the commands read can come straight from the YAML: no pydantic model, no rules, no
positions. In every other case (no Tiltfile there, another manifest text or version, an SDK
name the manifest lacks, anything unexpected) the caller loads and validates the manifest as
every other command does, with the same messages.
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from devenv import __version__
from devenv.manifest.digest import document_sha256
from devenv.tilt import VERIFY_STEP, rendered_from, smoke_step_added

MANIFEST_NAME = "services.yaml"
TILTFILE_NAME = "Tiltfile"


# root: the manifest's folder (Path); proto_path: proto.path, None without a proto: section;
# generated: the SDK's generated: path or None. A named tuple: no dataclasses import on this path.
SdkFacts = namedtuple("SdkFacts", "root proto_path generated")


def _manifest_path(explicit: str | os.PathLike | None) -> Path | None:
    """Where `find_manifest` would look first; None when only it can say what is wrong."""
    if explicit:
        path = Path(explicit)
        return path / MANIFEST_NAME if path.is_dir() else path
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        if (folder / MANIFEST_NAME).is_file():
            return folder / MANIFEST_NAME
    return None


def _read_head(path: Path, size: int = 2048) -> str:
    with open(path, "rb") as handle:
        return handle.read(size).decode("utf-8", "replace")


def _document(text: str) -> object:
    """The whole document with libyaml, as the manifest loader builds it (no positions)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _trusted(explicit: str | os.PathLike | None, sdk: str) -> tuple[Path, dict, dict] | None:
    """(manifest path, document, the SDK's entry) when the Tiltfile beside the manifest proves the
    manifest valid, else None. Raises on anything unexpected (the callers fall back)."""
    path = _manifest_path(explicit)
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:  # universal newlines, as load_manifest reads it
        text = handle.read()
    data = _document(text)
    if not isinstance(data, dict):
        return None
    if not rendered_from(_read_head(path.parent / TILTFILE_NAME), __version__, document_sha256(data)):
        return None
    entry = (data.get("sdks") or {}).get(sdk)
    return (path, data, entry) if isinstance(entry, dict) else None


def rendered_facts(explicit: str | os.PathLike | None, sdk: str) -> SdkFacts | None:
    """The SDK's facts when the Tiltfile beside the manifest proves the manifest valid, else None."""
    try:
        trusted = _trusted(explicit, sdk)
        if trusted is None:
            return None
        path, data, entry = trusted
        proto = data.get("proto")
        if not (proto is None or isinstance(proto, dict)):
            return None
        return SdkFacts(path.parent.absolute(), proto["path"] if proto else None, entry.get("generated"))
    except Exception:  # noqa: BLE001 - any surprise: the full load decides, and reports it properly
        return None


# What `devenv sdk mark` needs: root (Path), path (the SDK's folder or None), package (str),
# version (str or None), steps (the chain's step names, the implicit smoke step included).
ChainFacts = namedtuple("ChainFacts", "root path package version steps")


def rendered_chain(explicit: str | os.PathLike | None, sdk: str) -> ChainFacts | None:
    """The SDK's chain facts when the Tiltfile beside the manifest proves the manifest valid, else
    None. Values the model would derive or coerce (a Buf SDK's package, a `smoke:` that is not a
    YAML boolean) are left to the full load."""
    try:
        trusted = _trusted(explicit, sdk)
        if trusted is None:
            return None
        path, _, entry = trusted
        source, package = entry.get("source", "registry"), entry.get("package")
        smoke = (entry.get("verify") or {}).get("smoke", True)
        if not isinstance(package, str) and source == "buf" or not isinstance(smoke, bool):
            return None
        steps = list(entry.get("steps") or {})
        published = bool(entry.get("registry")) or source == "buf"
        if smoke_step_added(steps, published=published, version=entry.get("version"), smoke=smoke):
            steps.append(VERIFY_STEP)
        return ChainFacts(path.parent.absolute(), entry.get("path"), package or "", entry.get("version"), steps)
    except Exception:  # noqa: BLE001 - any surprise: the full load decides, and reports it properly
        return None
