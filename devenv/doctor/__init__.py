"""`devenv doctor`: small independent checks, run concurrently under deadlines.

Public API for check authors (see base.py): ``Check``, ``Context``, ``Outcome``, ``Status``,
``ok``/``warn``/``fail``/``skip``; graph gates in ``devenv.doctor.gates``; the group registry
in ``devenv.doctor.groups``; the engine in ``devenv.doctor.runner.run_checks``.
"""

from devenv.doctor.base import Check, CheckResult, CheckTimeout, Context, Outcome, Status, fail, ok, skip, warn

__all__ = ["Check", "CheckResult", "CheckTimeout", "Context", "Outcome", "Status", "fail", "ok", "skip", "warn"]
