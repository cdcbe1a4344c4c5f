"""Run checks concurrently, each in its own thread under its own deadline, inside one budget.

Nothing a check does can stop the run: an exception becomes ``crashed``, an overrun becomes
``timeout`` and its thread is abandoned (a daemon thread: the process never waits for it), a
check whose need did not pass is ``skipped`` naming it. Results come back in declared order.
This module schedules; :mod:`devenv.doctor.results` turns each ending into a result.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import TYPE_CHECKING, Mapping, Sequence

from devenv.doctor.base import Check, CheckResult, Context, Status
from devenv.doctor.results import Collector, Running, verb

if TYPE_CHECKING:
    from devenv.graph import Graph
    from devenv.manifest.load import LoadedManifest

DEFAULT_BUDGET = 60.0


def run_checks(
    checks: Sequence[Check],
    *,
    loaded: "LoadedManifest | None" = None,
    graph: "Graph | None" = None,
    env: Mapping[str, str] | None = None,
    budget: float = DEFAULT_BUDGET,
    verbose: bool = False,
) -> list[CheckResult]:
    order = [c.id for c in checks]
    if len(set(order)) != len(order):
        dupes = sorted({i for i in order if order.count(i) > 1})
        raise ValueError(f"duplicate check ids: {', '.join(dupes)}")
    collector = Collector(graph)
    run_env = dict(os.environ if env is None else env)  # one copy, shared by every check's context
    scheduler = _Scheduler(
        checks,
        collector,
        budget,
        lambda deadline_at: Context(loaded=loaded, graph=graph, env=run_env, results=collector.results, deadline_at=deadline_at, verbose=verbose),
    )
    scheduler.run()
    return collector.in_order(order)


class _Scheduler:
    """Starts every check whose needs have passed, waits for answers or the nearest deadline."""

    def __init__(self, checks: Sequence[Check], collector: Collector, budget: float, context):
        self.by_id = {c.id: c for c in checks}
        self.pending = list(checks)
        self.running: dict[str, Running] = {}
        self.done: queue.Queue = queue.Queue()
        self.collector = collector
        self.budget = budget
        self.context = context  # deadline_at -> Context
        self.run_end = time.monotonic() + budget

    def run(self) -> None:
        self.start_ready(time.monotonic())
        while self.running or self.pending:
            if not self.running:  # only checks whose needs can never finish: a cycle
                for check in list(self.pending):
                    self.pending.remove(check)
                    self.collector.skip(check, "its needs form a cycle")
                continue
            next_deadline = min(r.deadline_at for r in self.running.values())
            try:
                check_id, value, exc, finished = self.done.get(timeout=max(0.0, next_deadline - time.monotonic()))
            except queue.Empty:
                self.time_out(time.monotonic())
                continue
            r = self.running.pop(check_id, None)
            if r is None:  # it already timed out; its late answer is dropped
                continue
            self.collector.record(r, value, exc, finished)
            self.start_ready(time.monotonic())

    def time_out(self, now: float) -> None:
        for r in [r for r in self.running.values() if r.deadline_at <= now]:
            del self.running[r.check.id]
            self.collector.time_out(r, now, self.run_end)
        self.start_ready(now)

    def start_ready(self, now: float) -> None:
        progress = True
        while progress:  # a skip can make a later-declared dependent decidable
            progress = False
            for check in list(self.pending):
                if self._try_start(check, now):
                    progress = True

    def _try_start(self, check: Check, now: float) -> bool:
        """Start ``check`` or decide it is skipped; True when a result was recorded."""
        results = self.collector.results
        missing = [n for n in check.needs if n not in self.by_id]
        if missing:
            self.pending.remove(check)
            self.collector.skip(check, f"needs {', '.join(missing)}, which is not part of this run")
            return True
        if any(n not in results for n in check.needs):
            return False
        self.pending.remove(check)
        unmet = self.collector.unmet_need(check)
        if unmet:
            self.collector.skip(check, f"needs {unmet.id}, which {verb(unmet.status)}")
            return True
        if now >= self.run_end:
            self.collector.finish(check, None, Status.UNCHECKED, f"the run's budget of {self.budget:g}s was used up before it could start")
            return True
        deadline_at = min(now + check.deadline, self.run_end)
        ctx = self.context(deadline_at)
        self.running[check.id] = Running(check, ctx, now, deadline_at)
        threading.Thread(target=self._work, args=(check, ctx), name=f"doctor:{check.id}", daemon=True).start()
        return False

    def _work(self, check: Check, ctx: Context) -> None:
        try:
            value = check.run(ctx)
            self.done.put((check.id, value, None, time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - a crash is a result, not an exception
            self.done.put((check.id, None, exc, time.monotonic()))
