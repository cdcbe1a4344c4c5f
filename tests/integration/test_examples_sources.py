"""The two SDK-source examples (examples/buf, examples/workspace): lint clean, render, and load in
the real Tilt exactly as their manifests imply; each has the finding lint must raise when the
part that makes it work is taken away."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.judge import judge
from tests.support.cli import devenv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(params=["buf", "workspace"])
def example(request, tmp_path):
    root = tmp_path / request.param
    shutil.copytree(EXAMPLES / request.param, root)
    return request.param, root


def _lint(root):
    result = devenv("lint", "--format", "json", cwd=root)
    return result, [(f["path"], f["rule"]) for f in json.loads(result.out)["findings"]]


def test_example_lints_clean_and_renders(example):
    name, root = example
    result, found = _lint(root)
    assert (result.code, found) == (0, []), result.out + result.err
    rendered = devenv("render", cwd=root)
    assert rendered.code == 0 and "warning" not in rendered.err, rendered.err


def test_example_loads_in_tilt_as_implied(example, tilt):
    name, root = example
    result = judge(tilt, root)
    packages = [n for n in result.names if n.startswith("packages:")]
    # Buf SDKs have no steps: nothing to wait for; the workspace SDK's chain gates web.
    assert packages == ([] if name == "buf" else ["packages:ts-sdk-build"])


def test_example_without_its_link_or_registry_config_is_a_finding(example):
    name, root = example
    if name == "buf":
        (root / ".npmrc").unlink()
        (root / "services/worker/requirements.txt").write_text((root / "services/worker/requirements.txt").read_text().split("\n", 1)[1])
        expected = {("services/web/package.json", "sdk-registry-config"), ("services/worker/requirements.txt", "sdk-registry-config")}
    else:
        web = root / "services/web/package.json"
        web.write_text(web.read_text().replace("workspace:*", "0.3.0"))
        jobs = root / "services/jobs/pyproject.toml"
        jobs.write_text(jobs.read_text().split("[tool.uv.sources]")[0])
        expected = {("services/web/package.json", "sdk-workspace-link"), ("services/jobs/pyproject.toml", "sdk-workspace-link")}
    result, found = _lint(root)
    assert result.code == 1 and set(found) == expected, result.out


def test_workspace_example_warns_when_the_context_cannot_see_the_sdk(tmp_path):
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLES / "workspace", root)
    manifest = root / "services.yaml"
    manifest.write_text(manifest.read_text().replace("only: [services/web, packages/sdk_ts]", "only: [services/web]"))
    rendered = devenv("render", cwd=root)
    assert rendered.code == 0
    assert "`only` keeps the workspace SDK 'ts' at packages/sdk_ts out of services.web's docker build" in rendered.err
    assert "add packages/sdk_ts to `only`" in rendered.err


def test_graph_and_why_show_each_sdks_source():
    buf = devenv("graph", cwd=EXAMPLES / "buf").out
    assert (
        "sdk ts: buf: @buf/acme_petapis.bufbuild_es@2.2.0-20240105174326-7d1ab5b6f0d1.1 from the BSR (buf.build/acme/petapis with buf.build/bufbuild/es)"
    ) in buf
    ws = devenv("graph", cwd=EXAMPLES / "workspace").out
    assert "web <- packages:ts-sdk-build (@wsdemo/sdk@0.3.0, workspace)" in ws
    assert "sdk python: workspace: wsdemo-sdk linked from packages/sdk_py" in ws
    why = devenv("why", "worker", "--no-doctor", cwd=EXAMPLES / "buf").out
    assert "sdk python: buf: acme-petapis-protocolbuffers-python@25.1.0.1.20240105174326+7d1ab5b6f0d1" in why


def test_json_schema_describes_the_sources():
    schema = json.loads(devenv("schema", cwd=EXAMPLES).out)
    sdk = schema["$defs"]["Sdk"]["properties"]
    assert sdk["source"]["enum"] == ["registry", "buf", "workspace"] and sdk["source"]["default"] == "registry"
    assert set(schema["$defs"]["BufSdk"]["properties"]) == {"module", "plugin"}
    assert "path" not in schema["$defs"]["Sdk"].get("required", [])


def test_buf_sdks_without_a_path_beside_a_proto_boundary(tmp_path):
    """The proto-boundary rules skip SDK folders: a Buf SDK has none, and lint must not trip on it."""
    root = tmp_path / "buf"
    shutil.copytree(EXAMPLES / "buf", root)
    (root / "proto").mkdir()
    (root / "proto" / "pets.proto").write_text('syntax = "proto3";\npackage acme.petapis.v1;\n')
    manifest = root / "services.yaml"
    manifest.write_text(manifest.read_text().replace("sdks:\n", 'proto: {path: proto, names: ["@acme/petapis-proto"]}\nsdks:\n', 1))
    result, found = _lint(root)
    assert (result.code, found) == (0, []), result.out + result.err
    (root / "services/web/src").mkdir()
    (root / "services/web/src/index.ts").write_text('import { Pet } from "@acme/petapis-proto";\n')
    result, found = _lint(root)
    assert result.code == 1 and found, result.out + result.err
