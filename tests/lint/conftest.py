"""Fixtures for lint: the fixture monorepo (plain folder and git work tree) and small trees."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from devenv.lint import lint
from devenv.lint.model import LintResult
from devenv.lint.rules import BOUNDARY_RULES
from devenv.manifest.load import load_manifest
from tests.lint import monorepo as fixture_repo

SMALL_MANIFEST = """\
version: 1
project: demo
proto:
  path: packages/ameide_core_proto
  names: ["@ameide/core-proto", ameide_core_proto]
  allowed: [packages/ameide_sdk_ts, .github/workflows]
sdks:
  ts: {language: typescript, path: packages/ameide_sdk_ts, package: "@ameideio/ameide-sdk-ts"}
  go: {language: go, path: packages/ameide_sdk_go, package: buf.build/gen/go/ameideio/ameide}
  python: {language: python, path: packages/ameide_sdk_python, package: ameide-sdk}
"""


def keys(result: LintResult, *, suppressed: bool = False) -> set[tuple[str, int, int, str]]:
    """(path, line, col, rule) of lint's own findings (other rule families are not ours to pin)."""
    return {(f.location.file, f.location.line, f.location.col, f.rule) for f in result.findings if f.rule in BOUNDARY_RULES and f.suppressed == suppressed}


def run(root: Path, *paths: str | Path, jobs: int | None = 1) -> LintResult:
    loaded = load_manifest(root / "services.yaml")
    return lint(loaded, [Path(p) if Path(p).is_absolute() else root / p for p in paths], jobs=jobs)


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """The fixture monorepo as a plain folder (no git: .gitignore files are read by lint)."""
    return fixture_repo.build(tmp_path / "repo")


@pytest.fixture
def git_monorepo(tmp_path: Path) -> Path:
    """The fixture monorepo committed to git, with one violating file left untracked."""
    root = fixture_repo.build(tmp_path / "repo")
    return fixture_repo.git_init(root, untracked=("scripts/sync.mjs",))


@pytest.fixture
def small(tmp_path: Path):
    """``small({"path": "text"}, manifest=...)``: a small repository, returning its root."""

    def make(files: dict[str, str | bytes], manifest: str = SMALL_MANIFEST) -> Path:
        texts = {k: textwrap.dedent(v) if isinstance(v, str) and v.startswith("\n") else v for k, v in files.items()}
        # The proto workspace exists (a missing proto.path is a manifest error), unless a test
        # writes its own files there.
        workspace = {"packages/ameide_core_proto/buf.yaml": "version: v2\n"}
        return fixture_repo.build(tmp_path / "small", {"services.yaml": manifest, **workspace, **texts})

    return make
