"""The real pre-commit runs our hook definitions (.pre-commit-hooks.yaml) on a scratch repository.

pre-commit clones the hook repository and installs it with pip into its own virtualenv, as it
does for any user: that needs PyPI (for devenv's dependencies and the build backend) and
nothing else. The hook repository is a committed copy of this checkout, made in the test cache
with fixed commit dates, so the same source gives the same commit and pre-commit reuses the
environment it built last time; this checkout's own git is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.lint import monorepo as fixture_repo
from tests.support.components import CACHE, missing

REPO = Path(__file__).resolve().parents[2]
HOOK_FILES = ("pyproject.toml", "README.md", "Tiltfile.tmpl", "templates", "devenv", ".pre-commit-hooks.yaml")

MANIFEST = textwrap.dedent("""\
    version: 1
    project: demo
    registries:
      npm: {kind: npm, url: "http://npm.example.invalid"}
    proto:
      path: packages/ameide_core_proto
      names: ["@ameide/core-proto"]
      allowed: [packages/ameide_sdk_ts]
    sdks:
      ts:
        language: typescript
        path: packages/ameide_sdk_ts
        package: "@ameideio/ameide-sdk-ts"
        registry: npm
        steps: {build: {cmd: make, deps: [packages/ameide_core_proto]}}
    services:
      web:
        language: typescript
        context: services/web
        image: demo/web
        k8s: [k8s/web.yaml]
    """)


def _hook_repo() -> tuple[Path, str]:
    """A git repository holding this checkout's hook files; (path, commit)."""
    if not shutil.which("git"):
        missing("`git` not found: pre-commit needs it")
    target = CACHE / "pre-commit" / "hook-repo"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in HOOK_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    fixture_repo.git(target, "init", "-q", "-b", "main")
    fixture_repo.git(target, "add", "-A")
    fixture_repo.git(target, "commit", "-q", "-m", "devenv hooks")
    return target, fixture_repo.git(target, "rev-parse", "HEAD").stdout.strip()


def _pre_commit(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **fixture_repo.GIT_ENV,
        "PRE_COMMIT_HOME": str(CACHE / "pre-commit" / "home"),
        "NO_COLOR": "1",
        "PRE_COMMIT_COLOR": "never",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=project, env=env, capture_output=True, text=True, timeout=1500)


def _forget_old_environments(repo: Path, rev: str) -> None:
    """Delete the environments pre-commit built for earlier copies (about 200 MB each).

    Reads pre-commit's store (a ``repos(repo, ref, path)`` table); if its layout ever
    changes this only stops cleaning up.
    """
    import sqlite3

    home = CACHE / "pre-commit" / "home"
    try:
        with sqlite3.connect(home / "db.db") as db:
            stale = db.execute("SELECT ref, path FROM repos WHERE repo = ? AND ref != ?", (str(repo), rev)).fetchall()
            for _, path in stale:
                if Path(path).parent == home:
                    shutil.rmtree(path, ignore_errors=True)
            db.execute("DELETE FROM repos WHERE repo = ? AND ref != ?", (str(repo), rev))
    except sqlite3.Error:
        pass


@pytest.fixture(scope="module")
def hook_repo() -> tuple[Path, str]:
    repo, rev = _hook_repo()
    _forget_old_environments(repo, rev)
    return repo, rev


@pytest.fixture
def project(tmp_path, hook_repo) -> Path:
    from tests.fixtures.manifests import deployment

    path, rev = hook_repo
    root = tmp_path / "project"
    fixture_repo.build(
        root,
        {
            "services.yaml": MANIFEST,
            "services/web/Dockerfile": "FROM node:20\nCOPY services/web .\n",
            "services/web/package.json": '{"name": "web", "dependencies": {"@ameideio/ameide-sdk-ts": "1.4.0"}}\n',
            "k8s/web.yaml": deployment("web", "demo/web"),
            "packages/ameide_sdk_ts/sync.sh": "cp -r ../ameide_core_proto/gen src/\n",
            "packages/ameide_core_proto/buf.yaml": "version: v2\n",
            "scripts/bootstrap": "#!/bin/sh\necho ok\n",
            ".pre-commit-config.yaml": (f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n      - id: devenv-lint\n      - id: devenv-render-check\n"),
        },
    )
    rendered = subprocess.run([sys.executable, "-m", "devenv", "render"], cwd=root, capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    fixture_repo.git(root, "init", "-q", "-b", "main")
    fixture_repo.git(root, "add", "-A")
    fixture_repo.git(root, "commit", "-q", "-m", "project")
    return root


def test_both_hooks_pass_on_a_clean_repository(project):
    proc = _pre_commit(project, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "devenv lint (proto boundary)" in proc.stdout and "Passed" in proc.stdout
    assert "devenv render --check (Tiltfile up to date)" in proc.stdout


def test_lint_hook_fails_on_a_staged_violation(project):
    dockerfile = project / "services" / "web" / "Dockerfile"
    dockerfile.write_text("FROM node:20\nCOPY packages/ameide_core_proto ./proto\nCOPY services/web .\n")
    fixture_repo.git(project, "add", "-A")
    proc = _pre_commit(project, "run", "--files", "services/web/Dockerfile")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "services/web/Dockerfile:2:6 proto-in-dockerfile COPY copies the proto workspace" in proc.stdout
    assert "fix: depend on @ameideio/ameide-sdk-ts instead" in proc.stdout
    # render --check only runs when the manifest, templates or Tiltfile change.
    assert "devenv render --check (Tiltfile up to date)" in proc.stdout
    assert "(no files to check)Skipped" in proc.stdout.replace(".", "")


def test_render_check_hook_fails_on_a_stale_tiltfile(project):
    manifest = project / "services.yaml"
    manifest.write_text(manifest.read_text() + "    labels: [apps]\n")
    fixture_repo.git(project, "add", "-A")
    proc = _pre_commit(project, "run", "--files", "services.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Tiltfile is stale: run `devenv render`" in proc.stdout
    assert "devenv lint (proto boundary)" in proc.stdout
