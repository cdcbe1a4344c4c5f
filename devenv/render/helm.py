"""The objects a service's Helm chart renders, asked of the real `helm template` with the very
arguments Tilt's ``helm()`` passes (internal/tiltfile/files.go, v0.37): release name, chart,
``--namespace``, ``--include-crds``, ``--values``, ``--set``. Tilt drops the chart's test hooks
(``# Source: …/tests/``) and puts the release namespace on objects that state none; so does this.

Tilt names workloads across the whole Tiltfile, Helm's included, so the render needs them to
predict the resource names. Without `helm` on PATH, :func:`template` returns None and the
caller falls back to assuming the chart's workload is named after the release.
"""

from __future__ import annotations

import re
from pathlib import Path

from devenv.errors import DevenvError
from devenv.manifest.model import Helm
from devenv.render.workloads import K8sObject, parse_objects

_TIMEOUT = 60.0
_TEST_SOURCE = re.compile(r"^# Source: .*/tests/", re.MULTILINE)


def _without_tests(stream: str) -> str:
    """Tilt's filterHelmTestYAML: split on "---\\n", drop parts holding a test template."""
    return "---\n".join(part for part in stream.split("---\n") if not _TEST_SOURCE.search(part))


def template(root: Path, helm: Helm, release: str) -> list[K8sObject] | None:
    """The chart's objects in Tilt's order, or None when `helm` is not installed."""
    import shutil
    import subprocess  # only for charts: most renders never start a process

    binary = shutil.which("helm")
    if binary is None:
        return None
    cmd = [binary, "template", release, str(root / helm.chart)]
    if helm.namespace:
        cmd += ["--namespace", helm.namespace]
    cmd.append("--include-crds")
    for values in helm.values:
        cmd += ["--values", str(root / values)]
    for key, value in helm.set.items():
        cmd += ["--set", f"{key}={value}"]
    try:
        run = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DevenvError(f"`helm template` did not finish in {_TIMEOUT:.0f} s")
    except OSError as exc:
        raise DevenvError(f"cannot run helm: {exc}")
    if run.returncode != 0:
        lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
        raise DevenvError(
            f"`helm template` failed: {lines[-1] if lines else f'exit {run.returncode}'}",
            hint="fix the chart or its values; Tilt runs the same command and would stop loading",
        )
    return parse_objects(_without_tests(run.stdout), f"{helm.chart} (helm template)", helm.namespace)
