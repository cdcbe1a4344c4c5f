"""Host tools: docker, kubectl, tilt, k3d, helm, helmfile present at their minimum versions.

Minimum versions are built in (``MINIMUMS``) and overridable per tool with the environment
variable ``DEVENV_MIN_<TOOL>`` (e.g. ``DEVENV_MIN_KUBECTL=1.30``). Each version command runs
under the check's deadline: a tool that hangs is killed and reported as ``timeout``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from typing import Callable, Iterable

from devenv.doctor import gates
from devenv.doctor.base import Check, Context, Outcome, fail, ok, warn
from devenv.doctor.devenv_bin import CHECKS as _DEVENV_CHECKS
from devenv.tilt import MIN_TILT

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_VERSION = re.compile(r"(?<![\w.])v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The first ``X.Y[.Z]`` in a tool's output (``v1.32.4-dispatcher`` -> (1, 32, 4))."""
    match = _VERSION.search(_ANSI.sub("", text))
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def format_version(version: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in version)


@dataclass(frozen=True)
class Tool:
    name: str
    argv: tuple[str, ...]
    minimum: str
    why: str  # why devenv needs it, shown when it is missing
    install: str
    required: Callable[[Context], bool] = lambda ctx: True
    gates: Callable[[Context], Iterable[str]] = gates.all_services

    @property
    def env_override(self) -> str:
        return f"DEVENV_MIN_{self.name.upper()}"


def _uses_k3d(ctx: Context) -> bool:
    m = ctx.manifest
    return bool(m and any(c.startswith("k3d-") for c in m.cluster.contexts))


def _uses_helm(ctx: Context) -> bool:
    m = ctx.manifest
    return bool(m and any(s.helm for s in m.services.values()))


TOOLS: tuple[Tool, ...] = (
    Tool(
        "docker",
        ("docker", "--version"),
        "20.10",
        "it builds the service images",
        "sudo apt-get install docker.io   (or Docker Desktop: https://docs.docker.com/get-docker/)",
        gates=gates.image_builds,
    ),
    Tool(
        "kubectl",
        ("kubectl", "version", "--client"),
        "1.25",
        "Tilt deploys with it",
        "see https://kubernetes.io/docs/tasks/tools/#kubectl   (macOS: brew install kubectl)",
    ),
    Tool(
        "tilt",
        ("tilt", "version"),
        MIN_TILT,
        "it runs the generated Tiltfile",
        "curl -fsSL https://raw.githubusercontent.com/tilt-dev/tilt/master/scripts/install.sh | bash",
    ),
    Tool(
        "k3d",
        ("k3d", "version"),
        "5.4",
        "it creates the k3d cluster",
        "curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash",
        required=_uses_k3d,
    ),
    Tool(
        "helm",
        ("helm", "version", "--short"),
        "3.8",
        "it deploys the helm: services",
        "curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash",
        required=_uses_helm,
        gates=gates.helm_services,
    ),
    Tool(
        "helmfile",
        ("helmfile", "--version"),
        "0.150",
        "it installs shared cluster charts",
        "brew install helmfile   (or a release binary: https://github.com/helmfile/helmfile/releases)",
        required=lambda ctx: False,
        gates=lambda ctx: (),
    ),
)

MINIMUMS = {tool.name: tool.minimum for tool in TOOLS}


def minimum_for(tool: Tool, ctx: Context) -> tuple[tuple[int, int, int], str, str]:
    """``(version, as written, source)``: ``$DEVENV_MIN_<TOOL>`` if set and parseable, else the default."""
    override = ctx.env.get(tool.env_override, "").strip()
    if override:
        parsed = parse_version(override)
        if parsed:
            return parsed, override.lstrip("v"), f"${tool.env_override}"
    parsed = parse_version(tool.minimum)
    assert parsed is not None
    return parsed, tool.minimum, "default"


def check_tool(tool: Tool, ctx: Context) -> Outcome:
    minimum, shown, source = minimum_for(tool, ctx)
    want = shown
    path = shutil.which(tool.name, path=ctx.env.get("PATH"))
    if not path:
        if not tool.required(ctx):
            return warn(f"not found on PATH (optional for this manifest: {tool.why})", hint=tool.install)
        return fail(f"not found on PATH ({tool.why})", hint=tool.install)
    try:
        done = ctx.run([path, *tool.argv[1:]])
    except TimeoutError:  # an OSError too: a hung tool is a timeout, not "cannot run"
        raise
    except PermissionError:
        return fail(f"{path} is not executable", hint=f"chmod +x {path}")
    except OSError as exc:
        return fail(f"cannot run {path}: {exc.strerror or exc}", hint=tool.install)
    version = parse_version(done.output)
    command = " ".join((tool.name, *tool.argv[1:]))
    if version is None:
        last = done.output.splitlines()[-1] if done.output else "no output"
        verdict = f"exited {done.returncode}" if done.returncode else "printed no version"
        return fail(
            f"`{command}` {verdict}: {last[:160]}", details=[f"path: {path}", *done.output.splitlines()[:20]], hint=f"reinstall {tool.name}: {tool.install}"
        )
    have = format_version(version)
    details = [f"path: {path}", f"minimum: {want} ({source}; override with {tool.env_override}=X.Y)"]
    if version < minimum:
        return fail(f"{have} at {path} is older than {want} ({source})", details=details, hint=f"upgrade {tool.name}: {tool.install}")
    return ok(f"{have} (>= {want})", details=details)


def _tool_check(tool: Tool) -> Check:
    return Check(
        id=f"host.{tool.name}",
        group="host",
        title=tool.name,
        run=lambda ctx: check_tool(tool, ctx),
        deadline=5.0,
        gates=tool.gates,
        timeout_hint=f"`{' '.join(tool.argv)}` hangs: check the binary at `command -v {tool.name}`, or reinstall: {tool.install}",
    )


CHECKS = [_tool_check(tool) for tool in TOOLS] + _DEVENV_CHECKS
