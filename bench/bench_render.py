"""Benchmark `devenv render`, `render --check`, `graph` and `why --no-doctor` at monorepo scale.

The fair floor is what any renderer must do at the least: start Python, import PyYAML and parse,
with the same library render uses (libyaml's C loader), the manifest and every k8s file it names.
Every command is a whole process; floor and commands run alternately in the same run, so the
ratios compare like with like on a shared machine. Peak memory is each process's max RSS.

Run: .venv/bin/python bench/bench_render.py [--sizes 1000,10000] [--runs 5]
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
LANGS = ["typescript", "go", "python"]

# The floor: libyaml parses the manifest, then every k8s file of every service (each once).
FLOOR = """
import sys, yaml
L = yaml.CSafeLoader
with open(sys.argv[1], encoding="utf-8") as f:
    m = yaml.load(f, Loader=L)
root = sys.argv[1].rsplit("/", 1)[0]
for files in dict.fromkeys(p for s in (m.get("services") or {}).values() for p in s.get("k8s") or []):
    with open(root + "/" + files, encoding="utf-8") as f:
        list(yaml.load_all(f, Loader=L))
"""


def generate(root: Path, services: int = 1000) -> Path:
    lines = [
        "version: 1",
        "project: bench",
        "build:",
        "  extra_hosts: {hosts: [npm.example.io, go.example.io, pypi.example.io]}",
        "  build_args: {NPM_REGISTRY: {env: NPM_REGISTRY, default: 'https://registry.npmjs.org/'}}",
        "registries:",
        "  npm: {kind: npm, url: 'http://npm.example.io'}",
        "sdks:",
    ]
    for lang in LANGS:
        lines += [
            f"  {lang}:",
            f"    language: {lang}",
            f"    path: sdk/{lang}",
            f"    package: sdk-{lang}",
            "    registry: npm",
            "    version: '1.0.0'",
            "    steps:",
            f"      build: {{cmd: 'make {lang}', deps: [sdk/{lang}]}}",
            "      publish: {cmd: 'make publish'}",
        ]
    lines.append("services:")
    k8s = root / "k8s"
    k8s.mkdir(parents=True)
    width = max(4, len(str(services - 1)))
    for i in range(services):
        name = f"svc{i:0{width}d}"
        (root / "svc" / name).mkdir(parents=True)
        (root / "svc" / name / "Dockerfile").write_text("FROM scratch\n")
        (k8s / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec: {{containers: [{{name: app, image: bench/{name}}}]}}\n"
        )
        after = f"\n    after: [svc{i - 1:0{width}d}]" if i % 10 else ""
        lines += [
            f"  {name}:",
            f"    language: {LANGS[i % 3]}",
            f"    context: svc/{name}",
            f"    image: bench/{name}",
            f"    k8s: [k8s/{name}.yaml]",
            f"    port_forwards: ['{10000 + i}']",
            "    labels: [bench]" + after,
        ]
    manifest = root / "services.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def run(argv: list[str], cwd: Path | None = None, ok=(0,)) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode not in ok:
        raise SystemExit(f"{argv} exited {proc.returncode}: {err}")
    return wall, usage.ru_maxrss


def measure(size: int, runs: int) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = generate(Path(tmp), size)
        last = f"svc{size - 1:0{max(4, len(str(size - 1)))}d}"
        devenv = [PY, "-m", "devenv"]
        subprocess.run([*devenv, "render", "-f", str(manifest)], check=True, capture_output=True)
        commands = {
            "render --stdout": [*devenv, "render", "--stdout", "-f", str(manifest)],
            "render --check": [*devenv, "render", "--check", "-f", str(manifest)],
            "graph": [*devenv, "graph", "-f", str(manifest)],
            f"why {last} --no-doctor": [*devenv, "why", last, "--no-doctor", "-f", str(manifest)],
        }
        floor_argv = [PY, "-c", FLOOR, str(manifest)]
        run(floor_argv)  # warm the page cache
        floor_t, floor_m, samples = [], [], {k: ([], []) for k in commands}
        for _ in range(runs):
            for label, argv in commands.items():
                t, m = run(floor_argv)
                floor_t.append(t)
                floor_m.append(m)
                t2, m2 = run(argv)
                samples[label][0].append(t2 / t)
                samples[label][1].append((t2, m2))
        ft, fm = statistics.median(floor_t), statistics.median(floor_m)
        rows.append(f"| {size:,} | floor (libyaml: manifest + {size:,} k8s files) | {ft * 1000:.0f} ms | 1 | {fm / 1024:.0f} MiB | 1 |")
        for label, (ratios, tm) in samples.items():
            t = statistics.median(x[0] for x in tm)
            m = statistics.median(x[1] for x in tm)
            rows.append(f"| {size:,} | `{label}` | {t * 1000:.0f} ms | {statistics.median(ratios):.2f}x | {m / 1024:.0f} MiB | {m / fm:.2f}x |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    print("| services | command | wall (median) | ratio to floor (median of paired runs) | peak RSS | RSS ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        for row in measure(size, args.runs):
            print(row, flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
