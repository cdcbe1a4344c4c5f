from devenv.graph import build_graph, format_dot, format_mermaid, format_text
from devenv.manifest.model import Manifest
from devenv.manifest.relations import find_cycle
from devenv.tilt import HEALTH

MANIFEST = Manifest.model_validate({
    "version": 1,
    "project": "p",
    "registries": {"npm": {"kind": "npm", "url": "http://npm.example.io"}},
    "sdks": {
        "ts": {"language": "typescript", "path": "sdk/ts", "package": "@p/ts", "version": "1.4.0",
               "steps": {"build": {"cmd": "b"}, "publish": {"cmd": "p"}}},
        "go": {"language": "go", "path": "sdk/go", "package": "p/go", "steps": {"build": {"cmd": "b"}}},
    },
    "services": {
        "graph": {"language": "go", "k8s": ["a.yaml"]},
        "platform": {"language": "typescript", "k8s": ["a.yaml"], "after": ["graph"]},
        "tool": {"sdks": [], "k8s": ["a.yaml"]},
        "both": {"sdks": ["ts", "go"], "k8s": ["a.yaml"]},
    },
})


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
