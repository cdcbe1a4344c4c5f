"""`devenv lint` parsed without typer: pre-commit runs it on every commit, and CI on every push.

Only the plain spellings are handled: paths, and each of ``-f/--manifest``, ``--format``,
``-o/--output`` and ``-j/--jobs`` (with its value as the next argument, or ``--name=value``),
``--fix`` and ``--diff``, in any order, each at most once. Anything else (--help, an unknown or
repeated option, a value that looks like an option, ``-fPATH``, ``--``) returns None and goes to
the full parser, which prints its usual help or usage error. Both paths call the same
:func:`devenv.commands.lint.run_lint` with the same error handling.
"""

from __future__ import annotations

_VALUED = {"-f": "manifest", "--manifest": "manifest", "--format": "format", "-o": "output", "--output": "output", "-j": "jobs", "--jobs": "jobs"}
_LONG_VALUED = {name for name in _VALUED if name.startswith("--")}
_FLAGS = {"--fix": "fix", "--diff": "diff"}


def _options(args: list[str]) -> tuple[dict[str, str | bool], list[str]] | None:
    """({option: value}, paths) of a plain `lint` command line, or None."""
    options: dict[str, str | bool] = {}
    paths: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, value = arg, None
        if arg.startswith("--") and "=" in arg and arg.split("=", 1)[0] in _LONG_VALUED:
            name, value = arg.split("=", 1)
        if name in _VALUED:
            if value is None:
                if not rest:
                    return None
                value = rest.pop(0)
            key = _VALUED[name]
            if key in options or not value or value.startswith("-"):
                return None
            options[key] = value
        elif name in _FLAGS and _FLAGS[name] not in options:
            options[_FLAGS[name]] = True
        elif arg and not arg.startswith("-"):
            paths.append(arg)
        else:
            return None
    jobs = options.get("jobs")
    if isinstance(jobs, str) and not (jobs.isascii() and jobs.isdigit()):
        return None  # click's own message for a bad number
    return options, paths


def run_lint_hot(args: list[str]) -> int | None:
    """The exit code of `devenv lint ARGS`, or None when the full parser must handle them."""
    parsed = _options(args)
    if parsed is None:
        return None
    options, paths = parsed
    import gc

    # The process ends when lint does (devenv.cli.main leaves without teardown): no cycle lint
    # makes outlives it. So the collector stays off from here on, through the imports, and is
    # never turned back on (run_lint's pause would: the collection that set off walked every
    # object lint had made, ~7 ms at the end of a 50,000-file lint).
    gc.disable()
    from devenv.cli.pathcheck import click_refuses

    manifest = options.get("manifest")
    if any(click_refuses(p) for p in [*paths, manifest if isinstance(manifest, str) else None]):
        return None  # click's "is not readable" usage error
    started = None
    if not paths:  # git grep first: nothing else is imported yet (devenv.lint.prestart)
        from devenv.lint.prestart import start

        started = start(manifest if isinstance(manifest, str) else None)
    from pathlib import Path

    listing = None
    if not paths:  # git lists the tree while the rest is imported (devenv.lint.early)
        from devenv.lint.early import start_listing

        listing = start_listing(Path(manifest) if isinstance(manifest, str) else None, started)
    from devenv.cli.outcome import exit_code
    from devenv.commands.lint import run_lint

    def path(key: str) -> Path | None:
        value = options.get(key)
        return Path(value) if isinstance(value, str) else None

    jobs = options.get("jobs")
    return exit_code(
        run_lint,
        path("manifest"),
        [Path(p) for p in paths],
        str(options.get("format", "text")),
        output=path("output"),
        jobs=int(jobs) if isinstance(jobs, str) else None,
        fix=bool(options.get("fix")),
        diff=bool(options.get("diff")),
        listing=listing,
    )
