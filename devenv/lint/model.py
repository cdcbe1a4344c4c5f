"""What lint produces: findings, notifications and the result that carries them.

Results never print themselves (check-jsonschema's idea): :mod:`devenv.lint.formats` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devenv.errors import Location


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at a 1-based ``location``; ``location.file`` is relative to the lint root."""

    location: Location
    rule: str
    message: str
    fix: str = ""
    end_col: int = 0  # exclusive, 1-based; 0 when unknown
    suppressed: bool = False
    justification: str = ""  # the reason a suppression gave
    snippet: str = ""  # the source line, for fingerprints
    severity: str = "error"  # error | warning (the SDK rules' ranges and unused SDKs warn)

    @property
    def level(self) -> str:
        return self.severity


@dataclass(frozen=True)
class Notification:
    """Something lint could not do (an unreadable file): reported, never fatal."""

    message: str
    file: str = ""
    level: str = "warning"


@dataclass
class LintResult:
    root: str  # absolute path of the folder paths are relative to (the manifest's folder)
    findings: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    files_checked: int = 0  # files in scope (not allowed, not the proto workspace) that lint read
    files_read: int = 0  # files that contained a needle and were parsed
    notes: list[str] = field(default_factory=list)  # informational lines for people
    edits: list = field(default_factory=list)  # devenv.lint.sdk.fix.Edit: what `lint --fix` may rewrite

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]

    @property
    def exit_code(self) -> int:
        return 1 if any(f.level == "error" for f in self.active) else 0
