"""`lint -o`: never over a source file the run lints (the manifest was the first case; a
package.json or a Dockerfile is the same damage), and a report rewritten run after run does not
lint itself into ever larger reports."""

from __future__ import annotations

import json

from tests.support.cli import devenv

VIOLATION = {"scripts/a.mjs": 'import a from "@ameide/core-proto";\n'}


def test_the_report_is_never_written_over_a_linted_source_file(small):
    root = small({**VIOLATION, "services/web/package.json": '{"name": "web"}\n', "services/web/Dockerfile": "FROM scratch\n"})
    for target in ("services/web/package.json", "services/web/Dockerfile", "scripts/a.mjs", "services.yaml"):
        before = (root / target).read_bytes()
        result = devenv("lint", "-o", target, cwd=root)
        assert result.code == 2 and "is an input of this command" in result.err, (target, result.err)
        assert (root / target).read_bytes() == before
    # Outside the linted paths it is no input: linting only scripts/ may report into the Dockerfile's folder.
    assert devenv("lint", "scripts", "-o", "services/web/report.txt", cwd=root).code == 1


def test_a_report_rewritten_in_place_does_not_report_itself(small):
    root = small(VIOLATION)
    counts = []
    for _ in range(3):
        result = devenv("lint", "--format", "sarif", "-o", "lint.sarif", cwd=root)
        assert result.code == 1, result.err
        counts.append(len(json.loads((root / "lint.sarif").read_text())["runs"][0]["results"]))
    assert counts[0] >= 1 and counts == [counts[0]] * 3
