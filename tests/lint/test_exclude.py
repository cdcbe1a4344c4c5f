"""`lint.exclude` in the manifest, and the repository's own example staying clean."""

from pathlib import Path

from tests.support.cli import devenv

REPO = Path(__file__).resolve().parents[2]

MANIFEST = """\
version: 1
project: demo
proto: {path: packages/demo_core_proto, names: ["@demo/core-proto"]}
services: {}
"""


def test_excluded_paths_are_never_read(tree):
    repo = tree(
        {
            "packages/demo_core_proto/buf.yaml": "version: v2\n",
            "services.yaml": MANIFEST + "lint: {exclude: [vendor/, '*.fixture.sh']}\n",
            "vendor/tool/Dockerfile": "COPY packages/demo_core_proto /p\n",
            "scripts/a.fixture.sh": "cp -r packages/demo_core_proto x\n",
            "scripts/build.sh": "cp -r packages/demo_core_proto x\n",
        }
    )
    result = devenv("lint", cwd=repo)
    assert result.code == 1
    assert "scripts/build.sh:1:" in result.out
    assert "vendor/" not in result.out and "a.fixture.sh" not in result.out
    # named on the command line (as pre-commit passes them), excluded paths stay unread
    named = devenv("lint", "vendor/tool/Dockerfile", cwd=repo)
    assert named.code == 0, named.out


def test_without_exclude_the_same_files_are_reported(tree):
    repo = tree(
        {"services.yaml": MANIFEST, "packages/demo_core_proto/buf.yaml": "version: v2\n", "vendor/tool/Dockerfile": "COPY packages/demo_core_proto /p\n"}
    )
    assert "vendor/tool/Dockerfile:1:6" in devenv("lint", cwd=repo).out


def test_the_example_monorepo_is_lint_clean():
    result = devenv("lint", cwd=REPO)
    assert result.code == 0, result.out + result.err
