import json

import pytest

from devenv.render.workloads import K8sObject, normalize_image, resource_names, unique_names
from tests.fixtures.manifests import deployment
from tests.support.cli import devenv


def _obj(name, kind="Deployment", namespace="default", group="apps", images=("demo/x",)):
    return K8sObject("f.yaml", kind, name, namespace, group, images, True)


def test_normalize_image_like_docker():
    assert normalize_image("redis") == "docker.io/library/redis"
    assert normalize_image("ameide/platform:1.2") == "docker.io/ameide/platform"
    assert normalize_image("localhost:5000/a/b@sha256:" + "0" * 64) == "localhost:5000/a/b"


def test_unique_names_follow_tilt():
    objs = [_obj("api", namespace="a"), _obj("api", namespace="b"), _obj("web"), _obj("web", kind="StatefulSet")]
    assert unique_names(objs) == ["api:deployment:a", "api:deployment:b", "web:deployment", "web:statefulset"]


def test_every_object_with_an_image_is_a_workload_built_or_not():
    """As the real Tilt (tests/integration/test_tilt_naming.py): a public image's Deployment is
    qualified like a built one when its name recurs."""
    public = _obj("web", namespace="a", images=("redis",))
    named = resource_names([_obj("web", namespace="b"), public, _obj("j", kind="Job", group="batch", images=())])
    assert named[public] == "web:deployment:a" and named[_obj("j", kind="Job", group="batch", images=())] == "j"
    assert resource_names([_obj("x", images=())]) == {_obj("x", images=()): "x"}  # a pod template, no image: by name


MANIFEST = """\
version: 1
project: demo
services:
  web: {sdks: [], context: web, image: demo/web, k8s: [k8s.yaml]}
"""


def test_image_used_by_no_object_warns(tree):
    repo = tree({"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": deployment("web", "demo/other")})
    result = devenv("render", cwd=repo)
    assert result.code == 0
    assert "warning: services.web.image: image 'demo/web' is used by none of the objects in k8s.yaml" in result.err


def test_no_workload_is_an_error_naming_the_service(tree):
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"
    repo = tree({"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": service})
    result = devenv("render", cwd=repo)
    assert result.code == 2
    assert "services.yaml:4:3 error: services.web.k8s: no workload" in result.err or "services.web.k8s: no workload" in result.err
    assert not (repo / "Tiltfile").exists()


def test_workload_named_differently_is_renamed(tree):
    repo = tree({"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": deployment("frontend", "demo/web")})
    text = devenv("render", "--stdout", cwd=repo).out
    assert "k8s_resource(\n        'frontend',\n        new_name='web'," in text


def test_same_name_in_two_namespaces_uses_tilt_fragments(tree):
    two = MANIFEST + "  api: {sdks: [], context: web, image: demo/api, k8s: [api.yaml]}\n"
    dep_a = deployment("app", "demo/web").replace("metadata: {name: app}", "metadata: {name: app, namespace: a}", 1)
    dep_b = deployment("app", "demo/api").replace("metadata: {name: app}", "metadata: {name: app, namespace: b}", 1)
    repo = tree({"services.yaml": two, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": dep_a, "api.yaml": dep_b})
    text = devenv("render", "--stdout", cwd=repo).out
    assert "'app:deployment:a',\n        new_name='web'" in text
    assert "'app:deployment:b',\n        new_name='api'" in text


def test_invalid_k8s_yaml_is_one_message(tree):
    repo = tree({"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": "a: [\n"})
    result = devenv("render", cwd=repo)
    assert result.code == 2 and "k8s.yaml:" in result.err and "not valid YAML" in result.err and "Traceback" not in result.err


CRONJOB = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: web}}\nspec: {spec}\n"


@pytest.mark.parametrize("spec", ["{jobTemplate: x}", "{jobTemplate: [1]}", "[1]", "x", "{jobTemplate: {spec: [1]}}", "{jobTemplate: {spec: {template: [1]}}}"])
def test_a_malformed_cronjob_declares_nothing_as_a_null_spec_does(tree, spec):
    """A CronJob whose spec, jobTemplate or template is not a mapping was an AttributeError (exit
    3); it declares no pod, as `spec: null` always did."""
    files = {"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n"}
    null = devenv("render", "--stdout", cwd=tree({**files, "k8s.yaml": CRONJOB.format(spec="null")}))
    result = devenv("render", "--stdout", cwd=tree({**files, "k8s.yaml": CRONJOB.format(spec=spec)}))
    assert "Traceback" not in result.err and (result.code, result.out, result.err) == (null.code, null.out, null.err)


def test_schema_and_version_commands(tree):
    repo = tree({"x": ""})
    schema = json.loads(devenv("schema", cwd=repo).out)
    assert schema["title"] == "devenv services.yaml"
    assert set(schema["properties"]) >= {"version", "project", "build", "registries", "proto", "sdks", "services", "cluster"}
    assert devenv("--version", cwd=repo).out.startswith("devenv ")


def test_graph_unknown_format_is_usage_error(tree):
    repo = tree({"services.yaml": MANIFEST, "web/Dockerfile": "FROM scratch\n", "k8s.yaml": deployment("web", "demo/web")})
    result = devenv("graph", "--format", "png", cwd=repo)
    assert result.code == 2 and "unknown format 'png'" in result.err


HELM_MANIFEST = """\
version: 1
project: demo
services:
  web: {sdks: [], context: web, image: demo/web, helm: {chart: chart}}
"""


def test_without_helm_a_chart_is_assumed_named_after_its_release_and_said_so(tree):
    """Naming a chart's workloads as Tilt does needs `helm template`; without helm the render
    still works, assumes the release name, and warns (tests/integration/test_tilt_naming.py
    judges the render with helm against the real Tilt)."""
    repo = tree(
        {
            "services.yaml": HELM_MANIFEST,
            "web/Dockerfile": "FROM scratch\n",
            "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
            "chart/templates/x.yaml": "{{ fail }}\n",
        }
    )
    result = devenv("render", "--stdout", cwd=repo, env={"PATH": "/nonexistent"})
    assert result.code == 0, result.err
    assert "services.web.helm: helm is not on PATH" in result.err and "k8s_resource(\n        'web'," in result.out


def test_a_chart_helm_cannot_template_is_one_error_naming_the_service(tree, helm_bin):
    repo = tree(
        {
            "services.yaml": HELM_MANIFEST,
            "web/Dockerfile": "FROM scratch\n",
            "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
            "chart/templates/x.yaml": '{{ fail "no" }}\n',
        }
    )
    result = devenv("render", cwd=repo)
    assert result.code == 2 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if " error: " in line]
    assert len(errors) == 1 and "services.web.helm: `helm template` failed" in errors[0], result.err
