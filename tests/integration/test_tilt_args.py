"""`tilt args -- NAME...` switches a running `tilt up` to another slice: the real Tilt, its API
server on a free loopback port, and its UIResources' enabled state read back after each switch."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import yaml

from tests.fixtures.manifests import build_tree, deployment
from tests.integration.judge import render_tiltfile
from tests.integration.slices import closure

MANIFEST = {
    "version": 1,
    "project": "args",
    "sdks": {"a": {"language": "go", "path": "sdk", "package": "x", "steps": {"build": {"cmd": "true"}}}},
    "services": {
        "web": {"sdks": ["a"], "k8s": ["web.yaml"], "labels": ["front"]},
        "api": {"sdks": [], "k8s": ["api.yaml"]},
        "admin": {"sdks": [], "k8s": ["admin.yaml"], "labels": ["front"], "after": ["api"]},
    },
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tilt(tilt, env: dict, root, *args: str) -> subprocess.CompletedProcess:
    """A Tilt client command in the same home as the `tilt up` (its API token lives there)."""
    return subprocess.run([tilt.binary, *args], cwd=root, env=env, capture_output=True, text=True, timeout=60)


def _enabled(tilt, env: dict, root, port: int) -> set[str] | None:
    run = _tilt(tilt, env, root, "get", "uiresources", "--port", str(port), "-o", "json")
    if run.returncode != 0:
        return None
    items = json.loads(run.stdout).get("items") or []
    return {
        i["metadata"]["name"] for i in items if i["metadata"]["name"] != "(Tiltfile)" and (i["status"].get("disableStatus") or {}).get("state") == "Enabled"
    }


def _wait_for(tilt, env: dict, root, port: int, want: set[str], timeout: float = 90) -> set[str] | None:
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        seen = _enabled(tilt, env, root, port)
        if seen == want:
            return seen
        time.sleep(0.5)
    return seen


def test_tilt_args_switches_the_running_slice(tilt, tmp_path):
    build_tree(tmp_path, {"services.yaml": yaml.safe_dump(MANIFEST), "sdk/x": "", **{f"{s}.yaml": deployment(s, "nginx:1") for s in MANIFEST["services"]}})
    render_tiltfile(tmp_path)
    port = _free_port()
    env = tilt.env()
    up = subprocess.Popen(
        [tilt.binary, "up", "--port", str(port), "--host", "127.0.0.1", "--", "api"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        want = closure(MANIFEST, ["api"])
        assert _wait_for(tilt, env, tmp_path, port, want) == want
        for names in (["front"], ["web", "api"], []):
            run = _tilt(tilt, env, tmp_path, "args", "--port", str(port), *(["--", *names] if names else ["--clear"]))
            assert run.returncode == 0, run.stderr
            want = closure(MANIFEST, names)
            assert _wait_for(tilt, env, tmp_path, port, want) == want, names
    finally:
        up.terminate()
        try:
            up.wait(timeout=20)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()
