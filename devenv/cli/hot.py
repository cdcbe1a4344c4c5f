"""The hot commands, parsed without typer: `devenv --version`, `devenv sdk guard SDK [-f M]`,
`devenv sdk stamp SDK [-f M]`, `devenv sdk mark SDK STEP [-f M]`, `devenv lint …`
(:mod:`devenv.cli.hotlint`) and `render`/`graph`/`why` (:mod:`devenv.cli.hotrender`).

Tilt runs guard and stamp around every SDK build step, and mark after every step, so their
start-up is paid many times a day; typer, click, rich and pydantic cost several times Python's
own start-up. Only the plain spellings are handled here. Anything else (--help, a missing or unknown argument, `-fPATH`, an
option twice) returns None and goes to the full parser, which prints its usual help or usage
error. Both paths run the same command functions with the same error handling.
"""

from __future__ import annotations

from collections.abc import Callable  # already loaded by the interpreter, unlike `typing`

from devenv import __version__

_MANIFEST_FLAGS = ("-f", "--manifest")


# The positional arguments of each hot `devenv sdk` command.
_SDK_POSITIONALS = {"guard": 1, "stamp": 1, "mark": 2}


def _sdk_arguments(args: list[str], count: int) -> tuple[list[str], str | None] | None:
    """(positionals, manifest) from ``ARG... [-f M]`` in any order, or None when that is not all there is."""
    names: list[str] = []
    manifest = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in _MANIFEST_FLAGS and rest and manifest is None:
            manifest = rest.pop(0)
        elif arg.startswith("--manifest=") and manifest is None:
            manifest = arg.split("=", 1)[1]
        elif len(names) < count and arg and not arg.startswith("-"):
            names.append(arg)
        else:
            return None
    if len(names) < count or manifest == "":
        return None
    return names, manifest


def run_hot(argv: list[str]) -> int | None:
    """The exit code of a hot command, or None when the full parser must handle ``argv``."""
    if argv == ["--version"]:
        print(f"devenv {__version__}")
        return 0
    args = argv  # --debug, anywhere, was taken out by devenv.cli.main (outcome.take_debug_flag)
    if args and args[0] == "lint":
        from devenv.cli.hotlint import run_lint_hot

        return run_lint_hot(args[1:])
    if args and args[0] in ("render", "graph", "why"):  # devenv.cli.hotrender.COMMANDS, without importing it
        from devenv.cli.hotrender import run_hot_render

        return run_hot_render(args)
    if len(args) < 3 or args[0] != "sdk" or args[1] not in _SDK_POSITIONALS:
        return None
    parsed = _sdk_arguments(args[2:], _SDK_POSITIONALS[args[1]])
    if parsed is None:
        return None
    from devenv.cli.pathcheck import click_refuses

    if click_refuses(parsed[1]):
        return None  # click's "is not readable" usage error
    from pathlib import Path  # here: lint starts git before it imports pathlib

    from devenv.cli.outcome import exit_code
    from devenv.commands.sdk import run_guard, run_mark, run_stamp

    names, manifest = parsed
    commands: dict[str, Callable[..., int]] = {"guard": run_guard, "stamp": run_stamp, "mark": run_mark}
    return exit_code(commands[args[1]], Path(manifest) if manifest is not None else None, *names)
