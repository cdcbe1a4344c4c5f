"""A running `tilt up`, watched through Tilt's own API (`tilt get uiresource -o json`).

Tilt keeps only the last two builds of a resource in ``status.buildHistory``
(model.BuildHistoryLimit), so a watcher thread polls the API and records every build it ever
sees, by resource and start time: the number of builds per resource, their start and finish
times, are then exactly what Tilt reported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.fixtures.kube import free_port

POLL = 0.5


@dataclass
class Build:
    start: str
    finish: str = ""
    error: str = ""


@dataclass
class TiltSession:
    binary: str
    root: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    only: list[str] = field(default_factory=list)  # `tilt up <only...>`: just these resources (default: all)
    launch: Callable[[list[str]], list[str]] | None = None  # wraps the `tilt up` argv (e.g. a Sandbox's argv)
    builds: dict[str, dict[str, Build]] = field(default_factory=dict)  # resource -> start -> build
    resources: dict[str, dict] = field(default_factory=dict)  # the last uiresource seen per name
    _proc: subprocess.Popen | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, kind: str) -> list[dict]:
        proc = subprocess.run([self.binary, "get", kind, "-o", "json", "--port", str(self.port)], env=self.env, capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            return []
        return json.loads(proc.stdout).get("items") or []

    def tilt(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, *args, "--port", str(self.port)], env=self.env, capture_output=True, text=True, timeout=60)

    def start(self) -> "TiltSession":
        log = open(self.root / f"tilt-up-{self.port}.log", "wb")
        argv = [self.binary, "up", "--stream", "--port", str(self.port), *self.only]
        self._proc = subprocess.Popen(
            self.launch(argv) if self.launch else argv,
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _record(self, items: list[dict]) -> None:
        with self._lock:
            for item in items:
                name = item["metadata"]["name"]
                status = item.get("status") or {}
                self.resources[name] = item
                seen = self.builds.setdefault(name, {})
                for build in status.get("buildHistory") or []:
                    seen[build["startTime"]] = Build(build["startTime"], build.get("finishTime", ""), build.get("error", ""))
                current = (status.get("currentBuild") or {}).get("startTime")
                if current and current not in seen:
                    seen[current] = Build(current)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self._record(self.get("uiresource"))
            except (subprocess.TimeoutExpired, ValueError):
                pass
            self._stop.wait(POLL)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {name: len(builds) for name, builds in self.builds.items()}

    def history(self, name: str) -> list[Build]:
        with self._lock:
            return sorted(self.builds.get(name, {}).values(), key=lambda b: b.start)

    def _busy(self) -> bool:
        with self._lock:
            for item in self.resources.values():
                status = item.get("status") or {}
                if (status.get("currentBuild") or {}).get("startTime") or status.get("pendingBuildSince"):
                    return True
                if status.get("updateStatus") in ("pending", "in_progress"):
                    return True
            return False

    def settle(self, names: set[str], *, quiet: float = 4.0, timeout: float = 240.0) -> dict[str, int]:
        """Wait until every resource in ``names`` built at least once, nothing builds or waits
        to build, and the counts did not move for ``quiet`` seconds; return the counts."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            assert self._proc.poll() is None, f"tilt up exited: {self.log()[-3000:]}"
            counts = self.counts()
            if counts != last:
                last, since = counts, time.monotonic()
            ready = all(counts.get(n, 0) >= 1 for n in names) and not self._busy()
            if ready and time.monotonic() - since >= quiet:
                return counts
            time.sleep(POLL)
        raise AssertionError(f"Tilt did not settle in {timeout:g}s: {self.counts()}\n{self.log()[-4000:]}")

    def log(self) -> str:
        return (self.root / f"tilt-up-{self.port}.log").read_text(errors="replace")

    def build_reasons(self, names: set[str] | None = None) -> str:
        """The lines where Tilt says why it starts a build (buildcontrols.LogBuildEntry: "Initial
        Build", "N File(s) Changed: [...]", "Config Changed", a trigger), with the Tiltfile's
        loads, in log order: what a failed count assertion needs to show."""
        marks = ("Initial Build", "Changed", "Trigger", "Tilt Args", "Dependency Updated", "Loading Tiltfile", "Successfully loaded Tiltfile")
        lines = []
        for line in self.log().splitlines():
            resource = line.split("│", 1)[0].strip() if "│" in line else ""
            if any(m in line for m in marks) and (names is None or resource in names or resource == "(Tiltfile)"):
                lines.append(line)
        timings = [f"{name}: " + ", ".join(f"{b.start} -> {b.finish or '...'}" for b in self.history(name)) for name in sorted(self.builds)]
        return "\n".join(lines + ["builds (start -> finish):"] + timings)

    def stop(self) -> None:
        self._stop.set()
        if self._proc and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGINT)
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
