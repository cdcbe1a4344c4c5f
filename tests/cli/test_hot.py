"""The hot commands (`--version`, `sdk guard`, `sdk stamp`, `sdk mark`) start without typer, rich or
pydantic, and answer exactly as the full parser does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.sdk_monorepo import build
from tests.support.cli import devenv

HEAVY = {"typer", "click", "rich", "pydantic", "pydantic_core", "jinja2", "shellingham", "docker", "kubernetes", "httpx"}


def _imported(args: list[str], cwd: Path) -> set[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def _pinned(args: list[str], cwd: Path) -> tuple[set[str], set[str]]:
    """(devenv modules, other non-stdlib top-level packages) a command imports, beyond bare Python."""
    bare = _imported(["-c", "pass"], cwd)
    found = _imported(["-m", "devenv", *args], cwd) - bare
    # `org`: the stdlib's copy module probes for Jython's org.python.core (a failed import)
    tops = {m.split(".")[0] for m in found} - set(sys.stdlib_module_names) - {"devenv", "org"}
    return {m for m in found if m.split(".")[0] == "devenv"}, tops


GUARD_MODULES = {
    "devenv",
    "devenv.cli",
    "devenv.cli.hot",
    "devenv.cli.outcome",
    "devenv.cli.pathcheck",
    "devenv.commands",
    "devenv.commands.sdk",
    "devenv.sdk",
    "devenv.sdk.freshness",
    "devenv.sdk.trusted",
    "devenv.util",
    "devenv.util.regular",
    "devenv.tilt",
    "devenv.manifest",
    "devenv.manifest.digest",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    repo = build(tmp_path_factory.mktemp("hot"))
    (repo / "packages/sdk_ts/generated").mkdir()
    (repo / "packages/sdk_ts/generated/thing.ts").write_text("export const thing = 1;\n")
    assert devenv("render", cwd=repo).code == 0
    return repo


def test_version_imports_nothing_but_the_cli_entry(rendered):
    modules, others = _pinned(["--version"], rendered)
    assert modules == {"devenv", "devenv.cli", "devenv.cli.hot", "devenv.cli.outcome"}  # outcome: the exit (leave)
    assert others == set()


@pytest.mark.parametrize("command", ["guard", "stamp"])
def test_guard_and_stamp_import_the_pinned_set(rendered, command):
    modules, others = _pinned(["sdk", command, "ts", "-f", "services.yaml"], rendered)
    assert modules == GUARD_MODULES | ({"devenv.util", "devenv.util.fsutil"} if command == "stamp" else set())
    assert others == set(), others  # the facts render recorded: not even a YAML parser


def test_mark_imports_the_pinned_set(rendered, tmp_path):
    repo = shutil.copytree(rendered, tmp_path / "repo")
    modules, others = _pinned(["sdk", "mark", "ts", "build", "-f", "services.yaml"], repo)
    assert modules == (GUARD_MODULES - {"devenv.sdk.freshness"}) | {"devenv.sdk.chain", "devenv.sdk.tiltseen", "devenv.util", "devenv.util.fsutil"}
    assert others == set(), others


def test_an_edited_manifest_is_validated_again(rendered, tmp_path):
    repo = shutil.copytree(rendered, tmp_path / "repo")
    manifest = repo / "services.yaml"
    manifest.write_text(manifest.read_text().replace("project: acme", "project: acme2", 1))
    modules, others = _pinned(["sdk", "guard", "ts"], repo)
    assert "devenv.manifest.load" in modules and "pydantic" in others


def test_a_comment_edit_keeps_the_fast_path(rendered, tmp_path):
    """The header's digest is of the parsed document: a comment changes nothing that was validated."""
    repo = shutil.copytree(rendered, tmp_path / "repo")
    (repo / "services.yaml").write_text((repo / "services.yaml").read_text() + "# edited\n")
    for command in (["sdk", "guard", "ts"], ["sdk", "mark", "ts", "build"]):
        modules, others = _pinned(command, repo)  # another text than the recorded facts': the YAML's keys
        assert "devenv.manifest.load" not in modules and "pydantic" not in others and "yaml" in others


def _full_parser(args: list[str], cwd: Path) -> tuple[int, str, str]:
    code = f"import sys\nfrom devenv.cli.parser import main\nsys.argv = ['devenv', *{args!r}]\nmain()\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def _hot(args: list[str], cwd: Path) -> tuple[int, str, str]:
    result = devenv(*args, cwd=cwd)
    return result.code, result.out, result.err


def _break(repo: Path, how: str) -> None:
    if how == "no proto":
        shutil.rmtree(repo / "packages/acme_proto")
    elif how == "invalid after render":
        text = (repo / "services.yaml").read_text()
        (repo / "services.yaml").write_text(text.replace("project: acme", "project: acme\nbogus: 1"))
    elif how == "no Tiltfile":
        (repo / "Tiltfile").unlink()
    elif how == "empty proto":
        (repo / "packages/acme_proto/proto/acme/v1/thing.proto").unlink()
    elif how == "comment edit":  # not the text render recorded facts for: the YAML's keys answer
        (repo / "services.yaml").write_text((repo / "services.yaml").read_text() + "# edited\n")
    elif how == "implicit smoke":  # ts's chain ends with `devenv sdk verify` as its smoke step (from the YAML)
        text = (repo / "services.yaml").read_text()
        (repo / "services.yaml").write_text(text.replace('      smoke: {cmd: "true"}\n', "", 1))
        assert devenv("render", cwd=repo).code == 0
        (repo / "services.yaml").write_text((repo / "services.yaml").read_text() + "# edited\n")
    elif how == "smoke off":  # a string pydantic reads as false: the YAML path leaves it to the full load
        text = (repo / "services.yaml").read_text().replace('      smoke: {cmd: "true"}\n', "", 1)
        (repo / "services.yaml").write_text(text.replace('    version: "1.4.0"\n', '    version: "1.4.0"\n    verify: {smoke: "off"}\n', 1))
        assert devenv("render", cwd=repo).code == 0
        (repo / "services.yaml").write_text((repo / "services.yaml").read_text() + "# edited\n")


MARK_CASES = [
    ["sdk", "mark", "ts", "build"],
    ["sdk", "mark", "ts", "-f", "services.yaml", "smoke"],
    ["sdk", "mark", "go", "smoke"],
    ["sdk", "mark", "python", "nope", "--manifest=services.yaml"],
    ["sdk", "mark", "tss", "build"],
]


@pytest.mark.parametrize(
    "how", ["as rendered", "comment edit", "no proto", "empty proto", "invalid after render", "no Tiltfile", "implicit smoke", "smoke off"]
)
@pytest.mark.parametrize(
    "args",
    [
        ["sdk", "guard", "ts", "-f", "services.yaml"],
        ["sdk", "guard", "--manifest=services.yaml", "go"],
        ["sdk", "guard", "tss"],
        ["sdk", "stamp", "ts"],
        ["sdk", "stamp", "python", "-f", "services.yaml"],
        ["--debug", "sdk", "guard", "nope"],
        ["--version"],
        *MARK_CASES,
    ],
)
def test_the_hot_path_answers_as_the_full_parser(rendered, tmp_path, how, args):
    results = []
    for side in ("hot", "full"):
        repo = shutil.copytree(rendered, tmp_path / side)
        _break(repo, how)
        results.append((_hot if side == "hot" else _full_parser)(args, repo))
        if "stamp" in args:  # the stamp it wrote is the same too
            stamp = repo / "packages/sdk_ts/generated/.devenv-sdk-stamp.json"
            results[-1] += (stamp.read_text() if stamp.exists() else None,)
        if "mark" in args:  # and so are the result digests it wrote
            results[-1] += (sorted((str(p.relative_to(repo)), p.read_text()) for p in (repo / ".devenv").rglob("*") if p.is_file()),)
    assert results[0] == results[1]


def test_a_hot_command_whose_reader_left_ends_quietly_with_141(tmp_path):
    """The hot commands end without the interpreter's shutdown (devenv.cli.outcome.leave); the
    last flush into a pipe nobody reads is still the reader's business, not a traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "devenv", "--version"], stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (141, b"")


def test_a_hot_command_flushes_everything_before_it_ends(tmp_path):
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "devenv", "--version"], stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as out:
        printed = out.read()
    assert proc.wait() == 0
    assert printed.startswith(b"devenv ") and printed.endswith(b"\n")
