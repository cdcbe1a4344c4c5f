"""TOML positions, the one home for them: where each string of a document is (its key path and
span, for the dependency readers' findings and ``--fix``: :func:`strings`, with the fast path
:func:`value_strings` for one value), and which table and key hold an offset (lint's messages:
:func:`table_and_key`), and the fast path for lockfiles' package versions (:func:`package_versions`).
See :mod:`.scanner`."""

from devenv.deps.tomlpos.lockfile import package_versions
from devenv.deps.tomlpos.onevalue import value_strings
from devenv.deps.tomlpos.scanner import Path, TomlPositionError, TomlString, strings, table_and_key

__all__ = ["Path", "TomlPositionError", "TomlString", "package_versions", "strings", "table_and_key", "value_strings"]
