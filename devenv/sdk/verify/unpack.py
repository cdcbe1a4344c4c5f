"""Artifacts into ``{path: bytes}``, paths relative to the package's top (as a consumer's package
manager lays them out), plus the integrity data some formats carry inside themselves."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import posixpath
import tarfile
import zipfile
from pathlib import Path

from devenv.sdk.verify.model import Artifact, Finding

MAX_FILE = 256 * 1024 * 1024  # no SDK file is this big; a bigger member is not read


def _clean(name: str) -> str | None:
    path = posixpath.normpath(name.lstrip("/"))
    return None if path in (".", "") or path.startswith("../") else path


def npm_tarball(data: bytes) -> dict[str, bytes]:
    """An npm tarball: every member under one top folder (``package/`` by npm pack), stripped."""
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar:
            if not member.isfile() or member.size > MAX_FILE:
                continue
            name = _clean(member.name)
            if name is None or "/" not in name:
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                files[name.split("/", 1)[1]] = handle.read()
    return files


def wheel(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(info) for info in archive.infolist() if not info.is_dir() and (name := _clean(info.filename)) and info.file_size <= MAX_FILE}


def check_record(artifact: Artifact) -> None:
    """Every file of a wheel against its ``*.dist-info/RECORD`` (sha256, urlsafe base64, no padding),
    as pip checks on install; files missing from either side are findings too."""
    records = [p for p in artifact.files if p.endswith(".dist-info/RECORD") and p.count("/") == 1]
    if not records:
        artifact.findings.append(Finding("integrity", "the wheel has no *.dist-info/RECORD", hint="rebuild the wheel"))
        return
    record = records[0]
    listed: set[str] = set()
    bad = 0
    for row in csv.reader(io.StringIO(artifact.files[record].decode("utf-8", "replace"))):
        if not row or not row[0]:
            continue
        path, digest = row[0], row[1] if len(row) > 1 else ""
        listed.add(path)
        if path == record or not digest:
            continue
        data = artifact.files.get(path)
        algo, _, expected = digest.partition("=")
        if data is None:
            artifact.findings.append(Finding("integrity", f"RECORD lists {path}, the wheel lacks it", path=path))
            bad += 1
        elif base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode() != expected:
            artifact.findings.append(Finding("integrity", f"{path} does not match its RECORD hash", path=path))
            bad += 1
    for path in sorted(set(artifact.files) - listed):
        artifact.findings.append(Finding("integrity", f"{path} is in the wheel but not in RECORD", path=path))
        bad += 1
    if not bad:
        artifact.passed.append(f"every file matches {record}")


def go_zip(data: bytes, module: str, version: str) -> dict[str, bytes]:
    prefix = f"{module}@{version}/"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            info.filename[len(prefix) :]: archive.read(info)
            for info in archive.infolist()
            if info.filename.startswith(prefix) and not info.is_dir() and info.file_size <= MAX_FILE
        }


def go_h1(data: bytes) -> str:
    """The module zip's ``h1:`` hash, as go.sum records it (golang.org/x/mod/sumdb/dirhash.HashZip)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        lines = []
        for name in sorted(i.filename for i in archive.infolist() if not i.is_dir()):
            lines.append(f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}\n")
    return "h1:" + base64.b64encode(hashlib.sha256("".join(lines).encode()).digest()).decode()


def oci_layers(blobs: list[bytes]) -> dict[str, bytes]:
    """Image layers applied in order, with whiteouts (``.wh.<name>``, ``.wh..wh..opq``)."""
    files: dict[str, bytes] = {}
    for blob in blobs:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as tar:
            for member in tar:
                name = _clean(member.name)
                if name is None:
                    continue
                folder, base = posixpath.split(name)
                if base == ".wh..wh..opq":
                    for key in [k for k in files if k.startswith(folder + "/")]:
                        del files[key]
                elif base.startswith(".wh."):
                    gone = posixpath.join(folder, base[4:])
                    for key in [k for k in files if k == gone or k.startswith(gone + "/")]:
                        del files[key]
                elif member.isfile() and member.size <= MAX_FILE:
                    handle = tar.extractfile(member)
                    if handle is not None:
                        files[name] = handle.read()
    return files


SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv"}


def folder(root: Path) -> dict[str, bytes]:
    """A package folder on disk (the ``workspace`` source), without VCS and dependency folders."""
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for filename in filenames:
            path = Path(dirpath) / filename
            if path.is_file():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files
