"""The example monorepo's Dockerfiles carry `devenv sdk assert --dockerfile`'s line for every SDK
their service consumes, right after the install and before the sources are copied in; the ARG
lines it prints (the version, the SDK chain's result digest) come before the install."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.graph import consumed_sdks
from devenv.manifest.load import load_manifest
from devenv.manifest.model import sdk_build_arg
from devenv.tilt import sdk_digest_arg
from tests.support.cli import devenv

REPO = Path(__file__).resolve().parents[2]
LOADED = load_manifest(REPO / "services.yaml")
PAIRS = [(name, sdk) for name, svc in LOADED.manifest.services.items() if svc.image for sdk in consumed_sdks(LOADED.manifest, svc)]


@pytest.mark.parametrize("service, sdk", PAIRS)
def test_example_dockerfile_asserts_its_sdk_before_copying_sources(service, sdk):
    svc = LOADED.manifest.services[service]
    dockerfile = (REPO / (svc.dockerfile or f"{svc.context}/Dockerfile")).read_text().splitlines()
    printed = devenv("sdk", "assert", sdk, "--dockerfile", cwd=REPO)
    assert printed.code == 0, printed.err
    *args, run = printed.out.splitlines()
    sdk_model = LOADED.manifest.sdks[sdk]
    assert args == [f"ARG {sdk_build_arg(sdk, sdk_model)}"] + ([f"ARG {sdk_digest_arg(sdk)}"] if sdk_model.steps else [])
    assert run in dockerfile, f"{service}: paste the output of `devenv sdk assert {sdk} --dockerfile`"
    at = dockerfile.index(run)
    install = max(i for i, line in enumerate(dockerfile[:at]) if line.startswith("RUN "))
    for arg in args:  # the version, and the digest that makes a rebuilt SDK re-run the install
        assert arg in dockerfile
        assert dockerfile.index(arg) < install < at
    sources = [i for i, line in enumerate(dockerfile) if line.startswith("COPY ") and ("src" in line or "*.go" in line)]
    assert sources and at < min(sources)
