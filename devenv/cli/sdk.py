"""`devenv sdk guard|stamp|mark|status`: the parser of the SDK build helpers (devenv.commands.sdk runs them)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devenv.cli.common import ManifestOption, handle_errors
from devenv.commands.sdk import run_guard, run_mark, run_stamp, run_status

app = typer.Typer(
    name="sdk",
    help="SDK build helpers: fail fast without the proto workspace, record and check generated code's freshness.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(epilog="Example (what the rendered first SDK step runs):\n\n  devenv sdk guard ts -f services.yaml && release/build-ts.sh")
@handle_errors
def guard(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Fail fast (exit 1, one line naming the path) when the proto workspace is missing."""
    return run_guard(manifest, name)


@app.command(epilog="Example:\n\n  devenv sdk guard ts && release/build-ts.sh && devenv sdk stamp ts")
@handle_errors
def stamp(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK whose generated: folder to stamp."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Record the proto sources' content hash in the SDK's generated: folder (after its step succeeded)."""
    return run_stamp(manifest, name)


@app.command(epilog="Example (what every rendered SDK step runs after its command):\n\n  release/publish.sh ts && devenv sdk mark ts publish")
@handle_errors
def mark(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."),
    step: str = typer.Argument(..., metavar="STEP", help="The step that just succeeded."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Record the SDK's result digest after a step succeeded; Tilt re-runs what reads it (see docs/tiltfile-sdk-rebuilds.md)."""
    return run_mark(manifest, name, step)


@app.command(epilog="Exit codes: 0 nothing stale, 1 an SDK is stale or its proto workspace is missing, 2 usage or manifest error.")
@handle_errors
def status(
    names: Optional[list[str]] = typer.Argument(None, metavar="[SDK]...", help="SDKs to report (default: all)."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Is each SDK's generated code current with the proto sources (content hashes)?"""
    return run_status(manifest, list(names or []))
