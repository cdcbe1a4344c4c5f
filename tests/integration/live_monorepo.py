"""The live test monorepo, shared by the tests and bench/ that run `tilt up` on the dev cluster
(scripts/dev-cluster.sh): three SDK chains (ts, go, python) whose publish steps publish a version
new to the run to real registries (Verdaccio, a Go proxy directory, pypiserver), and five services
whose images fetch and verify their SDK at that version *by the registry's host name* during
`docker build` (only the rendered `extra_hosts`, `host-gateway`, resolve those names).

The registries listen on loopback; a pass-through proxy (tests/support/faultproxy.py) on the test
dockerd's bridge address (what `host-gateway` resolves to) sits in front of each, as the
platform's registry ingress would; a test can switch it to a fault (HTTP 500, closed).
"""

from __future__ import annotations

import contextlib
import json
import random
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from tests.fixtures.manifests import build_tree
from tests.integration.judge import render_tiltfile
from tests.support.faultproxy import FaultProxy
from tests.support.registries import GO_MODULE, NPM_PACKAGE, GoProxy, Processes, Upstream, start_pypiserver, start_verdaccio

HOSTS = {"ts": "npm.packages.dev.ameide.io", "go": "go.packages.dev.ameide.io", "python": "pypi.packages.dev.ameide.io"}
SERVICES = {"web": ["ts"], "gw": ["go"], "worker": ["python"], "both": ["ts", "go", "python"], "plain": []}

NPM_PUBLISH = """\
set -eu
echo "run ts-publish" >> steps.log
mkdir -p .pkg && cd .pkg
printf '{{"name": "%s", "version": "%s", "main": "index.js", "license": "Apache-2.0"}}\\n' "{package}" "{version}" > package.json
echo 'module.exports = {{}};' > index.js
# A dist-tag of its own: npm refuses to move `latest` below a higher version a former run published.
npm publish --tag live --userconfig ../npmrc --cache ../.npm-cache --registry "{url}/" >/dev/null
"""

GO_PUBLISH = """\
set -eu
echo "run go-publish" >> steps.log
# A GOPROXY directory: publishing a version is writing its .info, .mod and .zip, then listing it.
dir="{proxy}/{module}/@v"
printf '{{"Version":"%s","Time":"2026-11-30T00:00:00Z"}}' "{version}" > "$dir/{version}.info"
printf 'module {module}\\n\\ngo 1.21\\n' > "$dir/{version}.mod"
rm -rf .zip && mkdir -p ".zip/{module}@{version}" && cp "$dir/{version}.mod" ".zip/{module}@{version}/go.mod"
(cd .zip && python3 -m zipfile -c "$dir/{version}.zip" "{module}@{version}")
echo "{version}" >> "$dir/list"
"""

PYPI_PUBLISH = """\
set -eu
echo "run python-publish" >> steps.log
# A wheel (the metadata is all the consumer reads), uploaded the way twine does.
wheel="ameide_sdk-{version}-py3-none-any.whl"
python3 - "$wheel" <<'PY'
import sys, zipfile
info = "ameide_sdk-{version}.dist-info"
with zipfile.ZipFile(sys.argv[1], "w") as wheel:
    wheel.writestr("ameide_sdk/__init__.py", "VERSION = '{version}'\\n")
    wheel.writestr(f"{{info}}/METADATA", "Metadata-Version: 2.1\\nName: ameide-sdk\\nVersion: {version}\\n")
    wheel.writestr(f"{{info}}/WHEEL", "Wheel-Version: 1.0\\nGenerator: devenv-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    wheel.writestr(f"{{info}}/RECORD", "")
PY
curl -sf -F :action=file_upload -F name=ameide-sdk -F version={version} -F "content=@$wheel" "{url}/" >/dev/null
"""

# Each image fetches and verifies its SDK at the version Tilt passes, from the registry by host
# name (busybox wget, tar, grep): no SDK, no image.
FETCH = {
    "ts": (
        'wget -qO /tmp/sdk.tgz "http://{host}:{port}/@ameideio/ameide-sdk-ts/-/ameide-sdk-ts-${{TS_SDK_VERSION}}.tgz"'
        ' && tar -xzOf /tmp/sdk.tgz package/package.json | grep -q "\\"version\\": \\"${{TS_SDK_VERSION}}\\""'
    ),
    "go": (
        'wget -qO /tmp/sdk.info "http://{host}:{port}/{module}/@v/${{GO_SDK_VERSION}}.info" && grep -q "\\"Version\\":\\"${{GO_SDK_VERSION}}\\"" /tmp/sdk.info'
    ),
    "python": (
        'wget -qO /tmp/sdk.whl "http://{host}:{port}/packages/ameide_sdk-${{PYTHON_SDK_VERSION}}-py3-none-any.whl"'
        ' && unzip -p /tmp/sdk.whl "ameide_sdk-${{PYTHON_SDK_VERSION}}.dist-info/METADATA"'
        ' | grep -qx "Version: ${{PYTHON_SDK_VERSION}}"'
    ),
}


def deployment(name: str, namespace: str) -> str:
    serve = "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec:\n      containers:\n      - name: app\n        image: acme/{name}\n"
        f"        command: [sh, -c, '{serve}']\n"
        f"        readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}, periodSeconds: 1}}\n"
    )


def _dockerfile(sdks: list[str], ports: dict[str, int]) -> str:
    lines = ["ARG BASE_IMAGE", "FROM ${BASE_IMAGE}"]
    for sdk in sdks:
        fetch = FETCH[sdk].format(host=HOSTS[sdk], port=ports[sdk], module=GO_MODULE)
        # The chain's result digest (docs/tiltfile-sdk-rebuilds.md) kept in the image: a new
        # digest is a new layer, so an SDK change rolls out a new image, not a cached one.
        digest = f"{sdk.upper()}_SDK_DIGEST"
        lines += [f"ARG {sdk.upper()}_SDK_VERSION", f"ARG {digest}", f'RUN {fetch} && echo "${{{digest}}}" > /sdk-{sdk}.digest']
    return "\n".join(lines + ["COPY app.txt /app.txt", ""])


def manifest(namespace: str, versions: dict[str, str], registry_ports: dict[str, int] | None = None) -> str:
    """The monorepo's services.yaml; with ``registry_ports`` (SDK -> port) it also declares the three
    registries by host name (what `devenv doctor --only registries` and `devenv why` check)."""
    services = "".join(
        f"  {name}:\n    sdks: [{', '.join(sdks)}]\n    context: svc/{name}\n    image: acme/{name}\n    k8s: [k8s/{name}.yaml]\n"
        for name, sdks in SERVICES.items()
    )
    text = f"""\
version: 1
project: live
build:
  extra_hosts:
    hosts: [{", ".join(HOSTS.values())}]
    target: host-gateway
  build_args:
    BASE_IMAGE: {{env: BASE_IMAGE}}
sdks:
  ts:
    language: typescript
    path: sdk/ts
    package: "{NPM_PACKAGE}"
    version: "{versions["ts"]}"
    steps:
      build:   {{cmd: sh step.sh ts-build}}
      publish: {{cmd: sh publish-ts.sh}}
  go:
    language: go
    path: sdk/go
    package: {GO_MODULE}
    version: {versions["go"]}
    steps:
      build:   {{cmd: sh step.sh go-build, deps: [sdk/go/src]}}  # an edit runs the chain again
      publish: {{cmd: sh publish-go.sh}}
  python:
    language: python
    path: sdk/python
    package: ameide-sdk
    version: "{versions["python"]}"
    steps:
      build:   {{cmd: sh step.sh python-build}}
      publish: {{cmd: sh publish-python.sh}}
services:
{services}cluster:
  contexts: [k3d-ameide]
  namespace: {namespace}
"""
    return text if registry_ports is None else _with_registries(text, registry_ports)


def _with_registries(text: str, ports: dict[str, int]) -> str:
    doc = yaml.safe_load(text)
    doc["registries"] = {REGISTRY_NAMES[sdk]: {"kind": kind, "url": f"http://{HOSTS[sdk]}:{ports[sdk]}"} for sdk, kind in REGISTRY_KINDS.items()}
    for sdk, name in REGISTRY_NAMES.items():
        doc["sdks"][sdk]["registry"] = name
    return yaml.safe_dump(doc, sort_keys=False)


def _npm_token(url: str) -> str:
    name = f"live-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"name": name, "password": "devenv-test-pw", "type": "user", "roles": []}).encode()
    request = urllib.request.Request(f"{url}/-/user/org.couchdb.user:{name}", data=body, method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response)["token"]


def build_repo(root: Path, namespace: str, versions: dict[str, str], registries: "LiveRegistries", *, with_registries: bool = False) -> Path:
    """The monorepo under ``root``, its Tiltfile rendered by devenv."""
    verdaccio, go_proxy_dir, pypi, ports = registries.verdaccio, registries.go_proxy_dir, registries.pypi, registries.ports
    npm_url = verdaccio.url
    files = {
        "step.sh": 'echo "run $1" >> steps.log\n',
        "npmrc": f"//{npm_url.split('://', 1)[1]}/:_authToken={_npm_token(npm_url)}\naudit=false\nfund=false\nupdate-notifier=false\n",
        "publish-ts.sh": NPM_PUBLISH.format(package=NPM_PACKAGE, version=versions["ts"], url=npm_url),
        "publish-go.sh": GO_PUBLISH.format(proxy=go_proxy_dir, module=GO_MODULE, version=versions["go"]),
        "publish-python.sh": PYPI_PUBLISH.format(version=versions["python"], url=pypi.url),
        "sdk/ts/package.json": "{}\n",
        "sdk/go/go.mod": f"module {GO_MODULE}\n",
        "sdk/go/src/sdk.go": "package sdk\n\nconst Edit = 0\n",
        "sdk/python/pyproject.toml": "[project]\nname = 'ameide-sdk'\n",
        "services.yaml": manifest(namespace, versions, ports if with_registries else None),
    }
    for name, sdks in SERVICES.items():
        files[f"svc/{name}/Dockerfile"] = _dockerfile(sdks, ports)
        files[f"svc/{name}/app.txt"] = f"{name}\n"
        files[f"k8s/{name}.yaml"] = deployment(name, namespace)
    build_tree(root, files)
    render_tiltfile(root)
    return root


REGISTRY_NAMES = {"ts": "npm", "go": "go", "python": "pypi"}
REGISTRY_KINDS = {"ts": "npm", "go": "goproxy", "python": "pypi"}


def fresh_versions() -> dict[str, str]:
    """SDK versions no registry holds yet: only the chains' publish steps put them there."""
    patch = random.randrange(1000, 10**6)
    return {"ts": f"1.5.{patch}", "go": f"v1.5.{patch}", "python": f"1.5.{patch}"}


@dataclass
class LiveRegistries:
    verdaccio: Upstream
    go_proxy_dir: Path
    pypi: Upstream
    proxies: dict[str, FaultProxy]  # SDK -> the proxy on the bridge address in front of its registry

    @property
    def ports(self) -> dict[str, int]:
        return {sdk: proxy.port for sdk, proxy in self.proxies.items()}


@contextlib.contextmanager
def live_registries(folder: Path, bridge_ip: str) -> Iterator[LiveRegistries]:
    """Verdaccio, a Go proxy directory and pypiserver of the caller's own (it publishes to them),
    each behind a pass-through proxy on ``bridge_ip``; all stopped at exit."""
    procs = Processes()
    go = GoProxy(folder / "goproxy")
    proxies: dict[str, FaultProxy] = {}
    try:
        verdaccio = start_verdaccio(folder / "verdaccio", procs)
        (folder / "wheels").mkdir()
        pypi = start_pypiserver("pypiserver", folder / "wheels", folder / "pypi", procs)
        proxies = {
            "ts": FaultProxy(verdaccio.address, host=bridge_ip),
            "go": FaultProxy(go.upstream.address, host=bridge_ip),
            "python": FaultProxy(pypi.address, host=bridge_ip),
        }
        yield LiveRegistries(verdaccio, folder / "goproxy", pypi, proxies)
    finally:
        for proxy in proxies.values():
            proxy.close()
        go.close()
        procs.stop()
