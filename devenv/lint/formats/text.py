"""``path:line:col RULE message`` and an indented ``fix:`` line per active finding.

One finding is one line: control characters in a path, message or fix (a file named with a
newline) are escaped, so no file name can forge a report line.
"""

from __future__ import annotations

from devenv.errors import escape
from devenv.lint.formats import Options
from devenv.lint.model import LintResult


def report(result: LintResult, options: Options) -> str:
    lines = []
    for f in result.active:
        where = f"{escape(options.display(result, f.location.file))}:{f.location.line}:{f.location.col}"
        level = " warning:" if f.level == "warning" else ""  # errors stay unmarked: the format predates levels
        lines.append(f"{where} {f.rule}{level} {escape(f.message)}")
        if f.fix:
            lines.append(f"    fix: {escape(f.fix)}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(result: LintResult) -> str:
    """One line for stderr: counts, and what was (not) looked at."""
    active, suppressed = len(result.active), len(result.suppressed)
    files = len({f.location.file for f in result.active})
    checked = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''} checked"
    extra = f", {suppressed} suppressed with a reason" if suppressed else ""
    if not active:
        return f"devenv lint: no proto-boundary violations ({checked}{extra})"
    noun = "problem" if active == 1 else "problems"
    return f"devenv lint: {active} {noun} in {files} file{'s' if files != 1 else ''} ({checked}{extra})"
