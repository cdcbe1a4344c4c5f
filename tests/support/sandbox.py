"""Run a command with its own ``/etc/hosts``, ``/etc/resolv.conf`` and ``/etc/nsswitch.conf``,
without touching the machine's: a private mount namespace (``unshare --mount``) in which the
three files are bind-mounted over, then the command ``exec``s. The real resolver path
(glibc's ``getaddrinfo``: files, then DNS) runs against names we choose, and a DNS query can
only go to the nameserver we write (a stub on loopback), never off the machine.

Needs root (or CAP_SYS_ADMIN) and util-linux ``unshare``; :func:`available` says why not.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = (
    'set -e; mount --bind "$1" /etc/hosts; mount --bind "$2" /etc/resolv.conf; '
    'if [ -e /etc/nsswitch.conf ]; then mount --bind "$3" /etc/nsswitch.conf; fi; shift 3; exec "$@"'
)


def available() -> str | None:
    """None when sandboxed runs work here, else the reason they do not."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "`unshare` (util-linux) not found"
    probe = subprocess.run([unshare, "--mount", "sh", "-c", "mount --bind /etc/hosts /etc/hosts"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"`unshare --mount` + bind mounts do not work here ({probe.stderr.strip()[:200]}): needs root"
    return None


@dataclass
class Completed:
    code: int
    out: str
    err: str
    elapsed: float


@dataclass
class Sandbox:
    """A hosts file, a resolver config and a place to write them."""

    folder: Path
    nameserver: str = "127.0.0.1"  # where DNS queries for names not in `hosts` go
    resolver_timeout: int = 30  # glibc's per-try timeout: longer than any check's deadline
    hosts: dict[str, str] = field(default_factory=dict)  # name -> address

    def write(self) -> tuple[Path, Path, Path]:
        self.folder.mkdir(parents=True, exist_ok=True)
        hosts = self.folder / "hosts"
        lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
        lines += [f"{address} {name}" for name, address in self.hosts.items()]
        hosts.write_text("\n".join(lines) + "\n")
        resolv = self.folder / "resolv.conf"
        resolv.write_text(f"nameserver {self.nameserver}\noptions timeout:{self.resolver_timeout} attempts:1\n")
        nsswitch = self.folder / "nsswitch.conf"
        nsswitch.write_text("hosts: files dns\n")
        for path in (hosts, resolv, nsswitch):
            path.chmod(0o644)
        return hosts, resolv, nsswitch

    def argv(self, command: list[str]) -> list[str]:
        hosts, resolv, nsswitch = self.write()
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", SCRIPT, "sandbox", str(hosts), str(resolv), str(nsswitch), *command]

    def run(self, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60) -> Completed:
        started = time.monotonic()
        proc = subprocess.run(self.argv(command), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return Completed(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


class Loopback:
    """Distinct loopback addresses, from a /24 of 127.0.0.0/8 picked at random per session, so
    registries can each have port 80/443 and two sessions on one machine do not collide."""

    def __init__(self, seed: int | None = None):
        rng = random.Random(seed if seed is not None else os.getpid() ^ time.time_ns())
        self.prefix = f"127.{rng.randrange(100, 250)}.{rng.randrange(1, 254)}"
        self._next = 10

    def take(self) -> str:
        if self._next > 250:
            raise RuntimeError(f"{self.prefix}.0/24 used up")
        address = f"{self.prefix}.{self._next}"
        self._next += 1
        return address
