"""Behaviour check for performance work: the same outputs, byte for byte, as a reference commit.

Runs `render --stdout`, `render --check`, `graph` (text, mermaid, dot) and `why --no-doctor` with
this tree and with a reference commit (default: the one before the issue-17 performance work),
on the example manifest, the render test fixtures and generated manifests (the bench's and a
varied one: shared k8s files, multi-document files, Jobs beside Deployments, renamed workloads,
helm, live_update), and compares exit codes, stdout and stderr byte for byte.

Run: .venv/bin/python bench/compare_render.py [--ref COMMIT] [--sizes 300,3000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = "e9d3b0d678e7ed88604aa42b9ae432b0ddd7cb88"  # main before the issue-17 performance work


def varied(root: Path, services: int) -> Path:
    """A manifest using the features whose render paths the performance work touched."""
    (root / "k8s").mkdir(parents=True)
    (root / "charts" / "web").mkdir(parents=True)
    (root / "charts" / "web" / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (root / "charts" / "web" / "templates").mkdir()
    (root / "charts" / "web" / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: '{{ .Release.Name }}'}\nspec:\n  template:\n"
        "    spec: {containers: [{name: web, image: '{{ .Values.image }}'}]}\n"
    )
    shared = "".join(
        f"---\napiVersion: batch/v1\nkind: Job\nmetadata: {{name: migrate{g}}}\nspec:\n  template:\n"
        f"    spec: {{containers: [{{name: m, image: tools/migrate}}]}}\n"
        for g in range(5)
    )
    (root / "k8s" / "shared.yaml").write_text(shared)  # one service's migration Jobs beside its Deployment
    # Named by many services, so it holds no object: Tilt refuses an object deployed twice.
    (root / "k8s" / "common.yaml").write_text("# settings every service's YAML may name\n")
    lines = [
        "version: 1",
        "project: varied",
        "registries:",
        "  npm: {kind: npm, url: 'http://npm.example.io'}",
        "sdks:",
        "  ts:",
        "    language: typescript",
        "    path: sdk/ts",
        "    package: '@x/sdk'",
        "    version: '1.2.3'",
        "    registry: npm",
        "    steps: {build: {cmd: 'make ts'}, publish: {cmd: 'make publish'}}",
        "services:",
    ]
    for i in range(services):
        name = f"s{i}"
        ctx = root / "svc" / name
        ctx.mkdir(parents=True)
        (ctx / "Dockerfile").write_text("FROM scratch\n")
        workload = f"w{i}" if i % 4 == 0 else name  # every fourth service renames its workload
        second = (
            (
                f"---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: {name}-db, namespace: data}}\n"
                "spec:\n  template:\n    spec: {containers: [{name: db, image: postgres}]}\n"
            )
            if i % 7 == 0
            else ""
        )
        (root / "k8s" / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {workload}}}\nspec:\n  template:\n"
            f"    spec: {{containers: [{{name: app, image: 'img/{name}:dev'}}]}}\n" + second
        )
        lines += [f"  {name}:", "    language: typescript", f"    context: svc/{name}", f"    image: img/{name}", f"    labels: [team{i % 3}]"]
        if i % 9 == 5 and i < 50:  # a few charts: each is a `helm template` run
            lines.append(f"    helm: {{chart: charts/web, release: rel{i}, set: {{image: img/{name}}}}}")
        else:
            files = [f"k8s/{name}.yaml"] + (["k8s/shared.yaml"] if i == 1 else ["k8s/common.yaml"] if i % 5 == 1 else [])
            lines.append(f"    k8s: [{', '.join(files)}]")
        if i % 3 == 2:
            lines += [
                "    live_update:",
                f"      - sync: {{from: svc/{name}, to: /app}}",
                "      - run: {cmd: 'npm i', trigger: [svc/" + name + "/package.json]}",
            ]
        if i and i % 6:
            lines.append(f"    after: [s{i - 1}]")
        lines.append(f"    port_forwards: ['{20000 + i}:80']")
    manifest = root / "services.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def outputs(tree: Path, manifest: Path, why: str) -> list[tuple[str, int, bytes, bytes]]:
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1", "COLUMNS": "120"}
    runs = [
        ["render", "--stdout"],
        ["render", "--check"],
        ["graph"],
        ["graph", "--format", "mermaid"],
        ["graph", "--format", "dot"],
        ["why", why, "--no-doctor"],
    ]
    out = []
    for args in runs:
        proc = subprocess.run([sys.executable, "-m", "devenv", *args, "-f", str(manifest)], cwd=manifest.parent, env=env, capture_output=True)
        out.append((" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ref", default=REFERENCE)
    parser.add_argument("--sizes", default="300,3000")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.ref], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        cases = [(REPO / "services.yaml", "platform")]
        cases += [(d / "services.yaml", "") for d in sorted((REPO / "tests/render/fixtures").iterdir())]
        for size in (int(s) for s in args.sizes.split(",")):
            cases.append((generate(Path(tmp) / f"bench{size}", size), f"svc{size - 1:04d}"))
            cases.append((varied(Path(tmp) / f"varied{size}", size), f"s{size - 1}"))
        for manifest, why in cases:
            mine, theirs = outputs(REPO, manifest, why or "nope"), outputs(base, manifest, why or "nope")
            for a, b in zip(mine, theirs):
                same = a == b
                failures += not same
                print(f"{'same' if same else 'DIFFERENT'}  {manifest.parent.name}: {a[0]} (exit {a[1]}, {len(a[2])} bytes)")
    print("all identical" if not failures else f"{failures} outputs differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
