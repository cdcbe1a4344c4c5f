"""Go build info from a binary's bytes, as ``go version -m`` prints it (Go >= 1.18 binaries).

The linker writes a 32-byte header, ``\\xff Go buildinf:`` + pointer size + flags, 16-byte
aligned (in ELF's ``.go.buildinfo`` section; searching for it also covers Mach-O and PE). With
flag bit 2 set, the Go version and the module info follow as varint-length strings; the module
info is framed by two 16-byte sentinels. Lines of interest: ``mod``, ``dep`` and ``=>`` (a
replacement of the previous ``dep``), tab separated: path, version, sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAGIC = b"\xff Go buildinf:"


@dataclass(frozen=True)
class Module:
    path: str
    version: str
    replaced_by: tuple[str, str] | None = None  # (path, version) of a => line

    @property
    def effective_version(self) -> str:
        return self.replaced_by[1] if self.replaced_by and self.replaced_by[1] else self.version


@dataclass(frozen=True)
class BuildInfo:
    go_version: str
    main: Module | None
    deps: tuple[Module, ...] = field(default=())

    def module(self, path: str) -> Module | None:
        if self.main and self.main.path == path:
            return self.main
        return next((d for d in self.deps if d.path == path), None)


def _uvarint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data):
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
    raise ValueError("truncated varint")


def _string(data: bytes, at: int) -> tuple[str, int]:
    size, at = _uvarint(data, at)
    return data[at : at + size].decode("utf-8", "replace"), at + size


def _header(data: bytes) -> int:
    at = data.find(MAGIC)
    # aligned, and a pointer size of 4 or 8: not the literal in a binary that embeds debug/buildinfo
    while at != -1 and (at % 16 or data[at + 14 : at + 15] not in (b"\x04", b"\x08")):
        at = data.find(MAGIC, at + 1)
    return at


def read(data: bytes) -> BuildInfo | None:
    """The build info of a Go binary; None for anything else (or a Go < 1.18 binary)."""
    at = _header(data)
    if at == -1 or len(data) < at + 32 or not data[at + 15] & 0x2:
        return None
    try:
        version, cursor = _string(data, at + 32)
        modinfo, _ = _string(data, cursor)
    except ValueError:
        return None
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        modinfo = modinfo[16:-16]
    return parse_modinfo(version, modinfo)


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    main: Module | None = None
    deps: list[Module] = []
    for line in text.splitlines():
        parts = line.split("\t")
        if parts[0] == "mod" and len(parts) >= 2:
            main = Module(parts[1], parts[2] if len(parts) > 2 else "")
        elif parts[0] == "dep" and len(parts) >= 3:
            deps.append(Module(parts[1], parts[2]))
        elif parts[0] == "=>" and len(parts) >= 2 and deps:
            last = deps.pop()
            deps.append(Module(last.path, last.version, (parts[1], parts[2] if len(parts) > 2 else "")))
    return BuildInfo(go_version, main, tuple(deps))
