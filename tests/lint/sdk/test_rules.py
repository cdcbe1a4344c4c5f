"""The SDK rules through the real `devenv lint`: one planted finding per rule and format, no decoy,
the same findings in text, JSON and SARIF, suppressions, exit codes."""

from __future__ import annotations

import json
import re

from tests.fixtures.sdk_monorepo import DECOYS, MANIFEST, PLANTED
from tests.support.cli import devenv

SDK_RULES = {"sdk-version", "sdk-undeclared", "sdk-unused"}


def _json_findings(repo, *args):
    result = devenv("lint", "--format", "json", *args, cwd=repo)
    document = json.loads(result.out)
    return result, [(f["path"], f["line"], f["col"], f["rule"], f["level"]) for f in document["findings"] if not f["suppressed"]]


def test_json_reports_exactly_the_planted_findings(sdk_repo):
    result, found = _json_findings(sdk_repo)
    assert sorted(found) == sorted(PLANTED)
    assert result.code == 1
    assert not any(path in DECOYS for path, *_ in found)


def test_every_rule_and_format_is_planted():
    rules = {rule for _, _, _, rule, _ in PLANTED}
    assert rules == SDK_RULES
    names = {path.rpartition("/")[2] for path, *_ in PLANTED}
    assert {
        "package.json",
        "package-lock.json",
        "pnpm-lock.yaml",
        "go.mod",
        "pyproject.toml",
        "uv.lock",
        "poetry.lock",
        "base.txt",
        "constraints.txt",
        "services.yaml",
    } <= names


def test_text_format(sdk_repo):
    result = devenv("lint", cwd=sdk_repo)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if not line.startswith("    ")]
    got = set()
    for line in lines:
        match = re.match(r"^(\S+):(\d+):(\d+) (\S+)( warning:)? ", line)
        assert match, line
        got.add((match[1], int(match[2]), int(match[3]), match[4], "warning" if match[5] else "error"))
    assert got == set(PLANTED)
    assert "services/web/package.json:4:22 sdk-version @acme/sdk-ts '1.3.9' in dependencies does not admit 1.4.0" in result.out
    # each finding prints the line to write instead
    assert '    fix: write: "@acme/sdk-ts": "1.4.0",' in result.out
    assert "    fix: write: go.acme.test/sdk-go v1.4.0" in result.out
    assert '    fix: write: "Acme_SDK[grpc]==1.4.0",' in result.out
    assert '    fix: write: acme-sdk = {version = "1.4.0", extras = ["grpc"]}' in result.out
    assert "fix: in services.yaml, services.gateway: write `sdks: [go, ts]`" in result.out
    assert "or write `sdks: [python]`" in result.out
    assert "Tilt will build gateway without waiting for packages:ts-sdk-smoke" in result.out


def test_sarif_carries_the_same_findings_and_levels(sdk_repo):
    result = devenv("lint", "--format", "sarif", cwd=sdk_repo)
    run = json.loads(result.out)["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert SDK_RULES <= set(rules)
    got = set()
    for r in run["results"]:
        region = r["locations"][0]["physicalLocation"]["region"]
        got.add((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], region["startLine"], region["startColumn"], r["ruleId"], r["level"]))
        assert rules[r["ruleIndex"]] == r["ruleId"]
    assert got == set(PLANTED)


def test_warnings_alone_exit_zero(tmp_path):
    from tests.fixtures.sdk_monorepo import FILES, build, services

    keep = {k: v for k, v in FILES.items() if not k.startswith("services/") or k.startswith(("services/api/package.json", "services/api/Dockerfile"))}
    manifest = MANIFEST.split("services:\n")[0] + "services:\n" + services({"api": ("typescript", "")})[0]
    repo = build(tmp_path, {**keep, "services.yaml": manifest})
    result, found = _json_findings(repo)
    assert found == [("services/api/package.json", 4, 22, "sdk-version", "warning")]
    assert result.code == 0
    # exact_pins turns the range into an error
    (repo / "services.yaml").write_text(manifest.replace('    version: "1.4.0"\n    generated', '    version: "1.4.0"\n    exact_pins: true\n    generated'))
    result, found = _json_findings(repo)
    assert found == [("services/api/package.json", 4, 22, "sdk-version", "error")]
    assert result.code == 1


def test_suppressions_in_comments_json_and_the_manifest(sdk_repo):
    (sdk_repo / "services/etl/base.txt").write_text('# devenv: allow sdk-version reason="pinned until the 1.4 migration"\nacme-sdk==1.3.9\n')
    web = json.loads((sdk_repo / "services/web/package.json").read_text())
    web["//devenv"] = [{"allow": "sdk-version", "path": ["dependencies", "@acme/sdk-ts"], "reason": "canary of 1.3.9"}]
    (sdk_repo / "services/web/package.json").write_text(json.dumps(web, indent=2) + "\n")
    (sdk_repo / "services/gateway/go.mod").write_text(
        (sdk_repo / "services/gateway/go.mod")
        .read_text()
        .replace("\tgo.acme.test/sdk-go v1.3.9\n", "\tgo.acme.test/sdk-go v1.3.9 // devenv: allow sdk-version\n")
    )
    manifest = (
        (sdk_repo / "services.yaml")
        .read_text()
        .replace("    sdks: [python, ts]\n", '    # devenv: allow sdk-unused reason="the UI ships later"\n    sdks: [python, ts]\n')
    )
    manifest = manifest.replace("  jobs:\n", '  jobs:  # devenv: allow sdk-undeclared reason="nothing to allow here"\n')
    (sdk_repo / "services.yaml").write_text(manifest)
    result = devenv("lint", "--format", "json", cwd=sdk_repo)
    findings = json.loads(result.out)["findings"]
    suppressed = {(f["path"], f["rule"], f["justification"]) for f in findings if f["suppressed"]}
    assert suppressed == {
        ("services/etl/base.txt", "sdk-version", "pinned until the 1.4 migration"),
        ("services/web/package.json", "sdk-version", "canary of 1.3.9"),
        ("services.yaml", "sdk-unused", "the UI ships later"),
    }
    active = {(f["path"], f["rule"]) for f in findings if not f["suppressed"]}
    assert ("services/gateway/go.mod", "suppression-missing-reason") in active  # no reason: allows nothing
    assert ("services/gateway/go.mod", "sdk-version") in active
    assert ("services.yaml", "suppression-unused") in active
    # --fix never rewrites a suppressed finding
    devenv("lint", "--fix", cwd=sdk_repo)
    assert "acme-sdk==1.3.9" in (sdk_repo / "services/etl/base.txt").read_text()
    assert '"@acme/sdk-ts": "1.3.9"' in (sdk_repo / "services/web/package.json").read_text()


def test_named_paths_check_only_those_files(sdk_repo):
    result, found = _json_findings(sdk_repo, "services/web", "services/gateway/go.mod")
    assert sorted(found) == [("services/gateway/go.mod", 7, 22, "sdk-version", "error"), ("services/web/package.json", 4, 22, "sdk-version", "error")]


def test_a_file_its_parser_rejects_is_reported_not_fatal(sdk_repo):
    (sdk_repo / "services/api/package.json").write_text('{"dependencies": {"@acme/sdk-ts": "1.4.0",}}\n')
    result = devenv("lint", cwd=sdk_repo)
    assert "services/api/package.json:1:43: not valid JSON" in result.err
    assert "services/api/package.json:" not in result.out


def test_manifest_without_proto_still_runs_the_sdk_rules(sdk_repo):
    text = (sdk_repo / "services.yaml").read_text()
    start = text.index("proto:\n")
    end = text.index("sdks:\n")
    (sdk_repo / "services.yaml").write_text(text[:start] + text[end:])
    _, found = _json_findings(sdk_repo)
    assert {f[3] for f in found} == SDK_RULES
