"""What every command's parser shares: the manifest option and the error-to-exit-code wrapper."""

from __future__ import annotations

import functools
from typing import Callable

import typer

from devenv.cli.outcome import exit_code, state

__all__ = ["ManifestOption", "handle_errors", "state"]

ManifestOption = typer.Option(
    None, "-f", "--manifest", help="Manifest to use (default: ./services.yaml, else the nearest in a parent folder).", show_default=False
)


def handle_errors(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command; user mistakes become one message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        raise typer.Exit(exit_code(fn, *args, passthrough=(typer.Exit, typer.Abort, SystemExit), **kwargs))

    return wrapper
