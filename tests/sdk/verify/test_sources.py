"""`devenv sdk verify` from the other places an SDK comes from: an OCI image in a real
docker-registry (pushed by the real test dockerd), and the SDK's folder on disk (workspace)."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.sdk.verify import artifacts
from tests.sdk.verify.artifacts import PROTOS, VARIANTS
from tests.sdk.verify.repo import write_repo
from tests.support.cli import devenv


def _verify(repo, *args):
    run = devenv("sdk", "verify", *args, "--json", "-f", str(repo), cwd=repo.parent, timeout=180)
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out)


def _gaps(doc):
    return [(f["kind"], f["proto"], f["path"]) for sdk in doc["sdks"] for f in sdk["findings"]]


@pytest.mark.parametrize("variant", ["complete", "no-generated"])
def test_workspace_source_reads_the_sdk_folder(variant, tmp_path):
    repo = write_repo(tmp_path / "repo", {"npm": "http://127.0.0.1:9"})  # never contacted
    folder = artifacts.npm_folder(tmp_path / "repo" / "packages", variant)
    folder.rename(tmp_path / "repo" / "packages" / "sdk_ts")
    code, doc = _verify(repo, "ts", "--source", "workspace")
    expected = [] if variant == "complete" else [("missing-generated", artifacts.DROPPED, "dist/gen/ameide/graph/v1/graph_pb.js")]
    assert (code, _gaps(doc)) == (0 if variant == "complete" else 1, expected)
    assert doc["sdks"][0]["artifact"] == "folder packages/sdk_ts"


def test_buf_source_needs_the_sdks_buf_module(tmp_path):
    """--source buf on an SDK without `buf:` is a usage error (Buf SDKs themselves: test_buf.py)."""
    repo = write_repo(tmp_path / "repo", {"npm": "http://127.0.0.1:9"})  # never contacted
    run = devenv("sdk", "verify", "ts", "--source", "buf", "-f", str(repo), cwd=tmp_path)
    assert run.code == 2 and "SDK 'ts' has no buf: {module, plugin}" in run.err, run.out + run.err


def test_workspace_source_of_a_buf_sdk_without_a_folder_is_an_error_not_a_crash(tmp_path):
    repo = write_repo(tmp_path / "repo", {"npm": "http://127.0.0.1:9"})
    manifest = yaml.safe_load(repo.read_text())
    manifest["sdks"]["ts"] = {
        "language": "typescript",
        "source": "buf",
        "buf": {"module": "buf.build/demo/apis", "plugin": "buf.build/bufbuild/es"},
        "version": "1.2.1-20230727062025-d8fbf2620c60.1",
    }
    repo.write_text(yaml.safe_dump(manifest, sort_keys=False))
    run = devenv("sdk", "verify", "ts", "--source", "workspace", "-f", str(repo), cwd=tmp_path)
    assert run.code == 2 and "SDK 'ts' has no path" in run.err and "Traceback" not in run.err, run.err


@pytest.fixture(scope="module")
def sdk_images(docker_env, oci_registry, tmp_path_factory):
    """The TypeScript SDK shipped as an image (FROM scratch, the package at /), pushed to docker-registry."""
    from tests.images.builds import client_for

    client = client_for(docker_env)
    work = tmp_path_factory.mktemp("oci-sdk")
    pushed = {}
    for variant in ("complete", "no-raw"):
        context = artifacts.npm_folder(work, variant)
        (context / "Dockerfile").write_text("FROM scratch\nCOPY package.json /\nCOPY dist /dist\n")
        repository = f"127.0.0.1:{oci_registry.port}/ameideio/ameide-sdk-ts"
        tag = VARIANTS[variant]
        client.images.build(path=str(context), tag=f"{repository}:{tag}", rm=True)
        for line in client.images.push(repository, tag=tag, stream=True, decode=True):
            assert "error" not in line, line
        pushed[variant] = tag
    return pushed


def test_oci_sdk_image_is_fetched_layer_by_layer(sdk_images, oci_registry, tmp_path):
    repo = write_repo(tmp_path, {"npm": "http://127.0.0.1:9"})
    manifest = yaml.safe_load(repo.read_text())
    manifest["registries"] = {"images": {"kind": "oci", "url": oci_registry.url}}
    manifest["sdks"]["ts"].update(registry="images", package="ameideio/ameide-sdk-ts", version=sdk_images["complete"])
    repo.write_text(yaml.safe_dump(manifest))
    code, doc = _verify(repo, "ts")
    assert code == 0, doc
    assert sum("matches its digest" in p for p in doc["sdks"][0]["passed"]) == 2  # two COPY layers
    code, doc = _verify(repo, "ts", "--version", sdk_images["no-raw"])
    assert code == 1
    assert _gaps(doc) == [("missing-raw", p, f"dist/proto/raw/{p}") for p in PROTOS]


def test_stale_generated_code_and_a_changed_raw_proto_are_named(tmp_path):
    repo = write_repo(tmp_path / "repo", {"npm": "http://127.0.0.1:9"})
    folder = artifacts.npm_folder(tmp_path / "repo" / "packages", "complete")
    folder.rename(tmp_path / "repo" / "packages" / "sdk_ts")
    sdk = tmp_path / "repo" / "packages" / "sdk_ts"
    (sdk / "dist/gen/ameide/legacy/v1").mkdir(parents=True)
    (sdk / "dist/gen/ameide/legacy/v1/legacy_pb.js").write_text("// generated from a proto removed since\n")
    (sdk / "dist/proto/raw/ameide/legacy/v1").mkdir(parents=True)
    (sdk / "dist/proto/raw/ameide/legacy/v1/legacy.proto").write_text('syntax = "proto3";\n')
    raw = sdk / "dist/proto/raw" / artifacts.DROPPED
    raw.write_text(raw.read_text() + "// edited after the snapshot\n")
    code, doc = _verify(repo, "ts", "--source", "workspace")
    assert code == 1
    assert _gaps(doc) == [  # by proto file
        ("stale-raw", artifacts.DROPPED, f"dist/proto/raw/{artifacts.DROPPED}"),
        ("extra-generated", "ameide/legacy/v1/legacy.proto", "dist/gen/ameide/legacy/v1/legacy_pb.js"),
        ("extra-raw", "ameide/legacy/v1/legacy.proto", "dist/proto/raw/ameide/legacy/v1/legacy.proto"),
    ]
