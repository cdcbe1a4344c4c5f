"""`devenv import` and `devenv init`: parsed arguments in, a report and an exit code out."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.errors import report_problems

_TITLES = {
    "secret": "secrets (never written; the manifest refers to the variable)",
    "lost": "not expressible in the manifest (kept out; the round trip shows each as lost)",
    "changed": "done devenv's way",
    "guess": "guesses (marked GUESS in the manifest: review them)",
}


def render_text(loaded, target: Path) -> str:
    """devenv's render, handed to import's round trip."""
    from devenv.render import render

    return render(loaded, target).text


def run_import(tiltfile: Path | None, output: Path | None, *, force: bool) -> int:
    from devenv.adopt.importflow import run_import as do_import

    tiltfile = tiltfile or Path("Tiltfile")
    if tiltfile.is_dir():
        tiltfile = tiltfile / "Tiltfile"
    output = output or tiltfile.parent / "services.yaml"
    outcome = do_import(tiltfile, output, force=force, renderer=render_text)
    out = sys.stdout
    out.write(f"wrote {output}\n")
    for kind, title in _TITLES.items():
        notes = outcome.notes.of(kind)
        if notes:
            out.write(f"\n{title}:\n")
            out.writelines(f"  {n.where}: {n.message}\n" for n in notes)
    if outcome.problems:
        out.write("\nthe manifest does not validate yet:\n")
        report_problems(outcome.problems, out)
        return 1
    out.write("\nround trip (Tilt's graph for the original vs for the Tiltfile devenv renders):\n")
    for kind, title in (("lost", "LOST"), ("changed", "changed"), ("added", "added by devenv")):
        for difference in (d for d in outcome.differences if d.kind == kind):
            out.write(f"  {title}: {difference}\n")
    if outcome.lost:
        out.write(f"\n{len(outcome.lost)} thing(s) the original Tiltfile did are lost: keep the original, or change the manifest\n")
        return 1
    out.write("  nothing the original did is lost\n\nnext: review the manifest, then `devenv render --force` replaces the Tiltfile\n")
    return 0


def run_init(root: Path | None, output: Path | None, *, force: bool) -> int:
    from devenv.adopt.importflow import refuse_overwrite, write_manifest
    from devenv.adopt.init import discover
    from devenv.adopt.yamlout import emit
    from devenv.errors import DevenvError
    from devenv.manifest.load import parse_manifest

    root = root or Path(".")
    if not root.is_dir():
        raise DevenvError(f"{root} is not a folder", hint="devenv init [REPOSITORY]")
    output = (output or root / "services.yaml").absolute()
    refuse_overwrite(output, force, "init")
    if (root / "Tiltfile").is_file():
        sys.stderr.write(f"devenv: {root / 'Tiltfile'} exists: `devenv import` reads what it does; init only looks at the files\n")
    data, notes = discover(root)
    header = [
        "Written by `devenv init` from the repository's files. Every value marked GUESS was inferred:",
        "review it, then run `devenv render` and `devenv doctor`.",
    ]
    text = emit(data, notes.guesses, header)
    parse_manifest(text, output, output.name)  # it validates, or nothing is written
    write_manifest(output, text)
    out = sys.stdout
    out.write(
        f"wrote {output}: {len(data.get('services', {}))} services, {len(data.get('sdks', {}))} SDKs"
        f"{', proto workspace ' + data['proto']['path'] if 'proto' in data else ''}\n"
    )
    out.write(f"{len(notes.guesses)} guesses are marked GUESS: review them\n")
    return 0
