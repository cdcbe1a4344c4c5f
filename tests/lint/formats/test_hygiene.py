"""Output hygiene (issue #15): two findings on one line are two SARIF alerts, a file name cannot
forge a text report line, and `lint --fix --diff` is a report like any other (--format, -o)."""

from __future__ import annotations

import json
from pathlib import Path

from devenv.lint.formats import Options, formatter
from tests.lint.conftest import run
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
