"""git grep started before lint imports anything (devenv.lint.prestart): the guess of the
manifest's needles read without YAML is the YAML parser's answer or no answer, and the git it
started is adopted only when the parsed keys give exactly its patterns."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.lint.early import _facts
from devenv.lint.gitgrep import GrepListing
from devenv.lint.prestart import _spawn, guess, start
from tests.lint.monorepo import git

SPELLINGS = [
    ("proto:\n  path: packages/a_proto\n  names: ['@a/proto', a_proto]\n", ("packages/a_proto", ["@a/proto", "a_proto"])),
    ('proto: {path: "packages/a", names: ["@a/core", a_core]}  # the SDKs only\n', ("packages/a", ["@a/core", "a_core"])),
    ("proto:\n  # the workspace\n  path: packages/a  # here\n\n  names:\n    - x_proto\n    - 'y # z'\nsdks: {}\n", ("packages/a", ["x_proto", "y # z"])),
    ("proto:\n  path: packages/a\nlint: {exclude: ['*.md']}\n", ("packages/a", [])),
    ("proto:\r\n  path: p\r\n  names: []\r\n", ("p", [])),
    ("proto: {path: a, names: [b, 'c, d']}\n", ("a", ["b", "c, d"])),
]
UNUSUAL = [
    "proto: &p {path: a}\n",  # an anchor
    "proto:\n  <<: *base\n",  # a merge of an alias
    "proto:\n  path: !!str a\n",  # a tag
    'proto:\n  path: "a\\tb"\n',  # an escape
    "proto:\n  path: >\n    a\n",  # a block scalar
    "proto:\n  path: a\n  path: b\n",  # a key twice
    "proto:\n  path: a\nproto:\n  path: b\n",
    "proto:\n  path: 12\n",  # not a string
    "proto:\n  path: a\n  names: [b,\n    c]\n",  # a flow sequence over lines
    "proto:\n  names:\n  - a\n  path: b\n",  # a sequence at the key's indentation
    "proto:\n\tpath: a\n",
    "version: 1\n",
    "proto: a\n",
    "proto:\n  path: a\n  names: b\n",  # not a list
]


def test_the_usual_spellings_are_read_as_yaml_reads_them():
    for text, expected in SPELLINGS:
        assert guess(text) == expected, text
        document = yaml.safe_load(text)["proto"]
        assert (document["path"], document.get("names", [])) == expected


def test_anything_unusual_is_left_to_the_yaml_parser():
    for text in UNUSUAL:
        assert guess(text) is None, text


SCALARS = st.lists(st.sampled_from([*"ab_-/.@:# '\"x1,[]{}&*!\\|>%`?é\t\r", "- ", ": ", " #"]), max_size=6).map("".join)


@settings(max_examples=1000, deadline=None)
@given(
    path=SCALARS,
    names=st.one_of(st.none(), st.lists(SCALARS, max_size=3)),
    flow=st.sampled_from([True, False, None]),
    style=st.sampled_from([None, "'", '"']),
    extra=st.sampled_from(["", "version: 1\n", "lint: {exclude: ['*.md']}\n"]),
)
def test_a_guess_is_the_parser_s_answer_or_none(path, names, flow, style, extra):
    """Over manifests PyYAML writes in its block, flow and mixed styles and with quoting: a
    guess, when there is one, is what the parser reads."""
    proto = {"path": path} if names is None else {"path": path, "names": names}
    text = extra + yaml.safe_dump({"proto": proto}, default_flow_style=flow, default_style=style, allow_unicode=True)
    got = guess(text)
    if got is not None:
        parsed = yaml.safe_load(text)["proto"]
        assert got == (parsed["path"], parsed.get("names", [])), text


def _repo(root):
    root.mkdir()
    (root / "services.yaml").write_text("version: 1\nproject: demo\nproto:\n  path: packages/ameide_core_proto\n  names: [ameide_core_proto]\n")
    (root / "packages/ameide_core_proto").mkdir(parents=True)
    (root / "packages/ameide_core_proto/buf.yaml").write_text("version: v2\n")
    (root / "a.ts").write_text("nothing\n")
    (root / "b.ts").write_text('import "ameide_core_proto";\n')
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    return root


def test_a_right_guess_is_adopted_and_a_wrong_one_stopped(tmp_path):
    root = _repo(tmp_path / "repo")
    facts = lambda: _facts(str(root / "services.yaml"), str(root))  # noqa: E731
    right = start(str(root / "services.yaml"))
    assert right is not None and right.fixed == [b"proto"]
    listing = GrepListing(root, facts, right)
    try:
        assert listing.grep is not None and listing.grep.proc is right.process
        proven = listing.grep.proven(set())
        assert "a.ts" in proven and not {"b.ts", "services.yaml"} & proven
    finally:
        listing.cancel()
    wrong = _spawn(os.path.realpath(root), [b"nothing"])
    assert wrong is not None
    listing = GrepListing(root, facts, wrong)
    try:
        assert wrong.process.returncode is not None  # stopped and reaped
        assert listing.grep is not None and listing.grep.fixed == [b"proto"] and listing.grep.proc is not wrong.process
        assert "a.ts" in listing.grep.proven(set()) and "b.ts" not in listing.grep.proven(set())
    finally:
        listing.cancel()


def test_no_head_start_without_git_or_outside_a_work_tree(tmp_path):
    """Without git on PATH nothing starts; outside a work tree git fails, and lint walks the
    folder and reads every file as it always did (the same findings)."""
    root = tmp_path / "plain"
    root.mkdir()
    (root / "services.yaml").write_text("version: 1\nproject: demo\nproto:\n  path: packages/p_proto\n")
    (root / "packages/p_proto").mkdir(parents=True)
    (root / "run.sh").write_text("cd packages/p_proto\n")
    code = "import os, sys\nfrom devenv.lint.prestart import start\nprint(start(sys.argv[1]))\n"
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    out = subprocess.run([sys.executable, "-c", code, str(root / "services.yaml")], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "None"
    for path in (env["PATH"], os.environ["PATH"]):
        proc = subprocess.run([sys.executable, "-m", "devenv", "lint"], cwd=root, env={**os.environ, "PATH": path}, capture_output=True, text=True)
        assert proc.returncode == 1 and "run.sh:1:" in proc.stdout, proc.stdout + proc.stderr


def test_prestart_imports_nothing_beyond_the_interpreter_s_own(tmp_path):
    def imported(code: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True)
        return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}

    assert imported("import devenv.lint.prestart") - imported("pass") == {
        "__future__",
        "devenv",
        "devenv.lint",
        "devenv.lint.prestart",
        "devenv.lint.needlebytes",
    }


def test_a_fifo_for_a_manifest_is_refused_not_waited_on(tmp_path):
    """Neither the guess nor the early scan's keys open a FIFO for reading (that waits for a
    writer): the manifest loader's own message, exit 2."""
    fifo = tmp_path / "services.yaml"
    os.mkfifo(fifo)
    assert start(str(fifo)) is None
    proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "-f", str(fifo)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "is not a regular file" in proc.stderr, proc.stderr


def test_git_inherits_none_of_the_caller_s_descriptors():
    """As Popen's close_fds: a pipe the caller left inheritable is closed in git (a write end
    held by git would keep the caller's reader waiting until git ends)."""
    from devenv.lint.prestart import _inherited

    read_end, write_end = os.pipe()
    try:
        assert write_end not in _inherited()
        os.set_inheritable(write_end, True)
        assert write_end in _inherited() and read_end not in _inherited() and not {0, 1, 2} & set(_inherited())
    finally:
        os.close(read_end)
        os.close(write_end)
