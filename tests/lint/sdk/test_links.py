"""sdk-workspace-link details the fixture monorepo does not spell out: workspace: ranges against the
SDK's own version (node-semver decides), go.work parsing, a uv workspace that leaves the SDK out."""

from __future__ import annotations

import pytest

from devenv.deps.readers import read_file
from devenv.lint.sdk.links import LinkJudge, go_work_uses
from devenv.manifest.model import Sdk

TS = Sdk(language="typescript", source="workspace", path="packages/sdk_ts", package="@acme/sdk-ts")
PY = Sdk(language="python", source="workspace", path="packages/sdk_py", package="acme-sdk")


def _npm(spec: str, own: str = "1.4.0"):
    text = '{"dependencies": {"@acme/sdk-ts": "%s"}}' % spec
    deps = read_file("services/web/package.json", text)
    edits: list = []
    return LinkJudge({}.get).judge("ts", TS, deps, own, edits), edits


@pytest.mark.parametrize(
    "spec",
    [
        "workspace:*",
        "workspace:^",
        "workspace:~",
        "workspace:^1.0.0",
        "workspace:1.4.0",
        "workspace:>=1.4.0 <2",
        "file:../../packages/sdk_ts",
        "link:../../packages/sdk_ts/",
    ],
)
def test_npm_links_that_admit_the_sdk(spec):
    assert _npm(spec)[0] == []


@pytest.mark.parametrize("spec", ["workspace:^2.0.0", "workspace:1.3.9"])
def test_workspace_ranges_that_exclude_the_sdks_own_version(spec):
    findings, edits = _npm(spec)
    assert len(findings) == 1 and "does not admit the workspace SDK's own version 1.4.0" in findings[0].message
    assert edits == []  # a range someone chose: reported, not rewritten


def test_a_published_pin_is_rewritten_to_a_file_link_outside_a_pnpm_workspace():
    findings, edits = _npm("1.4.0")
    assert "links the published package, not the workspace SDK at packages/sdk_ts" in findings[0].message
    assert [e.new for e in edits] == ["file:../../packages/sdk_ts"]


def test_go_work_uses_lines_blocks_and_comments():
    text = 'go 1.22\n\nuse ./a // first\nuse (\n\t./b\n\t"./c d" // quoted\n\t// ./gone\n)\n'
    assert go_work_uses(text) == ["./a", "./b", "./c d"]


def test_a_uv_workspace_that_leaves_the_sdk_out():
    files = {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["services/*"]\nexclude = ["packages/sdk_py"]\n',
        "services/jobs/pyproject.toml": '[project]\nname = "jobs"\ndependencies = ["acme-sdk"]\n\n[tool.uv.sources]\nacme-sdk = { workspace = true }\n',
    }
    deps = read_file("services/jobs/pyproject.toml", files["services/jobs/pyproject.toml"])
    findings = LinkJudge(files.get).judge("python", PY, deps, None, [])
    assert len(findings) == 1 and "does not include the workspace SDK at packages/sdk_py" in findings[0].message
    assert findings[0].fix == 'add "packages/sdk_py" to [tool.uv.workspace] members in pyproject.toml'
