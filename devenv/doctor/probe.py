"""The build-host probe: a throwaway image made from nothing, a shell script that asks every
registry host for its probe path from inside a container, and the reading of its answers.

The image is a ``docker import`` of a rootfs holding Debian's static busybox (package
``busybox-static``) with ``sh``/``wget``/``timeout``/``cat``/``sed`` links and a ``/tmp``
(busybox ``wget -O`` into a missing folder crashes), tagged by the binary's content
(``devenv-probe:<sha256[:12]>``), so nothing is ever pulled. ``$DEVENV_PROBE_IMAGE`` names an
existing image to use instead (any image with a busybox-compatible ``sh`` and ``wget``).

Notes on busybox 1.35 that shaped the script: ``wget -T`` segfaults in Debian's static build,
so each request is bounded by ``timeout N`` instead; ``nslookup`` queries DNS servers directly
and ignores ``/etc/hosts`` (where ``extra_hosts`` land), so resolution is read from ``wget``'s
own ``Connecting to host:port (ip:port)`` / ``bad address`` lines, which go through
``getaddrinfo`` exactly as npm, pip and go do.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import tarfile
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from devenv.util.redact import redact_url, strip_credentials

PROBE_REPOSITORY = "devenv-probe"
PROBE_LABEL = "io.devenv.probe"
APPLETS = ("sh", "wget", "timeout", "cat", "sed", "nslookup")
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox", "/usr/lib/initramfs-tools/bin/busybox")
_ELF_MACHINES = {62: "amd64", 183: "arm64", 40: "arm", 3: "386", 243: "riscv64", 21: "ppc64le", 22: "s390x"}
MARK = "@@devenv"


# -- the image -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Busybox:
    path: str
    sha256: str
    arch: str  # docker's name: amd64, arm64, ...

    @property
    def tag(self) -> str:
        return f"{PROBE_REPOSITORY}:{self.sha256[:12]}"


def elf_info(data: bytes) -> tuple[bool, str] | None:
    """``(is_static, arch)`` of an ELF executable, or None if ``data`` is not one."""
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return None
    is64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    machine = struct.unpack_from(endian + "H", data, 18)[0]
    if is64:
        phoff = struct.unpack_from(endian + "Q", data, 32)[0]
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 54)
    else:
        phoff = struct.unpack_from(endian + "I", data, 28)[0]
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 42)
    interp = False
    for i in range(phnum):
        offset = phoff + i * phentsize
        if offset + 4 > len(data):
            break
        if struct.unpack_from(endian + "I", data, offset)[0] == 3:  # PT_INTERP: dynamically linked
            interp = True
    return (not interp, _ELF_MACHINES.get(machine, f"elf-machine-{machine}"))


def find_busybox(env: Mapping[str, str]) -> Busybox | None:
    """A statically linked busybox on this host: ``$DEVENV_BUSYBOX`` or the usual places."""
    candidates = [env["DEVENV_BUSYBOX"]] if env.get("DEVENV_BUSYBOX") else list(BUSYBOX_CANDIDATES)
    for candidate in candidates:
        try:
            with open(candidate, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        info = elf_info(data)
        if info and info[0]:
            return Busybox(os.path.realpath(candidate), hashlib.sha256(data).hexdigest(), info[1])
    return None


def rootfs_tar(busybox_path: str) -> bytes:
    """A minimal rootfs: /bin/busybox, applet links, /tmp (1777), /etc."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, mode in (("bin", 0o755), ("etc", 0o755), ("tmp", 0o1777)):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)
        with open(busybox_path, "rb") as handle:
            data = handle.read()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        for applet in APPLETS:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, "busybox", 0o777
            tar.addfile(info)
    return buffer.getvalue()


# -- the script ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str  # the registry's name in the manifest
    url: str  # full probe URL, credentials stripped
    host: str
    port: int

    @property
    def shown(self) -> str:
        return redact_url(self.url)


def target_for(name: str, url: str, probe: str | None) -> Target:
    base = strip_credentials(url).rstrip("/")
    path = probe or "/"
    full = base + (path if path.startswith("/") else "/" + path)
    parts = urlsplit(full)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Target(name, full, parts.hostname or "", port)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def script(targets: list[Target], per_request: int) -> str:
    """Requests all targets at once (background jobs), then prints each one's output, marked."""
    lines = [
        "probe() {",
        f'  out=$(timeout {per_request} wget -O /tmp/body.$1 "$2" 2>&1); rc=$?',
        "  printf '%s\\n' \"$out\" > /tmp/out.$1; echo $rc > /tmp/rc.$1",
        "}",
    ]
    for i, target in enumerate(targets):
        lines.append(f"probe {i} {_quote(target.url)} &")
    lines.append("wait")
    for i in range(len(targets)):
        lines.append(f"echo \"{MARK} {i} rc=$(cat /tmp/rc.{i})\"; sed 's/^/{MARK}-out {i} /' /tmp/out.{i}")
    lines.append(f"echo {MARK}-end")
    return "\n".join(lines) + "\n"


# -- reading the answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    target: Target
    verdict: str  # ok | http-error | unresolved | refused | no-answer | error
    message: str
    resolved: str | None = None  # the address getaddrinfo gave inside the container
    http_status: int | None = None
    output: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.verdict not in ("ok", "http-error")


_CONNECTING = re.compile(r"Connecting to (\S+?):(\d+) \(([^)]+?):\d+\)")
_HTTP_ERROR = re.compile(r"server returned error: HTTP/\S+ (\d{3})\s*(.*)")


def parse(text: str, targets: list[Target]) -> tuple[list[Answer], bool]:
    """Answers in target order, and whether the script ran to its end."""
    rcs: dict[int, int] = {}
    outputs: dict[int, list[str]] = {i: [] for i in range(len(targets))}
    complete = False
    for raw in text.splitlines():
        line = raw.strip("\r")
        if line.startswith(f"{MARK}-end"):
            complete = True
        elif line.startswith(f"{MARK}-out "):
            index, _, rest = line[len(MARK) + 5 :].partition(" ")
            if index.isdigit() and int(index) in outputs:
                outputs[int(index)].append(rest)
        elif line.startswith(f"{MARK} "):
            match = re.match(rf"{MARK} (\d+) rc=(\d*)", line)
            if match:
                rcs[int(match.group(1))] = int(match.group(2) or 255)
    answers = [classify(t, rcs.get(i), outputs[i]) for i, t in enumerate(targets)]
    return answers, complete


def classify(target: Target, rc: int | None, lines: list[str]) -> Answer:
    text = "\n".join(lines)
    connecting = _CONNECTING.search(text)
    resolved = connecting.group(3) if connecting else None
    where = f"{resolved}:{target.port}" if resolved else f"{target.host}:{target.port}"
    noise = (" ETA", "saving to", "' saved", "writing to")
    output = tuple(line for line in lines if line.strip() and not any(n in line for n in noise))
    if rc is None:
        return Answer(target, "error", "the probe did not report (the container ended early)", output=tuple(lines))
    if rc == 0:
        return Answer(target, "ok", f"{target.name} reachable at {where}", resolved, 200, output)
    if "bad address" in text:
        return Answer(target, "unresolved", f"{target.name}: cannot resolve {target.host} (getaddrinfo ENOTFOUND)", None, None, output)
    http = _HTTP_ERROR.search(text)
    if http:
        status = int(http.group(1))
        return Answer(target, "http-error", f"{target.name} reachable at {where}, but answered HTTP {status}", resolved, status, output)
    if "refused" in text:
        return Answer(target, "refused", f"{target.name}: connection refused at {where}", resolved, None, output)
    if rc in (124, 143) or "Terminated" in text or "timed out" in text.lower():
        return Answer(target, "no-answer", f"{target.name}: no answer from {where}", resolved, None, output)
    if "unreachable" in text or "No route" in text:
        return Answer(target, "no-answer", f"{target.name}: {where} unreachable", resolved, None, output)
    last = next((line for line in reversed(lines) if line.strip()), f"exit code {rc}")
    return Answer(target, "error", f"{target.name}: request to {where} failed: {last.strip()[:120]}", resolved, None, output)
