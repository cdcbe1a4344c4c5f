"""The Docker build host against a real engine (tests/fixtures/docker.py): the daemon, its
faults, and the registry probe through host-gateway from `docker run` and `docker build`."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from devenv.doctor import docker as docker_checks
from devenv.doctor.base import Status
from devenv.doctor.runner import run_checks
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from tests.doctor.conftest import write_manifest
from tests.support.components import missing

pytestmark = pytest.mark.integration


def doctor_docker(root, env, budget=60.0, **manifest):
    loaded = load_manifest(write_manifest(root, **manifest))
    t0 = time.monotonic()
    results = run_checks(docker_checks.CHECKS, loaded=loaded, graph=build_graph(loaded.manifest), env=env, budget=budget)
    return {r.id: r for r in results}, time.monotonic() - t0


def npm_at(port: int, host: str = "npm.packages.test", probe: str = "/@demo%2fsdk") -> dict:
    return {"npm": {"kind": "npm", "url": f"http://ci:s3cret@{host}:{port}", "probe": probe}}


PROBES = ("docker.run-probe", "docker.build-probe", "docker.buildkit-probe")


@pytest.fixture
def buildkit_env(docker_env, tmp_path_factory):
    """docker_env with a docker CLI that can drive BuildKit first on PATH: Debian's docker.io
    20.10 CLI has BuildKit built in (a 23+ CLI needs the buildx plugin, absent here)."""
    import shutil
    import subprocess

    for cli in (shutil.which("docker", path=docker_env.get("PATH")), "/usr/bin/docker"):
        if not cli:
            continue
        if subprocess.run([cli, "buildx", "version"], capture_output=True).returncode == 0:
            return docker_env
        out = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
        if out.startswith("Docker version 20."):
            bin_dir = tmp_path_factory.mktemp("bk-bin")
            (bin_dir / "docker").symlink_to(cli)
            return dict(docker_env, PATH=f"{bin_dir}:{docker_env.get('PATH', '')}")
    missing("no docker CLI able to run a BuildKit build (buildx plugin or the 20.10 CLI)")


def test_the_probe_reaches_a_registry_on_the_host_through_host_gateway(tmp_path, buildkit_env, registry_server):
    r, wall = doctor_docker(tmp_path, buildkit_env, registries=npm_at(registry_server.port))
    assert r["docker.daemon"].status is Status.OK
    assert r["docker.daemon"].message.startswith("Engine 20.10")
    assert r["docker.host-gateway"].status is Status.OK
    assert r["docker.buildkit"].status is Status.OK
    assert r["docker.probe-image"].status is Status.OK
    assert r["docker.probe-image"].message.startswith("devenv-probe:")
    assert r["docker.run-probe"].message == "npm answered from docker run via host-gateway = 172.17.0.1"
    assert r["docker.build-probe"].message == "npm answered from a classic docker build via host-gateway = 172.17.0.1"
    assert r["docker.buildkit-probe"].message == "npm answered from a BuildKit build via host-gateway = 172.17.0.1"
    for check in PROBES:
        assert r[check].status is Status.OK, r[check]
        assert not any("s3cret" in line for line in r[check].details)
    # one request from the container, one from each build, each for the probe path
    assert registry_server.requests.count("/@demo%2fsdk") == 3
    assert wall < 30


def test_a_registry_that_is_down_fails_with_the_listen_hint_and_the_services_it_blocks(tmp_path, buildkit_env, registry_server):
    registry_server.stop()
    r, wall = doctor_docker(tmp_path, buildkit_env, registries=npm_at(registry_server.port))
    for check in PROBES:
        result = r[check]
        assert result.status is Status.FAIL
        assert result.message == (f"npm: connection refused at 172.17.0.1:{registry_server.port} (blocks web, api, gw)")
        assert result.hint == (
            f"start the npm registry and make it listen on 172.17.0.1:{registry_server.port} (the address builds reach), not only on 127.0.0.1"
        )
        assert result.blocked == ("web", "api", "gw")
    assert wall < 30


def test_a_registry_host_missing_from_extra_hosts_is_the_enotfound_failure(tmp_path, buildkit_env, registry_server):
    r, _ = doctor_docker(tmp_path, buildkit_env, hosts=("other.packages.test",), registries=npm_at(registry_server.port))
    for check in PROBES:
        result = r[check]
        assert result.status is Status.FAIL
        assert result.message == "npm: cannot resolve npm.packages.test (getaddrinfo ENOTFOUND) (blocks web, api, gw)"
        assert result.hint == ("add npm.packages.test to build.extra_hosts.hosts in services.yaml, then run `devenv render`")
    assert registry_server.requests == []


def test_the_override_variable_switches_the_mapping_as_the_tiltfile_does(tmp_path, docker_env, registry_server):
    env = dict(docker_env, VERDACCIO_HOST_IP="fallback")
    r, _ = doctor_docker(tmp_path / "a", env, registries=npm_at(registry_server.port))
    assert r["docker.host-gateway"].message == ("not used: $VERDACCIO_HOST_IP=fallback maps the registry hosts to 172.17.0.1")
    assert r["docker.run-probe"].status is Status.OK
    assert "via 172.17.0.1" in r["docker.run-probe"].message
    # an explicit address is used as is: 127.0.0.1 is the container itself, where nothing listens
    env = dict(docker_env, VERDACCIO_HOST_IP="127.0.0.1")
    r, _ = doctor_docker(tmp_path / "b", env, registries=npm_at(registry_server.port))
    assert r["docker.run-probe"].status is Status.FAIL
    assert f"connection refused at 127.0.0.1:{registry_server.port}" in r["docker.run-probe"].message


def test_an_http_error_is_reachable_but_a_warning(tmp_path, docker_env, registry_server):
    registry_server.status = 500
    r, _ = doctor_docker(tmp_path, docker_env, registries=npm_at(registry_server.port))
    result = r["docker.run-probe"]
    assert result.status is Status.WARN
    assert result.message.startswith(f"npm reachable at 172.17.0.1:{registry_server.port}, but answered HTTP 500")


def test_no_socket(tmp_path, docker_env):
    env = dict(docker_env, DOCKER_HOST=f"unix://{tmp_path}/missing/docker.sock")
    r, wall = doctor_docker(tmp_path, env)
    daemon = r["docker.daemon"]
    assert daemon.status is Status.FAIL
    assert daemon.message == f"no Docker socket at {tmp_path}/missing/docker.sock ($DOCKER_HOST)"
    assert daemon.hint == (f"start the daemon that should listen there, or fix/unset DOCKER_HOST (now unix://{tmp_path}/missing/docker.sock)")
    assert daemon.blocked == ("web", "api", "gw")
    assert r["docker.run-probe"].status is Status.SKIPPED
    assert r["docker.run-probe"].message == "needs docker.daemon, which failed"
    assert wall < 1.0


def test_a_stale_socket_nobody_listens_on(tmp_path, docker_env):
    path = tmp_path / "stale.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the file stays, nobody listens
    r, _ = doctor_docker(tmp_path, dict(docker_env, DOCKER_HOST=f"unix://{path}"))
    assert r["docker.daemon"].status is Status.FAIL
    assert r["docker.daemon"].message == f"{path} exists but no daemon listens on it (stale socket)"


def test_a_socket_that_accepts_and_never_answers_is_a_timeout_within_the_deadline(tmp_path, docker_env):
    path = str(tmp_path / "blackhole.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # read nothing, answer nothing
            except OSError:
                continue

    threading.Thread(target=accept_forever, daemon=True).start()
    try:
        r, wall = doctor_docker(tmp_path, dict(docker_env, DOCKER_HOST=f"unix://{path}"))
    finally:
        stop.set()
        server.close()
        for conn in held:
            conn.close()
    daemon = r["docker.daemon"]
    deadline = docker_checks.CHECKS[0].deadline
    assert daemon.status is Status.TIMEOUT
    assert daemon.message == (f"no result within {deadline:g}s (its deadline) (last step: connected to {path}, waiting for the daemon to answer GET /_ping)")
    assert daemon.hint.startswith("the daemon accepts connections but does not answer: restart the daemon")
    assert deadline - 0.1 <= daemon.duration <= deadline + 0.5
    assert wall <= deadline + 0.5
    # the rest of the report is complete: every check has a result
    assert all(r[c.id].status is Status.SKIPPED for c in docker_checks.CHECKS[1:])


def test_permission_denied_for_a_user_outside_the_docker_group(public_dir, dockerd):
    """Run doctor as `nobody` (a forked process that drops root) against the real socket
    (root:docker 0660): the daemon check says permission denied and gives the group hint."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become another user")
    import pwd

    import rich.console  # noqa: F401,E401

    import devenv.doctor.docker  # noqa: F401
    import devenv.doctor.report  # noqa: F401
    from devenv.commands import doctor as doctor_command  # imported before dropping privileges

    manifest = write_manifest(public_dir)
    for path in public_dir.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    nobody = pwd.getpwnam("nobody")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become nobody, run doctor, write its JSON to the pipe
        code = 99
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            os.environ["DOCKER_HOST"] = dockerd.host
            with os.fdopen(write_fd, "w") as out:
                code = doctor_command.run_doctor(manifest, as_json=True, only=["docker"], stream=out)
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 1, text
    report = json.loads(text)
    daemon = next(c for c in report["checks"] if c["id"] == "docker.daemon")
    assert daemon["status"] == "fail"
    assert daemon["message"] == f"permission denied on {dockerd.socket}: this user may not use the Docker daemon"
    assert daemon["hint"].startswith("sudo usermod -aG docker $USER")
    assert daemon["blocked_services"] == ["web", "api", "gw"]
