"""`devenv doctor`: choose the groups, load the manifest, run the checks, print, exit 0/1."""

from __future__ import annotations

import datetime as _dt
import os
import sys
import time
from pathlib import Path
from typing import Iterable

from devenv.doctor.base import Check
from devenv.doctor.groups import GROUPS, group_checks, select_groups
from devenv.doctor.report import GroupInfo, Report, render_json, render_text
from devenv.doctor.runner import DEFAULT_BUDGET, run_checks
from devenv.errors import DevenvError
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest


def collect(selected: list[str], manifest, named: Iterable[str] = ()) -> tuple[list[Check], list[GroupInfo]]:
    """The selected groups' checks, plus any check of another group that one of them needs.

    A group is empty, and fails the run, when its module exports no checks, or when it was named
    with --only (``named``) and no check of it applies: asked to check it, nothing was checked."""
    named = set(named)
    checks: list[Check] = []
    infos: list[GroupInfo] = []
    loaded_groups: dict[str, list[Check] | None] = {}

    def load(name: str) -> list[Check] | None:
        if name not in loaded_groups:
            loaded_groups[name] = group_checks(name, manifest)
        return loaded_groups[name]

    for name in selected:
        checks.extend(load(name) or [])
    have = {c.id for c in checks}
    pulled: set[str] = set()
    wanted = [n for c in checks for n in c.needs if n not in have]
    while wanted:
        need = wanted.pop()
        group = need.split(".", 1)[0]
        if need in have or group not in GROUPS:
            continue
        for check in load(group) or []:
            if check.id == need:
                checks.append(check)
                have.add(need)
                pulled.add(group)
                wanted.extend(n for n in check.needs if n not in have)
    order = list(GROUPS)
    checks.sort(key=lambda c: order.index(c.group))  # stable: declared order within a group
    for name in order:
        if name not in selected and name not in pulled:
            continue
        group_list = loaded_groups.get(name)
        note = ""
        if group_list is None:
            note = "its module exports no checks"
        elif not group_list:
            note = "no checks apply to this manifest"
        empty = group_list is None or (not group_list and name in named)
        infos.append(GroupInfo(name, GROUPS[name].title, note, pulled_in=name not in selected, empty=empty))
    return checks, infos


def diagnose(
    loaded,
    selected: list[str],
    *,
    timeout: float = DEFAULT_BUDGET,
    verbose: bool = False,
    strict: bool = False,
    env=None,
    since: float | None = None,
    named: Iterable[str] = (),
) -> Report:
    """Run the selected groups' checks against ``loaded`` and gather the report (prints nothing).

    ``since``: the ``time.monotonic()`` the run began (the CLI passes its process's start, so the
    summary's time includes start-up and the manifest load); default: when the checks start."""
    graph = build_graph(loaded.manifest)
    checks, infos = collect(selected, loaded.manifest, named)
    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    t0 = time.monotonic()
    results = run_checks(checks, loaded=loaded, graph=graph, env=os.environ if env is None else env, budget=timeout, verbose=verbose)
    return Report(
        results=results,
        groups=infos,
        services=graph.services(),
        duration=time.monotonic() - (t0 if since is None else since),
        budget=timeout,
        manifest=loaded.display,
        strict=strict,
        started=started,
    )


def cluster_env(environ, kubeconfig: Path | None, context: str | None) -> dict[str, str]:
    """``--kubeconfig``/``--context`` reach the cluster checks as DEVENV_KUBECONFIG/DEVENV_KUBE_CONTEXT."""
    env = dict(environ)
    if kubeconfig:
        env["DEVENV_KUBECONFIG"] = str(kubeconfig)
    if context:
        env["DEVENV_KUBE_CONTEXT"] = context
    return env


def check_timeout(timeout: float) -> None:
    if not timeout or timeout <= 0:
        raise DevenvError(f"--timeout must be a positive number of seconds, not {timeout:g}")


def print_report(report: Report, *, as_json: bool = False, verbose: bool = False, stream=None) -> None:
    stream = stream or sys.stdout
    if as_json:
        render_json(report, stream)
    else:
        render_text(report, stream, verbose=verbose, no_color=bool(os.environ.get("NO_COLOR")))
    stream.flush()


def run_doctor(
    manifest: Path | None,
    *,
    as_json: bool = False,
    only: Iterable[str] | None = None,
    skip: Iterable[str] | None = None,
    timeout: float = DEFAULT_BUDGET,
    verbose: bool = False,
    strict: bool = False,
    stream=None,
    kubeconfig: Path | None = None,
    context: str | None = None,
    since: float | None = None,
) -> int:
    check_timeout(timeout)
    selected = select_groups(only, skip)
    loaded = load_manifest(manifest)
    report = diagnose(
        loaded,
        selected,
        timeout=timeout,
        verbose=verbose,
        strict=strict,
        env=cluster_env(os.environ, kubeconfig, context),
        since=since,
        named=select_groups(only, None) if only else (),
    )
    print_report(report, as_json=as_json, verbose=verbose, stream=stream)
    return report.exit_code
