"""`devenv graph`: the resource graph as text, Mermaid or DOT."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.errors import DevenvError
from devenv.graph import FORMATS, build_graph
from devenv.manifest.load import load_manifest


def run_graph(manifest: Path | None, format: str) -> int:
    if format not in FORMATS:
        raise DevenvError(f"unknown format '{format}'", hint=f"use one of: {', '.join(FORMATS)}")
    loaded = load_manifest(manifest)
    sys.stdout.write(FORMATS[format](build_graph(loaded.manifest)))
    return 0
