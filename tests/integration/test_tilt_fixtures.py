"""The example manifest and every fixture manifest (tests/render/fixtures/*), loaded in the real
Tilt: the resources, resource_deps, labels, images and k8s objects it reports are exactly those
the manifest implies (tests/integration/expected.py), and Tilt warns about no resource_deps.

And the other side of the contract: a manifest Tilt could not load is refused by devenv with a
clear message (exit 2), never rendered into a Tiltfile that fails in `tilt up`.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.manifests import build_tree, deployment
from tests.integration.expected import helm_template
from tests.integration.judge import judge
from tests.support.cli import devenv

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "render" / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "services.yaml").is_file())

# Values for every `os.getenv` the fixtures' Tiltfiles read: the extra-hosts override in both of
# its forms, and environment-backed build args.
ENVIRONMENTS = {
    "unset": {},
    "set": {
        "DEVENV_HOST_IP": "fallback",
        "VERDACCIO_HOST_IP": "10.0.0.7",
        "REGISTRY_IP": "fallback",
        "NPM_REGISTRY": "http://npm.local:4873/",
        "GOPROXY": "https://proxy.golang.org,direct",
        "AWKWARD_ENV": 'from the "environment" \\ ü',
    },
}


def _uses_helm(root: Path) -> bool:
    return "helm:" in (root / "services.yaml").read_text(encoding="utf-8")


def _runner(request, root: Path):
    return request.getfixturevalue("tilt_helm" if _uses_helm(root) else "tilt")


def test_fixture_folder_has_the_shapes_the_issue_names():
    assert {"minimal", "platform", "helm", "qualified-workloads", "awkward-strings", "explicit-sdks", "local-only"} <= set(FIXTURE_NAMES)


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_fixture_manifest_loads_in_tilt_exactly_as_implied(fixture, environment, request, tmp_path):
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    runner = _runner(request, root)
    helm = helm_template(request.getfixturevalue("helm_bin"), root) if _uses_helm(root) else None
    judge(runner, root, env=ENVIRONMENTS[environment], helm_objects=helm)


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
def test_example_manifest_loads_in_tilt_exactly_as_implied(environment, request, tmp_path):
    """The root services.yaml (the example monorepo under examples/), rendered out of tree so
    the checked-in Tiltfile is left alone and every path must be made relative correctly."""
    if not (REPO / "services.yaml").is_file():
        pytest.skip("the example manifest (./services.yaml) does not exist yet")
    runner = _runner(request, REPO)
    helm = helm_template(request.getfixturevalue("helm_bin"), REPO) if _uses_helm(REPO) else None
    result = judge(runner, REPO, env=ENVIRONMENTS[environment], helm_objects=helm, tiltfile=tmp_path / "elsewhere" / "Tiltfile")
    assert any(name.startswith("packages:") for name in result.names)


def test_checked_in_example_tiltfile_loads_in_tilt(request):
    """The Tiltfile a developer runs `tilt up` on, as committed (render --check keeps it fresh)."""
    tiltfile = REPO / "Tiltfile"
    if not tiltfile.is_file():
        pytest.skip("no checked-in Tiltfile yet")
    run = _runner(request, REPO).tiltfile_result(tiltfile)
    assert run.code == 0, run.stderr


def test_allow_k8s_contexts_lets_the_manifest_context_in_and_keeps_others_out(tilt, tmp_path):
    """With a real kubeconfig Tilt enforces allow_k8s_contexts: the manifest's context loads,
    a context that looks remote and is not listed stops Tilt with its "might be production"."""
    root = tmp_path / "platform"
    shutil.copytree(FIXTURES / "platform", root)
    judge(tilt, root)  # renders root/Tiltfile
    for current, allowed in (("k3d-example", True), ("prod-eu", False)):
        kubeconfig = tmp_path / f"{current}.kubeconfig"
        kubeconfig.write_text(
            textwrap.dedent(f"""\
            apiVersion: v1
            kind: Config
            clusters:
            - {{name: c, cluster: {{server: "https://10.255.0.1:6443"}}}}
            users:
            - {{name: u, user: {{token: t}}}}
            contexts:
            - {{name: {current}, context: {{cluster: c, user: u}}}}
            current-context: {current}
            """)
        )
        run = tilt.tiltfile_result(root / "Tiltfile", kubeconfig=kubeconfig)
        if allowed:
            assert run.code == 0, run.stderr
        else:
            assert run.code == 5 and f"allow_k8s_contexts('{current}')" in run.stderr, run.stderr


# -- manifests Tilt cannot load are refused by devenv, with the reason -----------------------------

SERVICE = """\
  {name}:
    sdks: []
    k8s: [{file}]
"""


def _manifest(services: str, extra: str = "") -> str:
    return f"version: 1\nproject: refusals\n{extra}" + (f"services:\n{services}" if services else "")


REFUSED = {
    # Tilt reads HOST:LOCAL as LOCAL:CONTAINER and fails on the host name.
    "host:local port forward": (
        _manifest(SERVICE.format(name="a", file="a.yaml") + "    port_forwards: ['localhost:8000']\n"),
        {"a.yaml": deployment("a", "redis")},
        "port_forwards",
    ),
    "port forward with an invalid host": (
        _manifest(SERVICE.format(name="a", file="a.yaml") + "    port_forwards: ['-x-:8000:80']\n"),
        {"a.yaml": deployment("a", "redis")},
        "port_forwards",
    ),
    "container port out of range": (
        _manifest(SERVICE.format(name="a", file="a.yaml") + "    port_forwards: ['8000:70000']\n"),
        {"a.yaml": deployment("a", "redis")},
        "container port 70000",
    ),
    # Both services claim the workload `web`: the first rename leaves none for the second.
    "two services on one Tilt resource": (
        _manifest(SERVICE.format(name="one", file="one.yaml") + SERVICE.format(name="two", file="two.yaml") + "    workload: web\n"),
        {"one.yaml": deployment("web", "redis"), "two.yaml": deployment("other", "redis")},
        "in one resource",
    ),
    # k8s_resource('b', new_name='a') runs while the workload `a` still has its name.
    "services swapping their workloads' names": (
        _manifest(SERVICE.format(name="a", file="b.yaml") + SERVICE.format(name="b", file="a.yaml")),
        {"a.yaml": deployment("a", "redis"), "b.yaml": deployment("b", "redis")},
        "cannot rename workload 'b' to 'a'",
    ),
    # Both would be `packages:a-sdk-b-sdk-c`; the render kept one and dropped the other chain.
    "two SDK steps with one resource name": (
        _manifest(
            "",
            extra=textwrap.dedent("""\
            sdks:
              a-sdk-b: {language: go, path: p1, package: x, steps: {c: {cmd: "true"}}}
              a: {language: go, path: p2, package: y, steps: {b-sdk-c: {cmd: "true"}}}
            """),
        ),
        {},
        "packages:a-sdk-b-sdk-c",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_devenv_refuses_what_tilt_would_refuse(case, tmp_path):
    text, files, message = REFUSED[case]
    root = build_tree(tmp_path, {"services.yaml": text, **files})
    result = devenv("render", cwd=root)
    assert result.code == 2, f"{case}: devenv rendered a Tiltfile Tilt cannot load\n{result.out}{result.err}"
    assert message in result.err and "Traceback" not in result.err, result.err
    assert not (root / "Tiltfile").exists()


def test_the_same_shapes_spelled_right_load_in_tilt(tilt, tmp_path):
    """The accepted neighbours of the refused cases: every port-forward spelling Tilt reads, a
    workload taking its own service's name after another service was renamed away from it."""
    services = (
        SERVICE.format(name="a", file="a.yaml")
        + SERVICE.format(name="b", file="b.yaml")
        + "    after: [a]\n"
        + "    port_forwards: [8000, '8001', '8002:80', 'localhost:8003:80', '127.0.0.1:8004:0']\n"
    )
    root = build_tree(tmp_path, {"services.yaml": _manifest(services), "a.yaml": deployment("b", "redis"), "b.yaml": deployment("c", "redis")})
    judge(tilt, root)


def test_helm_service_is_templated_by_the_real_helm_while_tilt_loads(tilt_helm, helm_bin, tmp_path):
    """Tilt's helm() runs `helm template` with the manifest's release, namespace, values and
    sets; the chart's Deployment becomes the service's resource, its Service goes with it."""
    root = tmp_path / "helm"
    shutil.copytree(FIXTURES / "helm", root)
    result = judge(tilt_helm, root, helm_objects=helm_template(helm_bin, root))
    templated = [line for line in result.log.splitlines() if line.startswith("Running: helm template")]
    assert any(" api " in line and "--namespace backend" in line and "--values" in line and "--set replicaCount=2" in line for line in templated), templated
    assert {(o.kind, o.name, o.namespace) for o in result.resources["api"].objects} == {("Deployment", "api", "backend"), ("Service", "api", "backend")}
    assert result.resources["api-canary"].objects[0].namespace == "canary"
    assert result.resources["web"].resource_deps == ["api", "api-canary"]


def test_a_second_workload_in_a_services_files_waits_for_its_sdks(tilt, tmp_path):
    """platform's k8s/api.yaml also holds a migration Job built from the api image: Tilt makes it
    a resource of its own, and without a k8s_resource of its own it would start (and build
    api's image) before the Go SDK is published and verified (its implicit smoke step)."""
    root = tmp_path / "platform"
    shutil.copytree(FIXTURES / "platform", root)
    result = judge(tilt, root)
    migrate = result.resources["api-migrate"]
    assert migrate.resource_deps == result.resources["api"].resource_deps == ["packages:go-sdk-smoke"]
    assert migrate.labels == ["backend"]


def test_helm_workload_named_other_than_the_release_is_named_with_workload(tilt_helm, helm_bin, tmp_path):
    """`helm create` charts name objects <release>-<chart> unless the release contains the
    chart's name; render cannot see that without running helm, so `workload:` names it."""
    root = tmp_path / "helm"
    shutil.copytree(FIXTURES / "helm", root)
    manifest = root / "services.yaml"
    text = manifest.read_text().replace("  api-canary:\n", "  canary:\n    workload: canary-api\n")
    manifest.write_text(text.replace("release: api-canary", "release: canary").replace("[api, api-canary]", "[api, canary]"))
    result = judge(tilt_helm, root, helm_objects=helm_template(helm_bin, root))
    assert [(o.kind, o.name) for o in result.resources["canary"].objects] == [("Deployment", "canary-api"), ("Service", "canary-api")]
