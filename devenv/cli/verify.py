"""`devenv verify images`: the parser (devenv.commands.verify runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devenv.cli.common import ManifestOption, handle_errors

app = typer.Typer(
    name="verify",
    help="Verify what was shipped: `verify images` (SDKs inside service images); SDK artifacts: `devenv sdk verify`.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(
    epilog="""Examples:

  devenv verify images                       the newest local build of every service image

  devenv verify images platform=ameide/platform:tilt-1a2b --json

Exit codes: 0 every image holds the expected SDKs, 1 one does not, 2 usage or manifest error."""
)
@handle_errors
def images(
    specs: Optional[list[str]] = typer.Argument(None, metavar="[SERVICE[=IMAGE]]...", help="Services (and images) to read."),
    manifest: Optional[Path] = ManifestOption,
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> int:
    """Read each service image's SDK versions (node_modules, dist-info, Go build info) without running it."""
    from devenv.commands.verify import run_verify_images

    return run_verify_images(manifest, list(specs or []), as_json=json_output)
