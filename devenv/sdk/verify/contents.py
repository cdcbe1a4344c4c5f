"""Compare an artifact's files with the proto workspace, by proto file: the generated
counterparts the layout names, and the raw ``.proto`` snapshot where the SDK promises one."""

from __future__ import annotations

from pathlib import Path

from devenv.sdk.verify.layout import Layout
from devenv.sdk.verify.model import Finding

HINTS = {
    "typescript": 'regenerate and rebuild the SDK (its build step), check package.json "files" keeps {where}, then publish a new version',
    "python": "regenerate the SDK, check the wheel's package data includes {where}, then publish a new version",
    "go": "regenerate the SDK ({where}), commit/zip it with the module, then publish a new version",
}


def generated(files: dict[str, bytes], layout: Layout, protos: dict[str, Path], language: str) -> tuple[list[Finding], int]:
    """Missing and extra generated files; (findings, number expected)."""
    findings: list[Finding] = []
    expected = 0
    hint = HINTS[language].format(where=layout.root or "the generated code")
    for proto in protos:
        for path in layout.expected(proto):
            expected += 1
            if path not in files:
                findings.append(Finding("missing-generated", f"{path} is missing (generated from {proto})", proto=proto, path=path, hint=hint))
    for path in files:
        source = layout.proto_of(path)
        if source is not None and source not in protos:
            findings.append(
                Finding(
                    "extra-generated",
                    f"{path} has no {source} in the proto workspace (removed or renamed: stale generated code)",
                    proto=source,
                    path=path,
                    hint="regenerate from a clean output folder, then publish a new version",
                )
            )
    return findings, expected


def raw(files: dict[str, bytes], layout: Layout, protos: dict[str, Path], language: str) -> list[Finding]:
    """The raw snapshot: each proto present and byte-identical, nothing extra."""
    if not layout.raw:
        return []
    findings: list[Finding] = []
    prefix = layout.raw + "/"
    hint = HINTS[language].format(where=layout.raw)
    for proto, source in protos.items():
        path = prefix + proto
        data = files.get(path)
        if data is None:
            findings.append(Finding("missing-raw", f"{path} is missing (the raw snapshot of {proto})", proto=proto, path=path, hint=hint))
        elif data != source.read_bytes():
            findings.append(Finding("stale-raw", f"{path} differs from {proto} in the proto workspace", proto=proto, path=path, hint=hint))
    for path in files:
        if path.startswith(prefix) and path.endswith(".proto") and path[len(prefix) :] not in protos:
            proto = path[len(prefix) :]
            findings.append(
                Finding(
                    "extra-raw", f"{path} has no {proto} in the proto workspace", proto=proto, path=path, hint="rebuild the raw snapshot from a clean folder"
                )
            )
    return findings
