"""`devenv sdk assert SDK`: the installed SDK is the manifest's version (exit 1 otherwise).

Inside an image that has devenv, or on an unpacked file system (``--root``); with
``--dockerfile`` it prints the equivalent one-line ``RUN`` check for a Dockerfile instead, which
needs no devenv in the image. Registered on the `sdk` sub-app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from devenv.cli import ManifestOption, handle_errors
from devenv.commands.sdk import _load, app
from devenv.errors import DevenvError


def run_assert(manifest: Path | None, name: str, *, root: Path = Path("/"), version: str | None = None,
               dockerfile: bool = False) -> int:
    from devenv.manifest.model import sdk_build_arg

    loaded = _load(manifest, name)
    sdk = loaded.manifest.sdks[name]
    arg = sdk_build_arg(name, sdk)
    if dockerfile:
        from devenv.images.snippet import run_line

        print(f"ARG {arg}")
        print(run_line(name, sdk, arg))
        return 0
    from devenv.images.check import judge
    from devenv.images.installed import Probe, scan_tree

    if version:
        sdk = sdk.model_copy(update={"version": version})
    if not sdk.version:
        raise DevenvError(f"SDK '{name}' has no version to assert", hint=f"set sdks.{name}.version, or pass --version")
    if not root.is_dir():
        raise DevenvError(f"--root {root} is not a folder")
    copies = scan_tree(root, Probe({name: sdk}))[name]
    verdict = judge(name, sdk, copies, arg)
    if verdict.status in ("ok", "extra-copies"):
        print(f"devenv sdk assert: {name}: {verdict.message}", file=sys.stderr)
        return 0
    print(f"devenv sdk assert: {name}: {verdict.message}", file=sys.stderr)
    if verdict.hint:
        print(f"    hint: {verdict.hint}", file=sys.stderr)
    return 1


@app.command("assert", epilog="""Examples:

  devenv sdk assert ts --dockerfile      print the ARG and RUN lines to paste after the install step

  devenv sdk assert ts --root /          inside an image that has devenv

Exit codes: 0 the installed SDK is the expected version, 1 it is not (or absent), 2 usage error.""")
@handle_errors
def assert_(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."),
    manifest: Optional[Path] = ManifestOption,
    root: Path = typer.Option(Path("/"), "--root", help="File system to read (default: /)."),
    version: Optional[str] = typer.Option(None, "--version", help="Expect this version instead of the manifest's."),
    dockerfile: bool = typer.Option(False, "--dockerfile", help="Print the Dockerfile lines that check the same, needing no devenv."),
) -> int:
    """Fail (exit 1) unless the installed SDK is the expected version: for Dockerfiles, before later layers are cached."""
    return run_assert(manifest, name, root=root, version=version, dockerfile=dockerfile)
