"""`devenv render`, `devenv graph` and `devenv why SERVICE --no-doctor`, parsed without typer.

These read a whole manifest and are run on every save (`render --watch` aside), in CI
(`render --check`) and by editors; typer, click and rich, and typer building a pydantic adapter
for every option, cost a quarter of a 1,000-service render. Only the plain spellings are handled
here: the options below, each at most once, values as the next argument (``-f M``,
``--manifest M``, ``--manifest=M``). Anything else (--help, an unknown or repeated option,
``-fPATH``, ``--``, an empty value, ``why`` without ``--no-doctor``) returns None and goes to the
full parser, which prints its usual help or usage error. Both paths run the same command
functions with the same error handling (:func:`devenv.cli.outcome.exit_code`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

# Per command: flags (option -> keyword), options taking a value (spelling -> keyword), positionals.
_FLAGS = {"render": {"--check": "check", "--stdout": "stdout", "--force": "force", "--watch": "watch"}, "graph": {}, "why": {"--no-doctor": "no_doctor"}}
_MANIFEST = {"-f": "manifest", "--manifest": "manifest"}
_VALUES = {"render": {**_MANIFEST, "-o": "output", "--output": "output"}, "graph": {**_MANIFEST, "--format": "format"}, "why": dict(_MANIFEST)}
_POSITIONALS = {"render": 0, "graph": 0, "why": 1}
COMMANDS = tuple(_FLAGS)


def _option(arg: str, rest: list[str], values: dict[str, str]) -> tuple[str, str] | None:
    """(keyword, value) of ``--opt VALUE`` / ``--opt=VALUE``, taking VALUE off ``rest``."""
    if arg in values and rest:
        return values[arg], rest.pop(0)
    name, equals, value = arg.partition("=")
    if equals and name.startswith("--") and name in values:
        return values[name], value
    return None


def parse(command: str, args: list[str]) -> tuple[dict[str, object], list[str]] | None:
    """(keywords given, positionals) of a plain spelling, or None when the full parser must decide."""
    given: dict[str, object] = {}
    positionals: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        option = _option(arg, rest, _VALUES[command])
        if option is not None:
            keyword, value = option
            if keyword in given or value == "":
                return None
            given[keyword] = value
        elif arg in _FLAGS[command] and _FLAGS[command][arg] not in given:
            given[_FLAGS[command][arg]] = True
        elif arg and not arg.startswith("-") and len(positionals) < _POSITIONALS[command]:
            positionals.append(arg)
        else:
            return None
    if len(positionals) != _POSITIONALS[command]:
        return None
    return given, positionals


def _path(value: object) -> Path | None:
    return Path(str(value)) if value is not None else None


def run_hot_render(argv: list[str]) -> int | None:
    """The exit code of ``argv`` (``render|graph|why …``), or None when the full parser must handle it."""
    parsed = parse(argv[0], argv[1:])
    if parsed is None or argv[0] == "why" and not parsed[0].get("no_doctor"):
        return None  # why with doctor: the full parser (doctor's options and output)
    from devenv.cli.pathcheck import click_refuses

    manifest = parsed[0].get("manifest")
    if click_refuses(manifest if isinstance(manifest, str) else None):
        return None  # click's "is not readable" usage error
    from devenv.cli.outcome import exit_code

    # The imports run inside exit_code too: a Ctrl-C while they load is an interruption (130), not a traceback.
    return exit_code(_run, argv[0], *parsed)


def _run(command: str, given: dict[str, object], positionals: list[str]) -> int | None:
    from devenv.util.gcpause import collector_paused

    with collector_paused():  # importing pydantic, jinja2, the models: many long-lived objects, no garbage
        fn, args, kwargs = _call(command, given, positionals)
        if not kwargs.get("watch"):  # one render, graph or why, and the process ends (devenv.cli.main)
            try:
                return fn(*args, **kwargs)
            finally:
                # Frozen, the objects made so far are left out of every later collection: the one that
                # re-enabling the collector sets off and those at exit would otherwise walk all of them
                # again for no garbage (about a tenth of a 1,000-service render).
                gc.freeze()
    return fn(*args, **kwargs)  # --watch: runs until stopped, with the collector on


def _call(command: str, given: dict[str, object], positionals: list[str]) -> tuple[Callable[..., int], tuple, dict]:
    """The command function and its arguments, as the full parser calls it."""
    manifest = _path(given.get("manifest"))
    if command == "render":
        from devenv.commands.render import run_render

        flags = {k: k in given for k in ("check", "stdout", "force", "watch")}
        return run_render, (manifest, _path(given.get("output"))), flags
    if command == "graph":
        from devenv.commands.graph import run_graph

        return run_graph, (manifest, str(given.get("format", "text")), None), {}
    import devenv
    from devenv.commands.why import run_why

    kwargs = {"doctor": False, "only": None, "skip": None, "timeout": 30.0, "since": devenv.STARTED}
    return run_why, (manifest, positionals[0]), kwargs
