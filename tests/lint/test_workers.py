"""`lint -j`: never more processes than files or CPUs, and no worker outlives its parent, even
when the parent is killed with SIGKILL (no clean-up code runs then: only the kernel's
PR_SET_PDEATHSIG does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.manifests import build_tree

MANIFEST = """\
    version: 1
    project: demo
    proto: {path: proto}
    services: {}
"""


def _tree(root: Path, files: int, lines: int = 1) -> Path:
    tree = {"services.yaml": MANIFEST, "proto/demo.proto": 'syntax = "proto3";\n'}
    body = 'import x from "../proto/demo";\n' * lines  # a needle: every file is parsed
    tree.update({f"src/m{i}.ts": body for i in range(files)})
    return build_tree(root, tree)


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (from /proc: no extra dependency)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.add(int(entry))
    return found


def _workers(pid: int) -> set[int]:
    """Children that are forks of devenv itself (not git, which lint also starts)."""
    found = set()
    for child in _children(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as handle:
                if b"devenv" in handle.read():
                    found.add(child)
        except OSError:
            continue
    return found


def _busy(pid: int, ticks: int = 10) -> bool:
    """Has used ``ticks`` of CPU: past its start-up (the pool's initializer runs first), into
    its slice of files."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return False
    return int(fields[11]) + int(fields[12]) >= ticks  # utime + stime


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "devenv", "lint", *args], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_jobs_is_clamped_to_files_and_cpus(tmp_path):
    root = _tree(tmp_path, 14)
    proc = _start(root, "-j", "100000")
    most = 0
    while proc.poll() is None:
        most = max(most, len(_workers(proc.pid)))
    _, err = proc.communicate()
    assert proc.returncode == 1, err.decode()  # 14 violations found
    cpus = len(os.sched_getaffinity(0))
    # Workers are the processes beyond the parent (which takes a slice itself).
    assert most <= min(14, cpus) - 1, f"{most} workers for 14 files on {cpus} CPUs"


def test_workers_die_with_a_killed_parent(tmp_path):
    cpus = len(os.sched_getaffinity(0))
    if cpus < 2:
        import pytest

        pytest.skip("one CPU: -j is clamped to 1, there are no workers to orphan")
    files = 2000
    for _ in range(5):  # a bigger tree until the workers are caught running
        root = _tree(tmp_path / str(files), files, lines=20)
        proc = _start(root, "-j", str(cpus))
        workers: set[int] = set()
        while proc.poll() is None and not workers:
            workers = {w for w in _workers(proc.pid) if _busy(w)}
        if workers and proc.poll() is None:
            # Stopped workers cannot finish their slice and exit on their own: only a signal
            # from the kernel (SIGKILL ends even a stopped process) can end them now.
            for worker in workers:
                os.kill(worker, signal.SIGSTOP)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        proc.wait()
        files *= 2
    else:
        raise AssertionError("lint finished before its workers could be seen")
    deadline = time.monotonic() + 30  # a bound on waiting, not a speed requirement
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    survivors = [w for w in workers if _alive(w)]
    for worker in survivors:  # do not leave them behind on a failure
        os.kill(worker, signal.SIGKILL)
    assert not survivors, "workers outlived their SIGKILLed parent"
