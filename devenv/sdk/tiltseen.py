"""Wait, inside a running Tilt, until Tilt has seen a file we just wrote.

Why: Tilt's file watcher batches events for 200 ms before it reports them
(internal/controllers/core/filewatch/fsevent/coalesce.go). A step that writes its marker and
exits at once can finish before Tilt knows the file changed: the next step, or a consumer
image, would then start its first build with the old value and build a second time when the
event lands. So a step that changed its marker waits until every FileWatch covering the file
(``tilt get filewatch``, Tilt's own API) reports an event for it: Tilt re-runs a local resource
for a pending file change, and holds every build while the Tiltfile has pending changes.

For a file the Tiltfile reads (the last step's digest), it then also waits until a Tiltfile
load that started after that event finished (``tilt get tiltfile``). Why the event alone is not
enough there: Tilt's engine learns of the event through an action queued *after* the FileWatch
status we read is stored, and records only the newest event of a status update; the load, once
finished, has queued the new manifests before its status says so, so they are in Tilt's engine
before this step's own completion, whatever the timing.

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


def _timestamp(text: str | None) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else 0.0


def _event_time(item: dict, path: str, since: float) -> float | None:
    """When the FileWatch last reported ``path`` changed at or after ``since``, if it did."""
    times = [_timestamp(event.get("time")) for event in (item.get("status") or {}).get("fileEvents") or [] if path in (event.get("seenFiles") or [])]
    latest = max(times, default=0.0)
    return latest if latest >= since and times else None


def _seen(item: dict, path: str, since: float) -> bool:
    return _event_time(item, path, since) is not None


def _tiltfile(item: dict) -> str | None:
    """The Tiltfile whose own FileWatch this is (its files and those it reads), else None."""
    target = ((item.get("metadata") or {}).get("annotations") or {}).get("tilt.dev/target-id", "")
    return target.split(":", 1)[1] if target.startswith("configs:") else None


def _loaded_since(tilt: str, name: str, when: float) -> bool | None:
    """Whether a load of Tiltfile ``name`` that started at or after ``when`` finished."""
    proc = _get(tilt, "tiltfile", name)
    if proc is None:
        return None
    terminated = (proc.get("status") or {}).get("terminated") or {}
    return _timestamp(terminated.get("startedAt")) >= when


def _get(tilt: str, *what: str) -> dict | None:
    """``tilt get <what> -o json``, parsed; None when Tilt did not answer."""
    try:
        proc = subprocess.run([tilt, "get", *what, "-o", "json"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return None


def _filewatches(tilt: str) -> list[dict] | None:
    found = _get(tilt, "filewatch")
    return None if found is None else found.get("items") or []


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
    """Block until Tilt reported ``path`` changed at or after ``since`` (epoch seconds) and, when
    a Tiltfile reads it, until a load that started after that report finished.

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
        times = [(item, _event_time(item, p, since)) for item, p in watchers]
        if all(when is not None for _, when in times):
            loads = {(name, when) for item, when in times if (name := _tiltfile(item)) and when is not None}
            return _wait_loaded(tilt, loads, deadline)
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(POLL)


def _wait_loaded(tilt: str, loads: set[tuple[str, float]], deadline: float) -> str:
    """Wait until each Tiltfile finished a load started at or after its event's time."""
    while loads:
        for name, when in sorted(loads):
            done = _loaded_since(tilt, name, when)
            if done is None:
                return "unreachable"
            if done:
                loads.discard((name, when))
        if loads and time.monotonic() > deadline:
            return "timeout"
        if loads:
            time.sleep(POLL)
    return "seen"
