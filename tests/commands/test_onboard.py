"""The newcomer path, tried as a new user would: a fresh copy of the repository, a bare
environment (no virtualenv, nothing on PATH but the system's), `scripts/onboard.sh`.

Name resolution runs in a private mount namespace (tests/support/sandbox.py) whose hosts file
points the example's registry names at loopback, so doctor's checks never leave the machine
(pip's own PyPI lookups still use the machine's resolver).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import sandbox
from tests.support.components import missing

REPO = Path(__file__).resolve().parents[2]
REGISTRY_HOSTS = ["npm.packages.dev.ameide.io", "go.packages.dev.ameide.io", "pypi.packages.dev.ameide.io", "docker.io", "host.docker.internal"]


def _fresh_copy(target: Path) -> Path:
    """What a clone holds: tracked files plus untracked, not ignored ones (so local runs see local edits)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    why = sandbox.available()
    if why:
        missing(why)
    if not Path("/usr/bin/python3").exists():
        missing("no system /usr/bin/python3")
    return _fresh_copy(tmp_path_factory.mktemp("clone"))


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "PYTHON": "/usr/bin/python3", "NO_COLOR": "1", "TERM": "dumb"}
    # Only to reuse downloads between test runs; the install itself is the real one.
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    env.update(extra)
    return env


def _system_nameserver() -> str:
    """pip still needs PyPI, so the sandbox keeps the machine's resolver for every other name."""
    for line in Path("/etc/resolv.conf").read_text().splitlines():
        if line.startswith("nameserver"):
            return line.split()[1]
    return "127.0.0.1"


def onboard(clone: Path, env: dict[str, str], tmp_path: Path) -> sandbox.Completed:
    box = sandbox.Sandbox(tmp_path / "net", nameserver=_system_nameserver(), resolver_timeout=5, hosts={h: "127.0.0.1" for h in REGISTRY_HOSTS})
    return box.run(["bash", "scripts/onboard.sh", "--yes"], env=env, cwd=clone, timeout=600)


def test_onboard_without_engine_or_cluster_renders_names_what_is_missing_and_exits_1(clone, tmp_path):
    env = bare_env(tmp_path / "home", DOCKER_HOST="unix:///nonexistent/docker.sock")
    (tmp_path / "home").mkdir()
    first = onboard(clone, env, tmp_path)
    output = first.out + first.err
    assert first.code == 1, output
    assert "Traceback" not in output
    assert (clone / "Tiltfile").exists()
    assert "wrote Tiltfile" in output or "Tiltfile is up to date" in output
    assert "no Docker socket at /nonexistent/docker.sock" in output
    assert "tilt" in output and "not found on PATH" in output
    assert "Install first:" in output
    # onboard.sh installs into .venv/bin and leaves PATH alone: onboard says where Tilt finds devenv
    assert "devenv    not on PATH; the generated Tiltfile finds it at" in output  # (the path may wrap)
    check = subprocess.run([str(clone / ".venv/bin/devenv"), "render", "--check"], cwd=clone, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    second = onboard(clone, env, tmp_path)
    assert second.code == 1 and "Traceback" not in second.out + second.err
    assert "installing devenv" not in second.err  # the install is skipped when nothing changed
    assert second.elapsed < 30
    assert "Tiltfile is up to date" in second.out


def test_onboard_against_the_test_docker_engine(clone, tmp_path, dockerd):
    env = bare_env(tmp_path / "home", DOCKER_HOST=dockerd.host)
    (tmp_path / "home").mkdir()
    result = onboard(clone, env, tmp_path)
    output = result.out + result.err
    assert "Traceback" not in output
    assert "daemon" in output and "no Docker socket" not in output
    assert "Engine 20.10" in output or "Engine 2" in output  # the daemon check reports the server version
    # tilt, k3d and a cluster are still missing here: onboard says so and exits 1
    assert result.code == 1
    assert "Install first:" in output
