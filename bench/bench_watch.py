"""Watch latency: from a manifest write to the new Tiltfile in place, p50/p95 over 50 edits.
Run: .venv/bin/python bench/bench_watch.py"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

MANIFEST = """\
version: 1
project: demo
services:
  web: {{sdks: [], context: web, image: demo/web, k8s: [web.yaml], port_forwards: ['{port}']}}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: demo/web}]}
"""


def main(edits: int = 50) -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "web").mkdir()
        (root / "web" / "Dockerfile").write_text("FROM scratch\n")
        (root / "web.yaml").write_text(DEPLOYMENT)
        (root / "services.yaml").write_text(MANIFEST.format(port=2000))
        proc = subprocess.Popen(
            [sys.executable, "-m", "devenv", "render", "--watch"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
        tiltfile = root / "Tiltfile"
        try:
            deadline = time.monotonic() + 20
            while not tiltfile.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(1.0)  # let the watcher arm
            latencies = []
            for i in range(edits):
                port = 3000 + i
                start = time.perf_counter()
                (root / "services.yaml").write_text(MANIFEST.format(port=port))
                needle = f"'{port}'"
                while needle not in tiltfile.read_text():
                    if time.perf_counter() - start > 10:
                        raise SystemExit(f"edit {i}: no new Tiltfile after 10 s")
                    time.sleep(0.001)
                latencies.append((time.perf_counter() - start) * 1000)
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"watch latency over {edits} edits: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms (target p95 <= 150 ms)")


if __name__ == "__main__":
    main()
