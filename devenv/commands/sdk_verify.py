"""`devenv sdk verify SDK|--all`: the published artifact holds everything the proto workspace says
it should. Parsed in devenv/cli/sdk.py.

Exit codes: 0 every SDK complete, 1 a gap (or the artifact could not be fetched), 2 usage or
manifest error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.commands.sdk import _load
from devenv.errors import DevenvError


def run_verify(
    manifest: Path | None,
    names: list[str],
    *,
    all_sdks: bool = False,
    source: str | None = None,
    version: str | None = None,
    as_json: bool = False,
    verbose: bool = False,
    stream=None,
) -> int:
    from devenv.sdk.verify import verify_sdk
    from devenv.sdk.verify.report import render_json, render_text

    if bool(names) == all_sdks:
        raise DevenvError("name the SDKs to verify, or pass --all (not both)", hint="devenv sdk verify ts   or   devenv sdk verify --all")
    loaded = _load(manifest, names[0] if names else None)
    for name in names:
        _load_check(loaded, name)
    chosen = names or [n for n, s in loaded.manifest.sdks.items() if _fetchable(s, source)]
    if version and len(chosen) != 1:
        raise DevenvError("--version applies to one SDK", hint="devenv sdk verify ts --version 1.4.1")
    verdicts = [verify_sdk(loaded, name, source=source, version=version) for name in chosen]
    stream = stream or sys.stdout
    if as_json:
        render_json(verdicts, stream)
    else:
        render_text(verdicts, stream, verbose=verbose)
        if not verdicts:
            stream.write("no SDK is published to a registry in the manifest: nothing to verify\n")
    return 0 if all(v.ok for v in verdicts) else 1


def _fetchable(sdk, source: str | None) -> bool:
    """--all: an SDK there is something to fetch for: a published version, or another source
    (--source, or the SDK's own `source:` from issue 14)."""
    from devenv.sdk.verify import source_of

    chosen = source_of(sdk, source)
    if chosen == "buf":  # its BSR endpoint is derived; the version says what to fetch
        return bool(sdk.buf and sdk.version)
    if chosen != "registry":
        return True
    return bool(sdk.registry and sdk.version)


def _load_check(loaded, name: str) -> None:
    if name not in loaded.manifest.sdks:
        raise DevenvError(f"unknown SDK '{name}'", hint=f"SDKs: {', '.join(loaded.manifest.sdks)}")
