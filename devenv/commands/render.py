"""`devenv render`: write, check, print or keep rendering the Tiltfile."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.cli import report_problems
from devenv.errors import DevenvError
from devenv.manifest.load import LoadedManifest, display_name, find_manifest, load_manifest
from devenv.render import Rendered, render
from devenv.render.output import inspect, refuse_overwrite_reason, unified_diff
from devenv.util.fsutil import write_atomic


def default_output(loaded: LoadedManifest, output: Path | None) -> Path:
    """``-o`` as given (a folder means its Tiltfile), else the Tiltfile next to the manifest."""
    if output is not None and output.is_dir():
        output = output / "Tiltfile"
    return (output or loaded.root / "Tiltfile").absolute()


def write_rendered(rendered: Rendered, target: Path, *, force: bool) -> str:
    """Write ``rendered`` unless that would lose a hand edit; returns what happened."""
    name = display_name(target)
    disk = inspect(target)
    reason = refuse_overwrite_reason(disk)
    if reason and not force:
        raise DevenvError(
            f"{name} {reason}; refusing to overwrite it",
            hint="move your changes into services.yaml or a template override, then rerun with --force",
            exit_code=1,
        )
    if disk.text == rendered.text:
        return f"{name} is up to date"
    try:
        write_atomic(target, rendered.text)
    except OSError as exc:
        raise DevenvError(f"cannot write {name}: {exc.strerror or exc}", hint="check that its folder exists and is writable, or pass -o elsewhere")
    return f"wrote {name}"


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
    print(f"{name} is stale: run `devenv render`", file=sys.stderr)
    return 1


def run_render(manifest: Path | None, output: Path | None, *, check: bool, stdout: bool, force: bool, watch: bool = False) -> int:
    if watch:
        if check or stdout:
            raise DevenvError("--watch writes the Tiltfile: it cannot be combined with --check or --stdout")
        from devenv.render.watch import watch_and_render

        return watch_and_render(find_manifest(manifest), output, force=force)
    loaded = load_manifest(manifest)
    target = default_output(loaded, output)
    rendered = render(loaded, target)
    report_problems(rendered.warnings)
    if stdout:
        sys.stdout.write(rendered.text)
        return 0
    if check:
        return check_rendered(rendered, target)
    print(write_rendered(rendered, target, force=force))
    return 0
