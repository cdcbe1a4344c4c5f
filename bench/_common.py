"""Shared helpers for the benchmarks: timing whole processes and describing the machine."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import time


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {datetime.date.today().isoformat()}"


def time_command(argv: list[str], runs: int = 7, **kwargs) -> float:
    """Median wall time of a whole process, after one warm-up run."""
    subprocess.run(argv, check=True, capture_output=True, **kwargs)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, **kwargs)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
