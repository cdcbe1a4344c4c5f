"""One problem does not cascade into unrelated ones (issue #15): in a manifest that is valid,
replacing any one value by a value of the wrong type yields exactly the schema's problems about
it, and no cross-key rule adds a second one ("deploys nothing" because `k8s` is a string, "needs
`path`" because `path` is a number, "unknown resource" because the SDK declaring it was refused).

The oracle is the schema alone (pydantic on the mutated document): validation must report
exactly what it reports, since the unmutated manifest has no cross-key problem at all.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from pydantic import ValidationError

from devenv.errors import ManifestError
from devenv.manifest.load import parse_manifest
from devenv.manifest.model import Manifest
from devenv.manifest.positions import load_yaml
from devenv.manifest.schema_errors import problems_from
from tests.fixtures.manifests import build_tree, deployment

RICH = """\
version: 1
project: rich
registries:
  npm: {kind: npm, url: "http://npm.example.io"}
proto: {path: proto, names: ["@x/proto"], allowed: [sdk/ts]}
sdks:
  ts:
    language: typescript
    path: sdk/ts
    package: "@x/sdk"
    registry: npm
    version: 1.0.0
    steps:
      build: {cmd: make, deps: [sdk/ts], env: {A: b}}
  bufgo:
    language: go
    source: buf
    buf: {module: buf.build/acme/petapis, plugin: buf.build/grpc/go}
    version: v1.4.0-20240102150405-abcdefabcdef.1
  ws: {language: python, source: workspace, path: sdk/py, package: x-sdk}
services:
  web:
    sdks: [ts]
    context: web
    image: demo/web
    k8s: [k8s/web.yaml]
    after: [api]
    port_forwards: ["8080"]
    labels: [front]
    build_args: {NODE_ENV: {env: NODE_ENV, default: dev}}
    live_update: [{sync: {from: web, to: /app}}, {run: {cmd: make, trigger: [web]}}]
    links: ["http://localhost:8080"]
  api:
    language: go
    context: api
    image: demo/api
    k8s: [k8s/api.yaml]
  chart:
    sdks: []
    helm: {chart: chart, values: [chart/values.yaml], namespace: apps, set: {a: b}}
tasks:
  seed: {cmd: echo seed, after: [api, packages:ts-sdk-build], labels: [ops]}
buttons:
  reset: {text: Reset, cmd: echo reset, resource: packages:ts-sdk-build}
  api: {text: Restart, cmd: echo, resource: api}
build:
  extra_hosts: {hosts: [npm.example.io], fallback: 10.0.0.1}
  build_args: {A: x}
cluster: {contexts: [kind-x], daemonsets: [kube-system/kindnet]}
"""

FILES = {
    "proto/a.proto": 'syntax = "proto3";\n',
    "sdk/ts/package.json": '{"name": "@x/sdk", "version": "1.0.0"}\n',
    "sdk/py/pyproject.toml": '[project]\nname = "x-sdk"\nversion = "1.0"\n',
    "web/Dockerfile": "FROM scratch\n",
    "api/Dockerfile": "FROM scratch\n",
    "k8s/web.yaml": deployment("web", "demo/web"),
    "k8s/api.yaml": deployment("api", "demo/api"),
    "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    "chart/values.yaml": "a: 1\n",
}
WRONG = ["text", 7, {"a": "b"}, ["x"], None, True]


def _paths(node, path=()):
    if path:
        yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, path + (key,))


def _mutations():
    base = yaml.safe_load(RICH)
    for path, node in _paths(base):
        for wrong in WRONG:
            if type(wrong) is not type(node):
                yield ".".join(map(str, path)) + f"={wrong!r}", path, wrong


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = build_tree(tmp_path_factory.mktemp("rich"), {"services.yaml": RICH, **FILES})
    parse_manifest(RICH, root / "services.yaml", "services.yaml")  # the unmutated manifest is valid
    return root


def _schema_problems(text: str) -> set[str]:
    loaded = load_yaml(text, "services.yaml")
    try:
        Manifest.model_validate(loaded.data)
    except ValidationError as exc:
        return {str(p) for p in problems_from(exc, loaded, Manifest)}
    return set()


CASES = list(_mutations())


def test_the_mutations_cover_every_section():
    assert len(CASES) > 300
    assert {path[0] for _, path, _ in CASES} >= {"registries", "proto", "sdks", "services", "tasks", "buttons", "build", "cluster"}


def test_a_wrong_type_is_one_problem_not_a_cascade(repo):
    cascades = []
    for case, path, wrong in CASES:
        doc = yaml.safe_load(RICH)
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(wrong)
        text = yaml.safe_dump(doc, sort_keys=False)
        try:
            parse_manifest(text, repo / "services.yaml", "services.yaml")
            continue  # a value the schema accepts (null for an optional key): nothing to cascade from
        except ManifestError as exc:
            got = {str(p) for p in exc.problems}
        schema = _schema_problems(text)
        extra = got - schema
        if schema and extra:  # (null for an optional key is no schema problem: then a rule's is the one)
            cascades.append(f"{case}: {sorted(extra)}")
    assert not cascades, f"{len(cascades)} cascades:\n" + "\n".join(cascades[:20])


def _typos():
    """Every key of the rich manifest misspelt (its last letter dropped, or one added)."""
    base = yaml.safe_load(RICH)
    for path, node in _paths(base):
        if isinstance(node, dict):
            for key in node:
                typo = key[:-1] if len(key) > 3 else key + "x"
                yield ".".join(map(str, (*path, key))) + f"->{typo}", path, key, typo


TYPOS = list(_typos())


def test_a_misspelt_key_is_one_problem_not_a_cascade(repo):
    """`k8:` for `k8s:` is an unknown key with a did-you-mean, and the service does not also
    "deploy nothing"; `contxt:` does not also leave the image without a context."""
    assert len(TYPOS) > 80
    cascades = []
    for case, path, key, typo in TYPOS:
        doc = yaml.safe_load(RICH)
        parent = doc
        for part in path:
            parent = parent[part]
        parent[typo] = parent.pop(key)
        text = yaml.safe_dump(doc, sort_keys=False)
        try:
            parse_manifest(text, repo / "services.yaml", "services.yaml")
            continue
        except ManifestError as exc:
            got = {str(p) for p in exc.problems}
        schema = _schema_problems(text)
        if any("unknown key" in p for p in schema) and got - schema:
            cascades.append(f"{case}: {sorted(got - schema)}")
    assert not cascades, f"{len(cascades)} cascades:\n" + "\n".join(cascades[:20])
