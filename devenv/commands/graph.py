"""`devenv graph`: the resource graph as text, Mermaid or DOT."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.errors import DevenvError
from devenv.graph import FORMATS, build_graph
from devenv.manifest.load import load_manifest
from devenv.util.gcpause import collector_paused


def run_graph(manifest: Path | None, format: str) -> int:
    if format not in FORMATS:
        raise DevenvError(f"unknown format '{format}'", hint=f"use one of: {', '.join(FORMATS)}")
    with collector_paused():
        loaded = load_manifest(manifest)
        text = FORMATS[format](build_graph(loaded.manifest))
    sys.stdout.write(text)
    return 0
