"""The `devenv` command line: parse arguments, call the capability, map errors to exit codes.

Exit codes: 0 success, 1 the check failed (stale Tiltfile, lint findings, doctor failures),
2 usage or manifest error, 3 internal error (a bug: rerun with --debug), 130 interrupted,
141 stdout was closed by its reader (`devenv graph | head`), ended quietly.

Start-up is paid on every run, and Tilt runs `devenv sdk guard/stamp` in every SDK build step:
the hot commands (:mod:`devenv.cli.hot`) answer without importing typer, rich or pydantic.
Everything else, including every --help and usage error, goes through the typer app in
:mod:`devenv.cli.parser`.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        _main(sys.argv[1:])
    except KeyboardInterrupt:  # before or between commands (imports, parsing): never a traceback
        sys.stderr.write("devenv: interrupted\n")  # as devenv.cli.outcome.interrupted, which may not be imported yet
        sys.exit(130)
    except SystemExit:
        _flush_stdout()  # here, not in the interpreter's exit: a failure there is lost (`sdk status > /dev/full`)
        raise
    except OSError as exc:  # written outside any command: --version, --help
        _output_failed(exc)
        raise


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as exc:
        _output_failed(exc)
        raise


def _output_failed(exc: OSError) -> None:
    """Exit with one message when ``exc`` is where stdout goes failing (full, broken)."""
    from devenv.cli.outcome import is_output_error, stdout_failed

    if is_output_error(exc) or isinstance(exc, BrokenPipeError):
        sys.exit(stdout_failed(exc))


def _main(argv: list[str]) -> None:
    if "--debug" in argv:  # accepted anywhere on the line; the common case imports nothing for it
        from devenv.cli.outcome import take_debug_flag

        argv = take_debug_flag(argv)
    from devenv.cli.hot import run_hot
    from devenv.cli.outcome import leave

    try:
        code = run_hot(argv)
    except BrokenPipeError:  # `devenv --version` into a closed pipe; the commands catch their own
        leave(141)
    if code is not None:
        # Done: every file is written and closed, every child reaped. Skip the interpreter's
        # shutdown (freeing every module and object one by one: ~30 ms of CPU after a lint of
        # a large tree, paid on every commit by pre-commit).
        leave(code)
    from devenv.cli.parser import main as full_main

    full_main(argv)


def __getattr__(name: str):
    """``from devenv.cli import app`` still finds the typer app, imported only when asked for."""
    if name == "app":
        from devenv.cli.parser import app

        return app
    raise AttributeError(f"module 'devenv.cli' has no attribute {name!r}")
