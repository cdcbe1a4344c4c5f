"""`devenv render`: write, check, print or keep rendering the Tiltfile."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.errors import DevenvError, report_problems
from devenv.manifest.load import display_name, find_manifest, load_manifest
from devenv.render import Rendered, render
from devenv.render.output import default_output, inspect, unified_diff, write_rendered
from devenv.sdk.trusted import record_facts
from devenv.util.gcpause import collector_paused


def check_rendered(rendered: Rendered, target: Path) -> int:
    name = display_name(target)
    disk = inspect(target)
    if disk.text == rendered.text:
        print(f"{name} is up to date")
        return 0
    if not disk.exists:
        print(f"{name} does not exist: run `devenv render`", file=sys.stderr)
        return 1
    sys.stdout.write(unified_diff(disk.text, rendered.text, name))
    if not disk.ours:
        print(f"{name} was not written by devenv (no checksum line): `devenv render --force` replaces it", file=sys.stderr)
    elif disk.edited:
        print(
            f"{name} was edited by hand since devenv wrote it: move the change into services.yaml or a template override, then `devenv render --force`",
            file=sys.stderr,
        )
    else:
        print(f"{name} is stale: run `devenv render`", file=sys.stderr)
    return 1


def run_render(manifest: Path | None, output: Path | None, *, check: bool, stdout: bool, force: bool, watch: bool = False) -> int:
    if watch:
        if check or stdout:
            raise DevenvError("--watch writes the Tiltfile: it cannot be combined with --check or --stdout")
        from devenv.manifest.load import reads_stdin
        from devenv.render.watch import watch_and_render

        if reads_stdin(manifest):
            raise DevenvError("--watch needs a manifest file to watch, not stdin")

        return watch_and_render(find_manifest(manifest), output, force=force)
    with collector_paused():
        loaded = load_manifest(manifest)
        target = default_output(loaded, output)
        rendered = render(loaded, target)
    report_problems(rendered.warnings)
    if stdout:
        sys.stdout.write(rendered.text)
        return 0
    if check:
        return check_rendered(rendered, target)
    print(write_rendered(rendered.text, target, force=force, inputs=(loaded.path, *rendered.inputs)))
    record_facts(loaded, target)
    return 0
