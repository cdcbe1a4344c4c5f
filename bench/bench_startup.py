"""Benchmark devenv's start-up against a bare interpreter: `devenv --version`, `devenv sdk guard`
and `devenv sdk mark` (what every SDK build step runs) and `devenv lint` of an empty tree (what
pre-commit runs). guard and mark run in a copy of the example (`git archive HEAD`) after `devenv
render`, as in Tilt, which runs them beside the Tiltfile devenv rendered.

Each command runs as a whole process through the installed console script, alternating with a
bare `python -c pass` in the same loop, so each ratio pairs runs made under the same load.

Run: .venv/bin/python bench/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
SCRIPT = Path(PY).parent / "devenv"
DEVENV = [str(SCRIPT)] if SCRIPT.exists() else [PY, "-m", "devenv"]
TARGETS = {"--version": 3.0, "sdk guard": 4.0, "sdk mark": None, "lint (empty tree)": None}


def wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}; devenv run as {' '.join(DEVENV)}")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp)
        (empty / "services.yaml").write_text("version: 1\nproject: empty\n")
        subprocess.run(["git", "init", "-q"], cwd=empty, check=True)
        example = Path(tmp) / "example"
        example.mkdir()
        subprocess.run(f"git archive HEAD | tar -x -C {example}", shell=True, cwd=REPO, check=True)
        subprocess.run([*DEVENV, "render", "--force"], cwd=example, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "--version": ([*DEVENV, "--version"], REPO),
            "sdk guard": ([*DEVENV, "sdk", "guard", "ts", "-f", "services.yaml"], example),
            "sdk mark": ([*DEVENV, "sdk", "mark", "ts", "build", "-f", "services.yaml"], example),
            "lint (empty tree)": ([*DEVENV, "lint"], empty),
        }
        bare = [PY, "-c", "pass"]
        for argv, cwd in commands.values():  # warm the page cache and .pyc files
            wall(argv, cwd)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (argv, cwd) in commands.items():
                floor = wall(bare, REPO)
                samples[name].append((floor, wall(argv, cwd)))
    print("| command | wall (median) | `python -c pass` (median, paired) | ratio (median of pairs) | target |")
    print("| --- | --- | --- | --- | --- |")
    for name, pairs in samples.items():
        ratio = statistics.median(t / f for f, t in pairs)
        target = f"<= {TARGETS[name]:g}x" if TARGETS[name] else "-"
        print(
            f"| `devenv {name}` | {statistics.median(t for _, t in pairs) * 1000:.1f} ms | "
            f"{statistics.median(f for f, _ in pairs) * 1000:.1f} ms | {ratio:.2f}x | {target} |"
        )
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
