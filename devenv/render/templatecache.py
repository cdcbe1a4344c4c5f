"""Compiled templates kept between runs, in the user's cache folder.

Jinja compiles each template to Python source and then to a code object on every load: about
40 ms of CPU for the shipped templates, paid by every render. Jinja's own bytecode cache keeps
the code object in a file named by the template's name and file, and reuses it only while the
file starts with the same magic (Jinja's bytecode format and Python's version) and the same
SHA-1 of the template's source. What that key leaves out, the folder's name holds: the Jinja
version and the environment's options (they change the generated code).

The cache is an optimisation only: a folder that cannot be created, a file that cannot be read,
written or unpickled means the template is compiled as before, never an error.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

import jinja2

# Set to any non-empty value to compile templates on every run (and write nothing).
DISABLE_ENV = "DEVENV_NO_TEMPLATE_CACHE"


def cache_root(env: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """``$XDG_CACHE_HOME/devenv/templates``, else ``~/.cache/devenv/templates``."""
    base = env.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        home = env.get("HOME") or os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "devenv", "templates")


def folder_key(options: dict[str, Any]) -> str:
    """What the generated code depends on besides the template's source and Python's version."""
    described = repr(sorted((name, repr(value)) for name, value in options.items()))
    digest = hashlib.sha256(f"{jinja2.__version__}|{described}".encode()).hexdigest()[:16]
    return f"jinja2-{jinja2.__version__}-{digest}"


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, with every failure of the cache meaning "compile as usual"."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: unpickling can raise almost anything
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def bytecode_cache(options: dict[str, Any]) -> QuietBytecodeCache | None:
    """The cache for an environment built with ``options``, or None when disabled or homeless."""
    if os.environ.get(DISABLE_ENV):
        return None
    root = cache_root()
    if root is None:
        return None
    # pattern: Jinja's default, with the Python version so two interpreters do not evict each other.
    pattern = f"__jinja2_%s.py{sys.version_info[0]}{sys.version_info[1]}.cache"
    return QuietBytecodeCache(os.path.join(root, folder_key(options)), pattern)
