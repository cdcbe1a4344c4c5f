"""`tilt up` on the real single-node cluster (scripts/dev-cluster.sh): the SDK chains publish to
the real registries, each service image fetches its SDK from the registry *by the registry's host
name* during `docker build` (the rendered `extra_hosts` map the names to `host-gateway`), Tilt
pushes the images to the cluster's registry, and every pod becomes Ready (its readiness probe,
run by the kubelet).

The SDK version in the manifest is new for each run and only the chain's publish step puts it in
the registry: a service image that built before its chain finished would fail to fetch it. The
test reads Tilt's API (`tilt get uiresource`) and asserts that every service's first build
started after the last step of each chain it consumes finished.

The registries listen on loopback; a pass-through proxy on the test dockerd's bridge address (what
`host-gateway` resolves to) sits in front of each, as the platform's registry ingress would.
The registries are this test's own (Verdaccio, a Go proxy directory, pypiserver): it publishes
new versions to them. The example monorepo's own Dockerfiles (node, golang, python images from
Docker Hub) cannot build here, where nothing is pulled from the internet: see docs/dev-cluster.md.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.fixtures.cluster import Cluster
from tests.fixtures.manifests import build_tree
from tests.integration.judge import render_tiltfile
from tests.integration.tiltsession import TiltSession
from tests.support.faultproxy import FaultProxy
from tests.support.registries import (
    GO_MODULE,
    NPM_PACKAGE,
    GoProxy,
    Processes,
    Upstream,
    start_pypiserver,
    start_verdaccio,
)

HOSTS = {"ts": "npm.packages.dev.ameide.io", "go": "go.packages.dev.ameide.io", "python": "pypi.packages.dev.ameide.io"}
SERVICES = {"web": ["ts"], "gw": ["go"], "worker": ["python"], "both": ["ts", "go", "python"], "plain": []}

NPM_PUBLISH = """\
set -eu
echo "run ts-publish" >> steps.log
mkdir -p .pkg && cd .pkg
printf '{{"name": "%s", "version": "%s", "main": "index.js", "license": "Apache-2.0"}}\\n' "{package}" "{version}" > package.json
echo 'module.exports = {{}};' > index.js
npm publish --userconfig ../npmrc --cache ../.npm-cache --registry "{url}/" >/dev/null
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
    "ts": ('wget -qO /tmp/sdk.tgz "http://{host}:{port}/@ameideio/ameide-sdk-ts/-/ameide-sdk-ts-${{TS_SDK_VERSION}}.tgz"'
           ' && tar -xzOf /tmp/sdk.tgz package/package.json | grep -q "\\"version\\": \\"${{TS_SDK_VERSION}}\\""'),
    "go": ('wget -qO /tmp/sdk.info "http://{host}:{port}/{module}/@v/${{GO_SDK_VERSION}}.info"'
           ' && grep -q "\\"Version\\":\\"${{GO_SDK_VERSION}}\\"" /tmp/sdk.info'),
    "python": ('wget -qO /tmp/sdk.whl "http://{host}:{port}/packages/ameide_sdk-${{PYTHON_SDK_VERSION}}-py3-none-any.whl"'
               ' && unzip -p /tmp/sdk.whl "ameide_sdk-${{PYTHON_SDK_VERSION}}.dist-info/METADATA"'
               ' | grep -qx "Version: ${{PYTHON_SDK_VERSION}}"'),
}


def _deployment(name: str, namespace: str) -> str:
    serve = "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec:\n      containers:\n      - name: app\n        image: acme/{name}\n"
        f"        command: [sh, -c, '{serve}']\n"
        f"        readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}, periodSeconds: 1}}\n")


def _dockerfile(sdks: list[str], ports: dict[str, int]) -> str:
    lines = ["ARG BASE_IMAGE", "FROM ${BASE_IMAGE}"]
    for sdk in sdks:
        fetch = FETCH[sdk].format(host=HOSTS[sdk], port=ports[sdk], module=GO_MODULE)
        lines += [f"ARG {sdk.upper()}_SDK_VERSION", f"RUN {fetch}"]
    return "\n".join(lines + ["COPY app.txt /app.txt", ""])


def _manifest(namespace: str, versions: dict[str, str]) -> str:
    services = "".join(
        f"  {name}:\n    sdks: [{', '.join(sdks)}]\n    context: svc/{name}\n    image: acme/{name}\n"
        f"    k8s: [k8s/{name}.yaml]\n" for name, sdks in SERVICES.items())
    return f"""\
version: 1
project: live
build:
  extra_hosts:
    hosts: [{', '.join(HOSTS.values())}]
    target: host-gateway
  build_args:
    BASE_IMAGE: {{env: BASE_IMAGE}}
sdks:
  ts:
    language: typescript
    path: sdk/ts
    package: "{NPM_PACKAGE}"
    version: "{versions['ts']}"
    steps:
      build:   {{cmd: sh step.sh ts-build}}
      publish: {{cmd: sh publish-ts.sh}}
  go:
    language: go
    path: sdk/go
    package: {GO_MODULE}
    version: {versions['go']}
    steps:
      build:   {{cmd: sh step.sh go-build}}
      publish: {{cmd: sh publish-go.sh}}
  python:
    language: python
    path: sdk/python
    package: ameide-sdk
    version: "{versions['python']}"
    steps:
      build:   {{cmd: sh step.sh python-build}}
      publish: {{cmd: sh publish-python.sh}}
services:
{services}cluster:
  contexts: [k3d-ameide]
  namespace: {namespace}
"""


def _npm_token(url: str) -> str:
    name = f"live-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"name": name, "password": "devenv-test-pw", "type": "user", "roles": []}).encode()
    request = urllib.request.Request(f"{url}/-/user/org.couchdb.user:{name}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response)["token"]


def _repo(root: Path, namespace: str, versions: dict[str, str], ports: dict[str, int], verdaccio: Upstream,
          go_proxy_dir: Path, pypi: Upstream) -> Path:
    npm_url = verdaccio.url
    files = {
        "step.sh": 'echo "run $1" >> steps.log\n',
        "npmrc": f"//{npm_url.split('://', 1)[1]}/:_authToken={_npm_token(npm_url)}\naudit=false\nfund=false\n"
                 "update-notifier=false\n",
        "publish-ts.sh": NPM_PUBLISH.format(package=NPM_PACKAGE, version=versions["ts"], url=npm_url),
        "publish-go.sh": GO_PUBLISH.format(proxy=go_proxy_dir, module=GO_MODULE, version=versions["go"]),
        "publish-python.sh": PYPI_PUBLISH.format(version=versions["python"], url=pypi.url),
        "sdk/ts/package.json": "{}\n", "sdk/go/go.mod": f"module {GO_MODULE}\n",
        "sdk/python/pyproject.toml": "[project]\nname = 'ameide-sdk'\n",
        "services.yaml": _manifest(namespace, versions),
    }
    for name, sdks in SERVICES.items():
        files[f"svc/{name}/Dockerfile"] = _dockerfile(sdks, ports)
        files[f"svc/{name}/app.txt"] = f"{name}\n"
        files[f"k8s/{name}.yaml"] = _deployment(name, namespace)
    build_tree(root, files)
    render_tiltfile(root)
    return root


@pytest.fixture
def registries(dockerd, tmp_path):
    """This test's own Verdaccio, Go proxy directory and pypiserver (it publishes to them), each
    behind a pass-through proxy on the docker bridge address: what the registries' host names
    resolve to inside `docker build` (`host-gateway`).
    Yields (verdaccio, Go proxy folder, pypiserver, proxy port per SDK)."""
    procs = Processes()
    go = GoProxy(tmp_path / "goproxy")
    proxies: dict[str, FaultProxy] = {}
    try:
        verdaccio = start_verdaccio(tmp_path / "verdaccio", procs)
        (tmp_path / "wheels").mkdir()
        pypi = start_pypiserver("pypiserver", tmp_path / "wheels", tmp_path / "pypi", procs)
        proxies = {"ts": FaultProxy(verdaccio.address, host=dockerd.bridge_ip),
                   "go": FaultProxy(go.upstream.address, host=dockerd.bridge_ip),
                   "python": FaultProxy(pypi.address, host=dockerd.bridge_ip)}
        yield verdaccio, tmp_path / "goproxy", pypi, {sdk: proxy.port for sdk, proxy in proxies.items()}
    finally:
        for proxy in proxies.values():
            proxy.close()
        go.close()
        procs.stop()


def test_tilt_up_builds_after_the_sdks_and_every_pod_becomes_ready(
        dev_cluster: Cluster, tilt, tilt_bin, registries, tmp_path):
    verdaccio, go_proxy_dir, pypi, ports = registries
    namespace = f"live-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    patch = random.randrange(1000, 10**6)
    versions = {"ts": f"1.5.{patch}", "go": f"v1.5.{patch}", "python": f"1.5.{patch}"}
    root = _repo(tmp_path / "repo", namespace, versions, ports, verdaccio, go_proxy_dir, pypi)
    env = tilt.env({"BASE_IMAGE": dev_cluster.base_image, "DOCKER_HOST": dev_cluster.docker_host},
                   kubeconfig=dev_cluster.kubeconfig)
    steps = {f"packages:{s}-sdk-{step}" for s in HOSTS for step in ("build", "publish")}
    session = TiltSession(tilt_bin, root, env).start()
    try:
        counts = session.settle(steps | set(SERVICES), timeout=420)
        assert {n: counts[n] for n in steps | set(SERVICES)} == {n: 1 for n in steps | set(SERVICES)}, \
            session.log()[-4000:]
        for name in SERVICES:
            assert not session.history(name)[0].error, f"{name}: {session.history(name)[0].error}\n{session.log()[-4000:]}"
        for name, sdks in SERVICES.items():
            first = session.history(name)[0]
            for sdk in sdks:
                assert session.history(f"packages:{sdk}-sdk-publish")[0].finish <= first.start, (name, sdk)
        _assert_pods_ready(dev_cluster, namespace, session)
    finally:
        session.stop()
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _assert_pods_ready(cluster: Cluster, namespace: str, session: TiltSession) -> None:
    waited = cluster.kubectl("-n", namespace, "wait", "--for=condition=Available", "deployment", "--all",
                             "--timeout=120s", check=False)
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    assert waited.returncode == 0, f"{waited.stderr}\n{json.dumps([p['status'] for p in pods], indent=1)[-3000:]}"
    ready = {p["metadata"]["labels"]["app"]: p["status"]["containerStatuses"][0] for p in pods}
    assert set(ready) == set(SERVICES) and all(s["ready"] for s in ready.values()), ready
    # Every image came from the cluster's registry, where Tilt pushed it.
    assert all(s["image"].startswith(f"{cluster.registry}/") for s in ready.values()), ready
    deadline = time.monotonic() + 30  # Tilt sees the pods Ready a poll after the kubelet does
    while True:
        runtime = {name: (session.resources[name].get("status") or {}).get("runtimeStatus") for name in SERVICES}
        if runtime == {name: "ok" for name in SERVICES} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert runtime == {name: "ok" for name in SERVICES}, runtime


# -- an SDK change reaches its consumers' running pods -------------------------------------------

REBUILD_MANIFEST = """\
version: 1
project: live-rebuilds
build:
  build_args:
    BASE_IMAGE: {{env: BASE_IMAGE}}
sdks:
  a:
    language: typescript
    path: sdk/a
    package: "@acme/a"
    version: "1.0.0"
    steps:
      build:   {{cmd: sh step.sh a-build, deps: [sdk/a/src]}}
      publish: {{cmd: sh step.sh a-publish}}
services:
  uses-a: {{sdks: [a], context: svc/uses-a, image: acme/uses-a, k8s: [k8s/uses-a.yaml]}}
  plain: {{context: svc/plain, image: acme/plain, k8s: [k8s/plain.yaml]}}
cluster:
  contexts: [k3d-ameide]
  namespace: {namespace}
"""


def _pod_images(cluster: Cluster, namespace: str) -> dict[str, set[str]]:
    """Deployment -> the images of its Ready pods (what the kubelet runs, not what was asked)."""
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    out: dict[str, set[str]] = {}
    for pod in pods:
        for status in pod["status"].get("containerStatuses") or []:
            if status["ready"] and not pod["metadata"].get("deletionTimestamp"):
                out.setdefault(pod["metadata"]["labels"]["app"], set()).add(status["image"])
    return out


def _wait_running(cluster: Cluster, namespace: str, want: dict[str, str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := _pod_images(cluster, namespace)) != {k: {v} for k, v in want.items()}:
        assert time.monotonic() < deadline, f"pods run {seen}, expected {want}"
        time.sleep(1)


def test_an_sdk_edit_rolls_out_new_pods_of_exactly_its_consumers(dev_cluster: Cluster, tilt, tilt_bin, tmp_path):
    namespace = f"rebuild-{uuid.uuid4().hex[:6]}"
    dev_cluster.kubectl("create", "namespace", namespace)
    root = tmp_path / "repo"
    files = {"services.yaml": REBUILD_MANIFEST.format(namespace=namespace), "step.sh": 'echo "run $1" >> steps.log\n',
             "sdk/a/src/index.ts": "export const A = 1;\n", "sdk/a/package.json": "{}\n"}
    for name, args in (("uses-a", "ARG A_SDK_DIGEST\nRUN echo \"$A_SDK_DIGEST\" > /sdk-digest\n"), ("plain", "")):
        files[f"svc/{name}/Dockerfile"] = f"ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\n{args}COPY app.txt /app.txt\n"
        files[f"svc/{name}/app.txt"] = f"{name}\n"
        files[f"k8s/{name}.yaml"] = _deployment(name, namespace)
    build_tree(root, files)
    render_tiltfile(root)
    env = tilt.env({"BASE_IMAGE": dev_cluster.base_image, "DOCKER_HOST": dev_cluster.docker_host},
                   kubeconfig=dev_cluster.kubeconfig)
    env["PATH"] = f"{Path(tilt_bin).parent}:{env['PATH']}"  # `devenv sdk mark` asks the running Tilt
    everything = {"packages:a-sdk-build", "packages:a-sdk-publish", "uses-a", "plain"}
    session = TiltSession(tilt_bin, root, env).start()
    try:
        cold = session.settle(everything, timeout=300)
        images = _built_images(session)
        _wait_running(dev_cluster, namespace, images)

        (root / "sdk/a/src/index.ts").write_text("export const A = 2;\n")
        edited = session.settle(everything, timeout=300)
        assert {n: edited[n] - cold[n] for n in everything} == {
            "packages:a-sdk-build": 1, "packages:a-sdk-publish": 1, "uses-a": 1, "plain": 0}, session.log()[-4000:]
        rebuilt = _built_images(session)
        assert rebuilt["plain"] == images["plain"] and rebuilt["uses-a"] != images["uses-a"]
        _wait_running(dev_cluster, namespace, rebuilt)  # the new uses-a pod is Ready, plain's pod untouched
        digest = (root / ".devenv/sdk/a/publish.sha256").read_text().strip()
        shown = dev_cluster.kubectl("-n", namespace, "exec", "deploy/uses-a", "--", "cat", "/sdk-digest").stdout.strip()
        assert shown == digest
    finally:
        session.stop()
        dev_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _built_images(session: TiltSession) -> dict[str, str]:
    """Service -> the image ref Tilt last deployed (its imagemap), in the cluster's registry."""
    refs = {item["metadata"]["name"]: (item.get("status") or {}).get("image", "") for item in session.get("imagemap")}
    return {"uses-a": refs["acme_uses-a"], "plain": refs["acme_plain"]}
