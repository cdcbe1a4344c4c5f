"""Generator naming rules: what each proto file should yield, and recognising generated files
(for extras); proto roots from buf.yaml."""

from __future__ import annotations

import pytest

from devenv.manifest.model import Sdk
from devenv.sdk.verify.layout import Layout, layout_for, proto_files, proto_roots


@pytest.mark.parametrize(
    "language, package, expected, raw",
    [
        ("typescript", "@ameideio/ameide-sdk-ts", ["dist/gen/a/b/v1/c_pb.js", "dist/gen/a/b/v1/c_pb.d.ts"], "dist/proto/raw"),
        ("python", "ameide-sdk", ["ameide_sdk/gen/a/b/v1/c_pb2.py"], "ameide_sdk/proto/raw"),
        ("go", "go.example.io/sdk", ["gen/a/b/v1/c.pb.go"], ""),
    ],
)
def test_defaults_per_language(language, package, expected, raw):
    layout = layout_for(Sdk(language=language, path="p", package=package))
    assert layout.expected("a/b/v1/c.proto") == expected
    assert layout.raw == raw
    assert all(layout.proto_of(path) == "a/b/v1/c.proto" for path in expected)


def test_dir_and_stem_placeholders_round_trip():
    layout = Layout("", ("{dir}pb/{stem}.pb.go", "{dir}{stem}_grpc.pb.go"), "")
    assert layout.expected("x/y.proto") == ["x/pb/y.pb.go", "x/y_grpc.pb.go"]
    assert layout.expected("y.proto") == ["pb/y.pb.go", "y_grpc.pb.go"]
    assert layout.proto_of("x/pb/y.pb.go") == "x/y.proto"
    assert layout.proto_of("x/y_grpc.pb.go") == "x/y.proto"
    assert layout.proto_of("x/y.go") is None


def test_manifest_keys_override_the_defaults():
    sdk = Sdk(language="typescript", path="p", package="@x/y", verify={"root": "lib/", "generated": ["{path}_connect.js"], "raw_protos": ""})
    layout = layout_for(sdk)
    assert (layout.root, layout.patterns, layout.raw) == ("lib", ("{path}_connect.js",), "")


@pytest.mark.parametrize(
    "buf, roots",
    [
        ("version: v2\nmodules:\n  - path: proto\n  - path: vendor/protos\n", ["proto", "vendor/protos"]),
        ("version: v1\nbuild:\n  roots: [src]\n", ["src"]),
        ("version: v1\n", ["."]),
    ],
)
def test_proto_roots_follow_buf_yaml(tmp_path, buf, roots):
    (tmp_path / "buf.yaml").write_text(buf)
    assert proto_roots(tmp_path) == [tmp_path / r if r != "." else tmp_path for r in roots]


def test_proto_files_are_relative_to_their_root(tmp_path):
    (tmp_path / "proto/a/v1").mkdir(parents=True)
    (tmp_path / "proto/a/v1/x.proto").write_text("")
    (tmp_path / "proto/a/v1/notes.txt").write_text("")
    assert list(proto_files([tmp_path / "proto"])) == ["a/v1/x.proto"]
