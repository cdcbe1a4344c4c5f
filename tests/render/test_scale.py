"""Render's work grows linearly with the manifest: counted, not timed.

The count is the Python lines devenv itself executes (a line tracer limited to devenv's own
code, so libyaml, pydantic's core and Jinja are not counted and not slowed down). A quadratic
scan over the services, such as the rename check once was, executes about n² lines; then five
times the services costs twenty-five times the lines, far above the bound here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import devenv
from devenv.manifest.load import load_manifest
from devenv.render import render, workloads
from tests.fixtures.manifests import build_tree, deployment

PACKAGE = str(Path(devenv.__file__).parent)


def _monorepo(root: Path, services: int) -> Path:
    files = {}
    lines = [
        "version: 1",
        "project: scale",
        "registries:",
        "  npm: {kind: npm, url: 'http://npm.example.io'}",
        "sdks:",
        "  ts: {language: typescript, path: sdk/ts, package: '@x/sdk', version: '1.0.0',",
        "       steps: {build: {cmd: make}}}",
        "services:",
    ]
    for i in range(services):
        name = f"s{i:05d}"
        workload = f"w{i:05d}" if i % 4 == 0 else name  # renamed workloads: the rename check's work
        files[f"svc/{name}/Dockerfile"] = "FROM scratch\n"
        files[f"k8s/{name}.yaml"] = deployment(workload, f"img/{name}")
        shared = ", k8s/shared.yaml" if i % 50 == 0 else ""
        after = f", after: [s{i - 1:05d}]" if i % 10 else ""
        lines.append(
            f"  {name}: {{language: typescript, context: svc/{name}, image: img/{name}, k8s: [k8s/{name}.yaml{shared}],"
            f" port_forwards: ['{10000 + i}'], labels: [team{i % 7}]{after}}}"
        )
    # Shared by 100 services, so it holds no object: Tilt refuses an object deployed twice.
    files["k8s/shared.yaml"] = "# settings every service's YAML may name\n"
    files["services.yaml"] = "\n".join(lines) + "\n"
    return build_tree(root, files) / "services.yaml"


def _lines_executed(manifest: Path) -> tuple[int, int]:
    """(devenv lines executed by load + render, k8s files parsed)."""
    count = 0
    parsed = 0
    real_read = workloads.read_objects

    def counting_read(root, relative):
        nonlocal parsed
        parsed += 1
        return real_read(root, relative)

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    workloads.read_objects = counting_read
    sys.settrace(tracer)
    try:
        render(load_manifest(manifest), manifest.parent / "Tiltfile")
    finally:
        sys.settrace(None)
        workloads.read_objects = real_read
    return count, parsed


def test_render_work_grows_linearly_up_to_5000_services(tmp_path):
    small, small_files = _lines_executed(_monorepo(tmp_path / "small", 1000))
    large, large_files = _lines_executed(_monorepo(tmp_path / "large", 5000))
    # Each k8s file is parsed once, however many services name it (shared.yaml: 100 of them).
    assert (small_files, large_files) == (1001, 5001)
    # Five times the services: at most 1.3 times five times the work (a quadratic path: ~25x).
    assert large / small < 5 * 1.3, (small, large, large / small)
