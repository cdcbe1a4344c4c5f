"""The ``images`` doctor group: does each service image hold the SDK versions the manifest pins?

One check per service with an ``image`` that consumes an SDK (``images.<service>``). It reads
the newest local build of the image (Tilt tags ``<image>:tilt-<hash>``) from the Docker daemon
with ``docker save``, without running it, and finds each SDK where its package manager left it
(:mod:`devenv.images.installed`). A stale SDK (often an install layer cached from an older
build) fails and names the layer; an image not built yet is skipped. ``devenv verify images``
runs the same reading for given image references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from devenv.doctor.base import Check, Context, Outcome, fail, ok, skip

if TYPE_CHECKING:
    from devenv.manifest.model import Manifest

GROUP = "images"
CHECKS: list[Check] = []


def outcome_of(report) -> Outcome:
    """A read image as a check outcome (shared with `devenv verify images`' text output)."""
    details = [f"image: {report.image}" + (f" ({report.image_id[:19]})" if report.image_id else "")]
    details += [f"{s.sdk}: {s.status}: {s.message}" for s in report.sdks]
    if report.error:
        return fail(report.error, details=details, hint="build it first (tilt up, or docker build)")
    bad = [s for s in report.sdks if s.status in ("stale", "missing")]
    if bad:
        return fail("; ".join(f"{s.sdk}: {s.message}" for s in bad), details=details, hint=bad[0].hint, data=report)
    summary = "; ".join(s.message for s in report.sdks)
    return ok(f"{report.image}: {summary or 'no SDK to check'}", details=details, data=report)


def _check(service: str) -> Check:
    def gates(ctx: Context) -> Iterable[str]:
        return [service]

    def run(ctx: Context) -> Outcome:
        from devenv.images.check import newest_image, read_image, service_sdks

        manifest = ctx.manifest
        # checks() makes this check only from a manifest, for a service with an image
        assert manifest is not None, "image checks exist only for a loaded manifest"
        svc = manifest.services[service]
        image = svc.image
        assert image is not None, "checks() picks only services with an image"
        client = ctx.data("docker.daemon").client(ctx.remaining())
        ctx.note(f"looking for local builds of {image}")
        ref = newest_image(client, image)
        if ref is None:
            return skip(f"{image} is not built yet (tilt up builds it)")
        ctx.note(f"reading {ref} (docker save)")
        return outcome_of(read_image(client, ref, service_sdks(manifest, service), service=service))

    return Check(
        f"{GROUP}.{service}",
        GROUP,
        f"{service} image SDKs",
        run,
        needs=("docker.daemon",),
        deadline=60.0,
        gates=gates,
        timeout_hint="reading the image took too long: a very large image, or a slow daemon",
    )


def checks(manifest: "Manifest") -> list[Check]:
    from devenv.manifest.relations import consumed_sdks

    return [_check(name) for name, svc in manifest.services.items() if svc.image and consumed_sdks(manifest, svc)]
