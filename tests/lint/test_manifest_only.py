"""`devenv lint services.yaml` (what pre-commit passes when only the manifest changed) judges
each service against its real dependency files, and reports only on the files it was given."""

from __future__ import annotations

from tests.fixtures.manifests import deployment
from tests.lint.conftest import run

MANIFEST = """\
version: 1
project: p
sdks:
  ts: {language: typescript, path: sdk/ts, package: "@x/sdk", version: 1.0.0}
services:
  web: {language: typescript, context: web, image: demo/web, k8s: [web.yaml]}
  api: {language: typescript, context: api, image: demo/api, k8s: [api.yaml]}
"""


def _findings(result):
    return {(f.location.file, f.rule) for f in result.findings if f.rule.startswith("sdk-")}


def test_only_the_manifest_judges_services_against_their_dependency_files(small):
    root = small(
        {
            "web/package.json": '{"name": "web", "dependencies": {"@x/sdk": "0.9.0"}}\n',  # uses it, stale pin
            "api/package.json": '{"name": "api"}\n',  # does not use it
            "sdk/ts/package.json": '{"name": "@x/sdk", "version": "1.0.0"}\n',
            "web/Dockerfile": "FROM scratch\n",
            "api/Dockerfile": "FROM scratch\n",
            "web.yaml": deployment("web", "demo/web"),
            "api.yaml": deployment("api", "demo/api"),
        },
        manifest=MANIFEST,
    )
    whole = _findings(run(root))
    assert whole == {("services.yaml", "sdk-unused"), ("web/package.json", "sdk-version")}
    only = run(root, "services.yaml")
    assert _findings(only) == {("services.yaml", "sdk-unused")}  # api's, not web's; web's pin is not a named file
    (unused,) = [f for f in only.findings if f.rule == "sdk-unused"]
    assert "services.api " in unused.message and not only.edits
