"""Benchmark `devenv doctor --only registries` on the example manifest (services.yaml) against
live registries: Verdaccio, pypiserver, a Go module proxy directory and docker-registry on
loopback, behind the example's own host names and ports (npm :80, go and pypi :443 with TLS,
docker.io:5000) in a private mount namespace (tests/support/registries.py).

1. Concurrency: the run's wall time against the sum of its checks' durations (median of runs).
2. A black-holed registry (npm's address drops every SYN: a listening socket whose backlog is
   full): the run must take at most the hanging check's deadline plus 0.5 s.

Run: .venv/bin/python bench/bench_registries.py   (needs root for the mount namespace and :53/:80/:443)
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from _common import machine  # noqa: E402

from devenv.doctor.registries import DEADLINES  # noqa: E402
from tests.support.faultproxy import BlackHole  # noqa: E402
from tests.support.registries import GoProxy, Lab, Processes, pypi_packages, start_docker_registry, start_net, start_pypiserver, start_verdaccio  # noqa: E402

RUNS = 9
HOLE_RUNS = 3
SLACK = 0.5
MANIFEST = REPO / "services.yaml"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="devenv-bench-registries-"))
    work.chmod(0o755)
    procs = Processes()
    closers = [lambda: shutil.rmtree(work, ignore_errors=True), procs.stop]
    try:
        net = start_net(work / "net")
        closers.append(net.close)
        go = GoProxy(work / "goproxy")
        closers.append(go.close)
        npm = start_verdaccio(work / "verdaccio", procs)
        pypi = start_pypiserver("pypiserver", pypi_packages(work / "pypi"), work / "pypiserver", procs)
        oci = start_docker_registry("docker-registry", work / "oci", procs)
        lab = Lab(net, work / "lab")
        closers.append(lab.close)
        npm_proxy = lab.expose("npm.packages.dev.ameide.io", npm, port=80)
        lab.expose("go.packages.dev.ameide.io", go.upstream, port=443, tls="good")
        lab.expose("pypi.packages.dev.ameide.io", pypi, port=443, tls="good")
        lab.expose("docker.io", oci, port=5000)
        env = {"SSL_CERT_FILE": str(net.ca_pem)}

        lab.doctor(MANIFEST, "--json", env=env)  # warm-up: page cache, pyc files
        runs = [lab.doctor(MANIFEST, "--json", env=env) for _ in range(RUNS)]
        for run in runs:
            if run.code != 0:
                print(run.out, run.err, file=sys.stderr)
                raise SystemExit("a healthy run failed: see above")
        reports = [run.json() for run in runs]
        checks = len(reports[0]["checks"])
        wall = statistics.median(r["duration"] for r in reports)
        total = statistics.median(sum(c["duration"] for c in r["checks"]) for r in reports)
        slowest = statistics.median(max(c["duration"] for c in r["checks"]) for r in reports)
        process = statistics.median(run.elapsed for run in runs)

        # npm's address now drops every connection attempt (no RST, no answer)
        address, port = npm_proxy.address
        npm_proxy.close()
        hole = BlackHole(address, port)
        lab.holes.append(hole)
        holed = [lab.doctor(MANIFEST, "--json", env=env) for _ in range(HOLE_RUNS)]
        hole_reports = [run.json() for run in holed]
        for report in hole_reports:
            status = {c["id"]: c["status"] for c in report["checks"]}
            assert status["registries.npm.dns"] == "timeout", status
            assert all(v == "ok" for k, v in status.items() if not k.startswith(("registries.npm.", "registries.ts-")))
        hole_wall = max(r["duration"] for r in hole_reports)
        hole_process = max(run.elapsed for run in holed)
        limit = DEADLINES["dns"] + SLACK
    except BaseException as exc:  # noqa: BLE001 - a missing component (pytest's Skipped) or a failure
        if type(exc).__name__ in ("Skipped", "Failed"):
            print(f"bench_registries: cannot run: {exc}", file=sys.stderr)
            return 2
        raise
    finally:
        for close in reversed(closers):
            try:
                close()
            except Exception:  # noqa: BLE001 - best effort
                pass

    print(f"doctor registries — {machine()}")
    print(f"example manifest ({MANIFEST.name}): {checks} checks, live registries, median of {RUNS} runs")
    print(f"  run wall time (engine)             {wall * 1000:7.0f} ms")
    print(f"  sum of the checks' durations       {total * 1000:7.0f} ms   (slowest check {slowest * 1000:.0f} ms)")
    print(f"  ratio sum / wall                   {total / wall:7.2f}x")
    print(f"  whole process (unshare + python)   {process * 1000:7.0f} ms")
    print(f"npm black-holed (SYNs dropped), worst of {HOLE_RUNS} runs")
    print(
        f"  run wall time (engine)             {hole_wall:7.2f} s    (registries.npm.dns deadline "
        f"{DEADLINES['dns']:g} s; limit {limit:g} s: {'OK' if hole_wall <= limit else 'OVER'})"
    )
    print(f"  whole process                      {hole_process:7.2f} s")
    return 0 if hole_wall <= limit else 1


if __name__ == "__main__":
    raise SystemExit(main())
