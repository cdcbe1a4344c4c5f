"""host.devenv: is `devenv` where the generated Tiltfile looks for it (PATH, then the folders
pipx, uv tool and scripts/onboard.sh install into)? The real devenv of this venv is linked
into each place in turn."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.doctor import devenv_bin
from devenv.doctor.base import Status
from devenv.doctor.runner import run_checks
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from tests.doctor.conftest import write_manifest

DEVENV = Path(sys.executable).parent / "devenv"


def _run(root: Path, env: dict[str, str], manifest: str | None = None):
    if manifest is None:
        path = write_manifest(root)
    else:
        root.mkdir(parents=True)
        (path := root / "services.yaml").write_text(manifest)
    loaded = load_manifest(path)
    [result] = run_checks(devenv_bin.CHECKS, loaded=loaded, graph=build_graph(loaded.manifest), env=env, budget=10)
    return result


def _link(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "devenv").symlink_to(DEVENV)
    return folder


def test_on_path(tmp_path):
    result = _run(tmp_path / "repo", {"PATH": str(DEVENV.parent), "HOME": str(tmp_path / "home")})
    assert result.status == Status.OK and str(DEVENV.parent) in result.message


def test_off_path_but_where_pipx_or_uv_put_it(tmp_path):
    folder = _link(tmp_path / "home" / ".local" / "bin")
    result = _run(tmp_path / "repo", {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")})
    assert result.status == Status.WARN and str(folder / "devenv") in result.message
    assert f'export PATH="$PATH:{folder}"' in result.hint


def test_off_path_in_the_repositorys_venv(tmp_path):
    """scripts/onboard.sh installs into .venv/bin beside the manifest and leaves PATH alone."""
    folder = _link(tmp_path / "repo" / ".venv" / "bin")
    result = _run(tmp_path / "repo", {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")})
    assert result.status == Status.WARN and str(folder / "devenv") in result.message


def test_missing_fails_and_names_what_it_blocks(tmp_path):
    result = _run(tmp_path / "repo", {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")})
    assert result.status == Status.FAIL and "packages:health" in result.message
    assert result.blocked == ("web", "api", "gw")  # every SDK chain waits for the gate
    assert "pipx install" in result.hint


def test_missing_only_warns_when_the_tiltfile_never_runs_devenv(tmp_path):
    result = _run(tmp_path / "repo", {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")}, "version: 1\nproject: demo\ntasks:\n  hello: {cmd: echo hi}\n")
    assert result.status == Status.WARN
