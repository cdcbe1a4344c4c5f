"""`tasks:`: ops local resources in the manifest, validated with positions, in the graph, rendered."""

from __future__ import annotations

import textwrap

import pytest

from devenv.errors import ManifestError
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.fixtures.manifests import build_tree, deployment

BASE = """\
version: 1
project: demo
services:
  api:
    image: demo/api
    context: api
    k8s: [api/k8s.yaml]
    after: [db-migrate]
tasks:
  db-migrate:
    cmd: ./migrate.sh
    labels: [ops]
    trigger: manual
    auto_init: false
  test:unit:
    cmd: [python3, -m, pytest]
    after: [api]
    allow_parallel: true
"""


def _tree(tmp_path, manifest: str):
    return build_tree(tmp_path, {"services.yaml": manifest, "api/Dockerfile": "FROM scratch\n", "api/k8s.yaml": deployment("api", "demo/api")})


def test_tasks_are_resources_services_and_tasks_wait_for(tmp_path):
    loaded = load_manifest(_tree(tmp_path, BASE) / "services.yaml")
    graph = build_graph(loaded.manifest)
    assert graph.resources["db-migrate"].kind == "task"
    assert graph.resources["api"].deps == ("db-migrate",)
    assert graph.resources["test:unit"].deps == ("api",)
    assert graph.blocked_services(["db-migrate"]) == ["api"]


def test_rendered_local_resources(tmp_path):
    root = _tree(tmp_path, BASE)
    text = render(load_manifest(root / "services.yaml"), root / "Tiltfile").text
    assert (
        textwrap.dedent("""\
        local_resource(
            'db-migrate',
            cmd='./migrate.sh',
            labels=['ops'],
            trigger_mode=TRIGGER_MODE_MANUAL,
            auto_init=False,
        )""")
        in text
    )
    assert "cmd=['python3', '-m', 'pytest'],\n    resource_deps=['api'],\n    allow_parallel=True," in text


@pytest.mark.parametrize(
    "edit, key, message",
    [
        (("after: [api]", "after: [apii]"), "tasks.test:unit.after.0", "unknown resource 'apii'"),
        (("  db-migrate:\n", "  packages:migrate:\n"), "tasks.packages:migrate", "uses the `packages:` prefix"),
        (("    cmd: ./migrate.sh\n", ""), "tasks.db-migrate", "runs nothing"),
        (("after: [api]", "after: [test:unit]"), "tasks.test:unit.after.0", "cannot wait for itself"),
        (("    allow_parallel: true\n", "    allow_parallel: true\n  api: {cmd: x}\n"), "tasks.api", "has the name of a service"),
    ],
)
def test_task_problems_have_positions(tmp_path, edit, key, message):
    root = _tree(tmp_path, BASE.replace(*edit))
    with pytest.raises(ManifestError) as raised:
        load_manifest(root / "services.yaml")
    found = [p for p in raised.value.problems if p.key == key]
    assert found and message in found[0].message, raised.value.problems
    assert found[0].location.line > 1
    if "apii" in message:
        assert found[0].hint == "did you mean 'api'?" and (found[0].location.line, found[0].location.col) == (17, 13)


def test_a_cycle_through_a_task_is_refused(tmp_path):
    root = _tree(tmp_path, BASE.replace("    labels: [ops]\n", "    labels: [ops]\n    after: [api]\n", 1))
    with pytest.raises(ManifestError, match="problem"):
        load_manifest(root / "services.yaml")


def test_every_existing_manifest_stays_valid_without_tasks(tmp_path):
    assert load_manifest(_tree(tmp_path, BASE.split("tasks:")[0].replace("    after: [db-migrate]\n", "")) / "services.yaml")
