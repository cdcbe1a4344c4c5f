"""Fetch an SDK's published artifact exactly as its consumers' package manager would, checking
the integrity the registry vouches for on the way:

- npm: the package document, then ``versions[v].dist.tarball``, checked against ``dist.integrity``
  (SRI, sha512) or else ``dist.shasum`` (sha1);
- PyPI: the project's simple index (PEP 691 JSON or PEP 503 HTML), a wheel of the version, checked
  against the index's ``sha256``; then every file against the wheel's own ``RECORD``;
- Go: ``@v/<version>.zip`` and ``.mod`` from the module proxy; the zip's ``go.mod`` must equal the
  ``.mod`` (the go command refuses a mismatch) and its ``h1:`` hash is compared with a ``go.sum``
  line of the repository when one exists;
- OCI: ``/v2/<name>/manifests/<tag>`` and every layer blob, each checked against its digest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from devenv.deps.specs import go_version
from devenv.deps.wire import go_escape, npm_path, pypi_normalize
from devenv.deps.wire import same_pypi_version as same_version
from devenv.sdk.verify import unpack
from devenv.sdk.verify.http import FetchError, Http
from devenv.sdk.verify.model import Artifact, Finding

if TYPE_CHECKING:
    from devenv.manifest.model import Registry, Sdk

NPM_ACCEPT = "application/json"
PYPI_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
OCI_ACCEPT = ", ".join(("application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"))


def _base(registry: "Registry") -> str:
    return registry.url.rstrip("/")


# -- npm ---------------------------------------------------------------------------------------------


def fetch_npm(http: Http, registry: "Registry", sdk: "Sdk", version: str) -> Artifact:
    body, _, _ = http.get(_base(registry) + npm_path(sdk.package_name), accept=NPM_ACCEPT)
    document = json.loads(body)
    entry = (document.get("versions") or {}).get(version)
    if not isinstance(entry, dict):
        raise FetchError(f"{sdk.package}@{version} is not in the registry's package document")
    dist = entry.get("dist") or {}
    tarball = dist.get("tarball")
    if not tarball:
        raise FetchError(f"{sdk.package}@{version} has no dist.tarball")
    data, _, shown = http.get(tarball)
    artifact = Artifact(unpack.npm_tarball(data), f"npm tarball {shown}", "npm", size=len(data))
    _npm_integrity(artifact, data, dist)
    return artifact


def _npm_integrity(artifact: Artifact, data: bytes, dist: dict) -> None:
    integrity = str(dist.get("integrity") or "")
    hashes = [h for h in integrity.split() if "-" in h]
    for item in hashes:
        algo, _, expected = item.partition("-")
        if algo not in ("sha512", "sha384", "sha256"):
            continue
        actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
        if actual == expected.split("?", 1)[0]:
            artifact.passed.append(f"tarball matches dist.integrity ({algo})")
            return
        artifact.findings.append(
            Finding(
                "integrity",
                f"the tarball's {algo} is {actual[:16]}…, dist.integrity says {expected[:16]}…",
                hint="republish the version (npm publish) or clear the registry's storage of it: the file is corrupt or replaced",
            )
        )
        return
    shasum = dist.get("shasum")
    if shasum:
        actual = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        if actual == shasum:
            artifact.passed.append("tarball matches dist.shasum (sha1)")
        else:
            artifact.findings.append(Finding("integrity", f"the tarball's sha1 is {actual}, dist.shasum says {shasum}"))
        return
    artifact.findings.append(
        Finding(
            "integrity",
            "the package document gives no dist.integrity or dist.shasum",
            hint="the registry does not vouch for the tarball; npm would refuse a lockfile install",
        )
    )


# -- PyPI --------------------------------------------------------------------------------------------

_ANCHOR = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.I)


def _pypi_links(body: bytes, content_type: str, page: str) -> list[tuple[str, str, dict[str, str]]]:
    """``[(filename, absolute url, {algo: hex})]`` from a simple project page."""
    import html
    from urllib.parse import unquote, urlsplit

    found = []
    if "json" in content_type:
        for entry in json.loads(body).get("files", []):
            url = urljoin(page, entry.get("url", ""))
            found.append((entry.get("filename", ""), url, dict(entry.get("hashes") or {})))
        return found
    for match in _ANCHOR.finditer(body.decode("utf-8", "replace")):
        href = html.unescape(match.group(1))
        url, _, fragment = href.partition("#")
        hashes = dict([fragment.split("=", 1)]) if "=" in fragment else {}
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        found.append((name, urljoin(page, url), hashes))
    return found


def _wheel_version(filename: str, project: str) -> str | None:
    parts = filename[:-4].split("-") if filename.endswith(".whl") else []
    if len(parts) >= 5 and pypi_normalize(parts[0]) == pypi_normalize(project):
        return parts[1]
    return None


def fetch_pypi(http: Http, registry: "Registry", sdk: "Sdk", version: str, *, simple: bool = True) -> Artifact:
    """``simple=False``: the URL is the simple index itself (the BSR's ``/gen/python``), no ``/simple`` added."""
    base = _base(registry)
    base = base if base.endswith("/simple") or not simple else base + "/simple"
    page = f"{base}/{pypi_normalize(sdk.package_name)}/"
    body, content_type, final = http.get(page, accept=PYPI_ACCEPT)
    links = [link for link in _pypi_links(body, content_type, final) if (v := _wheel_version(link[0], sdk.package_name)) and same_version(v, version)]
    if not links:
        raise FetchError(f"the index lists no wheel of {sdk.package} {version} at {page}")
    links.sort(key=lambda link: ("-none-any" not in link[0], link[0]))  # the pure wheel first
    filename, url, hashes = links[0]
    data, _, shown = http.get(url)
    artifact = Artifact(unpack.wheel(data), f"wheel {shown}", "wheel", size=len(data))
    expected = hashes.get("sha256")
    actual = hashlib.sha256(data).hexdigest()
    if expected is None:
        artifact.findings.append(
            Finding("integrity", f"the index gives no sha256 for {filename}", hint="pip --require-hashes would refuse it; serve #sha256= links")
        )
    elif expected != actual:
        artifact.findings.append(
            Finding(
                "integrity", f"{filename} has sha256 {actual}, the index says {expected}", hint="the file on the index is corrupt or replaced: upload it again"
            )
        )
    else:
        artifact.passed.append(f"{filename} matches the index's sha256")
    unpack.check_record(artifact)
    return artifact


# -- Go module proxy ---------------------------------------------------------------------------------


def fetch_go(http: Http, registry: "Registry", sdk: "Sdk", version: str) -> Artifact:
    version = go_version(version)
    prefix = f"{_base(registry)}/{go_escape(sdk.package_name)}/@v/{go_escape(version)}"
    data, _, shown = http.get(prefix + ".zip")
    mod, _, _ = http.get(prefix + ".mod")
    files = unpack.go_zip(data, sdk.package_name, version)
    artifact = Artifact(files, f"module zip {shown}", "gomod", size=len(data))
    if files.get("go.mod") is None:
        artifact.findings.append(Finding("integrity", "the module zip holds no go.mod", path="go.mod"))
    elif files["go.mod"] != mod:
        artifact.findings.append(
            Finding(
                "integrity",
                "the zip's go.mod differs from the proxy's .mod file: the go command refuses this module (\"go.mod mismatch\")",
                path="go.mod",
                hint="republish the module version: the proxy's files disagree",
            )
        )
    else:
        artifact.passed.append("the zip's go.mod equals the proxy's .mod")
    artifact.passed.append(f"h1 hash {unpack.go_h1(data)}")
    return artifact


# -- OCI (an SDK shipped as an image) -----------------------------------------------------------------


def fetch_oci(http: Http, registry: "Registry", sdk: "Sdk", version: str) -> Artifact:
    base = _base(registry)
    body, _, shown = http.get(f"{base}/v2/{sdk.package}/manifests/{version}", accept=OCI_ACCEPT)
    manifest = json.loads(body)
    layers = []
    findings, passed, size = [], [], 0
    for layer in manifest.get("layers") or []:
        digest = layer.get("digest", "")
        blob, _, _ = http.get(f"{base}/v2/{sdk.package}/blobs/{digest}")
        size += len(blob)
        algo, _, expected = digest.partition(":")
        if hashlib.new(algo or "sha256", blob).hexdigest() != expected:
            findings.append(Finding("integrity", f"layer {digest[:19]}… does not match its digest"))
        else:
            passed.append(f"layer {digest[:19]}… matches its digest")
        layers.append(blob)
    artifact = Artifact(unpack.oci_layers(layers), f"image {shown}", "oci", passed, findings, size)
    return artifact


FETCHERS = {"npm": fetch_npm, "pypi": fetch_pypi, "goproxy": fetch_go, "oci": fetch_oci}
