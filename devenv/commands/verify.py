"""`devenv verify images [SERVICE[=IMAGE]]...` (parsed in devenv/cli/verify.py): which SDK versions each service image holds,
read from the image without running it, against the manifest (the ``images`` doctor group's
reading, for chosen images).

Exit codes: 0 every image holds the expected SDKs, 1 one does not (stale, missing, or the image
is not there), 2 usage or manifest error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from devenv.errors import DevenvError

SCHEMA = "devenv.verify-images/v1"


def _targets(manifest, specs: list[str]) -> list[tuple[str, str | None]]:
    """``[(service, image ref or None = its newest local build)]``."""
    import difflib

    with_images = [n for n, s in manifest.services.items() if s.image]
    if not specs:
        return [(n, None) for n in with_images]
    found = []
    for spec in specs:
        service, _, ref = spec.partition("=")
        if service not in manifest.services:
            close = difflib.get_close_matches(service, list(manifest.services), n=1)
            suggestion = f" (did you mean '{close[0]}'?)" if close else ""
            raise DevenvError(f"unknown service '{service}'{suggestion}", hint="give SERVICE or SERVICE=IMAGE")
        if not ref and not manifest.services[service].image:
            raise DevenvError(f"service '{service}' has no image: in the manifest", hint=f"give {service}=IMAGE")
        found.append((service, ref or None))
    return found


def run_verify_images(manifest: Path | None, specs: list[str], *, as_json: bool = False, stream=None) -> int:
    from devenv.doctor.dockerhost import make_client, resolve_endpoint
    from devenv.images.check import ImageReport, newest_image, read_image, service_sdks
    from devenv.manifest.load import load_manifest

    loaded = load_manifest(manifest)
    targets = _targets(loaded.manifest, specs)
    endpoint = resolve_endpoint(os.environ)
    try:
        client = make_client(endpoint, 120)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - many SDK error types; the text tells the cause
        raise DevenvError(
            f"cannot reach the Docker daemon at {endpoint.describe()}: {str(exc)[:200]}", hint="devenv doctor --only docker", exit_code=1
        ) from None
    reports = []
    for service, ref in targets:
        image = ref
        if image is None:
            name = loaded.manifest.services[service].image
            assert name is not None, "_targets leaves the ref out only for a service with an image"
            image = newest_image(client, name)
            if image is None:
                reports.append(ImageReport(service, name, error=f"{name} is not built yet"))
                continue
        reports.append(read_image(client, image, service_sdks(loaded.manifest, service), service=service))
    _print(reports, as_json, stream or sys.stdout)
    return 0 if all(r.ok for r in reports) else 1


def _print(reports, as_json: bool, stream) -> None:
    if as_json:
        document = {"schema": SCHEMA, "ok": all(r.ok for r in reports), "images": [r.as_json() for r in reports]}
        stream.write(json.dumps(document, indent=2) + "\n")
        return
    from devenv.doctor.images import outcome_of

    for report in reports:
        outcome = outcome_of(report)
        stream.write(f"{'ok  ' if report.ok else 'FAIL'}  {report.service}: {outcome.message}\n")
        for line in outcome.details[1:]:
            stream.write(f"      {line}\n")
        if outcome.hint and not report.ok:
            stream.write(f"      hint: {outcome.hint}\n")
