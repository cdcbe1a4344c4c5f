"""Per service: the SDK versions its image holds against the manifest's, and the layer each
came from. Used by the ``images`` doctor group, ``devenv verify images`` and ``devenv sdk assert``."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devenv.images.installed import Copy, Probe

if TYPE_CHECKING:
    from devenv.manifest.model import Manifest, Sdk


@dataclass(frozen=True)
class SdkInImage:
    sdk: str
    package: str
    expected: str | None
    copies: tuple[Copy, ...]
    status: str  # ok | stale | missing | extra-copies | unpinned
    message: str
    hint: str = ""

    def as_json(self) -> dict:
        return {
            "sdk": self.sdk,
            "package": self.package,
            "expected": self.expected,
            "status": self.status,
            "found": [
                {
                    "version": c.version,
                    "path": c.path,
                    "layer": ({"index": c.layer.index, "digest": c.layer.digest, "created_by": c.layer.created_by} if c.layer else None),
                }
                for c in self.copies
            ],
            "message": self.message,
            "hint": self.hint or None,
        }


@dataclass
class ImageReport:
    service: str | None
    image: str  # the reference read
    image_id: str = ""
    sdks: list[SdkInImage] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and all(s.status in ("ok", "unpinned", "extra-copies") for s in self.sdks)

    def as_json(self) -> dict:
        return {
            "service": self.service,
            "image": self.image,
            "id": self.image_id or None,
            "ok": self.ok,
            "error": self.error or None,
            "sdks": [s.as_json() for s in self.sdks],
        }


def _where(copy: Copy) -> str:
    if copy.layer is None:
        return copy.path
    step = f": {copy.layer.created_by}" if copy.layer.created_by else ""
    return f"{copy.path} (layer {copy.layer.index}{step})"


def judge(name: str, sdk: "Sdk", copies: list[Copy], build_arg: str) -> SdkInImage:
    """One SDK's verdict: the shallowest copy decides; other copies that differ are named."""
    expected = sdk.version
    same = _same(sdk.language)
    if not copies:
        return SdkInImage(
            name,
            sdk.package_name,
            expected,
            (),
            "missing",
            f"holds no {sdk.package_name}",
            hint=f"install {sdk.package_name}@{expected or '<version>'} in the Dockerfile (build arg {build_arg})",
        )
    first = copies[0]
    if expected is None:
        return SdkInImage(
            name, sdk.package_name, None, tuple(copies), "unpinned", f"holds {sdk.package} {first.version} at {_where(first)}; the manifest pins no version"
        )
    if not same(first.version, expected):
        return SdkInImage(
            name,
            sdk.package_name,
            expected,
            tuple(copies),
            "stale",
            f"holds {sdk.package} {first.version}, expected {expected}: {_where(first)}",
            hint=_stale_hint(build_arg),
        )
    others = [c for c in copies[1:] if not same(c.version, expected)]
    if others:
        return SdkInImage(
            name,
            sdk.package_name,
            expected,
            tuple(copies),
            "extra-copies",
            f"holds {sdk.package} {expected}, and also {', '.join(f'{c.version} at {_where(c)}' for c in others)}",
        )
    return SdkInImage(name, sdk.package_name, expected, tuple(copies), "ok", f"{sdk.package_name} {first.version} at {_where(first)}")


def _stale_hint(build_arg: str) -> str:
    return (
        f"the install layer was built (or cached) with another version: make the step that installs the SDK use "
        f"ARG {build_arg}, so a new version changes its cache key, and add `devenv sdk assert` right after it "
        f"(docs/verify.md); then rebuild (tilt trigger <service>, or docker build --no-cache)"
    )


def _same(language: str):
    if language == "python":
        return _same_pep440
    if language == "go":
        return lambda a, b: a == (b if b.startswith("v") else "v" + b)
    return lambda a, b: a == b


def _same_pep440(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def service_sdks(manifest: "Manifest", service: str) -> dict[str, "Sdk"]:
    from devenv.manifest.relations import consumed_sdks

    return {name: manifest.sdks[name] for name in consumed_sdks(manifest, manifest.services[service])}


def read_image(client, ref: str, sdks: dict[str, "Sdk"], *, service: str | None = None) -> ImageReport:
    """Save ``ref`` from the daemon (nothing runs) and judge every SDK in ``sdks``."""
    import docker.errors

    from devenv.images import archive
    from devenv.manifest.model import sdk_build_arg

    report = ImageReport(service, ref)
    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        report.error = f"no image {ref} in the Docker daemon"
        return report
    report.image_id = image.id
    probe = Probe(sdks)
    with tempfile.TemporaryFile() as spool:
        for chunk in image.save(named=False):
            spool.write(chunk)
        spool.seek(0)
        hits = archive.scan(spool, probe.wanted)
    found = probe.copies(hits.values())
    report.sdks = [judge(name, sdk, found[name], sdk_build_arg(name, sdk)) for name, sdk in sdks.items()]
    return report


def newest_image(client, repository: str) -> str | None:
    """The newest local tag of ``repository`` (Tilt tags its builds ``<image>:tilt-<hash>``)."""
    images = client.images.list(name=repository)
    tagged = [
        (img.attrs.get("Created", ""), tag)
        for img in images
        for tag in img.tags
        if tag.rsplit(":", 1)[0] == repository or tag.rsplit(":", 1)[0].endswith("/" + repository)
    ]
    return max(tagged)[1] if tagged else None
