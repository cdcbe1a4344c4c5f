"""From a command's result or exception to its exit code, without typer (the hot commands use it
directly; :func:`devenv.cli.common.handle_errors` wraps it for the typer commands)."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable  # already loaded by the interpreter; `typing` is not (the hot path)

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import NoReturn

state = {"debug": False}  # set by the top-level --debug


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def exit_code(fn: Callable[..., int | None], *args, passthrough: tuple[type[BaseException], ...] = (), **kwargs) -> int:
    """Run a command; user mistakes become one message and an exit code, never a traceback."""
    try:
        return fn(*args, **kwargs) or 0
    except KeyboardInterrupt:
        return interrupted()
    except passthrough:
        raise
    except Exception as exc:
        if _by_interrupt(exc):  # Python 3.11 wraps a Ctrl-C in a class body's __set_name__ in a RuntimeError
            return interrupted()
        return _failed(exc)


def interrupted() -> int:
    """Ctrl-C: one line, and the shell's code for SIGINT."""
    _err("devenv: interrupted")
    return 130


def _failed(exc: Exception) -> int:
    # devenv.errors (and its dataclasses) only once something went wrong: not on the hot path.
    from devenv.errors import DevenvError, ManifestError, report_problems
    from devenv.util.fsutil import UnsafeTarget

    if isinstance(exc, ManifestError):
        report_problems(exc.problems)
        _err(f"devenv: {exc.message}; nothing was written")
        return exc.exit_code
    if isinstance(exc, (DevenvError, UnsafeTarget)):
        from devenv.errors import escape  # one message, one line: a path cannot forge more

        _err(f"devenv: error: {escape(exc.message)}")
        if exc.hint:
            _err(f"    hint: {escape(exc.hint)}")
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`devenv graph | head`): stop quietly, as shell tools do.
        _silence_stdout()
        return 141
    if isinstance(exc, OSError) and is_output_error(exc):
        return stdout_failed(exc)
    if state["debug"]:  # a bug, not a user mistake
        raise exc
    _err(f"devenv: internal error: {type(exc).__name__}: {exc}")
    _err("    hint: rerun with --debug for the traceback, and report it")
    return 3


# What a write to a file descriptor raises when where it goes is full or broken. Every file devenv
# writes by name goes through a writer that reports it (the error names the file); one without a
# file name is a write to stdout or stderr (`devenv graph > /dev/full`, a full disk).
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def is_output_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS and exc.filename is None


def stdout_failed(exc: OSError) -> int:
    """Where stdout goes cannot take the output (`> /dev/full`, a full disk, EIO): one message,
    exit 2, as for an -o target that cannot be written; a reader that went away ends quietly."""
    _silence_stdout()
    if isinstance(exc, BrokenPipeError):
        return 141
    _err(f"devenv: error: cannot write the output: {exc.strerror or exc}")
    _err("    hint: free space where stdout goes, or redirect it to another file")
    return 2


def leave(code: int) -> NoReturn:
    """End the process now with ``code``, once stdout and stderr are flushed: no atexit
    handlers, no teardown. Only for a command that has finished all its work. A reader that
    went away before the last flush ends it with 141, as for the rest of the output; stdout
    that cannot take it, with :func:`stdout_failed`."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or is_output_error(exc):
            code = stdout_failed(exc)  # 141 quietly, or one message and 2 (`> /dev/full`)
    except ValueError:
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


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
        if exc.code == 130 and _by_interrupt(exc):
            raise SystemExit(interrupted()) from None
        raise


def _by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` stands for a Ctrl-C: a KeyboardInterrupt among its causes. typer ends with
    SystemExit(130) from its Exit(130) from the KeyboardInterrupt it caught while parsing or
    printing help (silently); a command's own 130 went through :func:`exit_code`, which said so."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _stdout_is_devnull() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull))
    except (OSError, ValueError, AttributeError):
        return False
