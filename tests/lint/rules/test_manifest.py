"""The rules read from services.yaml: build contexts that take the proto workspace in, and
SDK-less services that still depend on proto packages."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.manifests import deployment
from tests.lint.conftest import keys, run
from tests.support.cli import devenv

BASE = """\
version: 1
project: demo
proto: {{path: packages/ameide_core_proto, names: ["@ameide/core-proto", ameide_core_proto]}}
sdks:
  ts: {{language: typescript, path: packages/sdk_ts, package: "@demo/sdk"}}
  go: {{language: go, path: packages/sdk_go, package: demo.io/sdk}}
services:
  web:
    language: typescript
{service}
    image: demo/web
    k8s: [k8s.yaml]
"""
FILES = {"k8s.yaml": deployment("web", "demo/web"), "web/Dockerfile": "FROM x\n", "Dockerfile": "FROM x\n"}


@pytest.mark.parametrize(
    ("service", "files", "expected"),
    [
        ("    context: web", {}, set()),
        ("    context: .", {}, {(10, 14, "service-context-includes-proto")}),
        ("    context: packages", {"packages/Dockerfile": "FROM x\n"}, {(10, 14, "service-context-includes-proto")}),
        ("    context: .\n    only: [web]", {}, set()),
        ("    context: .\n    only: [web, packages]", {}, {(11, 17, "service-only-includes-proto")}),
        ("    context: .\n    only: [packages/ameide_core_proto/gen]", {}, {(11, 12, "service-only-includes-proto")}),
        ("    context: .\n    ignore: [packages/ameide_core_proto]", {}, set()),
        ("    context: .\n    ignore: ['packages/*', '!packages/sdk_ts']", {}, set()),
        ("    context: .", {".dockerignore": "**\n!web\n"}, set()),
        ("    context: .", {".dockerignore": "packages/\n"}, set()),
        ("    context: .", {".dockerignore": "node_modules\n"}, {(10, 14, "service-context-includes-proto")}),
        # The Dockerfile's own ignore file wins over the context's.
        (
            "    context: .\n    dockerfile: web/Dockerfile",
            {".dockerignore": "packages/\n", "web/Dockerfile.dockerignore": "x\n"},
            {(10, 14, "service-context-includes-proto")},
        ),
    ],
)
def test_build_contexts(small, service, files, expected):
    root = small({**FILES, **files}, manifest=BASE.format(service=service))
    assert {k[1:] for k in keys(run(root)) if k[0] == "services.yaml"} == expected


def test_a_service_without_an_image_builds_nothing(small):
    manifest = BASE.format(service="    context: .").replace("    image: demo/web\n", "")
    assert not keys(run(small(FILES, manifest=manifest)))


SDKLESS = """\
version: 1
project: demo
proto: {path: packages/ameide_core_proto, names: ["@ameide/core-proto", ameide_core_proto]}
sdks:
  go: {language: go, path: packages/sdk_go, package: demo.io/sdk}
services:
  tool:
    sdks: []
    context: tools
    k8s: [k8s.yaml]
  other:
    sdks: []
    context: tools/nested
    k8s: [k8s.yaml]
"""


def test_sdkless_services_must_not_depend_on_proto_packages(small):
    root = small(
        {
            "k8s.yaml": deployment("web", "demo/web"),
            "tools/go.mod": "module demo.io/tool\n\nrequire github.com/demo/packages/ameide_core_proto v1.0.0\n",
            "tools/requirements.txt": "# mentions ameide_core_proto in a comment only\nrequests\n",
            "tools/nested/pyproject.toml": "[project]\ndependencies = ['Ameide-Core-Proto']\n",
        },
        manifest=SDKLESS,
    )
    result = run(root)
    sdkless = sorted((f.location.line, f.message, f.fix) for f in result.findings if f.rule == "sdkless-service-depends-on-proto")
    assert sdkless == [
        (
            8,
            "service 'tool' declares `sdks: []` but tools/go.mod:3 depends on the proto workspace 'packages/ameide_core_proto'",
            "consume the SDK (`sdks: [go]`) and depend on demo.io/sdk instead",
        ),
        # The nested service owns its folder: its file is not the outer one's.
        (
            12,
            "service 'other' declares `sdks: []` but tools/nested/pyproject.toml:2 depends on the proto package 'Ameide-Core-Proto'",
            "consume the SDK (`sdks: [go]`) and depend on demo.io/sdk instead",
        ),
    ]


@pytest.mark.parametrize("where", [".dockerignore", "web/Dockerfile.dockerignore"])
def test_a_fifo_named_as_an_ignore_file_ignores_nothing_and_never_hangs(small, where):
    """The context rule read .dockerignore with read_text: a FIFO there hung lint for ever. It
    is passed over, as a missing one (the context then includes the proto workspace). Run as a
    subprocess with a timeout: the old code hangs."""
    root = small(FILES, manifest=BASE.format(service="    context: .\n    dockerfile: web/Dockerfile"))
    os.mkfifo(root / where)
    result = devenv("lint", cwd=root, timeout=60)
    assert result.code == 1 and "services.yaml:10:14 service-context-includes-proto" in result.out, result.out + result.err
