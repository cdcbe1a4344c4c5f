"""Real components the integration tests need, and the skip-or-fail policy for missing ones.

On a laptop a missing component skips its tests with the reason printed. In CI
(`CI=true` or `DEVENV_REQUIRE_ALL=1`) nothing may skip: a missing component fails the test,
so a green CI always means every real component was exercised.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("DEVENV_TOOLS_CACHE", Path.home() / ".cache" / "devenv-test"))
BIN = CACHE / "bin"


def strict() -> bool:
    return os.environ.get("DEVENV_REQUIRE_ALL") == "1" or os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip (laptop) or fail (CI) because a real component is not available."""
    if strict():
        pytest.fail(f"required component missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def tool(name: str, env_var: str | None = None) -> str:
    """Path to a tool: $ENV_VAR, the test cache (scripts/tools), or PATH; else skip/fail."""
    candidates = []
    if env_var and os.environ.get(env_var):
        candidates.append(os.environ[env_var])
    candidates.append(str(BIN / name))
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    missing(f"`{name}` not found (build it with scripts/tools/build-all.sh, or set {env_var or 'PATH'})")
    raise AssertionError("unreachable")
