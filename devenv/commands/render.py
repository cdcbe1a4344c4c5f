"""`devenv render`: write, check or print the Tiltfile."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.cli import report_problems
from devenv.errors import DevenvError
from devenv.manifest.load import display_name, load_manifest
from devenv.render import render
from devenv.render.output import inspect, refuse_overwrite_reason, unified_diff, write_atomic


def run_render(manifest: Path | None, output: Path | None, *, check: bool, stdout: bool, force: bool) -> int:
    loaded = load_manifest(manifest)
    target = (output or loaded.root / "Tiltfile").absolute()
    rendered = render(loaded, target)
    report_problems(rendered.warnings)
    name = display_name(target)
    if stdout:
        sys.stdout.write(rendered.text)
        return 0
    disk = inspect(target)
    if check:
        if disk.text == rendered.text:
            print(f"{name} is up to date")
            return 0
        if not disk.exists:
            print(f"{name} does not exist: run `devenv render`", file=sys.stderr)
            return 1
        sys.stdout.write(unified_diff(disk.text, rendered.text, name))
        print(f"{name} is stale: run `devenv render`", file=sys.stderr)
        return 1
    reason = refuse_overwrite_reason(disk)
    if reason and not force:
        raise DevenvError(
            f"{name} {reason}; refusing to overwrite it",
            hint="move your changes into services.yaml or a template override, then rerun with --force",
            exit_code=1,
        )
    if disk.text == rendered.text:
        print(f"{name} is up to date")
        return 0
    write_atomic(target, rendered.text)
    print(f"wrote {name}")
    return 0
