"""Benchmark `devenv render`: a generated 1,000-service manifest against the YAML-parse floor,
and start-up against a bare interpreter. Run: .venv/bin/python bench/bench_render.py"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, time_command  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
LANGS = ["typescript", "go", "python"]


def generate(root: Path, services: int = 1000) -> Path:
    lines = [
        "version: 1", "project: bench",
        "build:", "  extra_hosts: {hosts: [npm.example.io, go.example.io, pypi.example.io]}",
        "  build_args: {NPM_REGISTRY: {env: NPM_REGISTRY, default: 'https://registry.npmjs.org/'}}",
        "registries:", "  npm: {kind: npm, url: 'http://npm.example.io'}",
        "sdks:",
    ]
    for lang in LANGS:
        lines += [f"  {lang}:", f"    language: {lang}", f"    path: sdk/{lang}", f"    package: sdk-{lang}",
                  "    registry: npm", "    version: '1.0.0'", "    steps:",
                  f"      build: {{cmd: 'make {lang}', deps: [sdk/{lang}]}}", "      publish: {cmd: 'make publish'}"]
    lines.append("services:")
    k8s = root / "k8s"
    k8s.mkdir(parents=True)
    for i in range(services):
        name = f"svc{i:04d}"
        (root / "svc" / name).mkdir(parents=True)
        (root / "svc" / name / "Dockerfile").write_text("FROM scratch\n")
        (k8s / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec: {{containers: [{{name: app, image: bench/{name}}}]}}\n"
        )
        after = f"\n    after: [svc{i - 1:04d}]" if i % 10 else ""
        lines += [f"  {name}:", f"    language: {LANGS[i % 3]}", f"    context: svc/{name}", f"    image: bench/{name}",
                  f"    k8s: [k8s/{name}.yaml]", f"    port_forwards: ['{10000 + i}']", "    labels: [bench]" + after]
    manifest = root / "services.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def imported_modules(argv: list[str], cwd: Path) -> set[str]:
    proc = subprocess.run([PY, "-X", "importtime", *argv], cwd=cwd, capture_output=True, text=True, check=True)
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        manifest = generate(Path(tmp))
        floor = time_command([PY, "-c", f"import yaml; yaml.safe_load(open({str(manifest)!r}))"], runs=5)
        ours = time_command([PY, "-m", "devenv", "render", "--stdout", "-f", str(manifest)], runs=5)
        print(f"render 1000 services: {ours * 1000:.0f} ms; floor yaml.safe_load: {floor * 1000:.0f} ms; ratio {ours / floor:.2f}x (target < 3x)")
    bare = time_command([PY, "-c", "pass"])
    version = time_command([PY, "-m", "devenv", "--version"])
    example = time_command([PY, "-m", "devenv", "render", "--stdout", "-f", str(REPO / "services.yaml")])
    print(f"start-up: python -c pass {bare * 1000:.0f} ms; devenv --version {version * 1000:.0f} ms ({version / bare:.1f}x); "
          f"devenv render --stdout (example) {example * 1000:.0f} ms ({example / bare:.1f}x)")
    heavy = {m for m in imported_modules(["-m", "devenv", "render", "--stdout"], REPO) if m.split(".")[0] in {"kubernetes", "docker", "httpx"}}
    print(f"render imports kubernetes/docker/httpx: {sorted(heavy) or 'none'}")


if __name__ == "__main__":
    main()
