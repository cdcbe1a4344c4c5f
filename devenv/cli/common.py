"""What every command's parser shares: the manifest option and the error-to-exit-code wrapper."""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable

import typer

from devenv.errors import DevenvError, ManifestError, report_problems
from devenv.util.fsutil import UnsafeTarget

state = {"debug": False}  # set by the top-level --debug

ManifestOption = typer.Option(
    None, "-f", "--manifest", help="Manifest to use (default: ./services.yaml, else the nearest in a parent folder).",
    show_default=False,
)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def handle_errors(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command; user mistakes become one message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            code = fn(*args, **kwargs) or 0
        except ManifestError as exc:
            report_problems(exc.problems)
            _err(f"devenv: {exc.message}; nothing was written")
            code = exc.exit_code
        except (DevenvError, UnsafeTarget) as exc:
            _err(f"devenv: error: {exc.message}")
            if exc.hint:
                _err(f"    hint: {exc.hint}")
            code = exc.exit_code
        except KeyboardInterrupt:
            _err("devenv: interrupted")
            code = 130
        except BrokenPipeError:
            # The reader went away (`devenv graph | head`): stop quietly, as shell tools do.
            _silence_stdout()
            code = 141
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug, not a user mistake
            if state["debug"]:
                raise
            _err(f"devenv: internal error: {type(exc).__name__}: {exc}")
            _err("    hint: rerun with --debug for the traceback, and report it")
            code = 3
        raise typer.Exit(code)

    return wrapper


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
