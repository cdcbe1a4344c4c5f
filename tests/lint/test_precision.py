"""A one-segment proto workspace (`proto.path: proto`): references are judged by where they
resolve, not by the word. Relative paths resolve from the referencing file's folder; absolute
paths in a Dockerfile are places in the image."""

from tests.lint.conftest import run

MANIFEST = """\
version: 1
project: demo
proto: {path: proto}
"""


def test_only_references_that_resolve_to_the_workspace_are_reported(small):
    root = small(
        {
            "proto/a.proto": 'syntax = "proto3";\n',
            "web/src/proto/local.ts": "export const x = 1;\n",
            "web/src/index.ts": 'import x from "./proto";\nimport y from "../../proto/a";\n',
            "svc/main.go": 'package main\nimport "example.com/svc/internal/proto"\n',
            "Dockerfile": "FROM node\nWORKDIR /proto\nCOPY proto /app/gen\nRUN mkdir -p /proto\nCOPY gen /app/proto\n",
        },
        manifest=MANIFEST,
    )
    found = {(f.location.file, f.location.line) for f in run(root).findings if not f.suppressed}
    assert found == {("web/src/index.ts", 2), ("Dockerfile", 3)}


def test_one_finding_per_span(small):
    root = small({"proto/a.proto": "", "run.sh": "cp -r proto/a.proto x && cat proto/a.proto\n"}, manifest=MANIFEST)
    spans = [(f.location.file, f.location.line, f.location.col) for f in run(root).findings]
    assert len(spans) == len(set(spans)) == 2
