"""`devenv sdk verify` output: text for people (grouped by proto file), JSON for machines."""

from __future__ import annotations

import json
from typing import IO

from devenv.sdk.verify.model import Verdict, _order

SCHEMA = "devenv.sdk-verify/v1"


def render_json(verdicts: list[Verdict], stream: IO[str]) -> None:
    document = {"schema": SCHEMA, "ok": all(v.ok for v in verdicts), "sdks": [v.as_json() for v in verdicts]}
    stream.write(json.dumps(document, indent=2) + "\n")


def render_text(verdicts: list[Verdict], stream: IO[str], *, verbose: bool = False) -> None:
    for verdict in verdicts:
        head = f"{verdict.sdk}: {verdict.package}@{verdict.version or '?'} ({verdict.source})"
        counts = verdict.counts
        if verdict.ok:
            stream.write(
                f"ok    {head}: {counts.get('protos', 0)} protos, {counts.get('generated_expected', 0)} generated "
                f"files, {counts.get('entry_points', 0)} entry points present\n"
            )
        else:
            stream.write(f"FAIL  {head}: {len(verdict.findings)} gap{'s' if len(verdict.findings) != 1 else ''}\n")
        if verdict.origin:
            stream.write(f"      artifact: {verdict.origin}\n")
        if verbose:
            for line in verdict.passed:
                stream.write(f"      ok: {line}\n")
        current = object()
        hints: list[str] = []
        for finding in sorted(verdict.findings, key=_order):
            if finding.proto != current:
                current = finding.proto
                stream.write(f"      {finding.proto or '(package)'}:\n")
            stream.write(f"        {finding.kind}: {finding.message}\n")
            if finding.hint and finding.hint not in hints:
                hints.append(finding.hint)
        for hint in hints:
            stream.write(f"      hint: {hint}\n")
