"""The source-dependent SDK rules through the real `devenv lint`, on the Buf and workspace fixture
monorepos: exactly the planted findings (one per rule and ecosystem), no decoy, `--fix`, and the
package managers' own verdict on the links (`go list`, `uv lock --offline`) as the oracle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import sdk_sources as fx
from tests.support.cli import devenv
from tests.support.components import tool


def _findings(repo, *args):
    result = devenv("lint", "--format", "json", *args, cwd=repo)
    document = json.loads(result.out)
    return result, [(f["path"], f["line"], f["col"], f["rule"], f["level"]) for f in document["findings"] if not f["suppressed"]]


@pytest.fixture
def buf_repo(tmp_path):
    return fx.build(tmp_path / "buf", fx.BUF_FILES)


@pytest.fixture
def ws_repo(tmp_path):
    return fx.build(tmp_path / "ws", fx.WORKSPACE_FILES)


def test_buf_repo_reports_exactly_the_planted_findings(buf_repo):
    result, found = _findings(buf_repo)
    assert sorted(found) == sorted(fx.BUF_PLANTED)
    assert result.code == 1
    assert not any(path in fx.BUF_DECOYS for path, *_ in found)
    text = devenv("lint", cwd=buf_repo).out
    assert "ts, go, python share commit 7d1ab5b6f0d1 (20240105174326)" in text
    assert f"add `@buf:registry={fx.NPM_URL}` to services/shop/.npmrc" in text
    assert "catalog:legacy is '2.1.0-20231101100000-0123456789ab.1' in pnpm-workspace.yaml" in text


def test_every_buf_rule_and_ecosystem_is_planted():
    planted = {(rule, path.rpartition(".")[2]) for path, _, _, rule, _ in fx.BUF_PLANTED}
    assert {
        ("sdk-version", "json"),
        ("sdk-version", "mod"),
        ("sdk-version", "toml"),
        ("sdk-buf-commit", "yaml"),
        ("sdk-registry-config", "json"),
        ("sdk-registry-config", "toml"),
    } <= planted


def test_workspace_repo_reports_exactly_the_planted_findings(ws_repo):
    result, found = _findings(ws_repo)
    assert sorted(found) == sorted(fx.WORKSPACE_PLANTED)
    assert result.code == 1
    assert not any(path in fx.WORKSPACE_DECOYS for path, *_ in found)
    text = devenv("lint", cwd=ws_repo).out
    assert "links the published package, not the workspace SDK at packages/sdk_ts" in text
    assert "links packages/other, not the workspace SDK at packages/sdk_go" in text


def test_workspace_fix_writes_the_workspace_form(ws_repo):
    result = devenv("lint", "--fix", cwd=ws_repo)
    assert result.code == 1, result  # the Go and Python links are reported, not rewritten
    assert json.loads((ws_repo / "services/api/package.json").read_text())["dependencies"]["@acme/sdk-ts"] == "workspace:*"
    assert json.loads((ws_repo / "services/ui/package.json").read_text())["dependencies"]["@acme/sdk-ts"] == "file:../../packages/sdk_ts"
    _, found = _findings(ws_repo)
    assert not [f for f in found if f[0].endswith("package.json")]


def test_buf_fix_pins_the_generated_versions(buf_repo):
    devenv("lint", "--fix", cwd=buf_repo)
    assert f"require {fx.GO_PKG} {fx.GO_V}\n" in (buf_repo / "services/gateway/go.mod").read_text()
    assert f'"{fx.PY_PKG}=={fx.PY_V}"' in (buf_repo / "services/graph/pyproject.toml").read_text()
    _, found = _findings(buf_repo)
    assert {f[0] for f in found} == {"services.yaml", "services/shop/package.json", "services/cart/package.json", "services/jobs/pyproject.toml"}


def _go(args, cwd, gowork="auto"):
    env = {
        **os.environ,
        "GOFLAGS": "",
        "GOPROXY": "off",
        "GOWORK": gowork,
        "GOTOOLCHAIN": "local",
        "GOPATH": str(cwd.parent / "gopath"),
        "GOCACHE": str(cwd.parent / "gocache"),
    }
    return subprocess.run([tool("go"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_go_agrees_on_which_modules_link_the_sdk(ws_repo):
    """Go resolves the SDK from the workspace exactly where lint finds no problem: a replace-linked
    module (GOWORK=off: its docker build context holds no go.work) resolves the SDK's folder; a
    go.work-linked one has both itself and the SDK as main modules."""
    for service, linked in (("gateway", True), ("mailer", False)):
        done = _go(["list", "-m", "-f", "{{.Dir}}", "go.acme.test/sdk-go"], ws_repo / "services" / service, "off")
        resolved = done.returncode == 0 and done.stdout.strip() == str(ws_repo / "packages" / "sdk_go")
        assert resolved is linked, (service, done.stdout, done.stderr)
    for service, linked in (("worker", True), ("billing", False)):
        done = _go(["list", "-m"], ws_repo / "services" / service)
        assert done.returncode == 0, done.stderr
        main = set(done.stdout.split())
        assert ({f"example.com/{service}", "go.acme.test/sdk-go"} <= main) is linked, (service, main)


def test_uv_agrees_on_the_workspace_links(ws_repo):
    """`uv lock --offline` resolves acme-sdk from the workspace for graph (decoy); jobs' pin cannot."""
    beside = Path(sys.executable).with_name("uv")  # the `uv` test extra
    uv = str(beside) if beside.is_file() else tool("uv")
    env = {**os.environ, "UV_CACHE_DIR": str(ws_repo.parent / "uvcache"), "UV_OFFLINE": "1", "UV_NO_CONFIG": "1"}
    done = subprocess.run([uv, "lock", "--offline"], cwd=ws_repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lock = (ws_repo / "uv.lock").read_text()
    assert 'name = "acme-sdk"\nversion = "0.3.0"\nsource = { editable = "packages/sdk_py" }' in lock
    ml = subprocess.run([uv, "lock", "--offline", "--project", "services/ml"], cwd=ws_repo, env=env, capture_output=True, text=True, timeout=120)
    assert ml.returncode != 0  # packages/other is not a Python project: the link is broken
