"""`devenv onboard`: a new clone's first hour in one command.

Prerequisites (doctor's host group), render the Tiltfile, the rest of doctor, then the one
next command. It always renders when the manifest is valid, names every missing piece with
its install hint, and exits 1 while anything is missing; running it again is safe.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from devenv.commands.doctor import check_timeout, diagnose, print_report
from devenv.doctor.groups import GROUPS
from devenv.errors import DevenvError
from devenv.manifest.load import display_name, load_manifest
from devenv.render import render
from devenv.render.output import default_output, inspect, write_rendered
from devenv.sdk.trusted import record_facts
from devenv.util.fsutil import backup, next_backup


@contextmanager
def _progress(text: str):
    """A spinner on a terminal; a plain line elsewhere (CI logs, scripts)."""
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console

        with Console(stderr=True).status(text):
            yield
    else:
        print(f"… {text}", file=sys.stderr, flush=True)
        yield


def _confirm(question: str, *, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in {"y", "yes"}


def _render_step(loaded, output: Path | None, *, yes: bool) -> tuple[bool, str]:
    target = default_output(loaded, output)
    rendered = render(loaded, target)
    disk = inspect(target)
    if disk.exists and (not disk.ours or disk.edited):
        name = display_name(target)
        if not _confirm(f"{name} was changed by hand; replace it (your version is kept as {display_name(next_backup(target))})?", yes=yes):
            return False, f"{name} was changed by hand and was left as it is: run `devenv render --force` to replace it"
        try:
            kept = backup(target)
        except OSError as exc:
            raise DevenvError(f"cannot back up {name}: {exc.strerror or exc}; nothing was written") from None
        return True, write_rendered(rendered.text, target, force=True, inputs=(loaded.path, *rendered.inputs)) + f" (your version: {display_name(kept)})"
    return True, write_rendered(rendered.text, target, force=False, inputs=(loaded.path, *rendered.inputs))


def run_onboard(manifest: Path | None, output: Path | None, *, yes: bool, timeout: float, verbose: bool, since: float | None = None) -> int:
    """``since``: when the run began (the CLI's process start), so each summary's time is the run's so far."""
    check_timeout(timeout)
    loaded = load_manifest(manifest)
    print(f"devenv onboard: {loaded.manifest.project} ({loaded.display})")

    with _progress("checking prerequisites (docker, kubectl, tilt, k3d, helm)"):
        host = diagnose(loaded, ["host"], timeout=timeout, verbose=verbose, since=since)
    print("\n1. Prerequisites")
    print_report(host, verbose=verbose)

    print("\n2. Tiltfile")
    with _progress("rendering the Tiltfile"):
        rendered_ok, message = _render_step(loaded, output, yes=yes)
        if rendered_ok:
            record_facts(loaded, default_output(loaded, output))
    print(("   " if rendered_ok else "   ! ") + message)

    rest = [g for g in GROUPS if g != "host"]
    with _progress(f"checking {', '.join(rest)}"):
        others = diagnose(loaded, rest, timeout=timeout, verbose=verbose, since=since)
    print("\n3. Docker, registries, cluster")
    print_report(others, verbose=verbose)

    problems = host.problems + others.problems
    print()
    if not problems and rendered_ok:
        print("Ready. Next: tilt up")
        return 0
    missing = [r for r in host.problems]
    if missing:
        print("Install first: " + ", ".join(r.title for r in missing) + " (hints above), then rerun `devenv onboard`.")
    elif problems:
        first = problems[0]
        print(f"Fix first: {first.title}: {first.message}" + (f"\n   -> {first.hint}" if first.hint else ""))
        print("Then rerun `devenv onboard`; once it passes: tilt up")
    else:
        print("Next: replace the hand-edited Tiltfile (`devenv render --force`), then: tilt up")
    return 1
