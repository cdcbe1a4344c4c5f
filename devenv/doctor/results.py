"""Result collection for the runner: every way a check ends (its outcome, a crash, a timeout, a
skip) becomes one :class:`CheckResult`, redacted, with the services its failure blocks."""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Iterable

from devenv.doctor.base import Check, CheckResult, Context, Outcome, Status
from devenv.util.redact import redact_text

if TYPE_CHECKING:
    from devenv.graph import Graph


class Running:
    """A check whose thread has started: when, and the deadline it runs under."""

    __slots__ = ("check", "ctx", "started", "deadline_at", "limit")

    def __init__(self, check: Check, ctx: Context, started: float, deadline_at: float):
        self.check = check
        self.ctx = ctx
        self.started = started
        self.deadline_at = deadline_at
        self.limit = deadline_at - started


class Collector:
    """The results so far, by check id (checks read it through ``Context.results``)."""

    def __init__(self, graph: "Graph | None"):
        self.graph = graph
        self.results: dict[str, CheckResult] = {}

    def in_order(self, ids: Iterable[str]) -> list[CheckResult]:
        return [self.results[i] for i in ids]

    def finish(
        self, check: Check, ctx: Context | None, status: Status, message: str, *, details=(), hint="", duration=0.0, limit=0.0, gates=None, data=None
    ) -> None:
        blocked: tuple[str, ...] = ()
        if status.is_problem and self.graph is not None:
            try:
                names = list(gates) if gates is not None else list(check.gates(ctx)) if ctx else []
                blocked = tuple(self.graph.blocked_services(names))
            except Exception:  # noqa: BLE001 - a broken gates function must not hide the result
                blocked = ()
        self.results[check.id] = CheckResult(
            id=check.id,
            group=check.group,
            title=check.title,
            status=status,
            message=redact_text(message),
            details=tuple(redact_text(d) for d in details),
            hint=redact_text(hint),
            duration=round(duration, 4),
            deadline=round(limit, 3),
            needs=check.needs,
            blocked=blocked,
            data=data,
        )

    def skip(self, check: Check, message: str) -> None:
        self.finish(check, None, Status.SKIPPED, message)

    def unmet_need(self, check: Check) -> CheckResult | None:
        """The first need that did not pass (all needs have results)."""
        return next((self.results[n] for n in check.needs if not self.results[n].passed), None)

    def time_out(self, r: Running, now: float, run_end: float) -> None:
        reason = "the run's budget" if r.deadline_at >= run_end and r.limit < r.check.deadline else "its deadline"
        note = f" (last step: {r.ctx.last_note})" if r.ctx.last_note else ""
        self.finish(
            r.check,
            r.ctx,
            Status.TIMEOUT,
            f"no result within {round(r.limit, 2):g}s ({reason}){note}",
            hint=r.check.timeout_hint,
            duration=now - r.started,
            limit=r.limit,
        )

    def record(self, r: Running, value, exc: BaseException | None, finished: float) -> None:
        """What the check's thread returned or raised."""
        duration = finished - r.started
        check, ctx = r.check, r.ctx
        if exc is not None:
            if isinstance(exc, TimeoutError):
                message = str(exc) or f"gave up waiting after {duration:.1f}s"
                self.finish(check, ctx, Status.TIMEOUT, message, hint=check.timeout_hint, duration=duration, limit=r.limit)
                return
            trace = traceback.format_exception(type(exc), exc, exc.__traceback__)
            details = "".join(trace).rstrip().splitlines()
            self.finish(
                check,
                ctx,
                Status.CRASHED,
                f"crashed: {type(exc).__name__}: {exc}",
                details=details,
                hint="a bug in this check, not in your setup: rerun with -v and report the traceback",
                duration=duration,
                limit=r.limit,
            )
            return
        if not isinstance(value, Outcome):
            self.finish(check, ctx, Status.CRASHED, f"crashed: returned {type(value).__name__}, not an Outcome", duration=duration, limit=r.limit)
            return
        self.finish(
            check,
            ctx,
            value.status,
            value.message,
            details=value.details,
            hint=value.hint,
            duration=duration,
            limit=r.limit,
            gates=value.gates,
            data=value.data,
        )


def verb(status: Status) -> str:
    """How a need's status reads in a skip message: "needs docker.daemon, which failed"."""
    return {Status.FAIL: "failed", Status.TIMEOUT: "timed out", Status.CRASHED: "crashed", Status.SKIPPED: "was skipped"}.get(status, str(status.value))
