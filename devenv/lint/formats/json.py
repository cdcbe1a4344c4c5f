"""A stable JSON document: every finding (suppressed ones marked), notifications, counts."""

from __future__ import annotations

from devenv.lint.formats import Options, json_text
from devenv.lint.model import LintResult
from devenv.lint.rules import RULES

SCHEMA_VERSION = 1


def report(result: LintResult, options: Options) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "devenv", "version": options.version},
        "root": result.root,
        "findings": [
            {
                "path": f.location.file,
                "line": f.location.line,
                "col": f.location.col,
                "end_col": f.end_col or None,
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "fix": f.fix,
                "suppressed": f.suppressed,
                "justification": f.justification or None,
            }
            for f in result.findings
        ],
        "notifications": [{"level": n.level, "path": n.file or None, "message": n.message} for n in result.notifications],
        "summary": {
            "violations": len(result.active),
            "suppressed": len(result.suppressed),
            "files_checked": result.files_checked,
            "files_parsed": result.files_read,
            "rules": sorted({f.rule for f in result.active}),
        },
        "rules": {rule.id: rule.summary for rule in RULES.values()},
    }
    if options.changes is not None:  # `lint --fix --diff`: what --fix would rewrite, and would not
        document["changes"] = [
            {
                "path": c.file,
                "diff": c.diff,
                "edits": [{"line": e.location.line, "col": e.location.col, "rule": e.rule, "old": e.old, "new": e.new} for e in c.edits],
            }
            for c in options.changes.fixed
        ]
        document["refused"] = [{"path": c.file, "error": c.error} for c in options.changes.refused]
    return json_text(document)
