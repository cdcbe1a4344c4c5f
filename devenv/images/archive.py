"""An image's layers as ``docker save`` writes them, read without running anything.

``docker save`` yields a tar with ``manifest.json`` (``Config``, ``Layers``: paths inside the
tar, in order) and the config (``history``: one entry per Dockerfile step, ``empty_layer`` for
steps that changed no file). Each layer is a tar of the files it added or changed, with
whiteouts (``.wh.<name>``, ``.wh..wh..opq``) for what it removed. :func:`scan` replays the
layers in order, keeping only the files a :class:`Wanted` asks for, and remembers which layer
(and so which Dockerfile step) last wrote each.
"""

from __future__ import annotations

import json
import posixpath
import tarfile
from dataclasses import dataclass
from typing import IO, Callable

ELF = b"\x7fELF"
MAX_READ = 512 * 1024 * 1024


@dataclass(frozen=True)
class Layer:
    index: int  # 1-based, bottom first
    digest: str  # the layer's path in the save tar (a content address)
    created_by: str  # the Dockerfile step, from the config's history


@dataclass(frozen=True)
class FileHit:
    path: str  # absolute in the image
    data: bytes
    layer: Layer


# (path, mode) -> "read" this file whole | "elf": read it if it is an ELF executable | None: skip
Wanted = Callable[[str, int], str | None]


def _history(config: dict) -> list[str]:
    steps = [h for h in config.get("history") or [] if not h.get("empty_layer")]
    return [str(h.get("created_by") or "") for h in steps]


def _clean_step(text: str) -> str:
    text = text.replace("/bin/sh -c #(nop) ", "").replace("|0 /bin/sh -c ", "RUN ").strip()
    if text.startswith("/bin/sh -c "):
        text = "RUN " + text[len("/bin/sh -c ") :]
    return " ".join(text.split())[:160]


def _json_member(save: tarfile.TarFile, name: str):
    """The JSON document ``name`` of the save tar; KeyError (as for a missing member) when it is no file."""
    handle = save.extractfile(name)
    if handle is None:
        raise KeyError(f"{name} is not a file in the image archive")
    return json.load(handle)


def layers(save: tarfile.TarFile) -> list[tuple[Layer, str]]:
    """The image's layers (bottom first) with their member names in the save tar."""
    manifest = _json_member(save, "manifest.json")[0]
    config = _json_member(save, manifest["Config"])
    steps = _history(config)
    found = []
    for i, name in enumerate(manifest["Layers"]):
        digest = posixpath.basename(name) if name.startswith("blobs/") else name.split("/", 1)[0]
        step = _clean_step(steps[i]) if i < len(steps) else ""
        found.append((Layer(i + 1, digest, step), name))
    return found


def _remove(files: dict[str, FileHit], folder: str, base: str) -> None:
    if base == ".wh..wh..opq":
        prefix = folder.rstrip("/") + "/"
        for key in [k for k in files if k.startswith(prefix)]:
            del files[key]
        return
    gone = posixpath.join(folder, base[len(".wh.") :])
    for key in [k for k in files if k == gone or k.startswith(gone + "/")]:
        del files[key]


def scan(stream: IO[bytes], wanted: Wanted) -> dict[str, FileHit]:
    """The wanted files of the image's final file system, each with the layer that wrote it."""
    files: dict[str, FileHit] = {}
    with tarfile.open(fileobj=stream, mode="r:") as save:
        for layer, member in layers(save):
            handle = save.extractfile(member)
            if handle is None:
                continue
            with tarfile.open(fileobj=handle, mode="r|*") as tar:
                for entry in tar:
                    path = "/" + posixpath.normpath(entry.name.lstrip("./").lstrip("/"))
                    folder, base = posixpath.split(path)
                    if base.startswith(".wh."):
                        _remove(files, folder, base)
                        continue
                    if not entry.isfile():
                        continue
                    how = wanted(path, entry.mode)
                    if how is None or entry.size > MAX_READ:
                        continue
                    body = tar.extractfile(entry)
                    if body is None:
                        continue
                    if how == "elf":
                        head = body.read(4)
                        if head != ELF:
                            files.pop(path, None)
                            continue
                        files[path] = FileHit(path, head + body.read(), layer)
                    else:
                        files[path] = FileHit(path, body.read(), layer)
    return files
