"""The engine: concurrency, deadlines, budget, crashes, needs, blocked services, order."""

from __future__ import annotations

import threading
import time

import pytest

from devenv.doctor.base import Check, CheckTimeout, Status, fail, ok, skip, warn
from devenv.doctor.runner import run_checks
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from tests.doctor.conftest import write_manifest


def sleeper(seconds: float, outcome=None):
    def run(ctx):
        time.sleep(seconds)
        return outcome or ok(f"slept {seconds}")

    return run


def test_checks_run_concurrently_and_report_in_declared_order():
    checks = [Check(f"host.c{i}", "host", f"c{i}", sleeper(0.3 - i * 0.05)) for i in range(5)]
    t0 = time.monotonic()
    results = run_checks(checks, env={})
    wall = time.monotonic() - t0
    assert [r.id for r in results] == [c.id for c in checks]
    assert all(r.status is Status.OK for r in results)
    assert wall < 0.6, f"5 checks of <=0.3s took {wall:.2f}s: not concurrent"
    assert results[0].duration == pytest.approx(0.3, abs=0.1)


def test_an_overrunning_check_is_a_timeout_naming_its_limit_and_the_run_does_not_wait():
    release = threading.Event()

    def hang(ctx):
        ctx.note("waiting for the black hole")
        release.wait(30)
        return ok("never seen")

    checks = [Check("docker.hang", "docker", "hang", hang, deadline=0.4, timeout_hint="restart it"), Check("docker.quick", "docker", "quick", sleeper(0.05))]
    t0 = time.monotonic()
    results = run_checks(checks, env={})
    wall = time.monotonic() - t0
    release.set()
    hang_result, quick = results
    assert hang_result.status is Status.TIMEOUT
    assert hang_result.message == "no result within 0.4s (its deadline) (last step: waiting for the black hole)"
    assert hang_result.hint == "restart it"
    assert quick.status is Status.OK
    assert wall < 0.4 + 0.2


def test_the_budget_caps_every_deadline():
    release = threading.Event()
    checks = [Check("host.slow", "host", "slow", lambda ctx: release.wait(30) and ok("x"), deadline=10)]
    t0 = time.monotonic()
    (result,) = run_checks(checks, env={}, budget=0.3)
    release.set()
    assert time.monotonic() - t0 < 0.5
    assert result.status is Status.TIMEOUT
    assert "0.3s (the run's budget)" in result.message


def test_a_check_the_budget_left_unchecked_is_a_problem_not_a_pass():
    from devenv.doctor.report import Report

    (result,) = run_checks([Check("sdks.version", "sdks", "version", lambda ctx: ok("x"))], env={}, budget=0.0)
    assert result.status is Status.UNCHECKED and "budget" in result.message
    report = Report(results=[result], groups=[], services=[], duration=0.0, budget=0.0)
    assert report.problems == [result] and report.exit_code == 1


def test_a_check_that_raises_is_crashed_with_its_traceback_and_the_others_are_unaffected():
    def boom(ctx):
        raise ValueError("bad parse of https://bob:hunter2@npm.example.io/x")

    checks = [Check("host.boom", "host", "boom", boom), Check("host.fine", "host", "fine", sleeper(0.01))]
    boom_result, fine = run_checks(checks, env={})
    assert boom_result.status is Status.CRASHED
    assert boom_result.message == "crashed: ValueError: bad parse of https://***@npm.example.io/x"
    assert any("Traceback" in line for line in boom_result.details)
    assert any("raise ValueError" in line for line in boom_result.details)
    assert not any("hunter2" in line for line in boom_result.details)
    assert "rerun with -v" in boom_result.hint
    assert fine.status is Status.OK


def test_a_check_returning_garbage_is_crashed():
    (result,) = run_checks([Check("host.bad", "host", "bad", lambda ctx: "fine")], env={})
    assert result.status is Status.CRASHED
    assert "returned str, not an Outcome" in result.message


def test_timeout_errors_raised_by_a_check_are_timeouts():
    def gives_up(ctx):
        raise CheckTimeout("registry did not answer within 2s")

    (result,) = run_checks([Check("host.t", "host", "t", gives_up)], env={})
    assert result.status is Status.TIMEOUT
    assert result.message == "registry did not answer within 2s"


def test_needs_pass_data_and_a_failed_need_skips_its_dependents_with_the_reason():
    checks = [
        Check("docker.a", "docker", "a", lambda ctx: ok("a", data={"client": 42})),
        Check("docker.b", "docker", "b", lambda ctx: ok(f"got {ctx.data('docker.a')['client']}"), needs=("docker.a",)),
        Check("docker.c", "docker", "c", lambda ctx: fail("c is broken")),
        Check("docker.d", "docker", "d", lambda ctx: ok("d"), needs=("docker.c",)),
        Check("docker.e", "docker", "e", lambda ctx: ok("e"), needs=("docker.d",)),
        Check("docker.f", "docker", "f", lambda ctx: ok("f"), needs=("docker.zzz",)),
        Check("docker.w", "docker", "w", lambda ctx: warn("meh")),
        Check("docker.x", "docker", "x", lambda ctx: ok("x"), needs=("docker.w",)),
    ]
    r = {x.id: x for x in run_checks(checks, env={})}
    assert r["docker.b"].message == "got 42"
    assert r["docker.d"].status is Status.SKIPPED and r["docker.d"].message == "needs docker.c, which failed"
    assert r["docker.e"].message == "needs docker.d, which was skipped"
    assert r["docker.f"].message == "needs docker.zzz, which is not part of this run"
    assert r["docker.x"].status is Status.OK  # a warning passes


def test_a_cycle_of_needs_is_skipped_not_a_hang():
    checks = [Check("host.a", "host", "a", lambda ctx: ok("a"), needs=("host.b",)), Check("host.b", "host", "b", lambda ctx: ok("b"), needs=("host.a",))]
    assert {r.message for r in run_checks(checks, env={})} == {"its needs form a cycle"}


def test_a_dependent_declared_before_its_skipped_need_is_decided():
    checks = [
        Check("host.late", "host", "late", lambda ctx: ok("x"), needs=("host.mid",)),
        Check("host.mid", "host", "mid", lambda ctx: ok("x"), needs=("host.nope",)),
    ]
    late, mid = run_checks(checks, env={})
    assert late.message == "needs host.mid, which was skipped"


def test_failures_name_the_services_their_gates_block(tmp_path):
    loaded = load_manifest(write_manifest(tmp_path))
    graph = build_graph(loaded.manifest)
    checks = [
        Check("registries.npm", "registries", "npm", lambda ctx: fail("npm is down"), gates=lambda ctx: ["packages:ts-sdk-build"]),
        Check("registries.npm-ok", "registries", "npm ok", lambda ctx: ok("fine"), gates=lambda ctx: ["packages:ts-sdk-build"]),
        Check("registries.own", "registries", "own", lambda ctx: fail("only gw", gates=["gw"]), gates=lambda ctx: ["packages:ts-sdk-build"]),
        Check("registries.none", "registries", "none", lambda ctx: skip("no registry")),
    ]
    down, fine, own, none = run_checks(checks, loaded=loaded, graph=graph, env={})
    assert down.blocked == ("web", "api", "gw")  # gw waits for web (after:)
    assert fine.blocked == ()
    assert own.blocked == ("gw",)  # the outcome's gates override the check's
    assert none.status is Status.SKIPPED and not none.status.is_problem


def test_check_ids_are_namespaced_by_group_and_unique():
    with pytest.raises(ValueError, match="must start with its group"):
        Check("daemon", "docker", "daemon", lambda ctx: ok("x"))
    with pytest.raises(ValueError, match="duplicate check ids: host.a"):
        run_checks([Check("host.a", "host", "a", lambda ctx: ok("x"))] * 2, env={})
