"""Read what `tilt alpha tiltfile-result` reports, into plain values a test can compare.

The JSON (Tilt v0.37, "the API is unstable") is a TiltfileLoadResult: ``Manifests`` in Tilt's
order, each with ``Name``, ``ResourceDependencies``, ``Labels`` (a map label -> label),
``ImageTargets`` (each with ``selector`` = the image ref and ``BuildDetails``: ``context``,
``dockerfileContents``, ``target``, ``args`` as sorted "K=V" strings, ``extraHosts``) and a
``DeployTarget`` that is either a local target (``UpdateCmdSpec.args/dir/env``, ``Deps``,
``AllowParallel``) or a Kubernetes target (``yaml`` holding every object of the resource,
``portForwardTemplateSpec.forwards``). Objects no workload claims land in a manifest named
``uncategorized``. The load log (run with ``-v``) goes to stderr, warnings included, ending with
``Successfully loaded Tiltfile (<Go duration>)``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import yaml

UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True)
class Image:
    ref: str
    context: str
    dockerfile_contents: str
    target: str
    build_args: dict[str, str]
    extra_hosts: tuple[str, ...]
    syncs: tuple[tuple[str, str], ...] = ()
    runs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    stop_paths: tuple[str, ...] = ()
    # (folder, patterns) Tilt keeps out of the build context: .dockerignore, `ignore`, `only` (sorted)
    context_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, order=True)
class K8sObject:
    kind: str
    name: str
    namespace: str


@dataclass(frozen=True, order=True)
class PortForward:
    host: str
    local: int
    container: int


@dataclass
class Resource:
    name: str
    kind: str  # local | k8s
    resource_deps: list[str]
    labels: list[str]
    images: list[Image] = field(default_factory=list)
    # local resources
    cmd: list[str] | None = None
    dir: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    deps: list[str] = field(default_factory=list)
    allow_parallel: bool | None = None
    # k8s resources
    objects: list[K8sObject] = field(default_factory=list)
    port_forwards: list[PortForward] = field(default_factory=list)


@dataclass
class Result:
    resources: dict[str, Resource]  # in Tilt's order
    enabled: list[str]
    config_files: list[str]
    log: str
    load_seconds: float | None

    @property
    def names(self) -> list[str]:
        return list(self.resources)

    def warnings_about_resource_deps(self) -> list[str]:
        """Log lines where Tilt dropped or questioned a dependency: the silent failure we prevent."""
        pattern = re.compile(r"unknown resource|dependency ignored|resource_deps", re.IGNORECASE)
        return [line for line in self.log.splitlines() if pattern.search(line)]


def _pairs(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, _, value = item.partition("=")
        out[key] = value
    return out


def _image(target: dict) -> Image:
    details = target.get("BuildDetails") or {}
    live = target.get("LiveUpdateSpec") or {}
    base = live.get("basePath") or ""

    def absolute(path: str) -> str:  # live update paths are relative to the Tiltfile's folder
        return os.path.normpath(os.path.join(base, path))

    return Image(
        ref=target["selector"],
        context=details.get("context", ""),
        dockerfile_contents=details.get("dockerfileContents", ""),
        target=details.get("target", ""),
        build_args=_pairs(details.get("args")),
        extra_hosts=tuple(details.get("extraHosts") or ()),
        syncs=tuple((absolute(s["localPath"]), s["containerPath"]) for s in live.get("syncs") or ()),
        runs=tuple((tuple(e["args"]), tuple(absolute(t) for t in e.get("triggerPaths") or ())) for e in live.get("execs") or ()),
        stop_paths=tuple(absolute(p) for p in live.get("stopPaths") or ()),
        context_ignores=tuple(sorted((i["basePath"], tuple(i["patterns"])) for i in details.get("contextIgnores") or () if i.get("patterns"))),
    )


def _objects(text: str) -> list[K8sObject]:
    objects = []
    for doc in yaml.safe_load_all(text or ""):
        if not isinstance(doc, dict):
            continue
        meta = doc.get("metadata") or {}
        objects.append(K8sObject(doc.get("kind", ""), meta.get("name", ""), meta.get("namespace") or ""))
    return sorted(objects)


def _resource(manifest: dict) -> Resource:
    deploy = manifest.get("DeployTarget") or {}
    common = dict(
        name=manifest["Name"],
        resource_deps=list(manifest.get("ResourceDependencies") or []),
        labels=sorted((manifest.get("Labels") or {}).keys()),
        images=[_image(t) for t in manifest.get("ImageTargets") or []],
    )
    if "UpdateCmdSpec" in deploy:
        spec = deploy["UpdateCmdSpec"] or {}
        return Resource(
            kind="local",
            cmd=list(spec.get("args") or []),
            dir=spec.get("dir"),
            env=_pairs(spec.get("env")),
            deps=list(deploy.get("Deps") or []),
            allow_parallel=bool(deploy.get("AllowParallel")),
            **common,
        )
    forwards = (deploy.get("portForwardTemplateSpec") or {}).get("forwards") or []
    return Resource(
        kind="k8s",
        objects=_objects(deploy.get("yaml", "")),
        port_forwards=[PortForward(f.get("host", ""), f.get("localPort", 0), f.get("containerPort", 0)) for f in forwards],
        **common,
    )


_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}


def go_duration(text: str) -> float:
    """Seconds in a Go duration string: ``1m2.5s``, ``86.9ms``, ``314.3µs``."""
    parts = re.findall(r"([0-9.]+)(h|ms|m|s|µs|us|ns)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    return sum(float(n) * _GO_UNITS[u] for n, u in parts)


def load_seconds(log: str) -> float | None:
    match = re.search(r"Successfully loaded Tiltfile \(([^)]+)\)", log)
    return go_duration(match.group(1)) if match else None


def parse(stdout: str, log: str = "") -> Result:
    data = json.loads(stdout)
    if data.get("Error"):
        raise ValueError(f"Tiltfile error reported in the result: {data['Error']}")
    resources = {}
    for manifest in data.get("Manifests") or []:
        resource = _resource(manifest)
        resources[resource.name] = resource
    return Result(
        resources=resources,
        enabled=list(data.get("EnabledManifests") or []),
        config_files=list(data.get("ConfigFiles") or []),
        log=log,
        load_seconds=load_seconds(log),
    )
