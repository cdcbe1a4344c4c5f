"""Run checks concurrently, each in its own thread under its own deadline, inside one budget.

Nothing a check does can stop the run: an exception becomes ``crashed``, an overrun becomes
``timeout`` and its thread is abandoned (a daemon thread: the process never waits for it), a
check whose need did not pass is ``skipped`` naming it. Results come back in declared order.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from typing import TYPE_CHECKING, Mapping, Sequence

from devenv.doctor.base import Check, CheckResult, Context, Outcome, Status
from devenv.util.redact import redact_text

if TYPE_CHECKING:
    from devenv.graph import Graph
    from devenv.manifest.load import LoadedManifest

DEFAULT_BUDGET = 60.0


def _clean(text: str) -> str:
    return redact_text(text)


class _Running:
    __slots__ = ("check", "ctx", "started", "deadline_at", "limit")

    def __init__(self, check: Check, ctx: Context, started: float, deadline_at: float):
        self.check = check
        self.ctx = ctx
        self.started = started
        self.deadline_at = deadline_at
        self.limit = deadline_at - started


def run_checks(
    checks: Sequence[Check],
    *,
    loaded: "LoadedManifest | None" = None,
    graph: "Graph | None" = None,
    env: Mapping[str, str] | None = None,
    budget: float = DEFAULT_BUDGET,
    verbose: bool = False,
) -> list[CheckResult]:
    env = dict(os.environ if env is None else env)
    order = [c.id for c in checks]
    if len(set(order)) != len(order):
        dupes = sorted({i for i in order if order.count(i) > 1})
        raise ValueError(f"duplicate check ids: {', '.join(dupes)}")
    by_id = {c.id: c for c in checks}
    results: dict[str, CheckResult] = {}
    pending = list(checks)
    running: dict[str, _Running] = {}
    done: queue.Queue = queue.Queue()
    start = time.monotonic()
    run_end = start + budget

    def worker(check: Check, ctx: Context) -> None:
        try:
            value = check.run(ctx)
            done.put((check.id, value, None, time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - a crash is a result, not an exception
            done.put((check.id, None, exc, time.monotonic()))

    def finish(check: Check, ctx: Context | None, status: Status, message: str, *, details=(), hint="",
               duration=0.0, limit=0.0, gates=None, data=None) -> None:
        blocked: tuple[str, ...] = ()
        if status.is_problem and graph is not None:
            try:
                names = list(gates) if gates is not None else list(check.gates(ctx)) if ctx else []
                blocked = tuple(graph.blocked_services(names))
            except Exception:  # noqa: BLE001 - a broken gates function must not hide the result
                blocked = ()
        results[check.id] = CheckResult(
            id=check.id, group=check.group, title=check.title, status=status,
            message=_clean(message), details=tuple(_clean(d) for d in details), hint=_clean(hint),
            duration=round(duration, 4), deadline=round(limit, 3), needs=check.needs, blocked=blocked, data=data,
        )

    def start_ready(now: float) -> None:
        progress = True
        while progress:  # a skip can make a later-declared dependent decidable
            progress = False
            for check in list(pending):
                if _try_start(check, now):
                    progress = True

    def _try_start(check: Check, now: float) -> bool:
        missing = [n for n in check.needs if n not in by_id]
        if missing:
            pending.remove(check)
            finish(check, None, Status.SKIPPED, f"needs {', '.join(missing)}, which is not part of this run")
            return True
        if any(n not in results for n in check.needs):
            return False
        pending.remove(check)
        unmet = [results[n] for n in check.needs if not results[n].passed]
        if unmet:
            first = unmet[0]
            finish(check, None, Status.SKIPPED, f"needs {first.id}, which {_verb(first.status)}")
            return True
        if now >= run_end:
            finish(check, None, Status.UNCHECKED, f"the run's budget of {budget:g}s was used up before it could start")
            return True
        deadline_at = min(now + check.deadline, run_end)
        ctx = Context(loaded=loaded, graph=graph, env=env, results=results, deadline_at=deadline_at, verbose=verbose)
        running[check.id] = _Running(check, ctx, now, deadline_at)
        threading.Thread(target=worker, args=(check, ctx), name=f"doctor:{check.id}", daemon=True).start()
        return False

    start_ready(time.monotonic())
    while running or pending:
        if not running:  # only checks whose needs can never finish: a cycle
            for check in list(pending):
                pending.remove(check)
                finish(check, None, Status.SKIPPED, "its needs form a cycle")
            continue
        next_deadline = min(r.deadline_at for r in running.values())
        try:
            check_id, value, exc, finished = done.get(timeout=max(0.0, next_deadline - time.monotonic()))
        except queue.Empty:
            now = time.monotonic()
            for r in [r for r in running.values() if r.deadline_at <= now]:
                del running[r.check.id]
                reason = "the run's budget" if r.deadline_at >= run_end and r.limit < r.check.deadline else "its deadline"
                note = f" (last step: {r.ctx.last_note})" if r.ctx.last_note else ""
                finish(r.check, r.ctx, Status.TIMEOUT, f"no result within {round(r.limit, 2):g}s ({reason}){note}",
                       hint=r.check.timeout_hint, duration=now - r.started, limit=r.limit)
            start_ready(now)
            continue
        r = running.pop(check_id, None)
        if r is None:  # it already timed out; its late answer is dropped
            continue
        _record(finish, r, value, exc, finished)
        start_ready(time.monotonic())
    return [results[i] for i in order]


def _verb(status: Status) -> str:
    return {
        Status.FAIL: "failed", Status.TIMEOUT: "timed out", Status.CRASHED: "crashed", Status.SKIPPED: "was skipped",
    }.get(status, str(status.value))


def _record(finish, r: _Running, value, exc: BaseException | None, finished: float) -> None:
    duration = finished - r.started
    check, ctx = r.check, r.ctx
    if exc is not None:
        if isinstance(exc, TimeoutError):
            message = str(exc) or f"gave up waiting after {duration:.1f}s"
            finish(check, ctx, Status.TIMEOUT, message, hint=check.timeout_hint, duration=duration, limit=r.limit)
            return
        trace = traceback.format_exception(type(exc), exc, exc.__traceback__)
        details = "".join(trace).rstrip().splitlines()
        finish(check, ctx, Status.CRASHED, f"crashed: {type(exc).__name__}: {exc}", details=details,
               hint="a bug in this check, not in your setup: rerun with -v and report the traceback",
               duration=duration, limit=r.limit)
        return
    if not isinstance(value, Outcome):
        finish(check, ctx, Status.CRASHED, f"crashed: returned {type(value).__name__}, not an Outcome",
               duration=duration, limit=r.limit)
        return
    finish(check, ctx, value.status, value.message, details=value.details, hint=value.hint, duration=duration,
           limit=r.limit, gates=value.gates, data=value.data)
