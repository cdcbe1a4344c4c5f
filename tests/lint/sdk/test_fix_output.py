"""`lint --fix --diff` honours --format and -o; a byte order mark does not block --fix and stays."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.fixtures.sdk_monorepo import build
from tests.lint.formats.test_sarif import schema  # noqa: F401 - the official SARIF schema, a fixture
from tests.lint.sdk.test_fix import FILES, _expected_after, _snapshot
from tests.support.cli import devenv


@pytest.fixture
def fixable(tmp_path):
    return build(tmp_path / "repo", FILES)


def _applied(root, replacements) -> dict[str, bytes]:
    """Each file with ``(path, line, col, old, new)`` replacements applied (1-based code points),
    right to left on each line; only the files named."""
    by_path: dict[str, list] = {}
    for path, line, col, old, new in replacements:
        by_path.setdefault(path, []).append((line, col, old, new))
    out = {}
    for path, edits in by_path.items():
        lines = (root / path).read_bytes().decode().split("\n")
        for line, col, old, new in sorted(edits, reverse=True):
            text = lines[line - 1]
            assert text[col - 1 : col - 1 + len(old)] == old, (path, line, col, old, text)
            lines[line - 1] = text[: col - 1] + new + text[col - 1 + len(old) :]
        out[path] = "\n".join(lines).encode()
    return out


def _all_fixed(root, applied: dict[str, bytes]) -> None:
    """The replacements are exactly what --fix writes: every fixable file, as test_fix expects it."""
    before = _snapshot(root)
    assert set(applied) == {p for p in before if _expected_after(p, before[p]) != before[p]}
    for path, text in applied.items():
        assert text == _expected_after(path, before[path]), path


def test_diff_as_json_to_a_file(fixable):
    before = _snapshot(fixable)
    shown = devenv("lint", "--fix", "--diff", "--format", "json", "-o", "../changes.json", cwd=fixable)
    assert shown.code == 1 and shown.out == "", shown.err
    assert _snapshot(fixable) == before  # --diff writes nothing in the tree
    data = json.loads((fixable.parent / "changes.json").read_text())
    _all_fixed(fixable, _applied(fixable, [(c["path"], e["line"], e["col"], e["old"], e["new"]) for c in data["changes"] for e in c["edits"]]))
    assert all(c["diff"].startswith(f"--- a/{c['path']}\n") for c in data["changes"])
    assert data["refused"] == [] and data["findings"]


def test_diff_as_sarif_carries_proposed_fixes(fixable, schema):  # noqa: F811 - the fixture
    shown = devenv("lint", "--fix", "--diff", "--format", "sarif", cwd=fixable)
    assert shown.code == 1
    log = json.loads(shown.out)
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))
    results = log["runs"][0]["results"]
    replacements = []
    for fix in (f for r in results for f in r.get("fixes", [])):
        (change,) = fix["artifactChanges"]
        (replacement,) = change["replacements"]
        region = replacement["deletedRegion"]
        path, line = change["artifactLocation"]["uri"], region["startLine"]
        text = (fixable / path).read_bytes().decode().split("\n")[line - 1]
        old = text[region["startColumn"] - 1 : region["endColumn"] - 1]  # code points, end exclusive
        replacements.append((path, line, region["startColumn"], old, replacement["insertedContent"]["text"]))
    _all_fixed(fixable, _applied(fixable, replacements))


def test_diff_as_text_to_a_file(fixable):
    shown = devenv("lint", "--fix", "--diff", "-o", "../changes.diff", cwd=fixable)
    assert shown.code == 1 and shown.out == ""
    assert (fixable.parent / "changes.diff").read_text().startswith("--- a/")


def test_a_package_json_with_a_byte_order_mark_is_fixed_and_keeps_it(tmp_path):
    node = "services/node/package.json"
    root = build(tmp_path / "repo", {**FILES, node: "\ufeff" + FILES[node]})
    fixed = devenv("lint", "--fix", cwd=root)
    assert fixed.code == 0, fixed.err
    assert "changed since lint read it" not in fixed.err
    after = (root / node).read_bytes()
    assert after.startswith(b"\xef\xbb\xbf{\r\n") and b'"@acme/sdk-ts": "1.4.0"' in after
    assert after.count(b"1.4.0") == 3


def test_a_file_name_with_a_newline_cannot_forge_a_diff_line():
    from devenv.lint.sdk.fix import FileFix

    fix = FileFix("svc/evil\n+++ b/other/package.json", [], before="a\n", after="b\n")
    lines = fix.diff.splitlines()
    assert lines[:2] == ['--- "a/svc/evil\\n+++ b/other/package.json"', '+++ "b/svc/evil\\n+++ b/other/package.json"']
    assert FileFix("svc/package.json", [], before="a\n", after="b\n").diff.startswith("--- a/svc/package.json\n")
