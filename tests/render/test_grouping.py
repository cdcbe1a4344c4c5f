"""render.grouping models how Tilt groups Services with workloads (Tilt v0.37,
internal/k8s/entity.go): a Service in a stated namespace only joins a workload of that
namespace, one without (or in `default`) joins the first matching workload in any namespace.
tests/integration/test_tilt_naming.py checks the same cases against the real Tilt."""

from __future__ import annotations

from devenv.render.grouping import tilt_groups
from devenv.render.workloads import parse_objects


def _objects(namespace: str | None, app: str = "frontend") -> list:
    meta = f"{{name: {app}, namespace: {namespace}}}" if namespace else f"{{name: {app}}}"
    text = (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {meta}\n"
        f"spec: {{template: {{metadata: {{labels: {{app: {app}}}}}, spec: {{containers: [{{name: m, image: redis}}]}}}}}}\n"
        f"---\napiVersion: v1\nkind: Service\nmetadata: {meta}\nspec: {{selector: {{app: {app}}}}}\n"
    )
    return parse_objects(text, "x.yaml")


def _held(objects) -> list[tuple[str, str]]:
    """(Service namespace, its workload's namespace) for each grouped Service."""
    by_id = {id(o): o for o in objects}
    return sorted((by_id[s].namespace, w.namespace) for s, w in tilt_groups(objects).items())


def test_a_service_without_namespace_joins_the_first_matching_workload_in_any_namespace():
    assert _held(_objects("apps") + _objects(None)) == [("apps", "apps"), ("default", "apps")]


def test_in_the_other_order_each_service_keeps_its_own_workload():
    assert _held(_objects(None) + _objects("apps")) == [("apps", "apps"), ("default", "default")]


def test_stated_namespaces_only_match_their_own():
    assert _held(_objects("apps") + _objects("tools")) == [("apps", "apps"), ("tools", "tools")]


def test_a_selector_that_matches_no_pod_labels_stays_ungrouped():
    objects = _objects("apps") + _objects(None, app="other")
    assert _held(objects) == [("apps", "apps"), ("default", "default")]
    assert tilt_groups(_objects(None)[1:]) == {}
