"""doctor maps registry hosts exactly as the rendered Tiltfile does, for every override."""

from __future__ import annotations

import pytest

from devenv.doctor.hostmap import resolve
from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.doctor.conftest import write_manifest

standins = pytest.importorskip("tests.render.standins")


@pytest.mark.parametrize(
    "env, address",
    [
        ({}, "host-gateway"),
        ({"VERDACCIO_HOST_IP": ""}, "host-gateway"),
        ({"VERDACCIO_HOST_IP": "fallback"}, "172.17.0.1"),
        ({"VERDACCIO_HOST_IP": "10.1.2.3"}, "10.1.2.3"),
        ({"OTHER": "fallback"}, "host-gateway"),
    ],
)
def test_doctor_and_the_tiltfile_agree(tmp_path, env, address):
    loaded = load_manifest(write_manifest(tmp_path, hosts=("npm.packages.test", "go.packages.test")))
    hm = resolve(loaded.manifest.build.extra_hosts, env)
    assert hm.address == address
    tiltfile = render(loaded, tmp_path / "Tiltfile").text
    builds = [c for c in standins.evaluate(tiltfile, env) if c["fn"] == "docker_build"]
    assert builds, "the rendered Tiltfile has docker_build calls"
    for call in builds:
        assert list(call["extra_hosts"]) == hm.entries


def test_the_fallback_switch_names_the_override_variable(tmp_path):
    loaded = load_manifest(write_manifest(tmp_path))
    assert resolve(loaded.manifest.build.extra_hosts, {}).fallback_switch == "export VERDACCIO_HOST_IP=fallback"
