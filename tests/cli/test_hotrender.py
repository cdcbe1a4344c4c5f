"""`render`, `graph` and `why --no-doctor` start without typer, click or rich (devenv.cli.hotrender),
and answer exactly as the full parser does: exit code, stdout, stderr and the files written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.test_hot import _full_parser, _hot, _pinned, rendered  # noqa: F401  (the fixture)

PARSER = {"typer", "click", "rich", "shellingham"}


@pytest.mark.parametrize("args", [["render", "--stdout"], ["render", "--check", "-f", "services.yaml"], ["graph"], ["why", "web", "--no-doctor"]])
def test_the_hot_spellings_skip_the_full_parser(rendered, args):  # noqa: F811
    modules, others = _pinned(args, rendered)
    assert not others & PARSER, others
    assert "devenv.cli.parser" not in modules and "devenv.cli.common" not in modules


@pytest.mark.parametrize("args", [["render", "--help"], ["graph", "--only", "web"], ["why", "web"], ["render", "--check", "--check"]])
def test_other_spellings_take_the_full_parser(rendered, args):  # noqa: F811
    modules, _ = _pinned(args, rendered)
    assert "devenv.cli.parser" in modules


def _break(repo: Path, how: str) -> None:
    manifest = repo / "services.yaml"
    if how == "stale":
        manifest.write_text(manifest.read_text().replace("project: acme", "project: acme2", 1))
    elif how == "invalid":
        manifest.write_text(manifest.read_text().replace("project: acme", "project: acme\nbogus: 1", 1))
    elif how == "hand-edited Tiltfile":
        (repo / "Tiltfile").write_text((repo / "Tiltfile").read_text() + "# mine\n")


def _outcome(run, args: list[str], repo: Path) -> tuple:
    code, out, err = run(args, repo)
    written = sorted((str(p.relative_to(repo)), p.read_text()) for p in [repo / "Tiltfile", *repo.glob("out/*")] if p.is_file())
    return code, out.replace(str(repo), "<repo>"), err.replace(str(repo), "<repo>"), written


@pytest.mark.parametrize("how", ["as rendered", "stale", "invalid", "hand-edited Tiltfile"])
@pytest.mark.parametrize(
    "args",
    [
        ["render", "--stdout"],
        ["render", "--check"],
        ["render", "-f", "services.yaml", "--check"],
        ["render"],
        ["render", "--force", "-o", "out/Tiltfile"],
        ["render", "--manifest=services.yaml", "--force"],
        ["render", "--watch", "--check"],
        ["render", "-f", "missing.yaml"],
        ["graph"],
        ["graph", "--format", "mermaid"],
        ["graph", "--format=dot", "-f", "services.yaml"],
        ["graph", "--format", "bogus"],
        ["why", "web", "--no-doctor"],
        ["why", "nope", "--no-doctor"],
        ["why", "--no-doctor", "-f", "services.yaml", "api"],
        ["--debug", "graph"],
    ],
)
def test_the_hot_path_answers_as_the_full_parser(rendered, tmp_path, how, args):  # noqa: F811
    results = []
    for side, run in (("hot", _hot), ("full", _full_parser)):
        repo = shutil.copytree(rendered, tmp_path / side)
        (repo / "out").mkdir()
        _break(repo, how)
        results.append(_outcome(run, args, repo))
    assert results[0] == results[1]
