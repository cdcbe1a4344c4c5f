"""Benchmark of the doctor engine: does a hanging check cost only its deadline?

    .venv/bin/python bench/bench_doctor.py            # print the figures
    .venv/bin/python bench/bench_doctor.py --record   # also append them to bench/RESULTS.md

Part 1 (synthetic): 12 checks, 11 waiting 0.05-0.6 s (as network calls do) and 1 that hangs
forever under a 2 s deadline. Bound: wall time <= deadline + 0.5 s. Baseline: the sum of the
checks' durations, i.e. the same checks run one after another.
Part 2 (real): the host group (docker, kubectl, tilt, k3d, helm, helmfile version commands,
real subprocesses), concurrent wall time against the sum of its checks' durations.
Exit 1 if the bound is broken.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devenv.doctor import host  # noqa: E402
from devenv.doctor.base import Check, ok  # noqa: E402
from devenv.doctor.runner import run_checks  # noqa: E402

HANG_DEADLINE = 2.0
SLACK = 0.5
REPEATS = 5


def synthetic_checks(never: threading.Event) -> list[Check]:
    def waits(seconds: float):
        def run(ctx):
            time.sleep(seconds)
            return ok(f"answered after {seconds}s")

        return run

    def hangs(ctx):
        never.wait()  # a black-holed socket
        return ok("unreachable")

    checks = [Check(f"host.io{i}", "host", f"io{i}", waits(0.05 + 0.05 * i), deadline=5.0) for i in range(11)]
    checks.append(Check("host.hang", "host", "hang", hangs, deadline=HANG_DEADLINE))
    return checks


def measure(checks: list[Check], env=None) -> tuple[float, float, list]:
    t0 = time.monotonic()
    results = run_checks(checks, env=env if env is not None else {}, budget=60)
    wall = time.monotonic() - t0
    return wall, sum(r.duration for r in results), results


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()

    never = threading.Event()
    runs = [measure(synthetic_checks(never)) for _ in range(REPEATS)]
    walls = sorted(r[0] for r in runs)
    worst, median = walls[-1], walls[len(walls) // 2]
    sequential = runs[0][1]
    statuses = sorted({r.status.value for r in runs[0][2]})
    bound = HANG_DEADLINE + SLACK
    real_wall, real_seq, real_results = measure(host.CHECKS, env=dict(os.environ))
    real_wall_2, real_seq_2, _ = measure(host.CHECKS, env=dict(os.environ))
    real_wall, real_seq = min((real_wall, real_seq), (real_wall_2, real_seq_2))

    lines = [
        f"synthetic: 12 checks (11 waiting 0.05-0.55 s, 1 hanging, deadline {HANG_DEADLINE:g} s), {REPEATS} runs",
        f"  wall time: median {median:.3f} s, worst {worst:.3f} s (bound: deadline + {SLACK:g} = {bound:g} s)",
        f"  sequential baseline (sum of durations): {sequential:.3f} s -> speed-up {sequential / median:.2f}x",
        f"  statuses: {', '.join(statuses)}",
        f"real host group: {len(real_results)} checks (tool version commands), wall {real_wall:.3f} s, "
        f"sequential {real_seq:.3f} s -> speed-up {real_seq / real_wall:.2f}x",
    ]
    verdict = "PASS" if worst <= bound else "FAIL"
    lines.append(f"bound {verdict}: worst wall {worst:.3f} s <= {bound:g} s")
    print("\n".join(lines))

    if args.record:
        results_md = ROOT / "bench" / "RESULTS.md"
        header = "" if results_md.exists() else "# Benchmark results\n"
        machine = f"{os.cpu_count()} cores (nproc), {cpu_model()}, Python {platform.python_version()}"
        date = datetime.date.today().isoformat()
        block = "\n".join(f"    {line}" for line in lines)
        with results_md.open("a") as out:
            out.write(f"{header}\n## doctor engine\n\n{date}, {machine}; `.venv/bin/python bench/bench_doctor.py`\n\n{block}\n")
        print(f"appended to {results_md.relative_to(ROOT)}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
