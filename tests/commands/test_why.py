from tests.fixtures.manifests import deployment
from tests.support.cli import devenv

MANIFEST = """\
version: 1
project: demo
sdks:
  ts: {language: typescript, path: sdk, package: "@demo/sdk", steps: {build: {cmd: make}, publish: {cmd: make publish}}}
services:
  api: {language: typescript, context: api, image: demo/api, k8s: [api.yaml]}
  web: {language: typescript, context: web, image: demo/web, k8s: [web.yaml], after: [api]}
  tool: {sdks: [], k8s: [tool.yaml]}
"""


def _repo(tree):
    return tree(
        {
            "services.yaml": MANIFEST,
            "api/Dockerfile": "FROM scratch\n",
            "web/Dockerfile": "FROM scratch\n",
            "api.yaml": deployment("api", "demo/api"),
            "web.yaml": deployment("web", "demo/web"),
            "tool.yaml": deployment("tool", "busybox"),
        }
    )


def test_chain_lists_everything_the_service_waits_for_in_order(tree):
    result = devenv("why", "web", "--no-doctor", cwd=_repo(tree))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "web waits for 3 resources (in the order they run):"
    names = [line.replace("*", " ").split()[0] for line in lines[1:4]]
    assert names == ["packages:ts-sdk-build", "packages:ts-sdk-publish", "api"]
    assert "* packages:ts-sdk-publish" in result.out and "* api" in result.out


def test_service_with_no_dependencies(tree):
    result = devenv("why", "tool", "--no-doctor", cwd=_repo(tree))
    assert result.out.startswith("tool waits for nothing")


def test_failing_checks_name_what_they_block(tree, tmp_path):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = devenv("why", "web", "--only", "host", cwd=_repo(tree), env={"PATH": str(empty)})
    assert result.code == 1, result.out + result.err
    assert "✗ tilt: not found on PATH" in result.out
    assert "blocks: api, web, tool" in result.out
    assert "web is blocked by" in result.out


def test_unknown_service_is_a_usage_error_with_did_you_mean(tree):
    result = devenv("why", "wbe", "--no-doctor", cwd=_repo(tree))
    assert result.code == 2 and "did you mean 'web'?" in result.err
