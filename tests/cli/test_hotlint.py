"""`devenv lint` starts without typer, click or rich; its early file loop without pydantic; and the
typer-free path answers exactly as the full parser does (stdout, stderr, exit code, files written)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_hot import _full_parser, _imported, _pinned
from tests.fixtures.sdk_monorepo import FILES, build

PARSER = {"typer", "click", "rich", "shellingham", "jinja2", "docker", "kubernetes", "httpx"}
BOUNDARY = {  # proto-boundary violations and suppressions beside the SDK fixture's findings
    "scripts/gen.sh": "cp -r packages/acme_proto/proto build/\n",
    "scripts/ok.sh": '# devenv: allow proto-import reason="the codegen script"\ncd packages/acme_proto\n',
    "scripts/unused.sh": '# devenv: allow proto-import reason="stale"\necho hi\n',
    "web/Dockerfile": "FROM node:20\n# devenv: allow proto-import\nCOPY packages/acme_proto /p\n",
}
# What the early file loop (devenv.lint.early's child) imports of devenv: no manifest model.
EARLY_MODULES = {
    "devenv",
    "devenv.deps",
    "devenv.deps.filenames",
    "devenv.errors",
    "devenv.lint",
    "devenv.lint.answer",
    "devenv.lint.checker",
    "devenv.lint.document",
    "devenv.lint.early",
    "devenv.lint.fileloop",
    "devenv.lint.gitgrep",
    "devenv.deps.jsonpos",
    "devenv.deps.jsonpos.tolerant",
    "devenv.lint.model",
    "devenv.lint.needlebytes",
    "devenv.lint.needles",
    "devenv.lint.prestart",
    "devenv.lint.rules",
    "devenv.lint.rules.base",
    "devenv.lint.rules.ci_workflow",
    "devenv.lint.rules.dockerfile",
    "devenv.lint.rules.go_mod",
    "devenv.lint.rules.k8s_yaml",
    "devenv.lint.rules.other",
    "devenv.lint.rules.package_json",
    "devenv.lint.rules.pnpm_workspace",
    "devenv.lint.rules.python_deps",
    "devenv.lint.rules.script",
    "devenv.lint.rules.shell",
    "devenv.lint.rules.tiltfile",
    "devenv.lint.gitlisting",
    "devenv.lint.scan",
    "devenv.lint.scope",
    "devenv.lint.sdk",
    "devenv.lint.sdk.ruleinfo",
    "devenv.lint.suppress",
    "devenv.util",
    "devenv.util.deathsig",
    "devenv.util.regular",
    "devenv.util.textpos",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = build(tmp_path_factory.mktemp("hotlint") / "repo", {**FILES, **BOUNDARY})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_lint_imports_no_cli_framework(repo):
    modules, others = _pinned(["lint", "--format", "json"], repo)
    assert not others & PARSER, others & PARSER
    assert "devenv.cli.hotlint" in modules and not {"devenv.cli.parser", "devenv.cli.common"} & modules


def test_the_early_file_loop_imports_no_manifest_model(repo):
    code = "import os\nfrom devenv.lint import early\nearly._child(os.getppid(), None, 2, None, os.open(os.devnull, os.O_WRONLY))\n"
    found = _imported(["-c", code], repo) - _imported(["-c", "pass"], repo)
    tops = {m.split(".")[0] for m in found} - set(sys.stdlib_module_names) - {"devenv", "org"}
    assert {m for m in found if m.split(".")[0] == "devenv"} == EARLY_MODULES
    assert tops <= {"yaml", "_yaml"}, tops


def _break(root: Path, how: str) -> None:
    manifest = root / "services.yaml"
    if how == "invalid manifest":
        manifest.write_text(manifest.read_text().replace("project: acme", "project: acme\nbogus: 1"))
    elif how == "no proto workspace":
        shutil.rmtree(root / "packages/acme_proto")
    elif how == "no proto section":
        text = manifest.read_text()
        manifest.write_text(text[: text.index("proto:")] + text[text.index("sdks:") :])
    elif how == "not YAML":
        manifest.write_text("version: 1\nproject: [\n")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


CASES = [
    ["lint"],
    ["lint", "--format", "json"],
    ["lint", "--format=sarif"],
    ["lint", "-f", "services.yaml", "-j", "1"],
    ["lint", "--manifest=services.yaml", "--jobs=2", "--format", "json"],
    ["lint", "scripts", "web/Dockerfile"],
    ["lint", "-o", "report.sarif", "--format", "sarif"],
    ["lint", "--output=out/r.txt"],
    ["lint", "--format", "xml"],
    ["lint", "-j", "0"],
    ["lint", "-j", "x"],
    ["lint", "--fix"],
    ["lint", "--fix", "--diff"],
    ["lint", "nope"],
    ["lint", "-f", "missing.yaml"],
    ["lint", "-o"],
    ["lint", "--help"],
    ["--debug", "lint", "--format", "json"],
]


BROKEN = [
    (how, args)
    for how in ("invalid manifest", "no proto workspace", "no proto section", "not YAML")
    for args in (["lint"], ["lint", "--format", "json"], ["lint", "--fix"], ["lint", "scripts", "web/Dockerfile"])
]


def _hot(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """devenv.cli.main (the hot path first) under the program name the full-parser harness uses."""
    code = f"import sys\nfrom devenv.cli import main\nsys.argv = ['devenv', *{args!r}]\nmain()\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("how, args", [("as built", args) for args in CASES] + BROKEN, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_the_hot_path_answers_as_the_full_parser(repo, tmp_path, how, args):
    results = []
    for side in ("hot", "full"):  # one after the other in the same folder: reports name it
        shutil.rmtree(tmp_path / "repo", ignore_errors=True)
        root = shutil.copytree(repo, tmp_path / "repo")
        _break(root, how)
        results.append((*(_hot if side == "hot" else _full_parser)(args, root), _tree(root)))
    assert results[0] == results[1]
    assert results[0][0] in (0, 1, 2), results[0][2]
