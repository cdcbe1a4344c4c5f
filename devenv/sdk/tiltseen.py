"""Wait, inside a running Tilt, until Tilt has seen a file we just wrote.

Why: Tilt's file watcher batches events for 200 ms before it reports them
(internal/controllers/core/filewatch/fsevent/coalesce.go). A step that writes its marker and
exits at once can finish before Tilt knows the file changed: the next step, or a consumer
image, would then start its first build with the old value and build a second time when the
event lands. So a step that changed its marker waits until every FileWatch covering the file
(``tilt get filewatch``, Tilt's own API) reports an event for it. Tilt holds every build while
the Tiltfile has pending config changes and re-runs a local resource for a pending file change,
so once the event is reported, nothing can start with the old value.

The ``tilt`` asked is the one running this step (an ancestor process), so the wait works when
Tilt was started by a path that is not on the step's ``PATH``; a ``tilt`` on ``PATH`` is the
fallback. Outside Tilt (no ``TILT_PORT``, set by Tilt for every local_resource), without a
``tilt`` binary, or when nothing watches the file (``tilt ci`` watches nothing) there is
nothing to wait for. A wait that times out is reported on stderr and never fails the step.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

TIMEOUT = 30.0
POLL = 0.1


def _ignored(path: str, ignores: list[dict]) -> bool:
    for ignore in ignores:
        base = ignore.get("basePath") or ""
        if not (path == base or path.startswith(base.rstrip("/") + "/")):
            continue
        rel = os.path.relpath(path, base)
        prefixes = [rel]
        parts = rel.split("/")
        prefixes += ["/".join(parts[:i]) for i in range(1, len(parts))]
        for pattern in ignore.get("patterns") or []:
            if not pattern.startswith("!") and any(fnmatch.fnmatch(p, pattern.rstrip("/")) for p in prefixes):
                return True
    return False


def _watches(item: dict, path: str) -> bool:
    if ((item.get("status") or {}).get("disableStatus") or {}).get("disabled"):
        return False  # a disabled resource's watch reports nothing
    spec = item.get("spec") or {}
    covered = any(path == w or path.startswith(w.rstrip("/") + "/") for w in spec.get("watchedPaths") or [])
    return covered and not _ignored(path, spec.get("ignores") or [])


def _seen(item: dict, path: str, since: float) -> bool:
    for event in (item.get("status") or {}).get("fileEvents") or []:
        when = datetime.fromisoformat(event.get("time", "").replace("Z", "+00:00")).timestamp() if event.get("time") else 0
        if when >= since and path in (event.get("seenFiles") or []):
            return True
    return False


def _filewatches(tilt: str) -> list[dict] | None:
    try:
        proc = subprocess.run([tilt, "get", "filewatch", "-o", "json"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    try:
        return json.loads(proc.stdout).get("items") or []
    except ValueError:
        return None


def _process(pid: int) -> tuple[int, str] | None:
    """(parent pid, executable path) of process ``pid``: /proc on Linux, ``ps`` elsewhere (macOS)."""
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            stat = (proc / "stat").read_text()
            exe = os.readlink(proc / "exe")
        except OSError:
            return None
        return int(stat.rsplit(")", 1)[1].split()[1]), exe
    try:
        out = subprocess.run(["ps", "-o", "ppid=,comm=", "-p", str(pid)], capture_output=True, text=True, timeout=5).stdout.split(None, 1)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (int(out[0]), out[1].strip()) if len(out) == 2 and out[0].isdigit() else None


def tilt_binary() -> str | None:
    """The tilt running this step (Tilt runs a local_resource's cmd under ``sh -c``), else the
    ``tilt`` on PATH. Why not PATH alone: Tilt started by its full path (a tool cache, a CI
    image) leaves no ``tilt`` on its steps' PATH, and then no wait would happen at all."""
    pid = os.getppid()
    for _ in range(8):
        found = _process(pid) if pid > 1 else None
        if found is None:
            break
        ppid, exe = found
        if os.path.basename(exe).startswith("tilt") and os.access(exe, os.X_OK):
            return exe
        pid = ppid
    return shutil.which("tilt")


def wait_until_seen(path: Path, since: float, *, timeout: float = TIMEOUT) -> str:
    """Block until Tilt reported ``path`` changed at or after ``since`` (epoch seconds).

    Returns why it stopped: ``seen``, ``not-in-tilt``, ``unwatched``, ``timeout`` or
    ``unreachable`` (run by Tilt, but no tilt binary found or Tilt's API did not answer)."""
    if not os.environ.get("TILT_PORT"):
        return "not-in-tilt"
    if (tilt := tilt_binary()) is None:
        return "unreachable"
    # Tilt spells paths as absolute, not resolved: try both spellings of ours.
    spellings = list(dict.fromkeys([os.path.abspath(path), os.path.realpath(path)]))
    deadline = time.monotonic() + timeout
    while True:
        items = _filewatches(tilt)
        if items is None:
            return "unreachable"
        watchers = [(item, p) for item in items for p in spellings if _watches(item, p)]
        if not watchers:
            return "unwatched"
        if all(_seen(item, p, since) for item, p in watchers):
            return "seen"
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(POLL)
