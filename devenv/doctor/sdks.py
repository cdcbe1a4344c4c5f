"""SDK freshness: is each SDK's generated code current with the proto sources?

One check per SDK that names a ``generated:`` path (``sdks.<name>-generated``), comparing the
stamp its first step wrote (:mod:`devenv.sdk.freshness`) with a content hash of the proto
sources now. Stale code, or a missing proto workspace, fails and names the step to rerun
(``tilt trigger packages:ts-sdk-build``) and, through the graph, the services it blocks;
code never generated (or changed by hand since) warns with the same step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from devenv.doctor.base import Check, Context, Outcome, fail, ok, skip, warn
from devenv.tilt import step_resource

if TYPE_CHECKING:
    from devenv.manifest.model import Manifest

CHECKS: list[Check] = []


def _first_step(manifest: "Manifest", name: str) -> str | None:
    sdk = manifest.sdks[name]
    return step_resource(name, next(iter(sdk.steps))) if sdk.steps else None


def _consumers(manifest: "Manifest", name: str) -> list[str]:
    from devenv.manifest.relations import consumed_sdks

    return [s for s, svc in manifest.services.items() if name in consumed_sdks(manifest, svc)]


def _check(name: str) -> Check:
    def gates(ctx: Context) -> Iterable[str]:
        manifest = ctx.manifest
        if manifest is None:
            return []
        first = _first_step(manifest, name)
        return [first] if first else _consumers(manifest, name)

    def run(ctx: Context) -> Outcome:
        from devenv.sdk.freshness import Freshness, status

        loaded = ctx.loaded
        manifest = ctx.manifest
        if loaded is None or manifest is None or manifest.proto is None:
            return skip("no proto workspace in the manifest")
        sdk = manifest.sdks[name]
        assert sdk.generated is not None  # nosec B101: only generated for SDKs that name one
        ctx.note(f"hashing {manifest.proto.path} and {sdk.generated}")
        found = status(loaded.root, name, manifest.proto.path, sdk.generated)
        first = _first_step(manifest, name)
        rerun = f"rerun its step: tilt trigger {first}" if first else f"regenerate {sdk.generated}"
        details = []
        if found.proto is not None:
            details.append(f"proto sources: {manifest.proto.path}: {found.proto.files} files, sha256 {found.proto.sha256}")
        if found.stamp:
            details.append(f"stamped: sha256 {(found.stamp.get('proto') or {}).get('sha256')}")
        if found.state is Freshness.FRESH:
            return ok(found.message, details=details)
        if found.state is Freshness.NO_PROTO:
            return fail(found.message, details=details, hint=f"restore the proto workspace (e.g. git checkout -- {manifest.proto.path}), then {rerun}")
        if found.state is Freshness.STALE:
            return fail(found.message, details=details, hint=rerun)
        return warn(found.message, details=details, hint=rerun)

    return Check(
        id=f"sdks.{name}-generated",
        group="sdks",
        title=f"SDK {name} generated code",
        run=run,
        deadline=15.0,
        gates=gates,
        timeout_hint="hashing the proto workspace took too long: is it on a slow or network file system?",
    )


def checks(manifest: "Manifest") -> list[Check]:
    return [_check(name) for name, sdk in manifest.sdks.items() if sdk.generated]
