"""The Dockerfile line `devenv sdk assert SDK --dockerfile` prints: a POSIX sh check of the SDK
version, run right after the dependency install so a wrong SDK fails the build before the later
layers are cached. It needs only ``sh`` and ``sed`` (``find`` for Python, ``go`` for Go: the
build stage has it), not devenv, and reads the version from the SDK's build arg, which Tilt's
``docker_build`` passes in (declare it with ``ARG`` before the line).
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from devenv.images.installed import dist_name

if TYPE_CHECKING:
    from devenv.manifest.model import Sdk


def _fail(what: str, package: str, arg: str) -> str:
    return (
        f'{{ echo "devenv sdk assert: {what} holds {package} ${{v:-nothing}}, expected ${{{arg}:-<build arg {arg} '
        f'unset>}} (an install layer cached from an older build?)" >&2; exit 1; }}'
    )


def run_line(name: str, sdk: "Sdk", arg: str) -> str:
    """``RUN …`` for a Dockerfile (one line)."""
    package = sdk.package_name
    if sdk.language == "typescript":
        file = f"node_modules/{package}/package.json"
        # the first "version" key, whether package.json is pretty-printed or on one line
        read = (
            f'v=$(sed \'s/"version"/\\n"version"/g\' {shlex.quote(file)} 2>/dev/null | '
            f'sed -n \'/^"version" *: *"/{{s/^"version" *: *"\\([^"]*\\)".*/\\1/p;q;}}\')'
        )
        where = file
    elif sdk.language == "python":
        pattern = shlex.quote(f"*/{dist_name(package)}-*.dist-info/METADATA")
        read = f"v=$(find / -xdev -path {pattern} 2>/dev/null | while read -r m; do sed -n '/^Version: */{{s///p;q;}}' \"$m\"; done)"
        where = "the image"
    else:
        read = f"v=$(go list -m -f '{{{{.Version}}}}' {shlex.quote(package)} 2>/dev/null)"
        where = "go.mod's build list"
    check = f'[ -n "${{{arg}}}" ] && [ "$v" = "${{{arg}}}" ]'
    if sdk.language == "go":  # a manifest may write 1.4.0 for v1.4.0
        check = f'[ -n "${{{arg}}}" ] && {{ [ "$v" = "${{{arg}}}" ] || [ "$v" = "v${{{arg}}}" ]; }}'
    return f"RUN {read}; {check} || {_fail(where, package, arg)}"
