"""`git grep` started first thing, on a guess of the manifest's needles read without YAML.

`git grep` (:mod:`devenv.lint.gitgrep`) is the longest piece of `devenv lint` in a large work
tree, and it needs only `proto.path` and `proto.names`. Importing a YAML parser and the needles
module to read them took longer than Python's own start-up, all of it before git could start.
So the hot path (:mod:`devenv.cli.hotlint`) calls :func:`start` before it imports anything else:
it finds the manifest as lint will, reads those two keys from the usual spellings of the YAML
with plain string operations (:func:`guess`), and spawns git with their patterns
(:func:`devenv.lint.needlebytes.grep_patterns`).

The guess is only a head start, never trusted: :class:`devenv.lint.gitgrep.GrepListing` adopts
this git only when its patterns and folder are exactly those of the keys read with the YAML
parser; otherwise it stops it and starts git again. Anything unusual in the YAML (anchors, tags,
escapes, multi-line values, a key twice) makes :func:`guess` give up, which only costs the head
start. Only os and posixpath are used here (both loaded with the interpreter).
"""

from __future__ import annotations

import os
import stat  # loaded with the interpreter, as os and posixpath are
import sys

from devenv.lint.needlebytes import byte_needles, grep_patterns, python_last_parts

MANIFEST_NAME = "services.yaml"
MANIFEST_LIMIT = 8 * 1024 * 1024  # as devenv.util.fsutil.PREFIX_LIMIT: larger is not a manifest


def manifest_path(explicit: str | os.PathLike | None) -> str | None:
    """The file load_manifest will read (a wrong guess is caught by the facts check)."""
    if explicit is not None:
        path = os.fspath(explicit)
        return os.path.join(path, MANIFEST_NAME) if os.path.isdir(path) else path
    cwd = os.getcwd()
    while True:
        candidate = os.path.join(cwd, MANIFEST_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(cwd)
        if parent == cwd:
            return None
        cwd = parent


def reads_stdin(manifest: str | os.PathLike | None) -> bool:
    if manifest is None:
        return False
    if os.fspath(manifest) == "-":
        return True
    try:
        return os.path.samestat(os.stat(manifest), os.fstat(0))
    except (OSError, ValueError):
        return False


def can_fork(manifest: str | os.PathLike | None) -> bool:
    """Whether lint's early scan (:mod:`devenv.lint.early`) runs for this manifest."""
    return hasattr(os, "fork") and sys.platform != "win32" and not reads_stdin(manifest)


def grep_threads() -> int:
    """git grep's threads: one CPU fewer than there are, for lint's own processes (git's default, 8,
    measured on 2 CPUs: twice the CPU time of 1 thread for the same wall time - its threads
    contend - and the CPU it takes is lint's own start-up's)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    return max(1, min(cpus - 1, 8))


def grep_argv(git: str, root: str, fixed: list[bytes]) -> list[str | bytes]:
    """The one `git grep` command line lint runs (:mod:`devenv.lint.gitgrep` says why each option)."""
    argv: list[str | bytes] = [git, "-C", root, "grep", "-L", "-z", "-F", "-i", "--text", "--no-color", "--no-full-name"]
    argv += ["--no-recurse-submodules", "--no-textconv", "--threads", str(grep_threads())]
    for pattern in fixed:
        argv += ["-e", pattern]
    return [*argv, "--", ".", ":(exclude)*.md"]


class Spawned:
    """A process started with posix_spawn, with the part of Popen's interface lint uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it has ended
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 9)  # SIGKILL, without importing signal
            except ProcessLookupError:
                pass

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            except ChildProcessError:
                self.returncode = -1
        return self.returncode


class Started:
    """git grep of ``root`` with ``fixed``, writing names to the anonymous file ``out``; ``done``
    reaches its end of file when git has ended (:class:`devenv.lint.gitgrep.GitGrep`)."""

    def __init__(self, root: str, fixed: list[bytes], process: Spawned, out: int, done: int):
        self.root, self.fixed, self.process, self.out, self.done = root, fixed, process, out, done

    def cancel(self) -> None:
        self.process.kill()
        self.process.wait()
        for fd in (self.out, self.done):
            os.close(fd)


def start(manifest: str | None) -> Started | None:
    """git grep with the guessed needles of the manifest lint will read, or None (no guess, no
    git, no memfd, a manifest on stdin: lint starts git itself once it has read the YAML)."""
    path = manifest_path(manifest)
    if path is None or not can_fork(manifest) or not hasattr(os, "memfd_create") or not hasattr(os, "posix_spawnp"):
        return None
    try:
        data = read_manifest(path)
        keys = guess(data.decode("utf-8")) if data is not None else None
    except (OSError, UnicodeDecodeError):
        return None
    fixed = grep_patterns(*byte_needles(*keys), python_last_parts(keys[1])) if keys is not None else None
    if not fixed:
        return None
    return _spawn(os.path.realpath(os.path.dirname(os.path.abspath(path))), fixed)


def read_manifest(path: str) -> bytes | None:
    """The bytes of a regular file of at most MANIFEST_LIMIT bytes, else None (never blocks on a
    FIFO or a device: load_manifest refuses those with its own message)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        size = 0
        while size <= MANIFEST_LIMIT and (chunk := os.read(fd, MANIFEST_LIMIT + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks) if size <= MANIFEST_LIMIT else None


def _spawn(root: str, fixed: list[bytes]) -> Started | None:
    out = os.memfd_create("devenv-lint-grep", os.MFD_CLOEXEC)
    done, ended = os.pipe()
    try:
        actions: list[tuple] = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, out, 1)]
        actions.append((os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0))
        actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited()]  # as Popen's close_fds
        os.set_inheritable(ended, True)  # git holds the write end until it ends; lint has no other threads yet
        pid = os.posix_spawnp("git", grep_argv("git", root, fixed), {**os.environ, "LC_ALL": "C"}, file_actions=actions)
    except (OSError, ValueError):
        os.close(out)
        os.close(done)
        return None
    finally:
        os.close(ended)
    return Started(root, fixed, Spawned(pid), out, done)


def _inherited() -> list[int]:
    """Descriptors above 2 that a spawned process would inherit (passed to lint by its caller)."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return []
    inherited = []
    for fd in fds:
        try:
            if fd > 2 and os.get_inheritable(fd):
                inherited.append(fd)
        except OSError:  # the listing's own descriptor, closed since
            pass
    return inherited


def guess(text: str) -> tuple[str, list[str]] | None:
    """(proto.path, proto.names) of the usual manifest, or None: a top-level ``proto:`` holding
    a block mapping (or a one-line flow mapping) whose ``path`` is a plain or simply quoted
    scalar and whose ``names`` is a one-line flow sequence or a block sequence of such scalars."""
    lines = text.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("proto:")]
    if len(starts) != 1:
        return None
    block = [lines[starts[0]][len("proto:") :]]
    for line in lines[starts[0] + 1 :]:
        if line.strip() and not line.startswith((" ", "#")):
            break
        block.append(line)
    if any(char in line for line in block for char in "\t&*!\\|>"):
        return None  # tabs, anchors, aliases, tags, escapes, block scalars: the YAML parser's to read
    head, *body = [_uncommented(line) for line in block]
    keys = _flow_mapping(head.strip()) if head.strip() else _block_mapping(body)
    if keys is None or not isinstance(path := keys.get("path"), str):
        return None
    names = keys.get("names", [])
    return (path, names) if isinstance(names, list) else None


def _uncommented(line: str) -> str:
    """The line without a trailing comment (a ``#`` after a blank, outside quotes), right-stripped."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'" and _opens(line[:i]):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def _opens(before: str) -> bool:
    """Whether a quote after ``before`` starts a quoted scalar (inside a plain one it is a character)."""
    stripped = before.rstrip()
    if not stripped or stripped[-1] in "[{,":
        return True
    indicator = stripped[-1] in ":-" and before != stripped  # ": " or "- " before the quote
    return indicator and (stripped[-1] == ":" or not stripped[:-1].strip() or stripped[:-1].endswith((" ", "[", ",")))


def _block_mapping(block: list[str]) -> dict | None:
    keys: dict = {}
    indent = None
    pending = None  # the key whose block sequence follows
    for line in block:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip(" "))
        body = line.strip()
        indent = depth if indent is None else indent
        if depth == indent:
            if pending is not None and not keys[pending]:
                return None  # `key:` and nothing: a null
            key, sep, value = body.partition(":")
            if not (sep and _simple_key(key)) or key in keys or (value and not value.startswith(" ")):
                return None
            value = value.strip()
            keys[key] = _value(value) if value else []
            pending = key if not value else None
            if keys[key] is None:
                return None
        elif depth > indent and pending is not None and body.startswith("- "):
            item = _scalar(body[2:].strip())
            if item is None:
                return None
            keys[pending].append(item)
        else:
            return None
    return None if pending is not None and not keys[pending] else keys


def _simple_key(key: str) -> bool:
    return bool(key) and key[0].isalpha() and key.replace("_", "").replace("-", "").isalnum()


def _flow_mapping(text: str) -> dict | None:
    if not (text.startswith("{") and text.endswith("}")):
        return None
    keys: dict = {}
    for entry in _split(text[1:-1]):
        key, sep, value = entry.partition(":")
        key, value = key.strip(), value.strip()
        parsed = _value(value) if sep else None
        if parsed is None or key in keys or not _simple_key(key):
            return None
        keys[key] = parsed
    return keys


def _value(text: str) -> str | list | None:
    if text.startswith("["):
        if not text.endswith("]"):
            return None
        items = [_scalar(item.strip()) for item in _split(text[1:-1])]
        return None if any(item is None for item in items) else items
    return _scalar(text)


def _split(text: str) -> list[str]:
    """``text`` cut at the commas outside quotes and brackets (none: a single empty list)."""
    parts, quote, depth, start = [], "", 0, 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'" and not text[start:i].strip():
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [] if parts == [""] or [p.strip() for p in parts] == [""] else parts


def _scalar(text: str) -> str | None:
    """A plain or simply quoted string; None for anything else (a number, a null, a flow
    collection, a quote within)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return None if text[0] in inner else inner
    if not text or text[0] in "[]{}\"'|>%@`,?:-" or ": " in text or text.endswith(":"):
        return None
    if text in ("~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE") or text[0].isdigit() or text[0] in "+.":
        return None
    return text
