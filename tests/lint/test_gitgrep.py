"""`git grep` in front of the file loop (devenv.lint.gitgrep): the early scan's outcome - findings
with their pending fixes, notes, files checked, files parsed - is the same whether the file loop
skips the files git proved needle-free or reads every file itself.

Generated work trees mix planted references, decoys (`ameide_core_protocol`, the bare gate,
suppression markers), binary files and NULs, files larger than one read, names with spaces,
newlines and bytes that are not UTF-8, with every state a listed file can be in: tracked,
untracked, ignored, tracked although ignored, symlinks (tracked, untracked, dangling, loops),
tracked files replaced by a symlink, a FIFO or a folder, deleted, and files whose bytes git takes
from the index (assume-unchanged, skip-worktree) changed on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.lint.early import _facts, _grep, _scan
from devenv.lint.engine import lint
from devenv.lint.gitgrep import patterns
from devenv.lint.gitlisting import GitListing
from devenv.lint.needles import Needles
from devenv.manifest.load import load_manifest
from tests.lint.monorepo import git

WORKSPACES = "packages/ameide_core_proto/buf.yaml", "packages/acme_core/buf.yaml", "packages/wire/buf.yaml", "packages/ameide_sdk_ts/index.ts"
MANIFESTS = {
    "gate covers the marker": 'proto: {path: packages/ameide_core_proto, names: ["@ameide/core-proto", ameide_core_proto]}',
    "gate without the marker": 'proto: {path: packages/acme_core, names: ["@acme/core", acme_core]}',
    "no gate": "proto: {path: packages/wire, names: [acme_schema]}",
}
SDKS = "sdks:\n  ts: {language: typescript, path: packages/ameide_sdk_ts, package: '@ameideio/ameide-sdk-ts'}\n"

FRAGMENTS = [
    b"plain words, nothing to see\n",
    b'import { x } from "@ameide/core-proto";\n',
    b"from ameide_core_proto.v1 import service_pb2\n",
    b"COPY packages/ameide_core_proto ./p\n",
    b"ameide-core-proto==1.0\n",
    b"import ameide_core_protocol  # another package\n",
    b"proto core wire\n",
    b'import "@acme/core";\n',
    b"cd packages/acme_core\n",
    b"acme_schema = 1\n",
    b"cd ../wire/ && make\n",
    b'# devenv: allow proto-import reason="reviewed"\n',
    b"// devenv\n",
    b"\0binary\0",
    b"\xff\xfe not utf-8 \xc3\n",
    b"\r\n",
    b"x" * 70_000 + b"\n",
]
NAME_CHARS = st.sampled_from(list("abcxyz_-.") + [" ", "\n", "é", "\udcff", "*", "[", "#", "!"])
SUFFIXES = [".ts", ".py", ".go", ".md", ".yaml", ".sh", ".json", ".png", "", "/Dockerfile", "/package.json", "/go.mod", "/requirements.txt"]
KINDS = [
    "tracked",
    "tracked",
    "tracked",
    "untracked",
    "ignored",
    "tracked although ignored",
    "tracked symlink",
    "untracked symlink",
    "dangling symlink",
    "symlink loop",
    "became a symlink",
    "became a FIFO",
    "became a folder",
    "deleted",
    "assume-unchanged, changed",
    "skip-worktree, changed",
]

entries = st.lists(
    st.tuples(
        st.text(NAME_CHARS, min_size=1, max_size=6).filter(lambda s: s not in (".", "..")),
        st.sampled_from(SUFFIXES),
        st.lists(st.sampled_from(FRAGMENTS), max_size=4).map(b"".join),
        st.sampled_from(KINDS),
    ),
    min_size=1,
    max_size=14,
    unique_by=lambda e: e[0],
)


# Attributes that change how git treats a file's bytes when it shows a match (binary, a diff
# driver with a textconv): git grep runs with --text and --no-textconv, so none may change
# which files it proves.
ATTRIBUTES = "*.png binary\n*.md -diff\n*.go diff=upper\n*.json -text\n"


def _build(root: Path, manifest: str, files: list[tuple[str, str, bytes, str]], attributes: bool = False) -> None:
    """Write the tree, commit the tracked part, then change the work tree under git's feet."""
    root.mkdir()
    (root / "services.yaml").write_text(f"version: 1\nproject: demo\n{manifest}\n{SDKS}")
    (root / ".gitignore").write_text("ignored/\n")
    if attributes:
        (root / ".gitattributes").write_text(ATTRIBUTES)
    for rel in WORKSPACES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"ameide_core_proto acme_core wire\n")
    target = root / "shared.txt"
    target.write_bytes(b'import "@ameide/core-proto"; import "@acme/core"; acme_schema\n')
    paths = {}
    for stem, suffix, data, kind in files:
        folder = "ignored/" if "ignored" in kind else "src/"
        path = root / (folder + stem + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "tracked symlink":
            path.symlink_to(target)
        else:
            path.write_bytes(data)
        paths[path] = (data, kind)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "diff.upper.textconv", "tr a-z A-Z <")
    git(root, "add", "-A")
    tracked = [str(p.relative_to(root)) for p, (_, kind) in paths.items() if kind not in ("untracked", "ignored")]
    untracked = [str(p.relative_to(root)) for p, (_, kind) in paths.items() if kind == "untracked"]
    if tracked:
        git(root, "--literal-pathspecs", "add", "-f", "--", *tracked)
    if untracked:
        git(root, "--literal-pathspecs", "rm", "-q", "--cached", "--", *untracked)
    git(root, "commit", "-q", "-m", "tree")
    for path, (data, kind) in paths.items():
        _change(root, path, data, kind, target)


def _change(root: Path, path: Path, data: bytes, kind: str, target: Path) -> None:
    relative = str(path.relative_to(root))
    if kind in ("untracked symlink", "dangling symlink", "symlink loop", "became a symlink", "became a FIFO", "became a folder", "deleted"):
        path.unlink()
    if kind in ("untracked symlink", "became a symlink"):
        path.symlink_to(target)
    elif kind == "dangling symlink":
        path.symlink_to(root / "nowhere")
    elif kind == "symlink loop":
        path.symlink_to(path)
    elif kind == "became a FIFO":
        os.mkfifo(path)
    elif kind == "became a folder":
        path.mkdir()
        (path / "inside.sh").write_bytes(b"cd packages/ameide_core_proto\n")
    elif kind.startswith(("assume-unchanged", "skip-worktree")):
        flag = "--assume-unchanged" if kind.startswith("assume") else "--skip-worktree"
        git(root, "--literal-pathspecs", "update-index", flag, "--", relative)
        path.write_bytes(data + b'\nimport "@ameide/core-proto"; import "@acme/core"; acme_schema\n')


def _outcomes(root: Path) -> tuple[tuple, tuple, set[str]]:
    """(the early scan with git's proof, the early scan reading every file, the files proven)."""
    facts = _facts(str(root / "services.yaml"), str(root))
    assert facts is not None
    listing = GitListing(root)
    listed = listing.result()
    assert listed
    greps = [_grep(facts, str(root)), _grep(facts, str(root))]
    assert greps[0] is not None and greps[1] is not None
    try:
        proven = greps[0].proven(listing.untrusted)
        fast = _scan(facts, str(root), listed, 1, greps[1], listing.untrusted)
    finally:
        for grep in greps:
            grep.cancel()
    return _comparable(fast), _comparable(_scan(facts, str(root), listed, 1)), proven


def _comparable(outcome: tuple) -> tuple:
    """The outcome with each pending fix's arguments (a PendingFix compares as an empty string)."""
    files, (findings, notes, checked, parsed) = outcome
    return files, [(f, getattr(f.fix, "args", None)) for f in findings], notes, checked, parsed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest=st.sampled_from(sorted(MANIFESTS)), files=entries)
def test_git_s_proof_changes_nothing(manifest, files):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        _build(root, MANIFESTS[manifest], files, attributes=True)
        fast, slow, proven = _outcomes(root)
        assert fast == slow
        assert ".gitignore" in proven and "shared.txt" not in proven  # the proof is used, and only where it holds


def test_what_git_proves_and_what_it_leaves(tmp_path):
    """Each kind of file once: git proves only the plain tracked files without a needle."""
    plain = [("clean", ".ts", b"nothing\n", "tracked"), ("hit", ".ts", b'import "@ameide/core-proto";\n', "tracked")]
    others = [(kind.replace(" ", "-").replace(",", ""), ".ts", b"nothing\n", kind) for kind in KINDS[3:]]
    root = tmp_path / "repo"
    _build(root, MANIFESTS["gate covers the marker"], plain + others)
    fast, slow, proven = _outcomes(root)
    assert fast == slow
    assert "src/clean.ts" in proven and "src/hit.ts" not in proven
    assert not {f"src/{stem}.ts" for stem, *_ in others} & proven
    assert fast[3] == slow[3] > len(fast[0]) - len(proven) - 1  # every proven file still counted as checked


@pytest.mark.parametrize(
    "needle, expected",
    [
        ("ameide_core_proto", [b"proto"]),  # the gate, which `proto-import` holds too
        ("acme_core", [b"core", b"devenv"]),
        ("wire", [b"wire", b"devenv"]),
    ],
)
def test_patterns_are_the_prefilter_s_gate(needle, expected):
    names = {"ameide_core_proto": ["@ameide/core-proto", "ameide_core_proto"], "acme_core": ["@acme/core", "acme_core"], "wire": []}[needle]
    assert patterns(Needles(f"packages/{needle}", names)) == expected


def test_no_proof_for_a_needle_git_cannot_search_for():
    assert patterns(Needles("packages/x", ["two\nlines"])) is None


def test_the_cli_reports_an_unreadable_tracked_file(tmp_path):
    """git cannot read it, so it proves nothing about it: the file loop reports it as before."""
    root = tmp_path / "repo"
    _build(root, MANIFESTS["gate covers the marker"], [("secret", ".sh", b"cd packages/ameide_core_proto\n", "tracked"), ("ok", ".sh", b"ls\n", "tracked")])
    (root / "src/secret.sh").chmod(0)
    argv = [sys.executable, "-m", "devenv", "lint", "--format", "json"]
    if os.geteuid() == 0:
        argv = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *argv]
    proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=120)
    assert "cannot read src/secret.sh: Permission denied; skipped" in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files_checked"] == 6  # the two scripts, shared.txt, .gitignore, two buf.yaml outside the workspace


def test_the_cli_gives_what_the_parent_s_own_scan_gives(tmp_path):
    """The whole command (git's proof in the early scan) against lint run in-process without
    an early scan (the file loop reads every file)."""
    root = tmp_path / "repo"
    files = [(f"f{i}", suffix, fragment, kind) for i, (suffix, fragment, kind) in enumerate(zip(SUFFIXES * 2, FRAGMENTS * 2, KINDS * 2))]
    _build(root, MANIFESTS["gate covers the marker"], files, attributes=True)
    proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout)
    expected = lint(load_manifest(root / "services.yaml"), jobs=1)
    assert [(f["path"], f["line"], f["col"], f["rule"]) for f in report["findings"]] == [
        (f.location.file, f.location.line, f.location.col, f.rule) for f in expected.findings
    ]
    assert (report["summary"]["files_checked"], report["summary"]["files_parsed"]) == (expected.files_checked, expected.files_read)


def test_lint_starts_git_grep_with_the_listing(tmp_path, monkeypatch):
    """The whole-tree listing lint starts first (devenv.lint.early.start_listing) carries git grep
    with the manifest's needles, so the proof is there for the early scan."""
    from devenv.lint.early import start_listing

    root = tmp_path / "repo"
    _build(root, MANIFESTS["gate covers the marker"], [("clean", ".ts", b"nothing\n", "tracked"), ("hit", ".ts", b'import "@ameide/core-proto";\n', "tracked")])
    monkeypatch.chdir(root)
    listing = start_listing(None)
    try:
        assert listing.result() is not None and listing.grep is not None
        assert listing.grep.fixed == [b"proto"]
        assert {"src/clean.ts", ".gitignore"} <= listing.grep.proven(listing.untrusted) and "src/hit.ts" not in listing.grep.proven(set())
    finally:
        listing.cancel()


@pytest.mark.parametrize("order", ["the listing's", "reversed"])
def test_only_what_git_proves_is_skipped_in_any_order(tmp_path, order):
    """Batches as git's names arrive: in the listing's (the index's) order every proven file is
    skipped; in any other order some proven files are read too, and nothing else is skipped."""
    from devenv.lint.gitgrep import unproven

    root = tmp_path / "repo"
    files = [(f"f{i:02d}", ".ts", b'import "@ameide/core-proto";\n' if i % 3 == 0 else b"nothing\n", "tracked") for i in range(40)]
    _build(root, MANIFESTS["gate covers the marker"], files + [("late", ".ts", b"nothing\n", "untracked")])
    facts = _facts(str(root / "services.yaml"), str(root))
    listing = GitListing(root)
    listed = listing.result()
    assert listed is not None
    ordered = listed if order == "the listing's" else listed[::-1]
    greps = [_grep(facts, str(root)), _grep(facts, str(root))]
    assert greps[0] is not None and greps[1] is not None
    try:
        proven = greps[0].proven(listing.untrusted)
        batches = list(unproven(greps[1], ordered, listing.untrusted, batch=1))
    finally:
        for grep in greps:
            grep.cancel()
    read = [name for batch in batches for name in batch]
    assert len(read) == len(set(read)) and "src/late.ts" in read
    assert set(ordered) - set(read) <= proven
    if order == "the listing's":
        assert set(ordered) - set(read) == proven and read == [name for name in listed if name not in proven]


def test_the_early_scan_uses_git_s_proof(tmp_path, monkeypatch):
    """The whole path lint takes: the listing with git grep, the child's scan in batches, and its
    outcome used by the parent (not dropped, which would only make the parent scan again)."""
    from devenv.lint.early import EarlyScan, start_listing
    from devenv.lint.engine import scan_facts

    root = tmp_path / "repo"
    files = [(f"f{i:03d}", ".ts", b'import "@ameide/core-proto";\n' if i % 7 == 0 else b"nothing\n", "tracked") for i in range(600)]
    _build(root, MANIFESTS["gate covers the marker"], files)
    monkeypatch.chdir(root)
    loaded = load_manifest(root / "services.yaml")
    early = EarlyScan.start(None, None, start_listing(None))
    assert early is not None
    outcome = early.outcome(scan_facts(loaded))
    early.stop()
    assert outcome is not None
    slow = _scan(scan_facts(loaded), str(root), GitListing(root).result(), 1)
    assert _comparable(outcome) == _comparable(slow)
    assert len(outcome[1][0]) >= 86  # src/f000.ts, f007.ts, …: the scan happened in the child


def test_work_tree_changes_git_has_not_staged(tmp_path):
    """git grep reads the work tree, not the index: a tracked file that gained a reference since
    the last commit (unstaged, or staged and changed again) is found, and one that lost its
    reference is not reported, through the CLI as by the file loop alone."""
    root = tmp_path / "repo"
    files = [
        ("gains", ".sh", b"echo hi\n", "tracked"),
        ("loses", ".sh", b"cd packages/ameide_core_proto\n", "tracked"),
        ("staged", ".sh", b"echo hi\n", "tracked"),
        ("crlf", ".sh", b"echo hi\r\n", "tracked"),
    ]
    _build(root, MANIFESTS["gate covers the marker"], files, attributes=True)
    (root / "src/gains.sh").write_bytes(b"echo hi\ncd packages/ameide_core_proto\n")
    (root / "src/loses.sh").write_bytes(b"echo hi\n")
    (root / "src/staged.sh").write_bytes(b"echo staged\n")
    git(root, "add", "src/staged.sh")
    (root / "src/staged.sh").write_bytes(b"echo staged\r\ncd packages/ameide_core_proto\r\n")
    (root / "src/crlf.sh").write_bytes(b"echo hi\r\n\xff\xfe cd packages/ameide_core_proto\r\n")
    fast, slow, proven = _outcomes(root)
    assert fast == slow
    assert "src/loses.sh" in proven and not {"src/gains.sh", "src/staged.sh", "src/crlf.sh"} & proven
    proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    found = {f["path"] for f in json.loads(proc.stdout)["findings"] if f["path"].startswith("src/")}
    assert found == {"src/gains.sh", "src/staged.sh", "src/crlf.sh"}, proc.stderr


@pytest.mark.parametrize("in_git", [True, False])
def test_a_python_dependency_in_any_case_is_found(tmp_path, in_git):
    """pip reads `Ameide-Core-Proto` as `ameide_core_proto` (PEP 503); git's fixed strings and the
    byte prefilter see neither spelling in it, so such files are never proven and are case-folded."""
    root = tmp_path / "repo"
    (root / "packages/ameide_core_proto").mkdir(parents=True)
    (root / "services.yaml").write_text(
        'version: 1\nproject: p\nproto:\n  path: packages/ameide_core_proto\n  names: ["@ameide/core-proto", ameide_core_proto]\n'
    )
    spelled = {
        "svc/requirements.txt": "Ameide-Core-Proto==1.0\n",
        "svc/constraints.in": "AMEIDE.core_Proto>=1\n",
        "svc/pyproject.toml": '[project]\ndependencies = ["Ameide_Core.PROTO"]\n',
    }
    for path, text in {**spelled, "svc/requirements-dev.txt": "ameide-sdk==1\nrequests\n", "svc/notes.txt": "Ameide-Core-Proto\n"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    if in_git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    proc = subprocess.run([sys.executable, "-m", "devenv", "lint", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    found = {(f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"]}
    assert found == {(path, "proto-in-python-deps") for path in spelled}, proc.stderr
