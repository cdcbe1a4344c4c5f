"""Benchmark: Tiltfile load time of a slice (`tilt up -- LABEL`) against the full Tiltfile and
against a floor, with the real Tilt and Helm.

A generated manifest of --services services, every one a Helm chart (a Deployment and a Service),
in --labels labels (teams), each service running `after` the one before it in its team, all
consuming one SDK with two steps, is rendered by devenv. The real Tilt then loads, alternating:

- full: `tilt alpha tiltfile-result -f Tiltfile` (every helm() templated);
- slice: the same Tiltfile with `-- team-0` (one label: services/labels of the team only);
- floor: a Tiltfile rendered from a manifest holding only team-0's services (what the slice
  would cost if the other teams did not exist).

Reported: Tilt's own evaluation time ("Successfully loaded Tiltfile (<duration>)") and the
whole process's wall time, median of --runs. Target: slice / floor <= 1.2 (the slice pays only
for what it enables), and slice far below full.

Run: .venv/bin/python bench/bench_slices.py [--services 300] [--labels 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
from _common import machine  # noqa: E402

from devenv.manifest.load import load_manifest  # noqa: E402
from devenv.render import render  # noqa: E402
from tests.integration import tiltjson  # noqa: E402

CHART = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name | quote }}}
spec:
  selector: {matchLabels: {app: {{ .Release.Name | quote }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name | quote }}}}
    spec: {containers: [{name: main, image: {{ .Values.image | quote }}}]}
---
apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name | quote }}}
spec: {selector: {app: {{ .Release.Name | quote }}}, ports: [{port: 80}]}
"""


def generate(root: Path, services: int, labels: int, only_label: int | None = None) -> None:
    m: dict = {
        "version": 1,
        "project": "bench",
        "registries": {"npm": {"kind": "npm", "url": "http://npm.bench.example.io"}},
        "sdks": {"ts": {"language": "typescript", "path": "sdk", "package": "@bench/sdk", "steps": {"build": {"cmd": "true"}, "publish": {"cmd": "true"}}}},
        "services": {},
    }
    (root / "sdk").mkdir(parents=True, exist_ok=True)
    chart = root / "charts" / "svc"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: svc\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("image: nginx:1\n")
    (chart / "templates" / "all.yaml").write_text(CHART)
    previous: dict[int, str] = {}
    for i in range(services):
        team = i % labels
        if only_label is not None and team != only_label:
            continue
        name = f"svc-{i:03d}"
        svc: dict = {"language": "typescript", "helm": {"chart": "charts/svc", "set": {"image": f"nginx:1.{i}"}}, "labels": [f"team-{team}"]}
        if team in previous:
            svc["after"] = [previous[team]]
        previous[team] = name
        m["services"][name] = svc
    (root / "services.yaml").write_text(yaml.safe_dump(m, sort_keys=False))
    loaded = load_manifest(root / "services.yaml")
    (root / "Tiltfile").write_text(render(loaded, root / "Tiltfile").text)


def tilt_env(home: Path, helm: str) -> dict[str, str]:
    (home / ".tilt-dev").mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.pathsep.join([str(Path(helm).parent), str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": str(home),
        "TILT_DEV_DIR": str(home / ".tilt-dev"),
        "TILT_DISABLE_ANALYTICS": "1",
        "KUBECONFIG": str(home / "none"),
        "NO_COLOR": "1",
    }


def load(tilt: str, root: Path, args: list[str], env: dict[str, str]) -> tuple[float, float, tiltjson.Result]:
    argv = [tilt, "alpha", "tiltfile-result", "-v", "-f", str(root / "Tiltfile")] + (["--", *args] if args else [])
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"tilt failed ({' '.join(args) or 'full'}):\n{proc.stderr[-2000:]}")
    result = tiltjson.parse(proc.stdout, proc.stderr)
    return result.load_seconds or 0.0, wall, result


def find(name: str, env_var: str) -> str:
    for candidate in (os.environ.get(env_var), str(Path.home() / ".cache/devenv-test/bin" / name), shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit(f"{name} not found: build it with scripts/tools/build-all.sh")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--labels", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    tilt, helm = find("tilt", "DEVENV_TILT"), find("helm", "DEVENV_HELM")
    version = subprocess.run([tilt, "version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        full_root, floor_root = Path(tmp) / "full", Path(tmp) / "floor"
        generate(full_root, opts.services, opts.labels)
        generate(floor_root, opts.services, opts.labels, only_label=0)
        env = tilt_env(Path(tmp) / "home", helm)
        cases = {"full": (full_root, []), "slice": (full_root, ["team-0"]), "floor": (floor_root, [])}
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        results = {}
        for _ in range(opts.runs):
            for key, (root, args) in cases.items():
                evaluation, wall, result = load(tilt, root, args, env)
                samples[key].append((evaluation, wall))
                results[key] = result
    # The slice enables what the floor declares, no more, and declares no other team's service.
    assert set(results["slice"].enabled) == set(results["floor"].names), "slice and floor differ"
    assert set(results["slice"].names) == set(results["floor"].names), "the slice declared services it does not run"
    med = {k: (statistics.median(e for e, _ in v), statistics.median(w for _, w in v)) for k, v in samples.items()}
    sliced = len([n for n in results["slice"].enabled if not n.startswith("packages:")])
    print(f"{machine()}, {version}; {opts.services} Helm services in {opts.labels} labels, slice team-0 = {sliced} services; median of {opts.runs}")
    print("| load | Tilt evaluation | whole process | resources declared / enabled |")
    print("| --- | --- | --- | --- |")
    for key in cases:
        r = results[key]
        print(f"| {key} | {med[key][0] * 1000:.0f} ms | {med[key][1] * 1000:.0f} ms | {len(r.names)} / {len(r.enabled)} |")
    print(f"| slice / floor | {med['slice'][0] / med['floor'][0]:.2f}x | {med['slice'][1] / med['floor'][1]:.2f}x | target <= 1.2x |")
    print(f"| full / slice | {med['full'][0] / med['slice'][0]:.1f}x | {med['full'][1] / med['slice'][1]:.1f}x | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
