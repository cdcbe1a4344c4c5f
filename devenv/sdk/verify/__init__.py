"""`devenv sdk verify`: fetch an SDK as its consumers do and check it holds everything the proto
workspace says it should (docs/verify.md).

Sources (where the artifact comes from), a name -> function map so more plug in:

- ``registry``: the manifest's ``registries.<r>`` of the SDK, by kind (npm, pypi, goproxy, oci);
- ``workspace``: the SDK's own folder (``sdks.<s>.path``) as it is on disk now;
- ``buf``: the Buf Schema Registry's generated SDK: the SDK's ``registry`` when it names one, else
  the BSR endpoint of the module's host (``https://<host>/gen/npm/v1`` ...), with the derived package
  name and the Buf version, the BSR token (``BUF_TOKEN`` / netrc) sent as a bearer to that host.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from devenv.errors import DevenvError
from devenv.sdk.verify import contents, entry
from devenv.sdk.verify.http import FetchError, Http
from devenv.sdk.verify.layout import layout_for, proto_files, proto_roots
from devenv.sdk.verify.model import Artifact, Finding, Verdict

if TYPE_CHECKING:
    from devenv.manifest.load import LoadedManifest
    from devenv.manifest.model import Registry, Sdk

SOURCES = ("registry", "workspace", "buf")


def _from_registry(loaded: "LoadedManifest", name: str, sdk: "Sdk", version: str | None) -> Artifact:
    from devenv.sdk.verify.fetch import FETCHERS

    where = loaded.display
    if not sdk.registry:
        raise DevenvError(f"SDK '{name}' names no registry", hint=f"set sdks.{name}.registry in {where}, or use --source workspace")
    if not version:
        raise DevenvError(f"SDK '{name}' has no version to verify", hint=f"set sdks.{name}.version in {where}, or pass --version")
    registry = loaded.manifest.registries.get(sdk.registry)
    if registry is None:
        raise DevenvError(f"SDK '{name}': registry '{sdk.registry}' is not in {where}")
    ca_file = str(loaded.root / registry.ca_file) if registry.ca_file else None
    http = Http(ca_file=ca_file)
    try:
        return FETCHERS[registry.kind](http, registry, sdk, version)
    finally:
        http.close()


def _from_workspace(loaded: "LoadedManifest", name: str, sdk: "Sdk", version: str | None) -> Artifact:
    from devenv.sdk.verify.unpack import folder

    if sdk.path is None:  # a Buf SDK needs no folder; --source workspace can still name it
        raise DevenvError(
            f"SDK '{name}' has no path: there is no folder to verify",
            hint=f"set sdks.{name}.path to the downloaded package folder, or verify --source registry",
        )
    path = loaded.root / sdk.path
    if not path.is_dir():
        raise FetchError(f"the SDK folder {sdk.path} does not exist")
    return Artifact(folder(path), f"folder {sdk.path}", "folder")


def _bsr_registry(loaded: "LoadedManifest", name: str, sdk: "Sdk") -> "Registry":
    """The SDK's ``registry`` when it names one (a mirror), else the BSR endpoint of the module's
    host, as doctor's registry check asks it (devenv/manifest/buf.py)."""
    from devenv.manifest import buf
    from devenv.manifest.model import Registry

    where = loaded.display
    module = buf.Ref.parse(sdk.buf.module) if sdk.buf else None
    if module is None or not sdk.package:
        raise DevenvError(f"SDK '{name}' has no buf: {{module, plugin}}", hint=f"set sdks.{name}.buf in {where}")
    if sdk.registry:
        registry = loaded.manifest.registries.get(sdk.registry)
        if registry is None:
            raise DevenvError(f"SDK '{name}': registry '{sdk.registry}' is not in {where}")
        return registry
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    return Registry(kind=buf.REGISTRY_KIND[ecosystem], url=buf.endpoint(ecosystem, module))


def _from_buf(loaded: "LoadedManifest", name: str, sdk: "Sdk", version: str | None) -> Artifact:
    import os
    from urllib.parse import urlsplit

    from devenv.manifest import buf
    from devenv.sdk.verify.fetch import FETCHERS, fetch_pypi

    registry = _bsr_registry(loaded, name, sdk)
    if not version:
        raise DevenvError(f"SDK '{name}' has no version to verify", hint=f"set sdks.{name}.version in {loaded.display}, or pass --version")
    host = urlsplit(registry.url).hostname or ""
    secret = buf.token(os.environ, host)
    ca_file = str(loaded.root / registry.ca_file) if registry.ca_file else None
    http = Http(ca_file=ca_file, bearer=(host, secret) if secret else None)
    try:
        if registry.kind == "pypi":  # the BSR's /gen/python is the simple index itself
            return fetch_pypi(http, registry, sdk, version, simple=False)
        return FETCHERS[registry.kind](http, registry, sdk, version)
    except FetchError as exc:
        if exc.status not in (401, 403):
            raise
        why = "refused the token given" if secret else "needs a token"
        raise FetchError(
            f"{exc}: the BSR {why}", exc.status, hint=f"set BUF_TOKEN (a BSR token for {host}) or run `buf registry login {host}` (verify reads ~/.netrc)"
        ) from None
    finally:
        http.close()


FETCH: dict[str, Callable[..., Artifact]] = {"registry": _from_registry, "workspace": _from_workspace, "buf": _from_buf}


def source_of(sdk: "Sdk", explicit: str | None) -> str:
    """--source, else the SDK's own ``source:`` (issue 14), else ``registry``."""
    return explicit or getattr(sdk, "source", None) or "registry"


def verify_sdk(loaded: "LoadedManifest", name: str, *, source: str | None = None, version: str | None = None) -> Verdict:
    sdk = loaded.manifest.sdks[name]
    version = version or sdk.version
    chosen = source_of(sdk, source)
    if chosen not in FETCH:
        raise DevenvError(f"unknown source '{chosen}'", hint=f"sources: {', '.join(SOURCES)}")
    verdict = Verdict(name, sdk.package_name, version, chosen)
    started = time.monotonic()
    try:
        artifact = FETCH[chosen](loaded, name, sdk, version)
    except FetchError as exc:
        verdict.findings.append(Finding("fetch", str(exc), hint=exc.hint or _fetch_hint(version)))
        return verdict
    verdict.origin = artifact.origin
    verdict.passed.extend(artifact.passed)
    verdict.findings.extend(artifact.findings)
    verdict.counts.update(files=len(artifact.files), bytes=artifact.size)
    _compare(loaded, sdk, artifact, verdict)
    verdict.counts["ms"] = round((time.monotonic() - started) * 1000)
    return verdict


def _compare(loaded: "LoadedManifest", sdk: "Sdk", artifact: Artifact, verdict: Verdict) -> None:
    found, points = entry.check(artifact, sdk, verdict.version)
    verdict.findings.extend(found)
    verdict.counts["entry_points"] = points
    proto = loaded.manifest.proto
    if proto is None:
        verdict.passed.append("no proto: section in the manifest: generated code not compared")
        return
    workspace = loaded.root / proto.path
    explicit = loaded.root / sdk.verify.proto_root if sdk.verify.proto_root else None
    protos = proto_files(proto_roots(workspace, explicit))
    if not protos:
        verdict.findings.append(
            Finding("fetch", f"the proto workspace {proto.path} holds no .proto files to compare with", hint=f"restore it (git checkout -- {proto.path})")
        )
        return
    layout = layout_for(sdk)
    gen, expected = contents.generated(artifact.files, layout, protos, sdk.language)
    verdict.findings.extend(gen)
    verdict.findings.extend(contents.raw(artifact.files, layout, protos, sdk.language))
    verdict.counts.update(protos=len(protos), generated_expected=expected)


def _fetch_hint(version: str | None) -> str:
    return (
        f"is version {version} published? `devenv doctor --only registries` checks the registry and the "
        f"manifest's version; publish it with the SDK's publish step"
    )
