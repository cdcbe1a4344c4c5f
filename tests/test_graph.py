from devenv.graph import build_graph, format_dot, format_mermaid, format_text
from devenv.manifest.model import Manifest
from devenv.manifest.relations import find_cycle
from devenv.tilt import HEALTH

MANIFEST = Manifest.model_validate(
    {
        "version": 1,
        "project": "p",
        "registries": {"npm": {"kind": "npm", "url": "http://npm.example.io"}},
        "sdks": {
            "ts": {
                "language": "typescript",
                "path": "sdk/ts",
                "package": "@p/ts",
                "version": "1.4.0",
                "steps": {"build": {"cmd": "b"}, "publish": {"cmd": "p"}},
            },
            "go": {"language": "go", "path": "sdk/go", "package": "p/go", "steps": {"build": {"cmd": "b"}}},
        },
        "services": {
            "graph": {"language": "go", "k8s": ["a.yaml"]},
            "platform": {"language": "typescript", "k8s": ["a.yaml"], "after": ["graph"]},
            "tool": {"sdks": [], "k8s": ["a.yaml"]},
            "both": {"sdks": ["ts", "go"], "k8s": ["a.yaml"]},
        },
    }
)


def test_chain_and_service_edges():
    graph = build_graph(MANIFEST)
    res = graph.resources
    assert res["packages:ts-sdk-build"].deps == (HEALTH,)
    assert res["packages:ts-sdk-publish"].deps == ("packages:ts-sdk-build",)
    assert res["platform"].deps == ("packages:ts-sdk-publish", "graph")
    assert res["tool"].deps == ()
    assert res["both"].deps == ("packages:ts-sdk-publish", "packages:go-sdk-build")


def test_blocked_services_follow_the_graph():
    graph = build_graph(MANIFEST)
    assert graph.blocked_services(["packages:go-sdk-build"]) == ["graph", "platform", "both"]
    assert graph.blocked_services([HEALTH]) == ["graph", "platform", "both"]
    assert graph.blocked_services(["tool"]) == ["tool"]


def test_chain_lists_dependencies_first():
    graph = build_graph(MANIFEST)
    assert graph.chain("platform") == [HEALTH, "packages:ts-sdk-build", "packages:ts-sdk-publish", "packages:go-sdk-build", "graph", "platform"]


def test_find_cycle_returns_the_path():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None
    long_chain = {str(i): [str(i + 1)] for i in range(5000)}
    assert find_cycle(long_chain) is None


def test_formats_show_versions_on_sdk_edges():
    graph = build_graph(MANIFEST)
    assert "platform <- packages:ts-sdk-publish (@p/ts@1.4.0), graph" in format_text(graph)
    assert '"packages:ts-sdk-publish" -> "platform" [label="@p/ts@1.4.0"];' in format_dot(graph)
    assert '-->|"@p/ts@1.4.0"|' in format_mermaid(graph)


# -- slices ---------------------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from devenv.graph import slice_closure, slice_selectors  # noqa: E402
from tests.integration.slices import closure, valid_names  # noqa: E402
from tests.integration.strategies import monorepos  # noqa: E402
from tests.support.cli import devenv  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_a_slice_brings_after_services_every_sdk_step_and_the_gate():
    graph = build_graph(MANIFEST)
    assert slice_closure(MANIFEST, graph, ["platform"]) == [
        HEALTH,
        "packages:ts-sdk-build",
        "packages:ts-sdk-publish",
        "packages:go-sdk-build",
        "graph",
        "platform",
    ]
    assert slice_closure(MANIFEST, graph, ["tool"]) == [HEALTH, "tool"]
    assert slice_closure(MANIFEST, graph, []) == list(graph.resources)
    assert set(slice_selectors(MANIFEST, graph)) == {"graph", "platform", "tool", "both", "services", "packages"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(repo=monorepos(max_services=12), data=st.data())
def test_slice_closure_matches_the_independent_closure_on_random_graphs(repo, data):
    manifest = Manifest.model_validate(repo.manifest)
    graph = build_graph(manifest)
    assert set(slice_selectors(manifest, graph)) == valid_names(repo.manifest)
    names = data.draw(st.lists(st.sampled_from(sorted(valid_names(repo.manifest))), max_size=4, unique=True))
    assert set(slice_closure(manifest, graph, names)) == closure(repo.manifest, names)


def test_graph_only_prints_the_slice_and_refuses_unknown_names():
    m = yaml.safe_load((REPO / "services.yaml").read_text())
    run = devenv("graph", "--only", "data,inference_gateway", cwd=REPO)
    assert run.code == 0, run.err
    shown = {line.split(" <- ")[0] for line in run.out.splitlines()}
    assert shown == closure(m, ["data", "inference_gateway"])
    run = devenv("graph", "--only", "platfrom", cwd=REPO)
    assert run.code == 2
    assert "platfrom" in run.err and "did you mean 'platform'" in run.err


def test_why_names_what_the_services_slice_enables():
    m = yaml.safe_load((REPO / "services.yaml").read_text())
    run = devenv("why", "platform", "--no-doctor", cwd=REPO)
    line = next(line for line in run.out.splitlines() if line.startswith("`tilt up -- platform` enables"))
    assert set(line.split(": ", 1)[1].split(", ")) == closure(m, ["platform"])


def test_a_buf_sdk_with_steps_ends_with_the_verify_smoke_step_without_a_registry():
    """Its BSR endpoint is derived from `buf.module`, so `devenv sdk verify` has something to fetch."""
    es = {
        "language": "typescript",
        "source": "buf",
        "version": "1.2.1-20230727062025-d8fbf2620c60.1",
        "buf": {"module": "buf.build/acme/apis", "plugin": "buf.build/bufbuild/es"},
        "steps": {"push": {"cmd": "p"}},
    }
    for verify, ready in (({}, "packages:es-sdk-smoke"), ({"smoke": False}, "packages:es-sdk-push")):
        manifest = Manifest.model_validate(
            {"version": 1, "project": "p", "sdks": {"es": {**es, "verify": verify}}, "services": {"web": {"language": "typescript", "k8s": ["a.yaml"]}}}
        )
        res = build_graph(manifest).resources
        assert res["web"].deps == (ready,)
        assert ("packages:es-sdk-smoke" in res) == (not verify)
