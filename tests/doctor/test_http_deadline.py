"""One HTTP request of a registry check is bounded as a whole, and its body is capped: a server
that drips its body a byte at a time (each read is quick, so httpx's per-read timeout never
fires) or floods it without end costs the deadline, not forever or all memory. The server is
the test fault proxy on loopback, speaking real HTTP."""

from __future__ import annotations

import time

import pytest

from devenv.doctor.registries import web
from devenv.doctor.registries.target import target_for
from devenv.manifest.model import Manifest, Registry
from tests.support.faultproxy import FaultProxy


def _target(port: int):
    registry = Registry(kind="npm", url=f"http://127.0.0.1:{port}")
    manifest = Manifest.model_construct(project="demo")
    return target_for("npm", registry, manifest, root=None, manifest_name="services.yaml")


def test_a_dripping_body_costs_the_deadline_and_no_more():
    with FaultProxy(None, mode="drip", stall=30) as proxy:
        target = _target(proxy.address[1])
        started = time.monotonic()
        with pytest.raises(web.Failure) as failure:
            web.get(target, "/-/ping", timeout=1.0, verify=False)
        elapsed = time.monotonic() - started
    assert failure.value.kind == "stall" and "did not finish within 1.0s" in failure.value.message
    assert elapsed < 1.0 + 1.0  # the deadline plus at most one read's wait; 30 s without the fix


def test_an_endless_body_is_capped():
    with FaultProxy(None, mode="flood", stall=30) as proxy:
        answer = web.get(_target(proxy.address[1]), "/-/ping", timeout=20.0, verify=False)
    assert answer.status == 200 and len(answer.body) == web.MAX_BODY
