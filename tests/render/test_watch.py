"""`devenv render --watch`, driven for real: a subprocess, real file edits, real Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.fixtures.manifests import deployment

MANIFEST = """\
version: 1
project: demo
services:
  web: {sdks: [], context: web, image: demo/web, k8s: [web.yaml], port_forwards: ['PORT']}
"""


class WatchProcess:
    def __init__(self, cwd):
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devenv", "render", "--watch"], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, after: int = 0, timeout: float = 15) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines[after:], after):
                if text in line:
                    return index + 1
            time.sleep(0.02)
        raise AssertionError(f"no {text!r} in output:\n{''.join(self.lines)}")


def _wait_until(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


@pytest.fixture
def repo(tree):
    return tree({"services.yaml": MANIFEST.replace("PORT", "3000"), "web/Dockerfile": "FROM scratch\n", "web.yaml": deployment("web", "demo/web")})


def test_watch_rerenders_keeps_last_good_and_stops_cleanly(repo):
    manifest, tiltfile = repo / "services.yaml", repo / "Tiltfile"
    watch = WatchProcess(repo)
    try:
        seen = watch.wait_for("watching")
        assert "'3000'" in tiltfile.read_text()

        manifest.write_text(MANIFEST.replace("PORT", "4000"))
        _wait_until(lambda: "'4000'" in tiltfile.read_text())
        good = tiltfile.read_text()

        manifest.write_text(MANIFEST.replace("PORT", "4001").replace("context:", "contxt:"))
        seen = watch.wait_for("kept the last good Tiltfile", after=seen)
        assert any("unknown key 'contxt'" in line for line in watch.lines)
        assert tiltfile.read_text() == good

        manifest.write_text(MANIFEST.replace("PORT", "5000"))
        _wait_until(lambda: "'5000'" in tiltfile.read_text())

        # a file the render reads (the k8s YAML) is watched too
        (repo / "web.yaml").write_text(deployment("frontend", "demo/web"))
        _wait_until(lambda: "new_name='web'" in tiltfile.read_text())
    finally:
        watch.proc.send_signal(signal.SIGINT)
        # generous: a render under way finishes first (10 s ran out once on a loaded CI machine)
        code = watch.proc.wait(timeout=30)
    output = "".join(watch.lines)
    assert code == 0, output
    assert "stopped" in output and "Traceback" not in output


def test_watch_refuses_check_and_stdout(repo):
    proc = subprocess.run([sys.executable, "-m", "devenv", "render", "--watch", "--check"], cwd=repo, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr
