"""The hot commands, parsed without typer: `devenv --version`, `devenv sdk guard SDK [-f M]`,
`devenv sdk stamp SDK [-f M]` and `devenv lint …` (:mod:`devenv.cli.hotlint`).

Tilt runs guard and stamp around every SDK build step, so their start-up is paid many times a
day; typer, click, rich and pydantic cost several times Python's own start-up. Only the plain
spellings are handled here. Anything else (--help, a missing or unknown argument, `-fPATH`, an
option twice) returns None and goes to the full parser, which prints its usual help or usage
error. Both paths run the same command functions with the same error handling.
"""

from __future__ import annotations

from pathlib import Path

from devenv import __version__

_MANIFEST_FLAGS = ("-f", "--manifest")


def _sdk_arguments(args: list[str]) -> tuple[str, str | None] | None:
    """(SDK, manifest) from ``SDK [-f M]`` in any order, or None when that is not all there is."""
    name = manifest = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in _MANIFEST_FLAGS and rest and manifest is None:
            manifest = rest.pop(0)
        elif arg.startswith("--manifest=") and manifest is None:
            manifest = arg.split("=", 1)[1]
        elif name is None and arg and not arg.startswith("-"):
            name = arg
        else:
            return None
    if name is None or manifest == "":
        return None
    return name, manifest


def run_hot(argv: list[str]) -> int | None:
    """The exit code of a hot command, or None when the full parser must handle ``argv``."""
    if argv == ["--version"]:
        print(f"devenv {__version__}")
        return 0
    args = argv  # --debug, anywhere, was taken out by devenv.cli.main (outcome.take_debug_flag)
    if args and args[0] == "lint":
        from devenv.cli.hotlint import run_lint_hot

        return run_lint_hot(args[1:])
    if len(args) < 3 or args[0] != "sdk" or args[1] not in ("guard", "stamp"):
        return None
    parsed = _sdk_arguments(args[2:])
    if parsed is None:
        return None
    from devenv.cli.outcome import exit_code
    from devenv.commands.sdk import run_guard, run_stamp

    name, manifest = parsed
    command = run_guard if args[1] == "guard" else run_stamp
    return exit_code(command, Path(manifest) if manifest is not None else None, name)
