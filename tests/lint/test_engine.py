"""The whole linter on the fixture monorepo: exact findings, suppressions, scope, robustness."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devenv.lint import fileloop
from devenv.lint.rules import BOUNDARY_RULES
from tests.lint import monorepo as fixture_repo
from tests.lint.conftest import keys, run


@pytest.mark.parametrize("where", ["plain folder", "git work tree"])
def test_every_planted_violation_and_nothing_else(where, monorepo, git_monorepo):
    root = monorepo if where == "plain folder" else git_monorepo
    result = run(root)
    assert keys(result) == fixture_repo.EXPECTED
    assert keys(result, suppressed=True) == fixture_repo.SUPPRESSED


@pytest.mark.parametrize("where", ["plain folder", "git work tree"])
def test_gitignored_files_are_skipped(where, monorepo, git_monorepo):
    root = monorepo if where == "plain folder" else git_monorepo
    reported = {f.location.file for f in run(root).findings}
    assert not reported & fixture_repo.IGNORED
    assert "scripts/keep.local.sh" in reported  # re-included by a ! pattern


def test_untracked_files_that_are_not_ignored_are_checked(git_monorepo):
    status = fixture_repo.git(git_monorepo, "status", "--porcelain", "--", "scripts/sync.mjs").stdout
    assert status.startswith("??")
    assert ("scripts/sync.mjs", 1, 20, "proto-in-script") in keys(run(git_monorepo))


def test_suppressed_findings_carry_their_reason(monorepo):
    suppressed = {f.location.file: f.justification for f in run(monorepo).findings if f.suppressed}
    assert suppressed == {
        "services/platform/Dockerfile": "bootstraps buf's config; reviewed in PR 42",
        "services/platform/package.json": "assets copied at build time; PR 7",
        "services.yaml": "the codegen tool itself; reviewed in #12",
    }


def test_every_finding_names_a_fix(monorepo):
    findings = [f for f in run(monorepo).findings if f.rule in BOUNDARY_RULES]
    assert findings and all(f.fix for f in findings)
    fixes = {(f.location.file, f.location.line): f.fix for f in findings}
    assert fixes[("services/platform/package.json", 7)] == "depend on @ameideio/ameide-sdk-ts instead"
    assert fixes[("services/agents/go.mod", 7)] == "depend on buf.build/gen/go/ameideio/ameide instead"
    assert fixes[("services/inference/requirements-dev.txt", 1)] == "depend on ameide-sdk instead"
    # The service's own SDK, for a file of no particular language inside its folder.
    assert fixes[("services/platform/Dockerfile", 3)] == "depend on @ameideio/ameide-sdk-ts instead"
    # No service, no language: every SDK package, named together.
    assert fixes[("Makefile", 2)] == ("depend on the published SDK instead (@ameideio/ameide-sdk-ts, buf.build/gen/go/ameideio/ameide or ameide-sdk)")


def test_explicit_files_are_the_only_ones_checked(monorepo):
    result = run(monorepo, "scripts/gen.sh", "services/agents/go.mod")
    assert {k[0] for k in keys(result)} == {"scripts/gen.sh", "services/agents/go.mod"}
    assert result.files_checked == 2


def test_an_explicitly_named_ignored_file_is_checked(monorepo):
    assert keys(run(monorepo, "build/Dockerfile")) == {("build/Dockerfile", 2, 6, "proto-in-dockerfile")}


def test_a_folder_is_listed_with_its_ignore_rules(monorepo, git_monorepo):
    for root in (monorepo, git_monorepo):
        files = {k[0] for k in keys(run(root, "services/platform"))}
        assert files == {
            "services/platform/Dockerfile",
            "services/platform/package.json",
            "services/platform/tsconfig.json",
            "services/platform/src/cache.ts",
            "services/platform/src/client.ts",
        }


def test_manifest_rules_run_when_the_manifest_is_among_the_paths(monorepo):
    result = run(monorepo, "services.yaml")
    assert keys(result) == {k for k in fixture_repo.EXPECTED if k[0] == "services.yaml"}
    assert keys(result, suppressed=True) == {k for k in fixture_repo.SUPPRESSED if k[0] == "services.yaml"}


def test_allowed_paths_and_the_proto_workspace_are_never_read(monorepo):
    result = run(monorepo, "packages")
    assert result.files_checked == 0 and not result.findings


def test_a_devenv_rendered_tiltfile_is_skipped_until_edited_by_hand(monorepo):
    assert not keys(run(monorepo, "deploy/Tiltfile"))
    tiltfile = monorepo / "deploy" / "Tiltfile"
    tiltfile.write_text(tiltfile.read_text() + "k8s_yaml('packages/ameide_core_proto/x.yaml')\n")
    assert keys(run(monorepo, "deploy/Tiltfile")) == {("deploy/Tiltfile", 2, 42, "proto-in-tiltfile"), ("deploy/Tiltfile", 3, 11, "proto-in-tiltfile")}


def test_unreadable_files_are_reported_and_skipped(monorepo, monkeypatch):
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if str(path).endswith("scripts/gen.sh"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(fileloop.os, "open", deny)
    result = run(monorepo, jobs=1)
    assert not any(f.location.file == "scripts/gen.sh" for f in result.findings)
    assert [(n.file, n.message) for n in result.notifications] == [("scripts/gen.sh", "cannot read scripts/gen.sh: Permission denied; skipped")]


def test_a_symlink_to_a_folder_is_said_to_be_one(small):
    """It was "cannot read deep/up: Is a directory", as if the folder were broken."""
    root = small({"deep/x.ts": ""})
    (root / "deep" / "up").symlink_to("..")
    result = run(root, jobs=1)
    assert [n.message for n in result.notifications] == [
        "cannot read deep/up: it is a folder (lint does not follow a symlink to a folder, nor enter a repository git lists as one entry); skipped"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_never_blocks_the_scan(small, tmp_path):
    root = small({"scripts/a.sh": "cp packages/ameide_core_proto x\n"})
    os.mkfifo(root / "scripts" / "pipe.sh")
    proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert '"path": "scripts/a.sh"' in proc.stdout


def test_workers_find_what_one_process_finds(git_monorepo):
    serial = run(git_monorepo, jobs=1)
    parallel = run(git_monorepo, jobs=3)
    assert parallel.findings == serial.findings
    assert (parallel.files_checked, parallel.files_read) == (serial.files_checked, serial.files_read)


def test_a_manifest_without_proto_has_nothing_to_check(small):
    root = small({"Dockerfile": "COPY packages/ameide_core_proto .\n"}, manifest="version: 1\nproject: demo\n")
    result = run(root)
    assert not result.findings and result.exit_code == 0
    assert "no `proto:` section" in result.notes[0]


def test_symlinked_file_outside_the_tree_is_read_once_under_its_own_name(small, tmp_path):
    outside = tmp_path / "outside.sh"
    outside.write_text("cd packages/ameide_core_proto\n")
    root = small({})
    (root / "link.sh").symlink_to(outside)
    assert keys(run(root)) == {("link.sh", 1, 4, "proto-in-shell")}


def test_non_utf8_and_bom_files_are_read(small):
    root = small(
        {"latin1.sh": "echo '\xe9t\xe9'\ncd packages/ameide_core_proto\n".encode("latin-1"), "bom.py": "\ufeffimport ameide_core_proto\n".encode("utf-8")}
    )
    assert keys(run(root)) == {("latin1.sh", 2, 4, "proto-in-shell"), ("bom.py", 1, 8, "proto-in-script")}


def test_the_inlined_prefilter_agrees_with_needles_prefilter(small):
    """fileloop.prefiltered inlines Needles.prefilter: a file is parsed exactly when it passes."""
    samples = {
        "a.sh": "cd packages/ameide_core_proto\n",
        "b.sh": "echo proto\n",
        "c.sh": "echo ameide-core-proto\n",
        "d.sh": "# devenv: allow proto-import\n",
        "e.sh": "# devenv: something else\n",
        "f.sh": "plain\n",
        "g.sh": "ameide_core_protocol\n",
        "h.sh": "@ameide/core-proto\n",
    }
    root = small(samples)
    from devenv.lint.needles import Needles

    needles = Needles("packages/ameide_core_proto", ["@ameide/core-proto", "ameide_core_proto"])
    expected = sum(needles.prefilter(text.encode()) for text in samples.values())
    assert run(root).files_read == expected == 5  # not e.sh: a marker without "proto" in a file without needles
