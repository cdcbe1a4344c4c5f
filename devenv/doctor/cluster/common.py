"""What every cluster check shares: the check ids, the guard that turns a failed request into
the check's result and scrubs credentials from everything it returns."""

from __future__ import annotations

import functools
from typing import Callable

from devenv.doctor.base import Context, Outcome
from devenv.doctor.cluster.client import Kube, Problem, crashed, scrub
from devenv.doctor.cluster.kubeconfig import Target

GROUP = "cluster"
CONTEXT = "cluster.context"
API = "cluster.api"


def secrets_of(ctx: Context, outcome: Outcome | None = None) -> tuple[str, ...]:
    found: list[str] = []
    for check_id in (CONTEXT, API):
        try:
            data = ctx.data(check_id)
        except KeyError:
            continue
        found.extend(getattr(data, "secrets", ()) or ())
    if outcome is not None and isinstance(outcome.data, (Target, Kube)):
        found.extend(outcome.data.secrets)
    return tuple(dict.fromkeys(found))


def guarded(run: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
    """A :class:`Problem` becomes the result; a crash becomes ``crashed`` with a scrubbed
    traceback; every result leaves without a credential of the kubeconfig in it."""

    @functools.wraps(run)
    def wrapper(ctx: Context) -> Outcome:
        try:
            outcome = run(ctx)
        except Problem as problem:
            outcome = problem.outcome
        except TimeoutError:
            raise
        except Exception as exc:  # noqa: BLE001 - a crash is a result, and a scrubbed one
            return crashed(exc, secrets_of(ctx))
        return scrub(outcome, secrets_of(ctx, outcome))

    return wrapper


def kube(ctx: Context) -> Kube:
    return ctx.data(API)
