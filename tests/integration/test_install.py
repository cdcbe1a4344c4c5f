"""Installing devenv in another monorepo: `uv tool install` from a git URL and `pipx install`
from a built wheel, each into a fresh virtual environment in a fresh HOME, off PATH as pipx
and uv leave it. Then the installed devenv renders a Tiltfile that the real Tilt runs (`tilt ci`)
with a PATH that lacks devenv: the Tiltfile finds it; doctor says where it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devenv import __version__
from tests.support.components import CACHE, tool

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
MANIFEST = """\
version: 1
project: other-monorepo
tasks:
  whoami:
    cmd: devenv --version > installed.txt
"""


# How this machine reaches PyPI (a CA bundle, a proxy, an index mirror): passed through, nothing else.
_NETWORK = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PIP_CERT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "REQUESTS_CA_BUNDLE",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_NATIVE_TLS",
    "UV_SYSTEM_CERTS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)


def _network() -> dict[str, str]:
    return {k: os.environ[k] for k in _NETWORK if k in os.environ}


def _run(argv, env, cwd=None, timeout=600):
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{argv} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    env = {
        "PATH": SYSTEM_PATH,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "UV_CACHE_DIR": str(CACHE / "uv-cache"),
        "PIP_CACHE_DIR": str(CACHE / "pip-cache"),
        **_network(),
    }
    return home, env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    uv = tool("uv", "DEVENV_UV")
    out = tmp_path_factory.mktemp("dist")
    _run(
        [uv, "build", "--wheel", "--out-dir", str(out), str(REPO)],
        {"PATH": SYSTEM_PATH, "HOME": str(out), "UV_CACHE_DIR": str(CACHE / "uv-cache"), **_network()},
    )
    [built] = out.glob("devenv-*.whl")
    return built


def _installed_devenv_works(home: Path, env: dict[str, str], tilt, tmp_path: Path) -> None:
    devenv = home / ".local" / "bin" / "devenv"
    assert _run([str(devenv), "--version"], env).stdout.strip() == f"devenv {__version__}"
    repo = tmp_path / "other-monorepo"
    repo.mkdir()
    (repo / "services.yaml").write_text(MANIFEST)
    _run([str(devenv), "render"], env, cwd=repo)  # the wheel carries the templates
    # Tilt started from a shell whose PATH lacks ~/.local/bin: the Tiltfile appends it.
    run = tilt.run("ci", "--port", "0", cwd=repo, env={"PATH": f"{Path(tilt.binary).parent}:{SYSTEM_PATH}", "HOME": str(home)}, timeout=300)
    assert run.code == 0, run.stdout + run.stderr
    assert (repo / "installed.txt").read_text().strip() == f"devenv {__version__}"
    report = subprocess.run([str(devenv), "doctor", "--only", "host", "--json"], env=env, cwd=repo, capture_output=True, text=True)
    [check] = [c for c in json.loads(report.stdout)["checks"] if c["id"] == "host.devenv"]
    assert check["status"] == "warn" and str(devenv) in check["message"], check


def test_uv_tool_install_from_git_url(tilt, tmp_path):
    uv = tool("uv", "DEVENV_UV")
    home, env = _home(tmp_path)
    env.update(UV_TOOL_DIR=str(tmp_path / "uv-tools"), UV_TOOL_BIN_DIR=str(home / ".local" / "bin"))
    _run([uv, "tool", "install", "--python", sys.executable, f"git+file://{REPO}"], env)
    _installed_devenv_works(home, env, tilt, tmp_path)


def test_pipx_install_from_wheel(tilt, wheel, tmp_path):
    pipx = tool("pipx", "DEVENV_PIPX")
    home, env = _home(tmp_path)
    env.update(PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(home / ".local" / "bin"))
    _run([pipx, "install", "--python", sys.executable, str(wheel)], env)
    _installed_devenv_works(home, env, tilt, tmp_path)


def test_without_devenv_the_tiltfile_cannot_run_it(tilt, tmp_path):
    """The control: the same Tiltfile and PATH, devenv installed nowhere: the task fails."""
    repo = tmp_path / "other-monorepo"
    repo.mkdir()
    (repo / "services.yaml").write_text(MANIFEST)
    _run([str(Path(sys.executable).parent / "devenv"), "render"], dict(os.environ), cwd=repo)
    run = tilt.run("ci", "--port", "0", cwd=repo, env={"PATH": f"{Path(tilt.binary).parent}:{SYSTEM_PATH}", "HOME": str(tmp_path / "empty-home")}, timeout=300)
    assert run.code != 0 and not (repo / "installed.txt").read_text().strip()
    assert "devenv: not found" in run.stdout + run.stderr
