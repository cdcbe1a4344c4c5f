"""What `devenv sdk guard/stamp/mark` need from the manifest, without validating it a second time.

Tilt runs guard and stamp in every SDK build step, and mark after every step, next to the
Tiltfile that devenv rendered from the manifest. When that Tiltfile was written by this devenv
version from exactly this manifest document (its `manifest-sha256:` header line,
:mod:`devenv.manifest.digest`), the manifest passed every rule at render time, so what the
commands read can come from that render:

1. the facts render recorded beside the Tiltfile (``.devenv/rendered-facts.json``: the
   manifest text's SHA-256, the document digest of the header, and per SDK what the commands
   read, computed from the validated model), when the manifest text is byte for byte the one
   rendered: no YAML parser at all;
2. else straight from the YAML (a comment edited since the render, say, or no facts file):
   no pydantic model, no rules, no positions.

In every other case (no Tiltfile there, another manifest document or version, an SDK name the
manifest lacks, anything unexpected) the caller loads and validates the manifest as every other
command does, with the same messages.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import namedtuple
from pathlib import Path

from devenv import __version__
from devenv.manifest.digest import document_sha256
from devenv.tilt import VERIFY_STEP, rendered_from, smoke_step_added
from devenv.util.regular import regular_bytes

MANIFEST_NAME = "services.yaml"
TILTFILE_NAME = "Tiltfile"
STATE_DIR = ".devenv"  # devenv's local state beside the manifest (never committed)
FACTS_FILE = f"{STATE_DIR}/rendered-facts.json"


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


# More than this is no manifest or facts file render wrote: the full load decides.
_READ_LIMIT = 8 * 1024 * 1024


def _read_regular(path: Path, limit: int = _READ_LIMIT) -> bytes:
    """Up to ``limit`` bytes of a regular file; anything else raises (the callers fall back to
    the full load, which says what is wrong)."""
    data = regular_bytes(path, limit)
    if data is None:
        raise OSError(f"{path} is not a regular file")
    return data


def _read_head(path: Path, size: int = 2048) -> str:
    return _read_regular(path, size).decode("utf-8", "replace")


def _document(text: str) -> object:
    """The whole document with libyaml, as the manifest loader builds it (no positions)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _manifest_text(explicit: str | os.PathLike | None) -> tuple[Path, str] | None:
    path = _manifest_path(explicit)
    if path is None:
        return None
    data = _read_regular(path, _READ_LIMIT + 1)
    if len(data) > _READ_LIMIT:
        raise OSError(f"{path} is larger than any manifest")
    # Universal newlines, as load_manifest reads it.
    return path, data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _stored(path: Path, text: str, sdk: str) -> tuple[dict, dict] | None:
    """(the facts, the SDK's recorded facts) when render recorded them for exactly this manifest
    text and the Tiltfile beside it still comes from that render."""
    try:
        facts = json.loads(_read_regular(path.parent / FACTS_FILE))
    except (OSError, ValueError):
        return None
    if not isinstance(facts, dict) or facts.get("devenv") != __version__ or facts.get("manifest") != _text_sha256(text):
        return None
    if not rendered_from(_read_head(path.parent / TILTFILE_NAME), __version__, str(facts.get("document"))):
        return None
    entry = facts["sdks"].get(sdk)
    return (facts, entry) if isinstance(entry, dict) else None


def _trusted(path: Path, text: str, sdk: str) -> tuple[dict, dict] | None:
    """(document, the SDK's entry) when the Tiltfile beside the manifest proves the manifest
    valid, else None. Raises on anything unexpected (the callers fall back)."""
    data = _document(text)
    if not isinstance(data, dict):
        return None
    if not rendered_from(_read_head(path.parent / TILTFILE_NAME), __version__, document_sha256(data)):
        return None
    entry = (data.get("sdks") or {}).get(sdk)
    return (data, entry) if isinstance(entry, dict) else None


def _lookup(explicit: str | os.PathLike | None, sdk: str) -> tuple[Path, tuple | None, tuple | None] | None:
    """(manifest path, (facts, entry) render recorded or None, (document, entry) from the YAML or None):
    what the hot commands may trust, first render's record, then the YAML the Tiltfile vouches for."""
    found = _manifest_text(explicit)
    if found is None:
        return None
    path, text = found
    stored = _stored(path, text, sdk)
    return path, stored, (None if stored is not None else _trusted(path, text, sdk))


def rendered_facts(explicit: str | os.PathLike | None, sdk: str) -> SdkFacts | None:
    """The SDK's facts when the Tiltfile beside the manifest proves the manifest valid, else None."""
    try:
        looked = _lookup(explicit, sdk)
        if looked is None:
            return None
        path, stored, trusted = looked
        if stored is not None:
            return SdkFacts(path.parent.absolute(), stored[0]["proto"], stored[1]["generated"])
        if trusted is None:
            return None
        data, entry = trusted
        proto = data.get("proto")
        if not (proto is None or isinstance(proto, dict)):
            return None
        return SdkFacts(path.parent.absolute(), proto["path"] if proto else None, entry.get("generated"))
    except Exception:  # noqa: BLE001 - any surprise: the full load decides, and reports it properly
        return None


# What `devenv sdk mark` needs: root (Path), path (the SDK's folder or None), package (str),
# version (str or None), steps (the chain's step names, the implicit smoke step included).
ChainFacts = namedtuple("ChainFacts", "root path package version steps")


def _chain_from_yaml(root: Path, entry: dict) -> ChainFacts | None:
    """Values the model would derive or coerce (a Buf SDK's package, a `smoke:` that is not a
    YAML boolean) are left to the full load (None)."""
    source, package = entry.get("source", "registry"), entry.get("package")
    smoke = (entry.get("verify") or {}).get("smoke", True)
    if not isinstance(package, str) and source == "buf" or not isinstance(smoke, bool):
        return None
    steps = list(entry.get("steps") or {})
    published = bool(entry.get("registry")) or source == "buf"
    if smoke_step_added(steps, published=published, version=entry.get("version"), smoke=smoke):
        steps.append(VERIFY_STEP)
    return ChainFacts(root, entry.get("path"), package or "", entry.get("version"), steps)


def rendered_chain(explicit: str | os.PathLike | None, sdk: str) -> ChainFacts | None:
    """The SDK's chain facts when the Tiltfile beside the manifest proves the manifest valid, else None."""
    try:
        looked = _lookup(explicit, sdk)
        if looked is None:
            return None
        path, stored, trusted = looked
        if stored is not None:
            entry = stored[1]
            return ChainFacts(path.parent.absolute(), entry["path"], entry["package"], entry["version"], list(entry["steps"]))
        return None if trusted is None else _chain_from_yaml(path.parent.absolute(), trusted[1])
    except Exception:  # noqa: BLE001 - any surprise: the full load decides, and reports it properly
        return None


def facts_text(loaded) -> str:
    """What render records for the hot commands (``loaded``: a LoadedManifest), from the validated model."""
    from devenv.graph import chain_steps

    manifest = loaded.manifest
    sdks = {
        name: {"generated": sdk.generated, "path": sdk.path, "package": sdk.package or "", "version": sdk.version, "steps": chain_steps(sdk)}
        for name, sdk in manifest.sdks.items()
    }
    facts = {
        "devenv": __version__,
        "manifest": _text_sha256(loaded.text),
        "document": loaded.sha256,
        "proto": manifest.proto.path if manifest.proto else None,
        "sdks": sdks,
    }
    return json.dumps(facts, indent=1, sort_keys=True) + "\n"


def record_facts(loaded, target: Path) -> None:
    """Record :func:`facts_text` beside a Tiltfile just rendered next to the manifest (only
    there: the hot commands read that one). Best effort: without it they read the YAML."""
    if target.absolute() != loaded.root / TILTFILE_NAME:
        return
    from devenv.sdk.chain import write_state

    try:
        write_state(loaded.root, FACTS_FILE, facts_text(loaded))
    except OSError:
        pass
