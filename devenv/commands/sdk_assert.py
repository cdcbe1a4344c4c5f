"""`devenv sdk assert SDK`: the installed SDK is the manifest's version (exit 1 otherwise).

Inside an image that has devenv, or on an unpacked file system (``--root``); with
``--dockerfile`` it prints the equivalent one-line ``RUN`` check for a Dockerfile instead, which
needs no devenv in the image, after the ``ARG`` lines to declare before the install (the version;
for an SDK with ``steps`` also ``<SDK>_SDK_DIGEST``, lint's ``sdk-digest-arg``). Parsed in devenv/cli/sdk.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.commands.sdk import _load
from devenv.errors import DevenvError


def run_assert(manifest: Path | None, name: str, *, root: Path = Path("/"), version: str | None = None, dockerfile: bool = False) -> int:
    from devenv.manifest.model import sdk_build_arg

    loaded = _load(manifest, name)
    sdk = loaded.manifest.sdks[name]
    arg = sdk_build_arg(name, sdk)
    if dockerfile:
        from devenv.images.snippet import run_line

        print(f"ARG {arg}")
        if sdk.steps:  # Tilt passes the chain's result digest: declared before the install, a new SDK re-runs it
            from devenv.tilt import sdk_digest_arg

            print(f"ARG {sdk_digest_arg(name)}")
        print(run_line(name, sdk, arg))
        return 0
    from devenv.images.check import judge
    from devenv.images.installed import Probe, scan_tree

    if version:
        sdk = sdk.model_copy(update={"version": version})
    if not sdk.version:
        raise DevenvError(f"SDK '{name}' has no version to assert", hint=f"set sdks.{name}.version, or pass --version")
    if not root.is_dir():
        raise DevenvError(f"--root {root} is not a folder")
    copies = scan_tree(root, Probe({name: sdk}))[name]
    verdict = judge(name, sdk, copies, arg)
    if verdict.status in ("ok", "extra-copies"):
        print(f"devenv sdk assert: {name}: {verdict.message}", file=sys.stderr)
        return 0
    print(f"devenv sdk assert: {name}: {verdict.message}", file=sys.stderr)
    if verdict.hint:
        print(f"    hint: {verdict.hint}", file=sys.stderr)
    return 1
