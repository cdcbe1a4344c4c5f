"""`devenv import` and `devenv init` as a user runs them: messages and exit codes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from devenv.manifest.load import load_manifest
from tests.adopt.monorepos import MONOREPOS
from tests.fixtures.manifests import build_tree
from tests.support.cli import devenv, run_without_root_bypass

REPO = Path(__file__).resolve().parents[2]


def _example_monorepo_only(folder: str, names: list[str]) -> set[str]:
    """The example monorepo without the buf/ and workspace/ example manifests beside it."""
    skip = {"buf", "workspace"} if Path(folder) == REPO / "examples" else set()
    return skip | set(shutil.ignore_patterns("node_modules")(folder, names))


def test_import_without_tilt_says_how_to_get_it(tmp_path):
    root = build_tree(tmp_path / "repo", MONOREPOS["dict_loop"])
    result = devenv("import", cwd=root, env={"PATH": "/usr/bin:/bin", "DEVENV_TILT": ""})
    assert result.code == 2, result.err
    assert "`tilt` not found" in result.err and "https://docs.tilt.dev/install.html" in result.err
    assert "Traceback" not in result.err and not (root / "services.yaml").exists()


def test_import_without_a_tiltfile(tmp_path):
    result = devenv("import", "nowhere/Tiltfile", cwd=tmp_path)
    assert result.code == 2 and "no Tiltfile at" in result.err and "devenv init" in result.err


def test_init_writes_a_manifest_that_validates_and_never_overwrites(tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples", ignore=_example_monorepo_only)
    first = devenv("init", cwd=tmp_path)
    assert first.code == 0, first.err
    assert "7 services, 3 SDKs, proto workspace examples/packages/ameide_core_proto" in first.out
    text = (tmp_path / "services.yaml").read_text()
    assert "# GUESS:" in text
    load_manifest(tmp_path / "services.yaml")  # validates
    again = devenv("init", cwd=tmp_path)
    assert again.code == 2 and "never overwrites" in again.err and "--force" in again.err
    assert (tmp_path / "services.yaml").read_text() == text
    assert devenv("init", "--force", cwd=tmp_path).code == 0


def test_init_on_an_empty_folder_writes_a_minimal_manifest(tmp_path):
    result = devenv("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "0 services, 0 SDKs" in result.out
    load_manifest(tmp_path / "services.yaml")


MALFORMED_WORKLOADS = [
    "kind: CronJob\nmetadata: {name: web}\nspec: {jobTemplate: x}\n",
    "kind: Deployment\nmetadata: {name: web, labels: 5, namespace: [a]}\nspec: [1]\n",
    "kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: 5}}}\n",
    "kind: Deployment\nmetadata: {name: web, labels: {app.kubernetes.io/component: 7}}\n"
    "spec: {template: {spec: {containers: [3, {name: web, image: web, ports: [1, {containerPort: x}, {containerPort: 80}], env: [3]}]}}}\n",
]


@pytest.mark.parametrize("workload", MALFORMED_WORKLOADS)
def test_init_reads_a_malformed_workload_as_declaring_what_it_can(tmp_path, workload):
    """A string, list or number where a k8s file should hold a mapping was an AttributeError
    (exit 3); it holds nothing, and the manifest init writes validates."""
    build_tree(tmp_path, {"web/Dockerfile": "FROM scratch\n", "k8s/web.yaml": "apiVersion: apps/v1\n" + workload})
    result = devenv("init", cwd=tmp_path)
    assert result.code == 0 and "Traceback" not in result.err, result.err
    load_manifest(tmp_path / "services.yaml")


def _fifo(root: Path) -> str:
    os.mkfifo(root / "fifo")
    return "fifo"


def _read_only_folder(root: Path) -> str:
    (root / "ro").mkdir(mode=0o555)
    return "ro/services.yaml"


@pytest.mark.parametrize(
    "make,says",
    [(_fifo, "is a FIFO (named pipe), not a regular file"), (lambda root: "/dev/full", "/dev/full is a character device"), (_read_only_folder, "cannot write")],
    ids=["fifo", "dev-full", "read-only-folder"],
)
@pytest.mark.parametrize("force", [False, True])
def test_init_and_import_refuse_an_output_that_is_no_regular_file(tmp_path, make, says, force):
    """A FIFO or device was 'exists: import never overwrites' (init, too) and, with --force, a
    write; a folder init may not write in was a PermissionError, exit 3."""
    build_tree(tmp_path, {"web/Dockerfile": "FROM scratch\n", "Tiltfile": "print('hi')\n"})
    target = make(tmp_path)
    flags = ["--force"] if force else []
    commands = [["init", "-o", target, *flags]] + ([] if target.startswith("ro/") else [["import", "-o", target, *flags]])
    for args in commands:
        result = run_without_root_bypass(args, tmp_path)
        assert result.returncode == 2 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "ro/services.yaml").exists()
