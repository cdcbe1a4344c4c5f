"""Host tools, run for real: fake tool scripts on PATH stand in for versions we do not have."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from devenv.doctor import host
from devenv.doctor.base import Status
from devenv.doctor.runner import run_checks
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from tests.doctor.conftest import write_manifest


@pytest.mark.parametrize(
    "output, version",
    [
        ("Docker version 28.2.2, build e6534b4", (28, 2, 2)),
        ("Docker version 20.10.24+dfsg1, build 297e128", (20, 10, 24)),
        ("Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0", (1, 32, 4)),
        ('WARNING: version difference\nClient Version: version.Info{Major:"1", Minor:"24", GitVersion:"v1.24.0"}', (1, 24, 0)),
        ("v0.37.6, built 2026-07-29", (0, 37, 6)),
        ("k3d version v5.6.0\nk3s version v1.27.4-k3s1 (default)", (5, 6, 0)),
        ("v3.22.0+g1234567", (3, 22, 0)),
        ("helmfile version 0.162.0", (0, 162, 0)),
        ("\x1b[32mhelmfile\x1b[0m version v1.1", (1, 1, 0)),
        ("no digits here", None),
    ],
)
def test_versions_are_read_from_each_tools_banner(output, version):
    assert host.parse_version(output) == version


def fake_tool(bin_dir: Path, name: str, body: str) -> Path:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return bin_dir


def run_host(bin_dir: Path, manifest_root: Path, budget: float = 30.0, **env):
    loaded = load_manifest(write_manifest(manifest_root))
    results = run_checks(host.CHECKS, loaded=loaded, graph=build_graph(loaded.manifest), env={"PATH": str(bin_dir), **env}, budget=budget)
    return {r.id: r for r in results}


def test_present_missing_old_and_optional_tools(fake_path, tmp_path):
    fake_tool(fake_path, "docker", 'echo "Docker version 28.2.2, build e6534b4"')
    fake_tool(fake_path, "kubectl", 'echo "Client Version: v1.20.1"')
    fake_tool(fake_path, "helm", 'echo "v3.22.0+g1"')
    r = run_host(fake_path, tmp_path / "repo")
    assert r["host.docker"].status is Status.OK and r["host.docker"].message == "28.2.2 (>= 20.10)"
    assert r["host.kubectl"].status is Status.FAIL
    assert r["host.kubectl"].message == f"1.20.1 at {fake_path}/kubectl is older than 1.25 (default)"
    assert r["host.kubectl"].hint.startswith("upgrade kubectl: ")
    assert r["host.tilt"].status is Status.FAIL
    assert r["host.tilt"].message == "not found on PATH (it runs the generated Tiltfile)"
    assert "install.sh | bash" in r["host.tilt"].hint
    assert r["host.tilt"].blocked == ("web", "api", "gw")
    assert r["host.k3d"].status is Status.WARN  # the manifest names no k3d- context
    assert r["host.helmfile"].status is Status.WARN


def test_minimum_versions_can_be_raised_from_the_environment(fake_path, tmp_path):
    fake_tool(fake_path, "tilt", 'echo "v0.37.6, built 2026-07-29"')
    r = run_host(fake_path, tmp_path / "repo")
    assert r["host.tilt"].status is Status.OK
    r = run_host(fake_path, tmp_path / "repo2", DEVENV_MIN_TILT="0.40")
    assert r["host.tilt"].status is Status.FAIL
    assert r["host.tilt"].message.endswith("is older than 0.40 ($DEVENV_MIN_TILT)")


def test_a_tool_without_a_version_is_a_failure_quoting_it(fake_path, tmp_path):
    fake_tool(fake_path, "k3d", 'echo "FATA[0000] cannot read config" >&2; exit 1')
    r = run_host(fake_path, tmp_path / "repo")
    assert r["host.k3d"].status is Status.FAIL
    assert r["host.k3d"].message == "`k3d version` exited 1: FATA[0000] cannot read config"


def test_a_hanging_tool_is_a_timeout_and_is_killed(fake_path, tmp_path):
    pidfile = tmp_path / "pid"
    fake_tool(fake_path, "helm", f"echo $$ > {pidfile}; /bin/sleep 60; echo v3.22.0")
    t0 = time.monotonic()
    r = run_host(fake_path, tmp_path / "repo", budget=1.5)
    wall = time.monotonic() - t0
    assert wall < 1.5 + 0.5
    assert r["host.helm"].status is Status.TIMEOUT
    assert "did not finish within" in r["host.helm"].message and "(killed)" in r["host.helm"].message
    assert "hangs" in r["host.helm"].hint
    pid = int(pidfile.read_text())
    time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
