"""Every option that takes a path (`-f`, `render -o`, `lint -o`, lint's paths) against every kind
of thing a path can name: regular file, missing, folder, symlink (to a file, dangling, a loop),
FIFO, character device, unreadable file, read-only folder, /dev/full.

Each case runs the real CLI in a subprocess under a memory limit (reading /dev/full whole would
exhaust it), with a timeout (a FIFO would hang), and - as root - with CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH dropped from the bounding set, so root's permission bypass does not hide the
unreadable and read-only cases. Around each run the folder is snapshotted: nothing may change
except what the case says.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from tests.fixtures.manifests import build_tree, deployment
from tests.support.components import missing

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space: far above devenv's needs, far below /dev/full

FILES = {
    "services.yaml": """\
        version: 1
        project: demo
        proto: {path: proto}
        services:
          web: {sdks: [], context: web, image: demo/web, k8s: [web.yaml]}
    """,
    "web/Dockerfile": "FROM scratch\n",
    "web.yaml": deployment("web", "demo/web"),
    "proto/demo.proto": 'syntax = "proto3";\n',
    "notes.txt": "hand-written\n",
}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _argv(args: list[str]) -> list[str]:
    argv = [sys.executable, "-m", "devenv", *args]
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        missing("setpriv (util-linux) is needed to drop root's DAC override for the permission cases")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *argv]


def run(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(_argv(args), cwd=cwd, input=stdin, capture_output=True, timeout=60, preexec_fn=_limits, env={**os.environ, "NO_COLOR": "1"})


def snapshot(root: Path) -> dict[str, tuple]:
    """Kind, mode and content (or link text) of everything under ``root``."""
    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = os.lstat(path)
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                os.chmod(path, info.st_mode | 0o400)  # the test (root) may read it back
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                os.chmod(path, info.st_mode)
                seen[rel] = ("file", stat.S_IMODE(info.st_mode), digest)
            else:
                seen[rel] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
    return seen


# What to build at the target path; each returns the path to pass on the command line.
def _regular(repo: Path) -> str:
    run(["render", "-o", "out"], repo)  # a Tiltfile devenv wrote (stale once the manifest moves)
    return "out"


def _missing(repo: Path) -> str:
    return "new/out"


def _folder(repo: Path) -> str:
    (repo / "deploy").mkdir()
    return "deploy"


def _link_to_file(repo: Path) -> str:
    (repo / "real").write_text("hand-written\n")
    (repo / "link").symlink_to("real")
    return "link"


def _dangling(repo: Path) -> str:
    (repo / "dangling").symlink_to("made-by-devenv")
    return "dangling"


def _loop(repo: Path) -> str:
    (repo / "loop").symlink_to("loop")
    return "loop"


def _fifo(repo: Path) -> str:
    os.mkfifo(repo / "fifo")
    return "fifo"


def _device(repo: Path) -> str:
    try:
        os.mknod(repo / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("cannot create a device node here (needs CAP_MKNOD); /dev/full covers devices")
    return "null"


def _unreadable(repo: Path) -> str:
    (repo / "secret").write_text("hand-written\n")
    (repo / "secret").chmod(0)
    return "secret"


def _read_only_folder(repo: Path) -> str:
    (repo / "ro").mkdir()
    (repo / "ro").chmod(0o555)
    return "ro/out"


def _private_folder(repo: Path) -> str:
    """A folder lint meets while walking the tree and may not enter."""
    (repo / "private").mkdir()
    (repo / "private" / "a.ts").write_text('import "../proto/demo";\n')
    (repo / "private").chmod(0)
    return "."


def _dev_full(repo: Path) -> str:
    return "/dev/full"


@dataclass
class Case:
    build: Callable[[Path], str]
    code: int
    says: str = ""  # in stderr (or stdout for a 0)
    changes: set[str] = field(default_factory=set)  # paths that may change
    check: Callable[[Path], None] | None = None


def _still_link(name: str, to: str, starts: str = "") -> Callable[[Path], None]:
    """The link is still a link, and the file it names was written (through it)."""

    def check(repo: Path) -> None:
        assert (repo / name).is_symlink() and os.readlink(repo / name) == to
        text = (repo / to).read_text()
        assert text != "hand-written\n" and text.startswith(starts)

    return check


RENDER_O = {  # devenv render --force -o TARGET: --force is the dangerous mode
    "regular": Case(_regular, 0, "up to date"),
    "missing": Case(_missing, 0, "wrote", {"new", "new/out"}),
    "folder": Case(_folder, 0, "wrote", {"deploy/Tiltfile"}),
    "link-to-file": Case(_link_to_file, 0, "wrote", {"real"}, _still_link("link", "real", "# devenv-checksum")),
    "dangling-link": Case(_dangling, 0, "wrote", {"made-by-devenv"}, _still_link("dangling", "made-by-devenv", "# devenv-checksum")),
    "link-loop": Case(_loop, 2, "symbolic links"),
    "fifo": Case(_fifo, 2, "is a FIFO"),
    "char-device": Case(_device, 2, "is a character device"),
    "unreadable": Case(_unreadable, 2, "Permission denied"),
    "read-only-folder": Case(_read_only_folder, 2, "Permission denied"),
    "dev-full": Case(_dev_full, 2, "/dev/full is a character device"),
}

LINT_O = {  # devenv lint -o TARGET
    "regular": Case(_regular, 0, "", {"out"}),
    "missing": Case(_missing, 0, "", {"new", "new/out"}),
    "folder": Case(_folder, 2, "is a folder"),
    "link-to-file": Case(_link_to_file, 0, "", {"real"}, _still_link("link", "real")),
    "dangling-link": Case(_dangling, 0, "", {"made-by-devenv"}, _still_link("dangling", "made-by-devenv")),
    "link-loop": Case(_loop, 2, "symbolic links"),
    "fifo": Case(_fifo, 2, "is a FIFO"),
    "char-device": Case(_device, 2, "is a character device"),
    "read-only-folder": Case(_read_only_folder, 2, "Permission denied"),
    "dev-full": Case(_dev_full, 2, "/dev/full is a character device"),
    "the-manifest": Case(lambda repo: "services.yaml", 2, "is an input of this command"),
}

MANIFEST_F = {  # devenv render --stdout -f TARGET: reads only
    "regular": Case(lambda repo: "services.yaml", 0, "devenv-checksum"),
    "missing": Case(_missing, 2, "manifest not found"),
    "folder-with-manifest": Case(lambda repo: ".", 0, "devenv-checksum"),
    "folder-without": Case(_folder, 2, "manifest not found"),
    "link-to-file": Case(lambda repo: (repo / "m.yaml").symlink_to("services.yaml") or "m.yaml", 0, "devenv-checksum"),
    "dangling-link": Case(_dangling, 2, "manifest not found"),
    "link-loop": Case(_loop, 2, "symbolic links"),
    "fifo": Case(_fifo, 2, "not a regular file"),
    "char-device": Case(_device, 2, "not a regular file"),
    "unreadable": Case(_unreadable, 2, "not readable"),
    "dev-full": Case(_dev_full, 2, "not a regular file"),
}

LINT_PATHS = {  # devenv lint TARGET
    "regular": Case(lambda repo: "notes.txt", 0, "1 file checked"),
    "missing": Case(_missing, 2, "path not found"),
    "folder": Case(lambda repo: "web", 0, "1 file checked"),
    "link-to-file": Case(_link_to_file, 0, "1 file checked"),
    "dangling-link": Case(_dangling, 0, "1 file checked"),  # names no file: nothing to check
    "link-loop": Case(_loop, 0, "cannot read loop"),
    "fifo": Case(_fifo, 0, "1 file checked"),
    "char-device": Case(_device, 0, "1 file checked"),
    "unreadable": Case(_unreadable, 2, "not readable"),
    "unreadable-folder": Case(lambda repo: (repo / "web").chmod(0) or "web", 2, "not readable"),
    "unreadable-subfolder": Case(_private_folder, 0, "cannot read private: Permission denied"),
    "dev-full": Case(_dev_full, 2, "outside the repository"),
}

COMMANDS = {
    "render -o": (RENDER_O, lambda target: ["render", "--force", "-o", target]),
    "lint -o": (LINT_O, lambda target: ["lint", "-o", target]),
    "-f": (MANIFEST_F, lambda target: ["render", "--stdout", "-f", target]),
    "lint PATH": (LINT_PATHS, lambda target: ["lint", target]),
}

CASES = [pytest.param(command, name, id=f"{command}:{name}") for command, (table, _) in COMMANDS.items() for name in table]


@pytest.fixture
def repo(tmp_path):
    return build_tree(tmp_path / "repo", FILES)


@pytest.mark.parametrize("command,name", CASES)
def test_hostile_path(repo, command, name):
    table, argv = COMMANDS[command]
    case = table[name]
    target = case.build(repo)
    before = snapshot(repo)
    try:
        result = run(argv(target), repo)
        after = snapshot(repo)
    finally:
        for folder, dirs, _ in os.walk(repo):  # let pytest clean up
            for name_ in dirs:
                os.chmod(Path(folder, name_), 0o755)
    out, err = result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    assert "Traceback" not in err and "internal error" not in err, err
    assert result.returncode == case.code, f"exit {result.returncode}\n{out}\n{err}"
    assert case.says in (err + out), f"{case.says!r} not in:\n{out}\n{err}"
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= case.changes, f"changed: {sorted(changed - case.changes)}"
    assert not [k for k in after if k.endswith(".tmp")], "a temporary file was left behind"
    if case.check:
        case.check(repo)


def test_manifest_from_stdin(repo):
    text = (repo / "services.yaml").read_bytes()
    for option in ("-", "/dev/stdin"):
        result = run(["render", "--stdout", "-f", option], repo, stdin=text)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout.startswith(b"# devenv-checksum")
    bad = run(["render", "--stdout", "-f", "-"], repo, stdin=b"version: [\n")
    assert bad.returncode == 2 and b"<stdin>:" in bad.stderr


def test_dev_stdout_piped_to_a_closed_reader_does_not_hang(repo):
    """`render -o /dev/stdout | head` used to block on the pipe: now it is refused at once."""
    proc = subprocess.Popen(_argv(["render", "-o", "/dev/stdout"]), cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_limits)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"not a regular file" in err
