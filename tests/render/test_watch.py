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


# What a shell without job control does to a command it starts in the background (`cmd &` in a
# script or a CI step): SIGINT ignored, which exec keeps and Python then leaves as it is.
SIGINT_IGNORED = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"


class WatchProcess:
    def __init__(self, cwd, *, sigint_ignored: bool = False):
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        launcher = [sys.executable, "-c", SIGINT_IGNORED] if sigint_ignored else [sys.executable]
        self.proc = subprocess.Popen(
            [*launcher, "-m", "devenv", "render", "--watch"], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def interrupt(self) -> int:
        """Ctrl-C, and the exit code; a watcher still running after a generous while is killed
        (never left behind) and fails the test."""
        self.proc.send_signal(signal.SIGINT)
        try:
            # generous (a render under way finishes first); a hang guard, not a timing
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running 30 s after SIGINT; output:\n{''.join(self.lines)}")

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


# "ignored": started as a background job by a shell without job control; Ctrl-C must still stop it.
@pytest.mark.parametrize("sigint", ["default", "ignored"])
def test_watch_rerenders_keeps_last_good_and_stops_cleanly(repo, sigint):
    manifest, tiltfile = repo / "services.yaml", repo / "Tiltfile"
    watch = WatchProcess(repo, sigint_ignored=sigint == "ignored")
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
        code = watch.interrupt()
    output = "".join(watch.lines)
    assert code == 0, output
    assert "stopped" in output and "Traceback" not in output


def test_watch_refuses_check_and_stdout(repo):
    proc = subprocess.run([sys.executable, "-m", "devenv", "render", "--watch", "--check"], cwd=repo, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr


def test_a_k8s_file_replaced_by_a_fifo_keeps_the_last_good_tiltfile(repo):
    """The watcher rendered on and blocked in open() for ever: now the FIFO is a problem at its
    place, the last good Tiltfile stays, and the watcher goes on."""
    tiltfile, k8s = repo / "Tiltfile", repo / "web.yaml"
    watch = WatchProcess(repo)
    try:
        seen = watch.wait_for("watching")
        good = tiltfile.read_text()
        k8s.unlink()
        os.mkfifo(k8s)
        seen = watch.wait_for("kept the last good Tiltfile", after=seen)
        assert any("'web.yaml' is a FIFO (named pipe)" in line for line in watch.lines), "".join(watch.lines)
        assert tiltfile.read_text() == good
        k8s.unlink()
        k8s.write_text(deployment("frontend", "demo/web"))
        _wait_until(lambda: "new_name='web'" in tiltfile.read_text())
    finally:
        code = watch.interrupt()
    assert code == 0 and "Traceback" not in "".join(watch.lines)
