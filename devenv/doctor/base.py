"""What a doctor check is, what it returns, and what it may ask of the run.

A check module (``devenv/doctor/<group>.py``) exports ``CHECKS``, a list of :class:`Check`,
and optionally ``checks(manifest) -> Iterable[Check]`` for checks generated from the manifest
(e.g. one per registry). A check's ``run(ctx)`` returns an :class:`Outcome` built with
:func:`ok`, :func:`warn`, :func:`fail` or :func:`skip`; the engine turns it into a
:class:`CheckResult` (adding the duration and the services it blocks). Raising is never fatal:
a ``TimeoutError`` becomes ``timeout``, anything else ``crashed`` with the traceback in details.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from devenv.graph import Graph
    from devenv.manifest.load import LoadedManifest
    from devenv.manifest.model import Manifest
    from devenv.util.proc import Completed


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    SKIPPED = "skipped"
    UNCHECKED = "unchecked"  # shown as "not checked": the run's budget ran out before it could start

    @property
    def is_problem(self) -> bool:
        """Counts as a failure for the exit code and the blocked-services summary. A check the
        budget left unchecked counts too: an unverified SDK version must not exit 0."""
        return self in (Status.FAIL, Status.TIMEOUT, Status.CRASHED, Status.UNCHECKED)


# -- what a check returns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``Check.run`` returns. ``gates`` (graph resource names) overrides the check's own
    ``gates`` for this result, e.g. only the registries that actually failed. ``data`` is handed
    to checks that ``need`` this one (``ctx.data(check_id)``) and never printed."""

    status: Status
    message: str
    details: tuple[str, ...] = ()
    hint: str = ""
    gates: tuple[str, ...] | None = None
    data: Any = None


def _outcome(status: Status, message: str, details: Iterable[str], hint: str, gates, data) -> Outcome:
    return Outcome(status, message, tuple(details), hint, tuple(gates) if gates is not None else None, data)


def ok(message: str, *, details: Iterable[str] = (), hint: str = "", data: Any = None) -> Outcome:
    return _outcome(Status.OK, message, details, hint, None, data)


def warn(message: str, *, details: Iterable[str] = (), hint: str = "", data: Any = None) -> Outcome:
    return _outcome(Status.WARN, message, details, hint, None, data)


def fail(message: str, *, details: Iterable[str] = (), hint: str = "", gates: Iterable[str] | None = None, data: Any = None) -> Outcome:
    return _outcome(Status.FAIL, message, details, hint, gates, data)


def skip(message: str, *, details: Iterable[str] = ()) -> Outcome:
    """Nothing to check here (e.g. no registry in the manifest): neither a pass nor a problem."""
    return _outcome(Status.SKIPPED, message, details, "", None, None)


class CheckTimeout(TimeoutError):
    """Raise from a check that gave up waiting on something itself (reported as ``timeout``)."""


# -- the check ----------------------------------------------------------------------------------

Gates = Callable[["Context"], Iterable[str]]


# Past this many, a blocked-services list names the first few and counts the rest (5,000 names
# per failing check drown the one line that says what to fix); --verbose and JSON list all.
MAX_BLOCKED_SHOWN = 5
BLOCKED_NAMED = 3


def blocked_phrase(services: Sequence[str], *, verbose: bool = False, colon: bool = True, more: str = "--verbose lists all") -> str:
    """``blocks: a, b`` or, for many, ``blocks 4,998 services: a, b, c, …; --verbose lists all``."""
    if verbose or len(services) <= MAX_BLOCKED_SHOWN:
        return f"blocks{':' if colon else ''} {', '.join(services)}"
    return f"blocks {len(services):,} services: {', '.join(services[:BLOCKED_NAMED])}, …; {more}"


def no_gates(ctx: "Context") -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Check:
    """One small, independent diagnosis.

    ``id``: ``<group>.<name>``, unique, stable (it is in the JSON). ``needs``: ids of checks
    that must pass (ok or warn) first; if one did not, this check is ``skipped`` naming it.
    ``deadline``: seconds this check may take (capped by what is left of the run's budget).
    ``gates(ctx)``: the graph resources (``devenv.graph`` names: ``packages:health``,
    ``packages:ts-sdk-build``, service names) that cannot work while this check fails; the
    engine turns them into blocked services with ``graph.blocked_services``.
    ``timeout_hint``: the fix hint shown when the check overruns its deadline.
    """

    id: str
    group: str
    title: str
    run: Callable[["Context"], Outcome]
    needs: tuple[str, ...] = ()
    deadline: float = 5.0
    gates: Gates = no_gates
    timeout_hint: str = ""

    def __post_init__(self) -> None:
        if not self.id.startswith(self.group + "."):
            raise ValueError(f"check id '{self.id}' must start with its group '{self.group}.'")
        object.__setattr__(self, "needs", tuple(self.needs))


# -- what the engine records ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    id: str
    group: str
    title: str
    status: Status
    message: str
    details: tuple[str, ...] = ()
    hint: str = ""
    duration: float = 0.0
    deadline: float = 0.0
    needs: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()  # services, in manifest order
    data: Any = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.status in (Status.OK, Status.WARN)


# -- what a check may ask of the run ---------------------------------------------------------------


class Context:
    """A check's view of the run: the manifest, its graph, the environment, the results of the
    checks it needs, and its own remaining time. One per check run (thread-confined)."""

    def __init__(
        self,
        *,
        loaded: "LoadedManifest | None",
        graph: "Graph | None",
        env: Mapping[str, str],
        results: Mapping[str, CheckResult],
        deadline_at: float,
        verbose: bool = False,
    ):
        self.loaded = loaded
        self.graph = graph
        self.env = env
        self.verbose = verbose
        self._results = results
        self._deadline_at = deadline_at
        self.last_note = ""

    @property
    def manifest(self) -> "Manifest | None":
        return self.loaded.manifest if self.loaded else None

    def result(self, check_id: str) -> CheckResult:
        """The result of a check this one ``needs`` (always finished and passed by now)."""
        return self._results[check_id]

    def data(self, check_id: str) -> Any:
        return self._results[check_id].data

    def remaining(self) -> float:
        """Seconds left before this check's deadline."""
        return max(0.0, self._deadline_at - time.monotonic())

    def note(self, text: str) -> None:
        """Say what the check is doing now; a timeout message names the last note."""
        self.last_note = text

    def run(self, argv: Sequence[str], *, margin: float = 0.05, **kwargs) -> "Completed":
        """A subprocess bound by this check's deadline (killed just before it, raising ``ProcTimeout``)."""
        from devenv.util import proc

        self.note(f"running `{' '.join(argv)}`")
        return proc.run(argv, timeout=max(self.remaining() - margin, 0.01), env=kwargs.pop("env", self.env), **kwargs)
