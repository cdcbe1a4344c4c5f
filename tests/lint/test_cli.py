"""`devenv lint` as a user runs it: exit codes, formats, and one clear message for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.cli import devenv


def test_findings_exit_1_with_text_on_stdout_and_a_summary_on_stderr(monorepo):
    result = devenv("lint", cwd=monorepo)
    assert result.code == 1
    assert (
        "services/platform/Dockerfile:3:6 proto-in-dockerfile COPY copies the proto workspace 'packages/ameide_core_proto' into the image\n"
        "    fix: depend on @ameideio/ameide-sdk-ts instead\n" in result.out
    )
    assert result.err.splitlines()[-1].startswith("devenv lint: ")
    assert "Traceback" not in result.err


def test_clean_exit_0(small):
    root = small({"services/web/index.ts": 'import { c } from "@ameideio/ameide-sdk-ts";\n', "README.md": "packages/ameide_core_proto\n"})
    result = devenv("lint", cwd=root)
    assert (result.code, result.out) == (0, "")
    assert "no proto-boundary violations" in result.err


def test_only_the_given_files(monorepo):
    result = devenv("lint", "scripts/sync.mjs", "README.md", cwd=monorepo)
    assert result.code == 1
    assert result.out.count("proto-in-script") == 1 and "README" not in result.out
    assert devenv("lint", "README.md", "services/agents/Dockerfile", cwd=monorepo).code == 0


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_parse(monorepo, fmt):
    result = devenv("lint", "--format", fmt, cwd=monorepo)
    assert result.code == 1
    data = json.loads(result.out)
    assert data["version"] in (1, "2.1.0")


def test_output_file(monorepo, tmp_path):
    target = tmp_path / "out" / "lint.sarif"
    result = devenv("lint", "--format", "sarif", "-o", str(target), cwd=monorepo)
    assert result.code == 1 and result.out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lint", "--format", "xml"), "devenv: error: unknown format 'xml'"),
        (("lint", "no/such/file.ts"), "devenv: error: path not found: no/such/file.ts"),
        (("lint", "-f", "nowhere.yaml"), "devenv: error: manifest not found: nowhere.yaml"),
        (("lint", "/"), "is outside the repository"),
        (("lint", "-j", "0"), "--jobs must be 1 or more"),
    ],
)
def test_usage_errors_exit_2_with_one_message(monorepo, args, message):
    result = devenv(*args, cwd=monorepo)
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err and result.out == ""


def test_no_manifest_anywhere_is_exit_2(tmp_path):
    result = devenv("lint", cwd=tmp_path)
    assert result.code == 2 and "no services.yaml in" in result.err and "Traceback" not in result.err


def test_an_invalid_manifest_is_exit_2_with_its_problems(small):
    root = small({}, manifest="version: 1\nproject: demo\nproto: {path: packages/x, alowed: []}\n")
    result = devenv("lint", cwd=root)
    assert result.code == 2
    assert "services.yaml:3:" in result.err and "alowed" in result.err
    assert "Traceback" not in result.err


def test_lint_does_not_import_heavy_clients(monorepo):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "devenv", "lint", "--format", "json"], cwd=monorepo, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr[-2000:]
    modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert modules.isdisjoint({"kubernetes", "docker", "httpx"}), modules & {"kubernetes", "docker", "httpx"}
