"""What `devenv sdk verify` found: the fetched artifact, and each gap as a finding."""

from __future__ import annotations

from dataclasses import dataclass, field

# Finding kinds, in report order. Each names the proto file it is about where there is one.
KINDS = ("fetch", "integrity", "missing-generated", "extra-generated", "missing-raw", "extra-raw", "stale-raw", "entry-point", "metadata")


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    proto: str | None = None  # proto path under the proto root
    path: str | None = None  # path inside the artifact
    hint: str = ""

    def as_json(self) -> dict:
        return {"kind": self.kind, "proto": self.proto, "path": self.path, "message": self.message, "hint": self.hint or None}


@dataclass
class Artifact:
    """An SDK as a consumer receives it: its files (paths relative to the package's top) and
    what its registry said about it."""

    files: dict[str, bytes]
    origin: str  # what was fetched, e.g. "npm tarball http://…/x-1.4.0.tgz" (credentials stripped)
    kind: str  # npm | wheel | gomod | oci | folder
    passed: list[str] = field(default_factory=list)  # integrity checks that held
    findings: list[Finding] = field(default_factory=list)  # integrity problems found while fetching
    size: int = 0  # bytes downloaded


@dataclass
class Verdict:
    sdk: str
    package: str
    version: str | None
    source: str
    origin: str = ""
    findings: list[Finding] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # protos, files, expected generated, ...

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict:
        return {
            "sdk": self.sdk,
            "package": self.package,
            "version": self.version,
            "source": self.source,
            "artifact": self.origin or None,
            "ok": self.ok,
            "counts": self.counts,
            "passed": self.passed,
            "findings": [f.as_json() for f in sorted(self.findings, key=_order)],
        }


def _order(finding: Finding) -> tuple:
    return (finding.proto or "", KINDS.index(finding.kind) if finding.kind in KINDS else 99, finding.path or "")
