"""SARIF 2.1.0 for GitHub code scanning (bandit's and semgrep's formatter design).

- rules are listed once in ``tool.driver.rules`` and results point at them by ``ruleIndex``;
- locations are ``%SRCROOT%``-relative, percent-encoded URIs with 1-based lines and columns
  (``columnKind: unicodeCodePoints``: lint counts code points);
- suppressed findings stay in the log with an ``inSource`` suppression and its justification;
- files lint could not read are ``toolExecutionNotifications``, not results.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any
from urllib.parse import quote

from devenv.lint.formats import Options, json_text
from devenv.lint.model import Finding, LintResult
from devenv.lint.rules import RULES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"


def level(finding: Finding) -> str:
    """Severity -> SARIF level, in one place."""
    return {"error": "error", "warning": "warning"}.get(finding.level, "note")


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _descriptors(result: LintResult) -> list:
    """Every registered rule, plus any rule a finding names that the registry lacks."""
    from devenv.lint.rules import Rule

    rules = list(RULES.values())
    for rule_id in sorted({f.rule for f in result.findings} - set(RULES)):
        rules.append(Rule(rule_id, rule_id, rule_id, rule_id, "other"))
    return rules


def _rules(rules: list) -> list[dict]:
    return [
        {
            "id": rule.id,
            "name": _pascal(rule.id),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.help},
            "help": {"text": rule.help, "markdown": f"**{rule.title}**\n\n{rule.help}"},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["proto-boundary", rule.group], "precision": "very-high", "problem.severity": "error"},
        }
        for rule in rules
    ]


def _uri(result: LintResult, options: Options, path: str) -> str:
    relative = os.path.relpath(os.path.join(result.root, path), options.srcroot).replace(os.sep, "/")
    # A URI is bytes: a name that is not UTF-8 is percent-encoded byte for byte (%FF).
    return quote(relative.encode("utf-8", "surrogateescape"), safe="/")


def _fingerprints(findings: list[Finding]) -> list[str]:
    """One per finding, distinct within the run, stable when lines move (no line number):
    rule, file, line text, message and columns; identical ones left (the same line text twice
    in a file) are told apart by their order, as GitHub's own line hash counts occurrences."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        parts = (finding.rule, finding.location.file, finding.snippet, finding.message, str(finding.location.col), str(finding.end_col))
        key = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]  # a name that is not UTF-8 hashes as its bytes
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}:{seen[key]}")
    return out


def _result(finding: Finding, index: dict[str, int], result: LintResult, options: Options, fingerprint: str) -> dict:
    region: dict[str, Any] = {"startLine": max(1, finding.location.line), "startColumn": max(1, finding.location.col)}
    if finding.end_col and finding.end_col > region["startColumn"]:
        region["endColumn"] = finding.end_col
    if finding.snippet:
        region["snippet"] = {"text": finding.snippet}
    text = f"{finding.message}. Fix: {finding.fix}." if finding.fix else finding.message
    out = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": level(finding),
        "message": {"text": text},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": _uri(result, options, finding.location.file), "uriBaseId": SRCROOT}, "region": region}}
        ],
        "partialFingerprints": {"devenvFinding/v2": fingerprint},
    }
    fixes = options.changes and _fixes(finding, options.changes, result, options)
    if fixes:
        out["fixes"] = fixes
    if finding.suppressed:
        out["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": finding.justification}]
    return out


def _fixes(finding: Finding, changes, result: LintResult, options: Options) -> list[dict]:
    """`lint --fix --diff`: the edits --fix would make at this finding, as SARIF proposed fixes."""
    out = []
    for change in changes.fixed:
        for edit in change.edits:
            if (edit.file, edit.location.line, edit.location.col) != (finding.location.file, finding.location.line, finding.location.col):
                continue
            lines = edit.old.split("\n")
            end_col = (edit.location.col if len(lines) == 1 else 1) + len(lines[-1])
            deleted = {"startLine": edit.location.line, "startColumn": edit.location.col, "endLine": edit.location.line + len(lines) - 1, "endColumn": end_col}
            out.append(
                {
                    "description": {"text": f"replace {edit.old!r} with {edit.new!r}"},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(result, options, edit.file), "uriBaseId": SRCROOT},
                            "replacements": [{"deletedRegion": deleted, "insertedContent": {"text": edit.new}}],
                        }
                    ],
                }
            )
    return out


def report(result: LintResult, options: Options) -> str:
    rules = _rules(_descriptors(result))
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": n.level if n.level in ("error", "warning", "note") else "note",
            "message": {"text": n.message},
            **({"locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result, options, n.file), "uriBaseId": SRCROOT}}}]} if n.file else {}),
        }
        for n in result.notifications
    ]
    srcroot = options.srcroot.resolve().as_uri().rstrip("/") + "/"
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "devenv", "semanticVersion": options.version or "0.0.0", "version": options.version or "0.0.0", "rules": rules}},
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "originalUriBaseIds": {SRCROOT: {"uri": srcroot}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index, result, options, fp) for f, fp in zip(result.findings, _fingerprints(result.findings))],
            }
        ],
    }
    return json_text(log)
