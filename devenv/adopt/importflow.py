"""`devenv import`: ask Tilt, build the manifest, write it, then prove the round trip."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devenv import __version__
from devenv.adopt.compare import Difference, compare
from devenv.adopt.envargs import env_build_args, read_names
from devenv.adopt.importer import Importer
from devenv.adopt.notes import Notes
from devenv.adopt.secrets import SecretGuard
from devenv.adopt.sources import Sources
from devenv.adopt.tiltresult import Result, run_tilt
from devenv.adopt.yamlout import emit
from devenv.errors import DevenvError, ManifestError, Problem
from devenv.manifest.load import LoadedManifest, parse_manifest

ROUND_TRIP_FILE = ".devenv-import.Tiltfile"


@dataclass
class ImportOutcome:
    manifest: Path
    text: str
    notes: Notes
    differences: list[Difference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the written manifest does not validate
    renames: dict[str, str] = field(default_factory=dict)  # Tilt resource -> its name after render

    @property
    def lost(self) -> list[Difference]:
        return [d for d in self.differences if d.kind == "lost"]

    @property
    def ok(self) -> bool:
        return not self.lost and not self.problems


def refuse_overwrite(output: Path, force: bool, command: str = "import") -> None:
    """Before any work: a target that is no regular file (a FIFO, a device, a folder, a loop) is
    refused even with --force; an existing manifest unless --force."""
    from devenv.util.fsutil import resolve_target

    if resolve_target(output, what="manifest").exists and not force:
        raise DevenvError(f"{output} exists: {command} never overwrites a manifest", hint="pass --force to replace it, or -o PATH")


def write_manifest(output: Path, text: str) -> None:
    """The manifest, through the safe writer; a folder that cannot be written is a usage error."""
    from devenv.util.fsutil import UnsafeTarget, write_atomic

    try:
        write_atomic(output, text, what="manifest")
    except UnsafeTarget:
        raise
    except OSError as exc:
        raise DevenvError(f"cannot write {output}: {exc.strerror or exc}; nothing was written", hint="pass -o a path in a writable folder") from None


def _header(tiltfile: Path, output: Path, notes: Notes) -> list[str]:
    lines = [
        f"Imported by devenv {__version__} from {os.path.relpath(tiltfile, output.parent)} (`devenv import`).",
        "Review every line marked GUESS, then run `devenv render` to replace the hand-written Tiltfile.",
    ]
    if notes.of("lost"):
        lines += ["", "Not expressible in this manifest (kept in the original Tiltfile; see `devenv import` output):"]
        lines += [f"  {n.where}: {n.message}" for n in notes.of("lost")]
    return lines


def build_manifest(tiltfile: Path, output: Path, environ: dict[str, str]) -> tuple[str, Importer, Result]:
    guard = SecretGuard(dict(environ))
    original = run_tilt(tiltfile, guard.env)
    guard.extra = original.secrets
    sources = Sources.read(tiltfile, original.config_files)
    importer = Importer(original, output.parent.resolve(), guard, sources)
    importer.env_args = env_build_args(tiltfile, guard.env, read_names(sources.files))
    data = importer.build()
    text = emit(data, importer.notes.guesses, _header(tiltfile, output, importer.notes))
    leaked = guard.leaks(text)
    if leaked:  # a bug in import, never the user's: refuse to write rather than leak
        raise RuntimeError(f"refusing to write {output}: it would contain the secret {', '.join(leaked)}")
    return text, importer, original


# (manifest, the Tiltfile path it renders for) -> Tiltfile text. The command passes devenv's
# render: adopt and render are side by side in the layers, so neither imports the other.
Renderer = Callable[[LoadedManifest, Path], str]


def round_trip(text: str, output: Path, importer: Importer, original: Result, renderer: Renderer) -> list[Difference]:
    """Render the manifest in memory, load it in Tilt beside the manifest, compare the graphs."""
    from devenv.util.fsutil import write_atomic

    loaded = parse_manifest(text, output, output.name)
    rendered_text = renderer(loaded, output.parent / "Tiltfile")
    scratch = output.parent / ROUND_TRIP_FILE
    write_atomic(scratch, rendered_text)
    try:
        rendered = run_tilt(scratch, importer.guard.env)
    finally:
        scratch.unlink(missing_ok=True)
    return compare(original, rendered, importer.guard.scrub, importer.renames)


def run_import(tiltfile: Path, output: Path, *, force: bool, renderer: Renderer, environ: dict[str, str] | None = None) -> ImportOutcome:
    tiltfile = tiltfile.resolve()
    if not tiltfile.is_file():
        raise DevenvError(f"no Tiltfile at {tiltfile}", hint="name it: devenv import path/to/Tiltfile (or use `devenv init`)")
    output = output.absolute()
    refuse_overwrite(output, force)
    text, importer, original = build_manifest(tiltfile, output, dict(os.environ if environ is None else environ))
    write_manifest(output, text)
    outcome = ImportOutcome(output, text, importer.notes, renames=importer.renames)
    try:
        outcome.differences = round_trip(text, output, importer, original, renderer)
    except ManifestError as exc:
        outcome.problems = exc.problems
    return outcome
