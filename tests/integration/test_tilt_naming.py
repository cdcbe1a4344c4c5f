"""Workload naming against the real Tilt, one case per collision Tilt handles specially:

- a Helm chart's Deployment shares its name with a plain one: Tilt qualifies
  both (`frontend:deployment:apps`), so the render must name them so too;
- the same name in two kinds, or two namespaces: qualified by kind, by namespace;
- the same object twice (two services name one file, a chart renders an object a file also
  holds): Tilt stops at "Duplicate YAML", devenv refuses first, naming both sources;
- two workloads that differ only by an unset and a `default` namespace: Tilt tells them apart
  only by position (`…:apps:1`); devenv refuses them as one object;
- `workload:` naming a workload by a name Tilt qualified: its k8s_resource would stop Tilt;
- workloads of public images (redis) sharing a name across services: Tilt qualifies them as it
  does built ones (every container image counts), so the render must too;
- two Helm releases of one name, one in namespace `apps` and one in none: Tilt gives a Service
  without a namespace to the first workload its selector matches in ANY namespace, so declared
  in that order the second service's Service lands in the first one's resource: devenv refuses
  it; in the other order, or with both namespaces stated, each keeps its own.

Each case is rendered by devenv and judged by Tilt: a render must load exactly as implied
(tests/integration/judge.py), a refusal must be Tilt's own (``confirm_refusal``).
"""

from __future__ import annotations

import pytest

from devenv.errors import ManifestError
from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.fixtures.manifests import build_tree, deployment
from tests.integration.expected import helm_template
from tests.integration.judge import confirm_refusal, judge
from tests.integration.strategies import CHART_TEMPLATE

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "image: none\n",
    "charts/web/templates/all.yaml": CHART_TEMPLATE,
}


def _in(namespace: str | None, text: str, kind: str = "Deployment") -> str:
    text = text.replace("kind: Deployment", f"kind: {kind}")
    return text.replace("metadata: {name: ", f"metadata: {{namespace: {namespace}, name: ", 1) if namespace else text


def _svc(name: str, image: str, deploy: str) -> str:
    build = f"context: {name}, image: {image}, " if image else ""
    return f"  {name}: {{sdks: [], {build}{deploy}}}\n"


def _repo(tmp_path, services: dict[str, tuple[str, str]], files: dict[str, str]):
    """``services``: name -> (image it builds, or "" for none; deploy spec)."""
    text = "version: 1\nproject: naming\nservices:\n" + "".join(_svc(n, i, d) for n, (i, d) in services.items())
    dockerfiles = {f"{n}/Dockerfile": "FROM scratch\n" for n, (image, _) in services.items() if image}
    return build_tree(tmp_path, {"services.yaml": text, **dockerfiles, **files})


_RELEASE = "helm: {{chart: charts/web, release: frontend, {}set: {{image: 'redis:7'}}}}"

CASES = {
    "helm Deployment shares a plain one's name": (
        {"a": ("demo/a", "k8s: [a.yaml]"), "b": ("demo/b", "helm: {chart: charts/web, release: frontend, namespace: apps, set: {image: demo/b}}")},
        {"a.yaml": _in("tools", deployment("frontend", "demo/a")), **CHART},
        None,
    ),
    "one name in two kinds and two namespaces": (
        {"a": ("demo/a", "k8s: [a.yaml]"), "b": ("demo/b", "k8s: [b.yaml]"), "c": ("demo/c", "k8s: [c.yaml]")},
        {
            "a.yaml": deployment("app", "demo/a"),
            "b.yaml": _in(None, deployment("app", "demo/b"), "StatefulSet"),
            "c.yaml": _in("other", deployment("app", "demo/c")),
        },
        None,
    ),
    "two services name one file": (
        {"a": ("demo/a", "k8s: [a.yaml]"), "b": ("demo/b", "k8s: [b.yaml, a.yaml]")},
        {"a.yaml": deployment("a", "demo/a"), "b.yaml": deployment("b", "demo/b")},
        "Tilt stops at duplicate YAML",
    ),
    "a chart renders an object a file holds": (
        {"a": ("demo/a", "k8s: [a.yaml]"), "b": ("demo/b", "helm: {chart: charts/web, release: frontend, namespace: apps, set: {image: demo/b}}")},
        {"a.yaml": _in("apps", deployment("frontend", "demo/a")), **CHART},
        "Tilt stops at duplicate YAML",
    ),
    "workload: names a clashing name unqualified": (
        {"a": ("demo/a", "k8s: [a.yaml], workload: app"), "b": ("demo/b", "k8s: [b.yaml]")},
        {"a.yaml": _in("nx", deployment("app", "demo/a")), "b.yaml": _in("ny", deployment("app", "demo/b"))},
        "Tilt has no workload resource named",
    ),
    "workload: names it qualified": (
        {"a": ("demo/a", "k8s: [a.yaml], workload: 'app:deployment:nx'"), "b": ("demo/b", "k8s: [b.yaml]")},
        {"a.yaml": _in("nx", deployment("app", "demo/a")), "b.yaml": _in("ny", deployment("app", "demo/b"))},
        None,
    ),
    "public-image workloads share a name across services": (
        {"a": ("", "k8s: [a.yaml]"), "b": ("demo/b", "k8s: [b.yaml]")},
        {"a.yaml": _in("nx", deployment("cache", "redis")), "b.yaml": _in("ny", deployment("b", "demo/b")) + "---\n" + _in("ny", deployment("cache", "redis"))},
        None,
    ),
    "one release name, in apps then in no namespace": (
        {"web": ("", _RELEASE.format("namespace: apps, ")), "api": ("", _RELEASE.format(""))},
        CHART,
        "Tilt groups Service frontend",
    ),
    "one release name, in no namespace then in apps": ({"api": ("", _RELEASE.format("")), "web": ("", _RELEASE.format("namespace: apps, "))}, CHART, None),
    "one release name, in apps then in tools": (
        {"web": ("", _RELEASE.format("namespace: apps, ")), "api": ("", _RELEASE.format("namespace: tools, "))},
        CHART,
        None,
    ),
    "unset and default namespace": (
        {"a": ("demo/a", "k8s: [a.yaml]"), "b": ("demo/b", "k8s: [b.yaml]")},
        {"a.yaml": deployment("app", "demo/a"), "b.yaml": _in("default", deployment("app", "demo/b"))},
        "is the same object as",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_devenv_names_workloads_as_tilt_does(case, tilt_helm, helm_bin, tmp_path):
    services, files, refusal = CASES[case]
    root = _repo(tmp_path, services, files)
    try:
        render(load_manifest(root / "services.yaml"), root / "Tiltfile")
    except ManifestError as refused:
        assert refusal and all(refusal in p.message for p in refused.problems), [str(p) for p in refused.problems]
        assert all("services.yaml:" in str(p.location) for p in refused.problems)
        confirm_refusal(tilt_helm, root, refused)
        return
    assert refusal is None, f"{case}: devenv rendered what Tilt refuses"
    judge(tilt_helm, root, helm_objects=helm_template(helm_bin, root))
