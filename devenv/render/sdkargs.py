"""The build args an SDK gives each of its consumers' ``docker_build``: its version and, for an SDK
with a chain, the chain's result digest (docs/tiltfile-sdk-rebuilds.md).

For an SDK with ``steps`` both values are read, while the Tiltfile loads, from its last step's
marker (``devenv sdk mark``: the digest, then the version the chain completed with); the version
falls back to the manifest's until a run recorded one. A release bump that renders a new version
therefore changes no consumer's build args until the chain published it, and then version and
digest change in one write: one Tiltfile reload, one build per consumer.
"""

from __future__ import annotations

from collections.abc import Callable

from devenv.graph import chain_steps
from devenv.manifest.model import Sdk, sdk_build_arg
from devenv.render.starlark import call
from devenv.sdk.chain import digest_arg, marker

HELPER_SDK_RESULT = "_devenv_sdk_result"
HELPER_SDK_VERSION = "_devenv_sdk_version"

Pair = tuple[str, object] | None


def sdk_args(sdk_name: str, sdk: Sdk, rel: Callable[[str], str]) -> tuple[Pair, Pair]:
    """(version build arg, its value) and (digest build arg, its value); None where the SDK has none.
    ``rel`` spells a manifest path as the Tiltfile must."""
    result = rel(marker(sdk_name, chain_steps(sdk)[-1])) if sdk.steps else None
    version: Pair = None
    if sdk.version:
        version = (sdk_build_arg(sdk_name, sdk), call(HELPER_SDK_VERSION, result, sdk.version) if result else sdk.version)
    digest: Pair = (digest_arg(sdk_name), call(HELPER_SDK_RESULT, result)) if result else None
    return version, digest
