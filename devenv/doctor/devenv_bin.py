"""Is `devenv` where the generated Tiltfile will look for it?

The Tiltfile's `packages:health` and SDK guard steps run `devenv` by name. Its helper
`_devenv_on_path()` appends the first of these folders that holds it to Tilt's PATH, so the
search here is the same, in the same order. `scripts/onboard.sh` installs into .venv/bin,
`pipx` and `uv tool` into ~/.local/bin: both off many shells' PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devenv.doctor.base import Check, Context, Outcome, fail, ok, warn
from devenv.tilt import HEALTH

INSTALL = "pipx install 'git+<devenv repository URL>'   (or: uv tool install ..., then `pipx ensurepath`)"


def candidates(env, root: Path | None) -> list[Path]:
    home = env.get("HOME", "")
    folders = [
        env.get("DEVENV_BIN_DIR", ""),
        str(root / ".venv" / "bin") if root else "",
        env.get("PIPX_BIN_DIR", ""),
        env.get("UV_TOOL_BIN_DIR", ""),
        env.get("XDG_BIN_HOME", ""),
        os.path.join(home, ".local", "bin") if home else "",
    ]
    return [Path(f) for f in folders if f]


def tilt_runs_devenv(ctx: Context) -> list[str]:
    """The resources whose command starts with `devenv`: the health gate and guarded first steps."""
    m = ctx.manifest
    if not m or not ctx.graph:
        return []
    gated = [HEALTH] if HEALTH in ctx.graph.resources else []
    if m.proto is not None:
        gated += [f"packages:{name}-sdk-{next(iter(sdk.steps))}" for name, sdk in m.sdks.items() if sdk.steps]
    return gated


def check_devenv(ctx: Context) -> Outcome:
    on_path = shutil.which("devenv", path=ctx.env.get("PATH"))
    if on_path:
        return ok(f"on PATH at {on_path}")
    root = ctx.loaded.path.parent if ctx.loaded else None
    for folder in candidates(ctx.env, root):
        found = folder / "devenv"
        if found.is_file() and os.access(found, os.X_OK):
            return warn(
                f"not on PATH; the generated Tiltfile finds it at {found}",
                hint=f'add it to your shell\'s PATH for the commands in the docs: export PATH="$PATH:{folder}"',
            )
    message = "not on PATH nor where pipx, uv tool or scripts/onboard.sh install it"
    if not tilt_runs_devenv(ctx):
        return warn(message + " (this Tiltfile does not run it)", hint=INSTALL)
    return fail(message + f": Tilt's {', '.join(tilt_runs_devenv(ctx))} run `devenv` and would fail", hint=INSTALL)


CHECKS = [
    Check(
        id="host.devenv",
        group="host",
        title="devenv",
        run=check_devenv,
        deadline=2.0,
        gates=tilt_runs_devenv,
        timeout_hint="the file system is very slow: check the folders on PATH",
    )
]
