"""The early scan (devenv.lint.early): the file loop run in a child forked before the manifest is
validated gives exactly what the parent's own scan gives, and is dropped whenever the facts it
scanned with are not the validated manifest's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devenv.lint.early import EarlyScan
from devenv.lint.engine import lint
from devenv.lint.gitlisting import GitListing
from devenv.manifest.load import load_manifest


def _everything(result):
    return (result.findings, result.notifications, result.notes, result.files_checked, result.files_read, result.edits)


@pytest.mark.parametrize("where", ["plain folder", "git work tree"])
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("git", ["the parent's", "the child's own", "the parent's, of another folder"])
def test_the_early_scan_finds_what_the_parent_finds(where, jobs, git, monorepo, git_monorepo):
    """Whoever started git: in a plain folder git fails and the child walks, as the parent would."""
    root = monorepo if where == "plain folder" else git_monorepo
    loaded = load_manifest(root / "services.yaml")
    listing = None if git == "the child's own" else GitListing(root / "services" if "another" in git else root)
    early = EarlyScan.start(root / "services.yaml", jobs, listing)
    assert early is not None
    with_early = lint(loaded, jobs=jobs, early=early)
    assert with_early.findings and all(f.fix for f in with_early.findings)  # pending fixes were written
    assert _everything(with_early) == _everything(lint(loaded, jobs=jobs))
    assert listing is None or listing.proc is None or listing.proc.returncode is not None  # git was reaped


def test_the_early_scan_is_used_when_its_facts_are_the_manifests(small):
    root = small({"a.sh": "cd packages/ameide_core_proto\n"})
    early = EarlyScan.start(root / "services.yaml", 1)
    assert early is not None
    loaded = load_manifest(root / "services.yaml")
    from devenv.lint.engine import scan_facts

    outcome = early.outcome(scan_facts(loaded))
    assert outcome is not None
    assert sorted(outcome[0]) == ["a.sh", "packages/ameide_core_proto/buf.yaml", "services.yaml"]
    findings = outcome[1][0]
    assert [(f.location.file, f.location.line, f.rule) for f in findings] == [("a.sh", 1, "proto-in-shell")]


def test_a_scan_with_other_facts_is_dropped(small, tmp_path):
    """A child that scanned with another manifest's keys (the manifest edited between the two
    reads, say) is not used: the parent scans again."""
    root = small({"a.sh": "cd packages/ameide_core_proto\n", "b.sh": "cd packages/other_proto\n"})
    other = root / "other.yaml"
    other.write_text((root / "services.yaml").read_text().replace("path: packages/ameide_core_proto", "path: packages/other_proto"))
    early = EarlyScan.start(other, 1)
    assert early is not None
    loaded = load_manifest(root / "services.yaml")
    result = lint(loaded, early=early)
    assert [(f.location.file, f.rule) for f in result.findings if f.location.file.endswith(".sh")] == [("a.sh", "proto-in-shell")]
    assert _everything(result) == _everything(lint(loaded))


@pytest.mark.parametrize(
    "manifest",
    [
        "version: 1\nproject: demo\n",  # no proto: nothing to scan early
        "version: 1\nproject: demo\nproto: {path: packages/ameide_core_proto, names: ameide_core_proto}\n",  # not a list
        "version: 1\nproject: demo\nproto: [\n",  # not YAML
    ],
)
def test_no_early_outcome_for_a_manifest_it_cannot_read_plainly(small, manifest):
    root = small({"a.sh": "cd packages/ameide_core_proto\n"}, manifest=manifest)
    early = EarlyScan.start(root / "services.yaml", 1)
    assert early is not None
    assert early.outcome(("anything",)) is None
    listing = early.listing()  # the tree was listed all the same (a walk: no git here)
    assert listing is not None and listing.root == Path(os.path.realpath(root)) and listing.result() is None


def test_stop_ends_the_child(git_monorepo):
    early = EarlyScan.start(git_monorepo / "services.yaml", 2)
    assert early is not None
    early.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(early.pid, 0)  # killed and reaped


def test_no_early_scan_for_a_manifest_on_stdin(monorepo):
    assert EarlyScan.start(Path("-"), None) is None


@pytest.mark.parametrize(
    "listed, files",
    [
        (["a.sh", "b/c.ts"], ["a.sh", "b/c.ts"]),  # no lint.exclude: sent once
        (["a.sh", "b/c.ts"], ["b/c.ts"]),  # excluded files: both lists sent
        ([], []),
        ([""], [""]),  # an empty name is still one name
        (None, ["walked.sh"]),  # not a git work tree: the child walked
        (["caf\udce9.sh"], ["caf\udce9.sh"]),  # a name that is not UTF-8 (surrogateescape)
    ],
)
def test_the_answer_crosses_the_pipe_unchanged(listed, files):
    """The child's answer is packed (NUL-joined names, the files only when they differ from the
    listing): what the parent unpacks is what the child had."""
    import pickle

    from devenv.lint.answer import packed, unpacked

    answer = (("facts",), "/root", listed, (files, ([], [], 2, 1)), True)
    assert unpacked(pickle.loads(pickle.dumps(packed(answer)))) == answer
    assert unpacked(packed((None, None, None, None, False))) == (None, None, None, None, False)


def test_a_listing_the_parent_s_git_wrote_is_not_sent_back():
    """The parent reads git's listing itself; the child sends only what it found."""
    import pickle

    from devenv.lint.answer import AS_GIT_LISTED, packed, unpacked

    listed = ["b.ts", "a.ts"]
    answer = (("facts",), "/root", listed, (listed, ([], [], 2, 1)), True)
    shipped = packed(answer, as_git_listed=True)
    assert shipped[2] == AS_GIT_LISTED and shipped[3][0] is None and "a.ts" not in repr(shipped)
    assert unpacked(pickle.loads(pickle.dumps(shipped)), lambda: list(listed)) == answer
    assert unpacked(shipped, lambda: None) == (("facts",), "/root", None, None, False)  # the parent's git failed
