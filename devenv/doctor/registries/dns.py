"""``registries.<name>.dns``: the host resolves on this machine, and something listens there.

Resolution goes through the system resolver (``getaddrinfo``: ``/etc/hosts``, then DNS, as
npm, pip and go do), in a daemon thread bounded by the check's deadline, since glibc's own
timeouts can be far longer. Told apart: NXDOMAIN, no data, SERVFAIL, a resolver that does not
answer (now or within the deadline), an address where nothing listens (refused), and an
address that drops packets (no answer to the TCP handshake).
"""

from __future__ import annotations

import errno
import queue
import socket
import threading
import time
from dataclasses import dataclass, field

from devenv.doctor.base import Context, Outcome, Status, fail, ok
from devenv.doctor.registries.target import Target
from devenv.util.net import is_ip

MARGIN = 0.25  # answer this long before the engine's deadline, so the message is ours (loaded machines too)


@dataclass(frozen=True)
class Reached:
    """What the TLS and HTTP checks reuse: the addresses, and the one that accepted."""

    addresses: tuple[str, ...]
    address: str
    source: str  # "/etc/hosts" or "DNS"


class ResolveTimeout(Exception):
    pass


def getaddrinfo(host: str, port: int, timeout: float) -> list[str]:
    """Addresses of ``host`` in the resolver's order, deduplicated; raises ``socket.gaierror`` or
    :class:`ResolveTimeout`. The lookup runs in a daemon thread: an abandoned one never blocks exit."""
    answers: queue.Queue = queue.Queue(maxsize=1)

    def lookup() -> None:
        try:
            answers.put((socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            answers.put((None, exc))

    threading.Thread(target=lookup, name=f"getaddrinfo:{host}", daemon=True).start()
    try:
        infos, exc = answers.get(timeout=max(timeout, 0.01))
    except queue.Empty:
        raise ResolveTimeout() from None
    if exc is not None:
        raise exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def hosts_file_names(path: str = "/etc/hosts") -> dict[str, list[str]]:
    """name -> addresses, from the hosts file (to say where an answer came from)."""
    names: dict[str, list[str]] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.split("#", 1)[0].split()
                for name in fields[1:]:
                    names.setdefault(name.lower(), []).append(fields[0])
    except OSError:
        pass
    return names


def connect(address: str, port: int, timeout: float) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(max(timeout, 0.01))
        sock.connect((address, port))


_GAI = {
    getattr(socket, "EAI_NONAME", -2): "NXDOMAIN",
    getattr(socket, "EAI_NODATA", -5): "no address records",
    getattr(socket, "EAI_AGAIN", -3): "no answer from the DNS server",
    getattr(socket, "EAI_FAIL", -4): "DNS server failure",
}


def _resolve_hint(target: Target) -> str:
    return (
        f"make {target.host} resolve on this machine: an /etc/hosts line `<address> {target.host}` "
        f"(the address where the registry or the cluster's gateway listens; k3d: often 127.0.0.1), "
        f"or a DNS record"
    )


@dataclass
class _Tried:
    """Where a TCP connection was accepted (the first address that did), and why the others failed."""

    reached: str = ""
    refused: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def _connect_any(ctx: Context, addresses: list[str], port: int, details: list[str]) -> _Tried:
    """Try each resolved address in order until one accepts, within the check's deadline."""
    tried = _Tried()
    for address in addresses:
        remaining = ctx.remaining() - MARGIN
        if remaining <= 0.02:
            tried.dropped.append(address)
            break
        ctx.note(f"connecting to {address}:{port}")
        t0 = time.monotonic()
        try:
            connect(address, port, remaining)
        except ConnectionRefusedError:
            tried.refused.append(address)
            details.append(f"{address}:{port}: connection refused")
            continue
        except (TimeoutError, socket.timeout):
            tried.dropped.append(address)
            details.append(f"{address}:{port}: no answer to the TCP handshake within {time.monotonic() - t0:.1f}s")
            continue
        except OSError as exc:
            reason = errno.errorcode.get(exc.errno or 0, "") or str(exc)
            tried.other.append(f"{address} ({exc.strerror or reason})")
            details.append(f"{address}:{port}: {exc.strerror or exc}")
            continue
        details.append(f"{address}:{port}: accepts connections ({(time.monotonic() - t0) * 1000:.0f} ms)")
        tried.reached = address
        return tried
    return tried


def check(ctx: Context, target: Target, gates: list[str]) -> Outcome:
    host, port = target.host, target.port
    ctx.note(f"resolving {host}")
    started = time.monotonic()
    try:
        addresses = getaddrinfo(host, port, ctx.remaining() - MARGIN)
    except ResolveTimeout:
        waited = time.monotonic() - started
        return Outcome(
            Status.TIMEOUT,
            f"{host}: the resolver gave no answer within {waited:.1f}s",
            hint=f"the DNS server in /etc/resolv.conf does not answer (VPN down? offline?): fix it, or add an /etc/hosts line for {host}",
            gates=tuple(gates),
        )
    except socket.gaierror as exc:
        what = _GAI.get(exc.errno, exc.strerror or str(exc))
        if exc.errno == getattr(socket, "EAI_AGAIN", -3):
            return fail(
                f"{host} does not resolve: {what} ({exc.strerror})",
                hint=f"the DNS server in /etc/resolv.conf is unreachable (VPN down? offline?): fix it, or add an /etc/hosts line for {host}",
                gates=gates,
            )
        return fail(f"{host} does not resolve: {what} ({exc.strerror})", hint=_resolve_hint(target), gates=gates)
    resolved_in = time.monotonic() - started
    in_hosts = hosts_file_names().get(host.lower())
    source = "/etc/hosts" if in_hosts and addresses[0] in in_hosts else "DNS"
    if is_ip(host):
        source = "an address, not a name"
    shown = ", ".join(addresses[:4]) + (", …" if len(addresses) > 4 else "")
    details = [f"{host} → {', '.join(addresses)} via {source} in {resolved_in * 1000:.0f} ms"]
    tried = _connect_any(ctx, addresses, port, details)
    if tried.reached:
        return ok(f"{host} → {shown} ({source}); port {port} open", details=details, data=Reached(tuple(addresses), tried.reached, source))
    refused, dropped, other = tried.refused, tried.dropped, tried.other
    where = f"{host} resolves to {shown} ({source})"
    if dropped:
        return Outcome(
            Status.TIMEOUT,
            f"{where}, but {dropped[0]}:{port} does not answer: packets dropped "
            f"(no reply to the TCP handshake within {time.monotonic() - started - resolved_in:.1f}s)",
            tuple(details),
            hint=f"something drops traffic to {dropped[0]}:{port} (a firewall, a stopped VM, a stale "
            f"address for {host}): check where the registry really listens",
            gates=tuple(gates),
        )
    if refused and not other:
        return fail(
            f"{where}, but nothing listens on port {port} (connection refused)",
            details=details,
            hint=f"start the {target.name} registry (or the gateway / `kubectl port-forward` in front of it) "
            f"on {refused[0]}:{port}, or point {host} at the address where it listens",
            gates=gates,
        )
    return fail(
        f"{where}, but it cannot be reached on port {port}: {'; '.join(other)}",
        details=details,
        hint=f"check the route to {host} (`ip route get {addresses[0]}`)",
        gates=gates,
    )
