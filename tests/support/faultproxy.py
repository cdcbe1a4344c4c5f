"""Faults in front of real servers: a TCP proxy that passes through, or answers 500, stalls,
resets, optionally terminating TLS with a given certificate; a black hole that drops
connection attempts; and a DNS stub that answers NXDOMAIN or never answers.

All of it listens on loopback addresses only, and every wait is bounded.

    proxy = FaultProxy(("127.0.0.1", 4873), host="127.77.0.2", port=80)   # pass-through
    proxy.mode = "500"          # every request now gets HTTP 500 (the upstream is not asked)
    proxy.mode = "stall"        # accepts, reads the request, answers nothing for `stall` seconds
    proxy.mode = "reset"        # reads the request, then resets the connection (RST)
    proxy.mode = "drip"         # answers 200, then one body byte every 0.1s for `stall` seconds
    proxy.mode = "flood"        # answers 200 with no length, then body as fast as it can, `stall` seconds
    FaultProxy(up, tls=server_context)  # the same, behind TLS with that context's certificate
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
import time
from typing import Literal

Mode = Literal["pass", "500", "stall", "reset", "drip", "flood"]
MODES = ("pass", "500", "stall", "reset", "drip", "flood")
BODY_500 = b'{"error": "internal server error (injected by the test fault proxy)"}\n'


class FaultProxy:
    def __init__(
        self,
        upstream: tuple[str, int] | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: Mode = "pass",
        tls: ssl.SSLContext | None = None,
        stall: float = 10.0,
    ):
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} not in {MODES}")
        self.upstream = upstream
        self.mode: Mode = mode
        self.stall = stall
        self.tls = tls
        self.connections = 0
        self.requests: list[bytes] = []  # first line of every request seen in a fault mode
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(lambda loop, context: None)  # failed handshakes are expected
        self._tasks: set[asyncio.Task] = set()
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(host, port), daemon=True, name="faultproxy")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        if self._error:
            raise self._error
        self.host, self.port = self._server.sockets[0].getsockname()[:2]

    # -- lifecycle ---------------------------------------------------------------------------------

    def _run(self, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, host, port, ssl=self.tls, ssl_handshake_timeout=5.0 if self.tls else None, reuse_address=True)
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the constructor
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def close(self) -> None:
        if self._loop.is_closed():
            return

        async def shutdown() -> None:
            if self._server:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    # -- connections -------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self.connections += 1
        mode = self.mode
        try:
            if mode == "pass":
                await self._pass(reader, writer)
                return
            head = await _read_head(reader)
            self.requests.append(head.split(b"\r\n", 1)[0])
            if mode == "500":
                writer.write(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY_500) + BODY_500
                )
                await writer.drain()
            elif mode == "stall":
                await asyncio.sleep(self.stall)
            elif mode in ("drip", "flood"):
                await self._endless(writer, drip=mode == "drip")
            elif mode == "reset":
                raw = writer.get_extra_info("socket")
                if raw is not None:
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ssl.SSLError, OSError, asyncio.TimeoutError):
            pass
        finally:
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    async def _endless(self, writer: asyncio.StreamWriter, *, drip: bool) -> None:
        """A 200 whose body never ends (within ``stall`` seconds): a byte at a time, or a flood."""
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
        end = time.monotonic() + self.stall
        chunk = b" " if drip else b"x" * 65536
        while time.monotonic() < end:
            writer.write(chunk)
            await writer.drain()
            if drip:
                await asyncio.sleep(0.1)

    async def _pass(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.upstream is None:
            raise ConnectionError("no upstream")
        await self._splice(reader, writer, self.upstream)

    async def _splice(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: tuple[str, int], head: bytes = b"") -> None:
        """Connect to ``upstream``, send ``head`` (bytes already read from the client), then copy
        both ways until each side ends."""
        up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*upstream), 5)
        if head:
            up_writer.write(head)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            up_writer.close()


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    except (ConnectionError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            if dst.can_write_eof():
                dst.write_eof()
            else:
                dst.close()
        except (OSError, RuntimeError):
            pass


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)


class BlackHole:
    """A port where connection attempts get no answer at all (packets dropped, not refused): a
    socket listening with a zero backlog, its one queue slot taken by a connection we hold, so
    the kernel ignores every further SYN. Needs no firewall and no privileges."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(0)
        self.host, self.port = self.sock.getsockname()[:2]
        self._fillers: list[socket.socket] = []
        for _ in range(64):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.3)
            try:
                filler.connect((self.host, self.port))
            except (TimeoutError, socket.timeout):
                filler.close()
                break
            self._fillers.append(filler)
        else:
            self.close()
            raise RuntimeError("the accept queue never filled: this kernel does not drop SYNs on a full backlog")

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self.sock.close()

    def __enter__(self) -> "BlackHole":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released): connecting there is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class DnsStub:
    """A DNS server on ``(host, 53)`` that answers every query with NXDOMAIN (``mode="nxdomain"``)
    or never answers (``mode="silent"``): the resolver's two failure modes, without a query ever
    leaving loopback. Point a private ``/etc/resolv.conf`` at it."""

    def __init__(self, host: str, mode: Literal["nxdomain", "silent"], port: int = 53):
        self.mode = mode
        self.queries = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.2)
        self.host, self.port = self.sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"dns-{mode}")
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                query, peer = self.sock.recvfrom(4096)
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.queries += 1
            if self.mode == "silent" or len(query) < 12:
                continue
            qid = query[:2]
            flags = struct.unpack("!H", query[2:4])[0]
            rd = flags & 0x0100
            answer_flags = 0x8000 | 0x0400 | rd | 0x0080 | 3  # QR, AA, RD copied, RA, RCODE=NXDOMAIN
            question = query[12:]
            # Echo the question section (qdcount 1), no answers, no authority, no additional.
            self.sock.sendto(qid + struct.pack("!HHHHH", answer_flags, 1, 0, 0, 0) + _question(question), peer)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(2)


def _question(data: bytes) -> bytes:
    """The first question of a query: the QNAME labels, then QTYPE and QCLASS."""
    i = 0
    while i < len(data) and data[i] != 0:
        i += 1 + data[i]
    return data[: i + 5]


def wait_port(host: str, port: int, timeout: float = 30.0, proc=None) -> bool:
    """Until something accepts on ``host:port`` (False after ``timeout`` or when ``proc`` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False
