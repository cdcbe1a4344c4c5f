"""Text for people (``path:line:col RULE message`` + ``fix:``) and JSON for scripts."""

from __future__ import annotations

import json
import re

from devenv.lint.formats import Options, formatter
from devenv.lint.formats.text import summary
from devenv.lint.rules import BOUNDARY_RULES, RULES
from tests.lint import monorepo as fixture_repo
from tests.lint.conftest import run

LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+) (?P<rule>[a-z0-9-]+) (?P<message>.+)$")


def test_text_lists_active_findings_each_with_its_fix(monorepo):
    result = run(monorepo)
    text = formatter("text")(result, Options(cwd=monorepo, srcroot=monorepo))
    lines = text.splitlines()
    found = set()
    for i, line in enumerate(lines):
        if line.startswith("    fix: "):
            continue
        head = LINE.match(line)
        assert head, line
        if head["rule"] in BOUNDARY_RULES:
            found.add((head["path"], int(head["line"]), int(head["col"]), head["rule"]))
            assert lines[i + 1].startswith("    fix: "), line
    assert found == fixture_repo.EXPECTED


def test_text_paths_are_relative_to_where_the_user_stands(monorepo):
    result = run(monorepo, "scripts/sync.mjs")
    text = formatter("text")(result, Options(cwd=monorepo / "services", srcroot=monorepo))
    assert text.startswith("../scripts/sync.mjs:1:20 proto-in-script JavaScript file imports the proto package '@ameide/core-proto'\n")


def test_summary(monorepo, small):
    assert summary(run(small({"ok.sh": "echo ok\n"}))) == "devenv lint: no proto-boundary violations (1 file checked)"
    line = summary(run(monorepo, "services/platform/Dockerfile"))
    assert line == "devenv lint: 4 problems in 1 file (1 file checked, 1 suppressed with a reason)"


def test_json_has_every_finding_with_its_suppression(monorepo):
    result = run(monorepo)
    data = json.loads(formatter("json")(result, Options(cwd=monorepo, srcroot=monorepo, version="9")))
    assert data["version"] == 1 and data["tool"] == {"name": "devenv", "version": "9"}
    mine = [f for f in data["findings"] if f["rule"] in BOUNDARY_RULES]
    assert {(f["path"], f["line"], f["col"], f["rule"]) for f in mine if not f["suppressed"]} == fixture_repo.EXPECTED
    assert {(f["path"], f["line"], f["col"], f["rule"]) for f in mine if f["suppressed"]} == fixture_repo.SUPPRESSED
    sample = next(f for f in mine if f["path"] == "scripts/sync.mjs")
    assert sample == {
        "path": "scripts/sync.mjs",
        "line": 1,
        "col": 20,
        "end_col": 38,
        "rule": "proto-in-script",
        "level": "error",
        "message": "JavaScript file imports the proto package '@ameide/core-proto'",
        "fix": "depend on @ameideio/ameide-sdk-ts instead",
        "suppressed": False,
        "justification": None,
    }
    assert data["summary"]["suppressed"] == 3
    assert set(data["rules"]) >= set(RULES)
