"""`devenv sdk verify SDK|--all`: the published artifact holds everything the proto workspace says
it should. Registered on the `sdk` sub-app (devenv/commands/sdk.py imports this module).

Exit codes: 0 every SDK complete, 1 a gap (or the artifact could not be fetched), 2 usage or
manifest error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from devenv.cli import ManifestOption, handle_errors
from devenv.commands.sdk import _load, app
from devenv.errors import DevenvError


def run_verify(manifest: Path | None, names: list[str], *, all_sdks: bool = False, source: str | None = None,
               version: str | None = None, as_json: bool = False, verbose: bool = False, stream=None) -> int:
    from devenv.sdk.verify import verify_sdk
    from devenv.sdk.verify.report import render_json, render_text

    if bool(names) == all_sdks:
        raise DevenvError("name the SDKs to verify, or pass --all (not both)", hint="devenv sdk verify ts   or   devenv sdk verify --all")
    loaded = _load(manifest, names[0] if names else None)
    for name in names:
        _load_check(loaded, name)
    chosen = names or [n for n, s in loaded.manifest.sdks.items() if s.registry or source]
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


def _load_check(loaded, name: str) -> None:
    if name not in loaded.manifest.sdks:
        raise DevenvError(f"unknown SDK '{name}'", hint=f"SDKs: {', '.join(loaded.manifest.sdks)}")


@app.command(epilog="""Examples:

  devenv sdk verify ts                   the manifest's version of ts, from its registry

  devenv sdk verify --all --json         every published SDK, as JSON (schema devenv.sdk-verify/v1)

  devenv sdk verify ts --source workspace   the SDK's folder on disk instead (before publishing)

Exit codes: 0 complete, 1 a gap or the artifact could not be fetched, 2 usage or manifest error.""")
@handle_errors
def verify(
    names: Optional[list[str]] = typer.Argument(None, metavar="[SDK]...", help="SDKs to verify."),
    all_sdks: bool = typer.Option(False, "--all", help="Every SDK published to a registry."),
    manifest: Optional[Path] = ManifestOption,
    source: Optional[str] = typer.Option(None, "--source", help="registry (default), workspace or buf."),
    version: Optional[str] = typer.Option(None, "--version", help="Verify this version instead of the manifest's."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also list the integrity checks that held."),
) -> int:
    """Fetch the SDK as a consumer would and check it holds all generated code, raw protos and entry points."""
    return run_verify(manifest, list(names or []), all_sdks=all_sdks, source=source, version=version,
                      as_json=json_output, verbose=verbose)
