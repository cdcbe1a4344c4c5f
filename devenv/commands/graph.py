"""`devenv graph`: the resource graph as text, Mermaid or DOT, whole or as a slice."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from devenv.errors import DevenvError
from devenv.graph import FORMATS, build_graph, slice_closure, slice_selectors, sliced
from devenv.manifest.load import load_manifest
from devenv.util.gcpause import collector_paused


def split_names(values: list[str] | None) -> list[str]:
    """``--only a --only b,c`` -> [a, b, c]."""
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def check_slice_names(valid: list[str], names: list[str], display: str) -> None:
    """Refuse a NAME that is neither a service nor a label, as the Tiltfile does."""
    unknown = [n for n in names if n not in valid]
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], valid, n=1)
    raise DevenvError(
        f"no service or label '{unknown[0]}' in {display}" + (f" (did you mean '{close[0]}'?)" if close else ""),
        hint=f"valid names: {', '.join(sorted(valid))}",
    )


def run_graph(manifest: Path | None, format: str, only: list[str] | None = None) -> int:
    if format not in FORMATS:
        raise DevenvError(f"unknown format '{format}'", hint=f"use one of: {', '.join(FORMATS)}")
    with collector_paused():
        loaded = load_manifest(manifest)
        graph = build_graph(loaded.manifest)
        names = split_names(only)
        if names:
            check_slice_names(list(slice_selectors(loaded.manifest, graph)), names, loaded.display)
            graph = sliced(graph, slice_closure(loaded.manifest, graph, names))
        text = FORMATS[format](graph)
    sys.stdout.write(text)
    return 0
