"""HTTP for the registry checks: one request, bounded by the check's deadline, its failure told
apart (refused, reset, stalled, TLS, DNS) in words a person can act on.

httpx is imported here, lazily (``devenv render`` never loads it). Redirects are followed
(at most 5) and reported; credentials from the registry URL travel as Basic auth (httpx drops
them on a redirect to another origin); proxies from the environment are not used: the
registries are local, and doctor must test the path the tools take to them.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Mapping

from devenv import __version__
from devenv.doctor.registries.target import Target
from devenv.util.redact import redact_header

MAX_REDIRECTS = 5
MAX_BODY = 4 * 1024 * 1024  # a registry answer doctor reads (a packument, a tag list) is far smaller
SHOWN_HEADERS = ("server", "content-type", "www-authenticate", "docker-distribution-api-version", "set-cookie")


@dataclass
class Answer:
    status: int
    reason: str
    url: str  # the final URL, credentials stripped
    headers: Mapping[str, str]
    body: bytes
    elapsed: float
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, Location) of each hop
    request_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Failure(Exception):
    """A request that got no HTTP answer. ``kind``: refused | reset | stall | timeout | tls | dns | other."""

    def __init__(self, kind: str, message: str, elapsed: float):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.elapsed = elapsed


def _causes(exc: BaseException):
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def get(target: Target, path: str, *, timeout: float, verify: ssl.SSLContext | bool, accept: str | None = None, bearer: str | None = None) -> Answer:
    """GET ``path``; ``bearer``: a token sent as ``Authorization: Bearer`` (when the URL has no credentials)."""
    import httpx

    url = target.url_for(path)
    headers = {"User-Agent": f"devenv-doctor/{__version__}"}
    if accept:
        headers["Accept"] = accept
    if bearer and target.auth is None:
        headers["Authorization"] = f"Bearer {bearer}"
    limit = httpx.Timeout(max(timeout, 0.05))
    started = time.monotonic()
    deadline = started + max(timeout, 0.05)

    def before_each_hop(request) -> None:  # redirects: each hop starts inside the one deadline
        if time.monotonic() >= deadline:
            raise Failure("timeout", f"no complete answer from {target.host} within {timeout:.1f}s (redirects)", time.monotonic() - started)

    try:
        with httpx.Client(
            verify=verify,
            timeout=limit,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=False,
            auth=target.auth,
            headers=headers,
            event_hooks={"request": [before_each_hop]},
        ) as client:
            with client.stream("GET", url) as response:
                body = _read_body(response, deadline, started, target, timeout)
    except httpx.TooManyRedirects as exc:
        elapsed = time.monotonic() - started
        raise Failure("redirects", f"more than {MAX_REDIRECTS} redirects from {path}", elapsed) from exc
    except httpx.HTTPError as exc:
        raise _failure(exc, target, time.monotonic() - started) from exc
    elapsed = time.monotonic() - started
    hops = [(r.status_code, r.headers.get("location", "")) for r in response.history]
    sent = [(k, redact_header(k, v)) for k, v in response.request.headers.items()]
    hops = [(status, _strip(location)) for status, location in hops]
    return Answer(response.status_code, response.reason_phrase, _strip(str(response.url)), response.headers, body, elapsed, hops, sent)


def _read_body(response, deadline: float, started: float, target: Target, timeout: float) -> bytes:
    """The body, within the whole request's deadline (httpx's timeouts are per read: a server
    sending a byte at a time would never trip them) and at most MAX_BODY bytes (the rest is
    not read)."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY:
            break
        if time.monotonic() >= deadline:
            raise Failure("stall", f"{target.host} answered but its body did not finish within {timeout:.1f}s ({size} bytes read)", time.monotonic() - started)
    return b"".join(chunks)[:MAX_BODY]


def _strip(url: str) -> str:
    from devenv.util.redact import strip_credentials

    return strip_credentials(url)


def _failure(exc: BaseException, target: Target, elapsed: float) -> Failure:
    import httpx

    causes = list(_causes(exc))
    where = f"{target.host}:{target.port}"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        cert = next(c for c in causes if isinstance(c, ssl.SSLCertVerificationError))
        return Failure("tls", f"the certificate of {where} does not verify: {cert.verify_message}", elapsed)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return Failure("dns", f"{target.host} does not resolve (a redirect's host?): {exc}", elapsed)
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure("timeout", f"no answer to the TCP handshake from {where} within {elapsed:.1f}s", elapsed)
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return Failure("stall", f"{where} accepted the connection but sent no answer within {elapsed:.1f}s", elapsed)
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in str(exc).lower():
        return Failure("refused", f"connection to {where} refused", elapsed)
    if any(isinstance(c, ConnectionResetError) for c in causes) or "reset" in str(exc).lower():
        return Failure("reset", f"{where} reset the connection before answering", elapsed)
    if isinstance(exc, httpx.RemoteProtocolError):
        return Failure("reset", f"{where} closed the connection without an answer ({exc})", elapsed)
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return Failure("tls", f"TLS with {where} failed: {exc}", elapsed)
    return Failure("other", f"request to {where} failed: {type(exc).__name__}: {exc}", elapsed)


def describe(answer: Answer, path: str) -> list[str]:
    """-v lines: the URL, each redirect, the credentials sent (masked), the answer's telling headers."""
    lines = [f"url: {answer.url}"]
    lines.extend(f"redirect: {status} → {location}" for status, location in answer.redirects)
    lines.extend(f"sent {k}: {v}" for k, v in answer.request_headers if k.lower() == "authorization")
    for name in SHOWN_HEADERS:
        if name in answer.headers:
            lines.append(f"{name}: {redact_header(name, answer.headers[name])}")
    return lines


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
