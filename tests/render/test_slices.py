"""The slice table's closures, built once per resource from its dependencies', against the walk
per slice (:func:`devenv.graph.slice_closure`, itself checked against an independent closure in
tests/test_graph.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from devenv.graph import Resource, build_graph, slice_closure, slice_selectors
from devenv.manifest.model import Manifest
from devenv.render.slices import reach_table, slice_closures
from tests.integration.strategies import monorepos
from tests.test_graph import MANIFEST


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(repo=monorepos(max_services=12))
def test_every_slice_closure_is_the_walks_on_random_graphs(repo):
    manifest = Manifest.model_validate(repo.manifest)
    graph = build_graph(manifest)
    picks = slice_selectors(manifest, graph)
    closures = list(slice_closures(manifest, graph, picks))
    assert [name for name, _ in closures] == sorted(picks)
    for name, enabled in closures:
        assert enabled == slice_closure(manifest, graph, [name])


def test_a_label_on_many_services_and_a_long_after_chain():
    services = {f"s{i}": {"language": "typescript", "k8s": ["a.yaml"], "labels": ["all"], "after": [f"s{i - 1}"] if i else []} for i in range(200)}
    manifest = Manifest.model_validate({**MANIFEST.model_dump(mode="json", exclude_none=True, by_alias=True), "services": services})
    graph = build_graph(manifest)
    picks = slice_selectors(manifest, graph)
    assert picks["all"] == [f"s{i}" for i in range(200)]
    for name, enabled in slice_closures(manifest, graph, picks):
        assert enabled == slice_closure(manifest, graph, [name])


def test_a_cycle_falls_back_to_the_walk():
    graph = build_graph(MANIFEST)
    table = reach_table(graph)
    assert table is not None
    assert table[0]["platform"] == set(graph.reaching(["platform"]))
    assert table[1]["platform"] == {"ts", "go"}
    # Validation refuses an `after` cycle; a graph with one still gets the walk's closures.
    graph.add(Resource("tool", "service", ("both",), service="tool"))
    graph.add(Resource("both", "service", ("packages:go-sdk-build", "tool"), service="both"))
    assert reach_table(graph) is None
    picks = slice_selectors(MANIFEST, graph)
    closures = dict(slice_closures(MANIFEST, graph, picks))
    assert closures["tool"] == slice_closure(MANIFEST, graph, ["tool"])
    assert "packages:go-sdk-build" in closures["tool"]
    assert closures == {name: slice_closure(MANIFEST, graph, [name]) for name in picks}
