"""Which files lint looks at: git's list inside a work tree, .gitignore-aware walk outside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.errors import DevenvError
from devenv.lint.gitlisting import GitListing
from devenv.lint.scan import list_files, walk_files
from tests.lint import monorepo as fixture_repo
from tests.support.cli import devenv

TRICKY = {
    ".gitignore": "*.log\n/build\nnode_modules/\ncache/*\n!cache/keep.txt\nsecret-*\n",
    "a.py": "",
    "b.log": "",
    "build/x": "",
    "src/build/y": "",
    "node_modules/m/index.js": "",
    "cache/drop.txt": "",
    "cache/keep.txt": "",
    "src/.gitignore": "generated/\n!important.log\n*.tmp\n",
    "src/important.log": "",
    "src/other.log": "",
    "src/generated/g.ts": "",
    "src/x.tmp": "",
    "src/deep/z.tmp": "",
    "src/deep/ok.ts": "",
    "secret-key.pem": "",
    "docs/secret-notes.md": "",
    "weird name/with space.ts": "",
    "ünïcode/файл.sh": "",
    "more/.gitignore": "**/temp\na/**/b\nout/\n!keep.log\n\\#hash\n",
    "more/x/temp": "",
    "more/a/1/2/b": "",
    "more/a/c": "",
    "more/out": "",
    "more/y/out/z": "",
    "more/keep.log": "",
    "more/#hash": "",
    "more/#other": "",
}


def _write(root: Path) -> Path:
    for relative, content in TRICKY.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def test_the_walk_agrees_with_git(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    plain = _write(tmp_path / "plain")
    repo = _write(tmp_path / "repo")
    fixture_repo.git(repo, "init", "-q")
    by_git = GitListing(repo).result()
    assert by_git is not None
    walked = sorted(walk_files(plain))
    assert walked == sorted(by_git)
    assert "cache/keep.txt" in walked and "src/important.log" in walked and "src/build/y" in walked
    assert not {"b.log", "build/x", "node_modules/m/index.js", "src/generated/g.ts", "src/deep/z.tmp"} & set(walked)


def test_the_walk_of_a_subfolder_applies_the_ignore_files_above_it(tmp_path):
    root = _write(tmp_path / "plain")
    assert sorted(walk_files(root, "src")) == ["src/.gitignore", "src/build/y", "src/deep/ok.ts", "src/important.log"]


def test_outside_git_there_is_no_listing(tmp_path):
    assert GitListing(_write(tmp_path / "plain")).result() is None


def test_paths_must_exist_and_stay_inside_the_root(tmp_path):
    root = _write(tmp_path / "plain")
    with pytest.raises(DevenvError, match="path not found: .*nope"):
        list_files(root, [root / "nope"])
    with pytest.raises(DevenvError, match="is outside the repository"):
        list_files(root, [tmp_path])


def test_explicit_files_are_taken_as_given(tmp_path):
    root = _write(tmp_path / "plain")
    files, used_git = list_files(root, [root / "b.log", root / "a.py"])
    assert files == ["b.log", "a.py"] and not used_git


def test_a_tree_its_enclosing_repository_ignores_is_walked(tmp_path):
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / ".gitignore").write_text("vendor/\n")
    fixture_repo.git(outer, "init", "-q")
    root = _write(outer / "vendor" / "tree")
    files, used_git = list_files(root)
    assert not used_git and "a.py" in files and "b.log" not in files


def _slow_names(out: bytes) -> tuple[list[str], set[str]]:
    """The tags sorted out one by one: the oracle for the fast path."""
    tagged = out.decode("utf-8", "surrogateescape").split("\0")[:-1]
    return list(dict.fromkeys(entry[2:] for entry in tagged)), {e[2:] for e in tagged if e[:1] not in ("H", "?")}


@given(
    st.lists(
        st.tuples(st.sampled_from(["H ", "? ", "S ", "M ", "h "]), st.text(st.sampled_from(["H", "?", " ", "a", "é", "/", "\udcff"]), min_size=1, max_size=6)),
        max_size=8,
        unique_by=lambda e: e[1],
    )
)
@settings(max_examples=500, deadline=None)
def test_the_untagged_fast_path_gives_the_names_the_tags_give(entries):
    """git names a file once, except an unmerged one (once per stage, tagged M)."""
    from devenv.lint.gitlisting import _untagged

    out = b"".join(tag.encode() + name.encode("utf-8", "surrogateescape") + b"\0" for tag, name in entries)
    fast = _untagged(out)
    names, untrusted = _slow_names(out)
    if fast is not None:
        assert fast == names and not untrusted
    else:
        assert untrusted or not entries or any(tag == "H " and name.startswith("? ") for tag, name in entries)


def test_a_listing_gives_the_same_names_when_asked_again(git_monorepo):
    """The early scan asks for the tracked names, then the untracked ones, then (when it falls
    back) the whole listing: each answer is kept, not read again from a git that has ended."""
    repo = git_monorepo
    (repo / "untracked.ts").write_text("x\n")
    listing = GitListing(repo)
    tracked, others = listing.tracked(), listing.others()
    assert tracked and sorted(others) == ["scripts/sync.mjs", "untracked.ts"]
    assert listing.result() == others + tracked == listing.result()
    assert listing.result() == GitListing(repo).result()


def _repo(root: Path, files: dict[str, str]) -> Path:
    fixture_repo.build(root, files)
    return fixture_repo.git_init(root)


def test_a_submodule_and_a_nested_repository_are_walked_as_files_outside_git(tmp_path):
    """git names a submodule as its folder and an untracked nested repository as `folder/`, and
    lists none of their files: lint read them as files it could not read ("Is a directory") and
    checked nothing inside. Their files are now walked, honouring their .gitignore."""
    upstream = _repo(tmp_path / "upstream", {"lib/a.ts": "", "lib/b.log": "", ".gitignore": "*.log\n"})
    root = _repo(tmp_path / "repo", {"a.py": ""})
    fixture_repo.git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), "vendor/up")
    fixture_repo.git(root, "commit", "-q", "-m", "submodule")
    (root / "vendor/up/lib/b.log").write_text("")  # present, ignored by the submodule's .gitignore
    _repo(root / "nested", {"n.ts": "", "n.log": "", ".gitignore": "*.log\n"})
    files, used_git = list_files(root)
    assert used_git
    assert {"vendor/up/lib/a.ts", "vendor/up/.gitignore", "nested/n.ts", "nested/.gitignore"} <= set(files)
    assert not {"vendor/up", "nested/", "vendor/up/.git", "vendor/up/lib/b.log", "nested/n.log"} & set(files), files
    assert not any(f.startswith("nested/.git/") for f in files)
    # Named on the command line, each is walked the same way.
    assert list_files(root, [root / "vendor/up"])[0] == list_files(root, [root / "vendor/up/"])[0]
    assert "vendor/up/lib/a.ts" in list_files(root, [root / "vendor/up"])[0]
    assert set(list_files(root, [root / "nested"])[0]) == {"nested/n.ts", "nested/.gitignore"}


def test_lint_checks_the_files_of_a_submodule_and_a_nested_repository(small):
    """Through the whole command: the early scan reads git's tracked and untracked names apart."""
    upstream = _repo(small({}).parent / "upstream", {"x.mjs": 'import a from "@ameide/core-proto";\n'})
    root = fixture_repo.git_init(small({}))
    fixture_repo.git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), "up")
    _repo(root / "nested", {"n.mjs": 'import a from "@ameide/core-proto";\n'})
    result = devenv("lint", cwd=root)
    assert result.code == 1, result.out + result.err
    assert [line.split(":")[0] for line in result.out.splitlines() if not line.startswith(" ")] == ["nested/n.mjs", "up/x.mjs"]
    assert "folder" not in result.err


@pytest.mark.parametrize("where", [".gitignore", "sub/.gitignore"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_gitignore_that_is_no_regular_file_ignores_nothing_and_never_hangs(tmp_path, where, kind):
    """Outside git the walk read every .gitignore with open(): a FIFO hung lint for ever, a link
    to /dev/zero never ended. Now it ignores nothing, as an unreadable one does."""
    root = _write(tmp_path / "plain")
    (root / "sub").mkdir(exist_ok=True)
    (root / where).unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(root / where)
    else:
        (root / where).symlink_to("/dev/zero")
    script = f"from devenv.lint.scan import walk_files; print(len(list(walk_files(__import__('pathlib').Path({str(root)!r})))))"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and int(proc.stdout) > 0, proc.stderr
