"""`devenv sdk guard|stamp|mark|status|verify|assert`: the parser of the SDK helpers (devenv.commands.sdk,
sdk_verify and sdk_assert run them)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devenv.cli.common import ManifestOption, handle_errors
from devenv.commands.sdk import run_guard, run_mark, run_stamp, run_status

app = typer.Typer(
    name="sdk",
    help="SDK helpers: fail fast without the proto workspace, record and check generated code's freshness, "
    "verify published SDKs (verify) and installed ones (assert).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(epilog="Example (what the rendered first SDK step runs):\n\n  devenv sdk guard ts -f services.yaml && release/build-ts.sh")
@handle_errors
def guard(name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."), manifest: Optional[Path] = ManifestOption) -> int:
    """Fail fast (exit 1, one line naming the path) when the proto workspace is missing."""
    return run_guard(manifest, name)


@app.command(epilog="Example:\n\n  devenv sdk guard ts && release/build-ts.sh && devenv sdk stamp ts")
@handle_errors
def stamp(name: str = typer.Argument(..., metavar="SDK", help="The SDK whose generated: folder to stamp."), manifest: Optional[Path] = ManifestOption) -> int:
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
    names: Optional[list[str]] = typer.Argument(None, metavar="[SDK]...", help="SDKs to report (default: all)."), manifest: Optional[Path] = ManifestOption
) -> int:
    """Is each SDK's generated code current with the proto sources (content hashes)?"""
    return run_status(manifest, list(names or []))


@app.command(
    epilog="""Examples:

  devenv sdk verify ts                   the manifest's version of ts, from its registry

  devenv sdk verify --all --json         every published SDK, as JSON (schema devenv.sdk-verify/v1)

  devenv sdk verify ts --source workspace   the SDK's folder on disk instead (before publishing)

Exit codes: 0 complete, 1 a gap or the artifact could not be fetched, 2 usage or manifest error."""
)
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
    from devenv.commands.sdk_verify import run_verify

    return run_verify(manifest, list(names or []), all_sdks=all_sdks, source=source, version=version, as_json=json_output, verbose=verbose)


@app.command(
    "assert",
    epilog="""Examples:

  devenv sdk assert ts --dockerfile      print the ARG and RUN lines to paste after the install step

  devenv sdk assert ts --root /          inside an image that has devenv

Exit codes: 0 the installed SDK is the expected version, 1 it is not (or absent), 2 usage error.""",
)
@handle_errors
def assert_(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."),
    manifest: Optional[Path] = ManifestOption,
    root: Path = typer.Option(Path("/"), "--root", help="File system to read (default: /)."),
    version: Optional[str] = typer.Option(None, "--version", help="Expect this version instead of the manifest's."),
    dockerfile: bool = typer.Option(False, "--dockerfile", help="Print the Dockerfile lines that check the same, needing no devenv."),
) -> int:
    """Fail (exit 1) unless the installed SDK is the expected version: for Dockerfiles, before later layers are cached."""
    from devenv.commands.sdk_assert import run_assert

    return run_assert(manifest, name, root=root, version=version, dockerfile=dockerfile)
