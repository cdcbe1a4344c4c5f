"""Ask the real Tilt what a Tiltfile means: `tilt alpha tiltfile-result`, parsed into plain values.

The JSON (Tilt >= 0.33; "the API is unstable") is a TiltfileLoadResult: ``Manifests`` in Tilt's
order, each with ``Name``, ``TriggerMode`` (0 auto, 1 manual with auto init, 2 manual, 3 auto with
manual init), ``ResourceDependencies``, ``Labels``, ``ImageTargets`` (``BuildDetails`` = the
DockerImageSpec: ``context``, ``dockerfileContents``, ``args`` "K=V", ``extraHosts``) and a
``DeployTarget``: a local target (``UpdateCmdSpec``, ``ServeCmd``, ``Deps``, ``AllowParallel``,
``Links``) or a Kubernetes target (``yaml``, ``portForwardTemplateSpec``). ``ConfigFiles`` lists
every file the load read: included Tiltfiles, Kubernetes YAML, Dockerfiles, chart folders.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from devenv.errors import DevenvError

UNCATEGORIZED = "uncategorized"
# TriggerMode -> (trigger, auto_init), pkg/model/trigger_mode.go
TRIGGER_MODES = {0: ("auto", True), 1: ("manual", True), 2: ("manual", False), 3: ("auto", False)}
INSTALL_HINT = "install Tilt (https://docs.tilt.dev/install.html) or point DEVENV_TILT at its binary"


@dataclass(frozen=True)
class Image:
    ref: str
    context: str
    dockerfile_contents: str
    target: str
    build_args: tuple[tuple[str, str], ...]
    extra_hosts: tuple[str, ...]
    syncs: tuple[tuple[str, str], ...] = ()
    runs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fall_back_on: tuple[str, ...] = ()
    ignores: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()  # DockerImageSpec features the manifest cannot say


@dataclass(frozen=True, order=True)
class K8sObject:
    kind: str
    name: str
    namespace: str


@dataclass
class Resource:
    name: str
    kind: str  # local | k8s | other
    resource_deps: list[str]
    labels: list[str]
    trigger: str = "auto"
    auto_init: bool = True
    images: list[Image] = field(default_factory=list)
    cmd: list[str] | None = None
    serve_cmd: list[str] | None = None
    dir: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    deps: list[str] = field(default_factory=list)
    allow_parallel: bool = False
    links: list[str] = field(default_factory=list)
    readiness_probe: bool = False
    objects: list[K8sObject] = field(default_factory=list)
    port_forwards: list[tuple[str, int, int]] = field(default_factory=list)
    yaml: str = ""  # the Kubernetes objects as Tilt will apply them


@dataclass
class Result:
    resources: dict[str, Resource]
    config_files: list[str]
    secrets: list[str]  # secret values Tilt scrubs from logs (from Kubernetes Secrets)
    log: str = ""

    @property
    def names(self) -> list[str]:
        return list(self.resources)


def tilt_binary(env: dict[str, str]) -> str:
    """$DEVENV_TILT, else `tilt` on the PATH Tilt will run with."""
    explicit = env.get("DEVENV_TILT")
    found = explicit if explicit and os.access(explicit, os.X_OK) else shutil.which("tilt", path=env.get("PATH"))
    if not found:
        raise DevenvError("`tilt` not found: import asks the real Tilt what the Tiltfile means", hint=INSTALL_HINT)
    return found


def run_tilt(tiltfile: Path, env: dict[str, str], timeout: float = 180) -> Result:
    """Load ``tiltfile`` in Tilt (no cluster is contacted) and parse what it reports."""
    cmd = [tilt_binary(env), "alpha", "tiltfile-result", "-v", "-f", str(tiltfile)]
    try:
        proc = subprocess.run(cmd, cwd=tiltfile.parent, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DevenvError(f"Tilt took more than {timeout:.0f}s to load {tiltfile}", hint="does the Tiltfile run a slow local() command?")
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:])
        raise DevenvError(
            f"Tilt could not load {tiltfile} (exit {proc.returncode}):\n{tail}",
            hint="fix the Tiltfile until `tilt alpha tiltfile-result` loads it",
            exit_code=1,
        )
    return parse(proc.stdout, proc.stderr)


def _pairs(items) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(item.partition("=")[::2]) for item in items or ())


def _image(target: dict) -> Image:
    details = target.get("BuildDetails") or {}
    live = target.get("LiveUpdateSpec") or {}
    base = live.get("basePath") or ""

    def absolute(path: str) -> str:
        return os.path.normpath(os.path.join(base, path))

    unsupported = [key for key in ("sshAgentConfigs", "secrets", "network", "cacheFrom", "platform", "extraTags", "pull") if details.get(key)]
    if not details and target:
        unsupported.append("custom_build")
    ignores = tuple(p for i in details.get("contextIgnores") or () for p in i.get("patterns") or ())
    return Image(
        ref=(target.get("selector") or target.get("ref") or ""),
        context=details.get("context", ""),
        dockerfile_contents=details.get("dockerfileContents", ""),
        target=details.get("target", ""),
        build_args=_pairs(details.get("args")),
        extra_hosts=tuple(details.get("extraHosts") or ()),
        syncs=tuple((absolute(s["localPath"]), s["containerPath"]) for s in live.get("syncs") or ()),
        runs=tuple(
            (" ".join(e["args"][2:]) if e["args"][:2] == ["sh", "-c"] else " ".join(e["args"]), tuple(absolute(t) for t in e.get("triggerPaths") or ()))
            for e in live.get("execs") or ()
        ),
        fall_back_on=tuple(absolute(p) for p in live.get("stopPaths") or ()),
        ignores=ignores,
        unsupported=tuple(unsupported),
    )


def _links(deploy: dict) -> list[str]:
    """Links as text; ``URL`` is Go's url.URL (Scheme, Host, Path, RawQuery)."""
    out = []
    for link in deploy.get("Links") or []:
        url = link.get("URL") or {}
        if isinstance(url, dict):
            query = f"?{url['RawQuery']}" if url.get("RawQuery") else ""
            url = f"{url.get('Scheme', '')}://{url.get('Host', '')}{url.get('Path', '')}{query}"
        out.append(url + (f" ({link['Name']})" if link.get("Name") else ""))
    return out


def _objects(text: str) -> list[K8sObject]:
    objects = []
    for doc in yaml.safe_load_all(text or ""):
        if isinstance(doc, dict):
            meta = doc.get("metadata") or {}
            objects.append(K8sObject(doc.get("kind", ""), meta.get("name", ""), meta.get("namespace") or ""))
    return sorted(objects)


def _resource(manifest: dict) -> Resource:
    deploy = manifest.get("DeployTarget") or {}
    trigger, auto_init = TRIGGER_MODES.get(manifest.get("TriggerMode") or 0, ("auto", True))
    common = dict(
        name=manifest["Name"],
        resource_deps=list(manifest.get("ResourceDependencies") or []),
        labels=sorted((manifest.get("Labels") or {}).keys()),
        trigger=trigger,
        auto_init=auto_init,
        images=[_image(t) for t in manifest.get("ImageTargets") or []],
    )
    if "UpdateCmdSpec" in deploy or "ServeCmd" in deploy:
        spec = deploy.get("UpdateCmdSpec") or {}
        serve = (deploy.get("ServeCmd") or {}).get("Argv") or None
        return Resource(
            kind="local",
            cmd=list(spec.get("args") or []) or None,
            serve_cmd=serve,
            dir=spec.get("dir"),
            env=dict(_pairs(spec.get("env"))),
            deps=list(deploy.get("Deps") or []),
            allow_parallel=bool(deploy.get("AllowParallel")),
            links=_links(deploy),
            readiness_probe=bool(deploy.get("ReadinessProbe")),
            **common,
        )
    if "yaml" in deploy or "portForwardTemplateSpec" in deploy:
        forwards = (deploy.get("portForwardTemplateSpec") or {}).get("forwards") or []
        return Resource(
            kind="k8s",
            objects=_objects(deploy.get("yaml", "")),
            yaml=deploy.get("yaml", ""),
            port_forwards=sorted((f.get("host", ""), f.get("localPort", 0), f.get("containerPort", 0)) for f in forwards),
            links=_links(deploy),
            **common,
        )
    return Resource(kind="other", **common)


def parse(stdout: str, log: str = "") -> Result:
    data = json.loads(stdout)
    if data.get("Error"):
        raise DevenvError(f"Tilt reports an error loading the Tiltfile: {data['Error']}", exit_code=1)
    resources = {}
    for manifest in data.get("Manifests") or []:
        resource = _resource(manifest)
        resources[resource.name] = resource
    return Result(resources, list(data.get("ConfigFiles") or []), _secret_values(data.get("Secrets")), log)


def _secret_values(secrets) -> list[str]:
    """The plain values of Kubernetes Secrets Tilt saw (``Value`` is []byte: base64 in JSON)."""
    values = []
    for secret in (secrets or {}).values() if isinstance(secrets, dict) else secrets or ():
        try:
            value = base64.b64decode(secret.get("Value") or "").decode("utf-8", "replace")
        except ValueError:
            continue
        if value:
            values.append(value)
    return values
