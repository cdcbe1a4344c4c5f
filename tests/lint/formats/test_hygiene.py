"""Output hygiene (issue #15): two findings on one line are two SARIF alerts, a file name cannot
forge a text report line, and `lint --fix --diff` is a report like any other (--format, -o)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.lint.formats import Options, formatter
from tests.lint.conftest import run
from tests.lint.monorepo import git_init
from tests.support.cli import devenv

TWO_ON_ONE_LINE = {"scripts/two.mjs": 'import a from "@ameide/core-proto"; import b from "@ameide/core-proto";\n'}


def test_two_findings_on_one_line_get_distinct_fingerprints(small):
    root = small(TWO_ON_ONE_LINE)
    result = run(root)
    log = json.loads(formatter("sarif")(result, Options(cwd=root, srcroot=root)))
    results = [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1]
    assert len(results) == 2, results
    prints = [r["partialFingerprints"]["devenvFinding/v2"] for r in results]
    assert len(set(prints)) == 2


def test_identical_lines_get_distinct_fingerprints_that_survive_a_moved_line(small):
    line = 'import a from "@ameide/core-proto";\n'
    before = run(small({"scripts/x.mjs": line + line}))
    root = Path(before.root)
    first = [r["partialFingerprints"] for r in json.loads(formatter("sarif")(before, Options(cwd=root, srcroot=root)))["runs"][0]["results"]]
    assert len(first) == 2 and first[0] != first[1]
    moved = run(small({"scripts/x.mjs": "// a comment moves the lines\n" + line + line}))
    second = [r["partialFingerprints"] for r in json.loads(formatter("sarif")(moved, Options(cwd=root, srcroot=root)))["runs"][0]["results"]]
    assert second == first  # no line number in the fingerprint: the alerts stay the same alerts


def test_a_file_name_with_a_newline_cannot_forge_a_report_line(small):
    name = "scripts/evil\nscripts/fake.mjs:1:1 proto-in-script all is fine\x1b[2K.mjs"
    root = small({name: 'import a from "@ameide/core-proto";\n'})
    result = devenv("lint", cwd=root)
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("    fix: "), result.out  # one finding, one fix line
    assert lines[0].startswith("scripts/evil\\nscripts/fake.mjs:1:1 proto-in-script all is fine\\x1b[2K.mjs:1:")
    assert "\x1b" not in result.out + result.err


@pytest.mark.parametrize("tree", ["plain", "git"])
def test_a_file_name_that_is_not_utf8_gives_valid_reports_in_every_format(small, tree):
    """b'\\xff' in a name reaches lint as a lone surrogate: SARIF crashed on it (exit 3) and JSON
    carried the raw byte (not UTF-8, so not JSON). Every format names the byte as ``\\xff``;
    SARIF's URI percent-encodes it."""
    root = small({})
    (root / "scripts").mkdir(exist_ok=True)
    (root / "scripts" / os.fsdecode(b"\xff.mjs")).write_bytes(b'import a from "@ameide/core-proto";\n')
    if tree == "git":
        git_init(root)
    outputs = {}
    for format in ("text", "json", "sarif"):
        proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "--format", format], cwd=root, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 1, proc.stderr
        outputs[format] = proc.stdout.decode("utf-8")  # strict: the report is UTF-8
    assert outputs["text"].startswith("scripts/\\xff.mjs:1:")
    assert [f["path"] for f in json.loads(outputs["json"])["findings"]] == ["scripts/\\xff.mjs"]
    results = json.loads(outputs["sarif"])["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == ["scripts/%FF.mjs"]
