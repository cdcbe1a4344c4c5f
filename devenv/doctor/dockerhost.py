"""Which Docker daemon this machine talks to, and why it might not answer.

The endpoint is chosen as the docker CLI does: ``$DOCKER_HOST``, else the context named by
``$DOCKER_CONTEXT`` or the config's ``currentContext``, else the default socket. A unix socket
is first dialled by hand, so *no socket*, *permission denied*, *nobody listening* and *not
answering* are told apart before the Docker SDK (imported lazily) is involved.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
GROUP_HINT = "sudo usermod -aG docker $USER   (then log out and in again, or run `newgrp docker`)"


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # "$DOCKER_HOST", "docker context 'x'", "default socket"
    tls_verify: bool = False
    cert_path: str | None = None

    @property
    def socket_path(self) -> str | None:
        return self.url[len("unix://") :] if self.url.startswith("unix://") else None

    def describe(self) -> str:
        return f"{self.url} ({self.source})"


def _config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    return Path(env.get("HOME") or Path.home()) / ".docker"


def resolve_endpoint(env: Mapping[str, str]) -> Endpoint:
    if env.get("DOCKER_HOST"):
        verify = env.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
        return Endpoint(env["DOCKER_HOST"], "$DOCKER_HOST", verify, env.get("DOCKER_CERT_PATH") or None)
    config = _config_dir(env)
    name = env.get("DOCKER_CONTEXT", "")
    source = "$DOCKER_CONTEXT"
    if not name:
        source = "current docker context"
        try:
            name = json.loads((config / "config.json").read_text()).get("currentContext", "")
        except (OSError, ValueError):
            name = ""
    if name and name != "default":
        digest = hashlib.sha256(name.encode()).hexdigest()
        try:
            meta = json.loads((config / "contexts" / "meta" / digest / "meta.json").read_text())
            docker = meta.get("Endpoints", {}).get("docker", {})
            tls_dir = config / "contexts" / "tls" / digest / "docker"
            return Endpoint(
                docker.get("Host") or DEFAULT_SOCKET,
                f"docker context '{name}' ({source})",
                tls_verify=tls_dir.is_dir() and not docker.get("SkipTLSVerify", False),
                cert_path=str(tls_dir) if tls_dir.is_dir() else None,
            )
        except (OSError, ValueError):
            return Endpoint(DEFAULT_SOCKET, f"default socket (docker context '{name}' has no readable metadata)")
    return Endpoint(DEFAULT_SOCKET, "default socket")


class SocketProblem(Exception):
    """The unix socket cannot be used; ``kind`` is missing | not-a-socket | permission | refused."""

    def __init__(self, kind: str, message: str, hint: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint


def _start_hint(endpoint: Endpoint) -> str:
    if endpoint.source == "$DOCKER_HOST":
        return f"start the daemon that should listen there, or fix/unset DOCKER_HOST (now {endpoint.url})"
    return "start Docker: sudo systemctl start docker   (Docker Desktop: open it)"


def dial_unix(endpoint: Endpoint, timeout: float) -> dict[str, str]:
    """``GET /_ping`` on the socket by hand; returns the response headers (lower-case keys).

    Raises :class:`SocketProblem` for the causes a user fixes differently, and ``TimeoutError``
    (``socket.timeout``) when the daemon accepts but does not answer.
    """
    path = endpoint.socket_path
    assert path is not None
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise SocketProblem("missing", f"no Docker socket at {path} ({endpoint.source})", _start_hint(endpoint)) from None
    except PermissionError:
        raise SocketProblem("permission", f"permission denied reaching {path}", GROUP_HINT) from None
    if not stat.S_ISSOCK(mode):
        raise SocketProblem("not-a-socket", f"{path} is not a socket ({endpoint.source})", _start_hint(endpoint))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(path)
        except PermissionError:
            raise SocketProblem("permission", f"permission denied on {path}: this user may not use the Docker daemon", GROUP_HINT) from None
        except ConnectionRefusedError:
            raise SocketProblem("refused", f"{path} exists but no daemon listens on it (stale socket)", _start_hint(endpoint)) from None
        sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise SocketProblem("not-docker", f"{path} answered, but not as a Docker daemon: {lines[0][:80]!r}", _start_hint(endpoint))
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    headers[":status"] = lines[0].split(" ", 2)[1] if " " in lines[0] else ""
    return headers


@dataclass
class Daemon:
    """What docker.daemon hands to the checks that need it."""

    endpoint: Endpoint
    version: dict[str, Any]
    ping: dict[str, str] = field(default_factory=dict)

    @property
    def api_version(self) -> str:
        return str(self.version.get("ApiVersion", ""))

    def client(self, timeout: float):
        """A fresh Docker SDK client for one check, its socket timeout bound to the check's time."""
        return make_client(self.endpoint, timeout, self.api_version or "auto")


def make_client(endpoint: Endpoint, timeout: float, version: str = "auto"):
    import docker  # lazy: `devenv render` never imports the Docker SDK

    tls: Any = False
    if endpoint.url.startswith("tcp://") and (endpoint.tls_verify or endpoint.cert_path):
        from docker.tls import TLSConfig

        cert = endpoint.cert_path or ""
        tls = TLSConfig(
            client_cert=(os.path.join(cert, "cert.pem"), os.path.join(cert, "key.pem")) if cert else None,
            ca_cert=os.path.join(cert, "ca.pem") if cert else None,
            verify=endpoint.tls_verify,
        )
    return docker.DockerClient(base_url=endpoint.url, version=version, timeout=max(1, int(timeout + 0.999)), tls=tls)
