"""`devenv render --watch`: re-render whenever the manifest, a template or a file the render
read changes. An invalid edit prints its problems and keeps the last good Tiltfile; Tilt
reloads the Tiltfile itself, so saving services.yaml is enough to see the change in Tilt.
Ctrl-C (SIGINT) stops it, even when it was started with SIGINT ignored (:func:`_sigint_raises`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import DevenvError, ManifestError, report_problems
from devenv.manifest.load import display_name, load_manifest
from devenv.render import render
from devenv.render.engine import TOP_TEMPLATE, shipped_templates
from devenv.render.output import default_output, write_rendered
from devenv.sdk.trusted import record_facts

# watchfiles groups the events of one save (editors write, rename, chmod) within this window.
DEBOUNCE_MS = 400
STEP_MS = 20


@dataclass
class WatchSet:
    """What to watch: files (through their folders, since editors replace files by rename)
    and folders whose whole tree counts (charts, templates)."""

    files: set[Path] = field(default_factory=set)
    trees: set[Path] = field(default_factory=set)

    def roots(self) -> list[tuple[Path, bool]]:
        """(path, recursive) pairs to hand to watchfiles; only existing paths."""
        out = {(t, True) for t in self.trees if t.is_dir()}
        out |= {(f.parent, False) for f in self.files if f.parent.is_dir()}
        return sorted(out)

    def matches(self, changed: Path) -> bool:
        return changed in self.files or any(t == changed or t in changed.parents for t in self.trees)


def inputs_of(manifest: Path, read: list[Path]) -> WatchSet:
    root = manifest.parent
    watched = WatchSet(files={manifest, root / TOP_TEMPLATE}, trees={root / "templates", shipped_templates() / "templates"})
    watched.files.add(shipped_templates() / TOP_TEMPLATE)
    for path in read:
        (watched.trees if path.is_dir() else watched.files).add(path.absolute())
    return watched


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def render_once(manifest: Path, output: Path | None, *, force: bool) -> list[Path]:
    """One render cycle; problems are printed, never raised. Returns the files it read."""
    try:
        loaded = load_manifest(manifest)
        target = default_output(loaded, output)
        rendered = render(loaded, target)
        report_problems(rendered.warnings)
        _say(write_rendered(rendered.text, target, force=force, inputs=(loaded.path, *rendered.inputs)))
        record_facts(loaded, target)
        return rendered.inputs
    except ManifestError as exc:
        report_problems(exc.problems)
        _say(f"{exc.message}; kept the last good Tiltfile")
    except DevenvError as exc:
        _say(f"error: {exc.message}" + (f" ({exc.hint})" if exc.hint else "") + "; kept the last good Tiltfile")
    return []


class _Watcher:
    """watchfiles generators for the recursive and the flat roots, each in its own thread,
    feeding one queue; the main thread waits on the queue so Ctrl-C reaches it at once."""

    def __init__(self, watched: WatchSet):
        import queue
        import threading

        self.roots = watched.roots()
        self.events: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        for recursive in (True, False):
            paths = [str(p) for p, r in self.roots if r == recursive]
            if paths:
                threading.Thread(target=self._pump, args=(paths, recursive), daemon=True).start()

    def _pump(self, paths: list[str], recursive: bool) -> None:
        import watchfiles

        for changes in watchfiles.watch(
            *paths, recursive=recursive, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=self.stop, raise_interrupt=False, watch_filter=None
        ):
            self.events.put({Path(p) for _, p in changes})

    def next_change(self, watched: WatchSet, timeout: float | None) -> bool:
        """True once an input changed; False when ``timeout`` passed without one."""
        import queue

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
            try:
                changed = self.events.get(timeout=wait)
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                continue
            if any(watched.matches(p) for p in changed):
                return True

    def close(self) -> None:
        self.stop.set()


# watchfiles arms its watches inside its thread; a save during this window would be missed.
ARM_SECONDS = 0.3


def _snapshot(watched: WatchSet) -> dict[Path, tuple[int, int] | None]:
    out: dict[Path, tuple[int, int] | None] = {}
    for path in watched.files:
        try:
            stat = path.stat()
            out[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            out[path] = None
    return out


def _sigint_raises() -> bool:
    """Make SIGINT raise KeyboardInterrupt if the process started with it ignored (True then).

    A shell without job control starts a background command (`devenv render --watch &` in a
    script, a CI step, a test run started with `&`) with SIGINT ignored, and Python then leaves it
    ignored: Ctrl-C and `kill -INT` reached the watcher and did nothing, so it never stopped. A
    one-shot command may keep the shell's choice; the watcher runs until it is told to stop, and
    SIGINT is how it is told ("Ctrl-C to stop"). Only the main thread may set a handler."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        return False
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return True


def watch_and_render(manifest: Path, output: Path | None, *, force: bool, max_seconds: float | None = None) -> int:
    was_ignored = _sigint_raises()
    try:
        return _watch(manifest, output, force=force, max_seconds=max_seconds)
    finally:
        if was_ignored:  # as it was, for an in-process caller that goes on
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _watch(manifest: Path, output: Path | None, *, force: bool, max_seconds: float | None) -> int:
    before = _snapshot(inputs_of(manifest, []))
    read = render_once(manifest, output, force=force)
    watched = inputs_of(manifest, read)
    watcher = _Watcher(watched)
    time.sleep(ARM_SECONDS)
    if _snapshot(inputs_of(manifest, [])) != before:  # saved while we were starting: render that
        read = render_once(manifest, output, force=force) or read
        watched = inputs_of(manifest, read)
    _say(f"watching {display_name(manifest)} and {len(watched.files) + len(watched.trees) - 1} other inputs (Ctrl-C to stop)")
    try:
        while watcher.next_change(watched, max_seconds):
            read = render_once(manifest, output, force=force)
            if read:
                new = inputs_of(manifest, read)
                if new.roots() != watcher.roots:
                    watcher.close()
                    watcher = _Watcher(new)
                watched = new
        return 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        _say("stopped")
        return 0
    finally:
        watcher.close()
