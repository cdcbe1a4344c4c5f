"""Golden tests: the committed example Tiltfile is exactly what render produces."""

from pathlib import Path

from tests.render.standins import evaluate
from tests.support.cli import devenv

REPO = Path(__file__).resolve().parents[2]


def test_committed_example_tiltfile_is_fresh():
    result = devenv("render", "--check", "-f", "services.yaml", cwd=REPO)
    assert result.code == 0, result.out + result.err


def test_example_tiltfile_shape():
    text = (REPO / "Tiltfile").read_text()
    lines = text.splitlines()
    assert lines[0].startswith("# devenv-checksum: sha256:")
    assert "version_settings(constraint='>=0.33.4')" in text
    # order: helpers, then packages, then services
    assert text.index("def _devenv_host_ip") < text.index("'packages:health'") < text.index("docker_build(")


def test_example_services_wait_for_sdks_and_never_build_from_proto():
    calls = evaluate((REPO / "Tiltfile").read_text())
    builds = [c for c in calls if c["fn"] == "docker_build"]
    resources = {c["workload"] if not c["new_name"] else c["new_name"]: c for c in calls if c["fn"] == "k8s_resource"}
    assert len(builds) >= 6 and len(resources) >= 6
    for build in builds:
        assert "ameide_core_proto" not in build["context"] + build["dockerfile"]
    for name, resource in resources.items():
        assert any(dep.startswith("packages:") and dep.endswith("-sdk-smoke") for dep in resource["resource_deps"]), name


def test_example_graph_is_stable():
    result = devenv("graph", "-f", "services.yaml", cwd=REPO)
    golden = (REPO / "tests" / "render" / "golden" / "example-graph.txt").read_text()
    assert result.out == golden
