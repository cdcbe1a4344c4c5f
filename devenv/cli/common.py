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


def take_debug_flag(argv: list[str]) -> list[str]:
    """``--debug`` is accepted anywhere on the line (``devenv render --debug`` too): take it out
    before the parser sees it. Arguments after ``--`` are left alone."""
    end = argv.index("--") if "--" in argv else len(argv)
    if "--debug" in argv[:end]:
        state["debug"] = True
        return [a for i, a in enumerate(argv) if not (i < end and a == "--debug")]
    return argv


def run_quietly_on_closed_stdout(app: Callable[..., object], argv: list[str]) -> None:
    """Run the parser; a reader that went away (`devenv --help | head`) ends it quietly with 141,
    as SIGPIPE ends shell tools, instead of exit 1 and a BrokenPipeError message."""
    before = _stdout_is_devnull()
    try:
        app(args=argv)
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(141) from None
    except SystemExit as exc:
        # rich (printing help) answers a broken pipe by pointing stdout at /dev/null and exit 1.
        if exc.code == 1 and not before and _stdout_is_devnull():
            raise SystemExit(141) from None
        raise


def _stdout_is_devnull() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull))
    except (OSError, ValueError, AttributeError):
        return False


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
