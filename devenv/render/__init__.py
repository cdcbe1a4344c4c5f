"""`devenv render`: services.yaml -> Tiltfile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devenv.errors import Problem
from devenv.manifest.load import LoadedManifest
from devenv.render.context import ContextBuilder
from devenv.render.engine import render_template
from devenv.render.output import with_checksum


@dataclass
class Rendered:
    text: str
    warnings: list[Problem]
    input_names: list[str]  # the files and folders the render read besides the manifest

    @property
    def inputs(self) -> list[Path]:
        """:attr:`input_names` as paths, made only when asked: --stdout and --check never do."""
        return [Path(p) for p in self.input_names]


def render(loaded: LoadedManifest, output: Path) -> Rendered:
    """The complete Tiltfile text for ``loaded``, as it must be written to ``output``."""
    context = ContextBuilder(loaded, output.absolute().parent).build()
    body = render_template(loaded.root, context)
    return Rendered(with_checksum(body), context.warnings + loaded.warnings, context.inputs)
