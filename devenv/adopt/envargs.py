"""Which build args come from a (non-secret) environment variable, and with what default.

Tilt's result holds values, not where they came from: `os.getenv('NPM_REGISTRY', 'https://…')`
arrives as the URL. For every variable the Tiltfile's text reads by name, import loads the
Tiltfile twice more: once with each such variable set to a canary (a build arg equal to one came
from it), once with them unset (the value Tilt then sees is the Tiltfile's default). The
manifest then says `{env: NPM_REGISTRY, default: …}`, and the render reads the same variable.
"""

from __future__ import annotations

import re
import secrets as _random
from pathlib import Path

from devenv.adopt.secrets import looks_secret
from devenv.adopt.tiltresult import Result, run_tilt
from devenv.errors import DevenvError

_READS = re.compile(r"""os\.(?:getenv\(|environ\.get\(|environ\[)\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")
# Variables that steer Tilt or the shell, not the dev loop's values.
_IGNORED = {"PATH", "HOME", "USER", "SHELL", "PWD", "TMPDIR", "KUBECONFIG", "DOCKER_HOST", "TERM", "LANG"}

BuildArgKey = tuple[str, str, str]  # (resource, image ref, build arg)


def read_names(files: dict[Path, list[str]]) -> list[str]:
    names = {m.group(1) for lines in files.values() for line in lines for m in _READS.finditer(line)}
    return sorted(n for n in names if not looks_secret(n) and n not in _IGNORED and not n.startswith("TILT_"))


def _args(result: Result) -> dict[BuildArgKey, str]:
    return {(r.name, i.ref, k): v for r in result.resources.values() for i in r.images for k, v in i.build_args}


def env_build_args(tiltfile: Path, env: dict[str, str], names: list[str]) -> dict[BuildArgKey, tuple[str, str]]:
    """(resource, image, arg) -> (variable, default) for each build arg that is exactly a variable."""
    if not names:
        return {}
    canaries = {f"devenv-env-{_random.token_hex(6)}-{n}": n for n in names}
    probe = dict(env, **{n: c for c, n in canaries.items()})
    unset = {k: v for k, v in env.items() if k not in names}
    try:
        probed, defaults = _args(run_tilt(tiltfile, probe)), _args(run_tilt(tiltfile, unset))
    except DevenvError:  # the Tiltfile needs one of them set (os.environ['X']): keep the values
        return {}
    found = {}
    for key, value in probed.items():
        if value in canaries:
            found[key] = (canaries[value], defaults.get(key, ""))
    return found
