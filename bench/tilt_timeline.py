"""A `tilt up`'s timeline from Tilt's own API, for bench/bench_tilt_up.py: where the time goes.

What is recorded (every 0.5 s, beside the TiltSession's own poll of `tilt get uiresource`):

- each resource's builds, start and finish (Tilt's ``buildHistory``, every build ever seen, via
  the TiltSession), the Tiltfile's loads included (the ``(Tiltfile)`` resource);
- per sample, each resource's ``waiting`` hold reason (Tilt's scheduler: ``waiting-for-dep``,
  ``tiltfile-reload``, ``waiting-for-local``, ``is-unparallelizable-local``...), whether it is
  pending and when its runtime first became ``ok`` (a pod Ready, by its readiness probe);
- the machine: the share of CPU time not idle (/proc/stat, all cores) and the 1-min load average;
- from Tilt's log: how long each ``devenv sdk mark`` waited for Tilt to see its marker (and, for
  the last step, the Tiltfile load that reads it).

Times are seconds since ``tilt up`` started. ``summary`` turns one recording into the lines the
bench prints; ``to_json`` keeps everything for a closer look (``--timeline DIR``).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

TILTFILE = "(Tiltfile)"
SAMPLE = 0.5
_MARK = re.compile(r"devenv sdk mark: (\S+) (\S+): Tilt saw the new result after ([0-9.]+)s")


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else 0.0


def _cpu() -> tuple[int, int]:
    """(busy, total) jiffies over all cores."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class Sample:
    t: float
    cpu: float  # share of all cores busy since the previous sample
    load: float
    states: dict[str, tuple[str, str, str, bool]]  # name -> (update, runtime, waiting reason, in the trigger queue)


@dataclass
class Recorder:
    """Samples ``session.resources`` (kept fresh by the TiltSession's poll) and the CPU."""

    session: object
    t0: float = field(default_factory=time.time)
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "Recorder":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        busy, total = _cpu()
        while not self._stop.wait(SAMPLE):
            b, t = _cpu()
            share = (b - busy) / (t - total) if t > total else 0.0
            busy, total = b, t
            states = {}
            for name, item in dict(self.session.resources).items():  # type: ignore[attr-defined]
                status = item.get("status") or {}
                waiting = (status.get("waiting") or {}).get("reason", "")
                states[name] = (status.get("updateStatus", ""), status.get("runtimeStatus", ""), waiting, bool(status.get("queued")))
            load = float(Path("/proc/loadavg").read_text().split()[0])
            self.samples.append(Sample(time.time() - self.t0, share, load, states))


def builds(session, t0: float) -> dict[str, list[tuple[float, float]]]:
    """Resource -> its builds as (start, finish) seconds since ``t0`` (finish -1: still running)."""
    out = {}
    for name in list(session.builds):
        out[name] = [(_epoch(b.start) - t0, _epoch(b.finish) - t0 if b.finish else -1.0) for b in session.history(name)]
    return out


def first_ok(samples: list[Sample], since: float) -> dict[str, float]:
    """Resource -> the first sample after ``since`` at which its runtime was ``ok`` (a pod Ready)
    after having been something else since then (a rollout: the old pod is Ready until replaced)."""
    out: dict[str, float] = {}
    down: dict[str, bool] = {}
    for sample in samples:
        if sample.t < since:
            continue
        for name, (_update, runtime, _waiting, _queued) in sample.states.items():
            if runtime != "ok":
                down[name] = True
            elif name not in out and (down.get(name) or since == 0.0):
                out[name] = sample.t
    return out


def held(samples: list[Sample], since: float, until: float) -> dict[str, dict[str, float]]:
    """Resource -> reason -> seconds it was held for that reason between ``since`` and ``until``.
    Tilt's own hold reasons (buildcontrol.NextTargetToBuild, computed whatever the free slots),
    and ``no-slot``: a build pending with no hold, i.e. waiting for one of the
    max_parallel_updates slots."""
    out: dict[str, dict[str, float]] = {}
    for sample in samples:
        if not since <= sample.t <= until:
            continue
        for name, (update, _runtime, waiting, _queued) in sample.states.items():
            reason = waiting or ("no-slot" if update == "pending" else "")
            if reason:
                per = out.setdefault(name, {})
                per[reason] = per.get(reason, 0.0) + SAMPLE
    return out


def marks(log: str) -> list[tuple[str, str, float]]:
    """(sdk, step, seconds `devenv sdk mark` waited for Tilt) from Tilt's log, in log order."""
    return [(m[1], m[2], float(m[3])) for m in _MARK.finditer(log)]


def concurrency(spans: dict[str, list[tuple[float, float]]], since: float, until: float, names: set[str]) -> dict[int, float]:
    """How many seconds, between ``since`` and ``until``, N builds of ``names`` ran at once."""
    edges = []
    for name in names:
        for start, finish in spans.get(name, []):
            end = min(finish if finish >= 0 else until, until)
            if end > since and start < until:
                edges += [(max(start, since), 1), (end, -1)]
    out: dict[int, float] = {}
    running, last = 0, since
    for t, step in sorted(edges):
        out[running] = out.get(running, 0.0) + max(0.0, t - last)
        running, last = running + step, t
    out[running] = out.get(running, 0.0) + max(0.0, until - last)
    return out


def record(session, recorder: Recorder, since: float, until: float, skip_marks: int = 0) -> dict:
    """Everything recorded between ``since`` and ``until`` (seconds since `tilt up`), as plain
    data (JSON-ready); ``skip_marks``: the marks of Tilt's log an earlier phase already counted."""
    samples = [s for s in recorder.samples if since <= s.t <= until]
    cpu = [s.cpu for s in samples]
    return {
        "since": since,
        "until": until,
        "builds": builds(session, recorder.t0),
        "failed": {n: sum(1 for b in session.history(n) if b.error and since <= _epoch(b.start) - recorder.t0 < until) for n in list(session.builds)},
        "ready": first_ok(recorder.samples, since),
        "held": held(samples, since, until),
        "marks": marks(session.log())[skip_marks:],
        "cpu_busy": sum(cpu) / len(cpu) if cpu else 0.0,
        "load": [s.load for s in samples],
    }


def _first(spans: list[tuple[float, float]], since: float) -> tuple[float, float] | None:
    return next(((s, f) for s, f in spans if s >= since), None)


def headline(data: dict, steps: set[str]) -> str:
    """One line: Tiltfile loads, when the chains were done, CPU use and the load average."""
    since, until, spans = data["since"], data["until"], data["builds"]
    loads = [(s, f) for s, f in spans.get(TILTFILE, []) if since <= s < until]
    ends = [f for name in steps for s, f in spans.get(name, []) if s >= since and f >= 0]
    load = data["load"] or [0.0]
    return (
        f"{len(loads)} Tiltfile loads ({sum(f - s for s, f in loads if f >= 0):.1f} s); last chain step done at "
        f"{max(ends, default=since) - since:.1f} s; CPU {data['cpu_busy'] * 100:.0f}% busy; load {min(load):.2f}-{max(load):.2f}"
    )


def summary(data: dict, steps: set[str], services: set[str]) -> list[str]:
    """The lines that say where a phase's time went: per resource, its first build in the phase
    (seconds since the phase began), the Ready of its pod, and what held it."""
    since, until, spans = data["since"], data["until"], data["builds"]
    loads = [(s - since, f - since) for s, f in spans.get(TILTFILE, []) if since <= s < until]
    lines = [headline(data, steps), "Tiltfile loads at: " + ", ".join(f"{s:.1f}-{f:.1f}" for s, f in loads)]
    par = concurrency(spans, since, until, steps | services)
    lines.append("builds running at once (s): " + ", ".join(f"{n}: {s:.1f}" for n, s in sorted(par.items())))
    lines.append("sdk mark waited for Tilt (s): " + ", ".join(f"{sdk} {step} {w:.1f}" for sdk, step, w in data["marks"]))
    order = sorted(steps | services, key=lambda n: (_first(spans.get(n, []), since) or (until, 0.0))[0])
    for name in order:
        first = _first(spans.get(name, []), since)
        if first is None:
            lines.append(f"  {name:32} no build")
            continue
        start, finish = first[0] - since, (first[1] - since if first[1] >= 0 else float("nan"))
        ready = data["ready"].get(name)
        holds = ", ".join(f"{r} {s:.1f}" for r, s in sorted(data["held"].get(name, {}).items()))
        count = sum(1 for s, _ in spans.get(name, []) if since <= s < until)
        failed = data.get("failed", {}).get(name, 0)
        lines.append(
            f"  {name:32} build {start:6.1f} -> {finish:6.1f} ({finish - start:5.1f} s)"
            + (f", Ready {ready - since:6.1f}" if ready is not None and name in services else "")
            + (f"; held: {holds}" if holds else "")
            + (f"; {count} builds" if count > 1 else "")
            + (f" ({failed} failed)" if failed else "")
        )
    return lines
