"""Which workload Tilt will make a resource of, read from a service's k8s YAML.

Tilt (internal/tiltfile/tiltfile_state.go assembleK8sByWorkload, v0.37) makes a workload of
every object in which it finds a container image (k8s.FindImages returns every container's
image, built or not; checked against the real Tilt in tests/integration/test_tilt_naming.py)
and of every Job/CronJob, naming them with the shortest unique lowercase fragment of
``name:kind:namespace:group`` across the whole Tiltfile; other pod-creating objects get a
resource named just ``name``. `k8s_resource(workload=…)` must use exactly that name, or Tilt
stops loading the Tiltfile.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from devenv.errors import DevenvError
from devenv.manifest.images import repository
from devenv.render.kubeyaml import load_documents
from devenv.util.yamlresolve import install_fast_resolver

_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _KubeLoader(_FAST_SAFE_LOADER):  # type: ignore[valid-type,misc]  # chosen at import time
    """Plain scalars stay text, as Kubernetes (sigs.k8s.io/yaml) reads the string fields devenv
    looks at: `name: on` is the name "on", not true, and `name: 0x1F` is not 31. Only null and
    merge keys are resolved."""


_KubeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, resolvers in _FAST_SAFE_LOADER.yaml_implicit_resolvers.items()
}
install_fast_resolver(_KubeLoader)
_POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
_ALWAYS_WORKLOAD = {("batch", "Job"), ("batch", "CronJob")}


@dataclass(frozen=True)
class K8sObject:
    file: str
    kind: str
    name: str
    namespace: str
    group: str
    images: tuple[str, ...]
    has_pod_template: bool
    api_version: str = "v1"
    namespaced: bool = False  # the YAML states a namespace (Tilt's duplicate check tells "" from "default")
    pod_labels: tuple[tuple[str, str], ...] = ()  # its pod template's labels
    service_selector: tuple[tuple[str, str], ...] = ()  # a core/v1 Service's spec.selector

    @property
    def selector(self) -> str:
        return f"{self.name}:{self.kind}:{self.namespace}".lower()

    @property
    def address(self) -> tuple[str, str, str, str]:
        """What Tilt's k8s_yaml calls one object (k8s.ObjectAddress): two with one address are
        "Duplicate YAML", and Tilt stops loading the Tiltfile."""
        return (self.kind, self.name, self.namespace if self.namespaced else "", self.api_version)

    def describe(self) -> str:
        """Tilt's own spelling in its duplicate error: `Deployment web (Namespace: apps)`."""
        return f"{self.kind} {self.name}" + (f" (Namespace: {self.namespace})" if self.namespaced else "")


@functools.lru_cache(maxsize=None)  # a service's image and its containers' repeat across services and files
def normalize_image(reference: str) -> str:
    """Docker's familiar-name normalisation without tag or digest: `redis` -> `docker.io/library/redis`."""
    name = repository(reference)
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}"
        if "/" not in name[len("docker.io/") :]:
            name = f"docker.io/library/{name[len('docker.io/') :]}"
    return name.lower()


def _template_holder(kind: str, doc: dict) -> dict | None:
    """The spec that holds the pod template (a CronJob's ``jobTemplate.spec``), or None when some
    level of it is not a mapping: a malformed object declares no pod, as Tilt finds no image in it."""
    spec = doc.get("spec")
    if kind == "CronJob":
        job = spec.get("jobTemplate") if isinstance(spec, dict) else None
        spec = job.get("spec") if isinstance(job, dict) else None
    return spec if isinstance(spec, dict) else None


def _pod_spec(kind: str, doc: dict) -> dict | None:
    if kind == "Pod":
        return doc.get("spec") or {}
    holder = _template_holder(kind, doc)
    template = holder.get("template") if holder is not None else None
    return template.get("spec") if isinstance(template, dict) else None


def _string_pairs(mapping) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in mapping.items())) if isinstance(mapping, dict) else ()


def _pod_labels(kind: str, doc: dict) -> tuple[tuple[str, str], ...]:
    holder = _template_holder(kind, doc)
    template = holder.get("template") if holder is not None else None
    meta = template.get("metadata") if isinstance(template, dict) else None
    return _string_pairs(meta.get("labels")) if isinstance(meta, dict) else ()


def _service_selector(kind: str, api: str, doc: dict) -> tuple[tuple[str, str], ...]:
    spec = doc.get("spec")
    return _string_pairs(spec.get("selector")) if kind == "Service" and api == "v1" and isinstance(spec, dict) else ()


def _object(file: str, doc: dict, namespace: str | None = None) -> K8sObject | None:
    kind = doc.get("kind")
    meta = doc.get("metadata") or {}
    if not isinstance(kind, str) or not isinstance(meta, dict) or not meta.get("name"):
        return None
    api = str(doc.get("apiVersion") or "v1")
    stated = meta.get("namespace") or namespace
    group = api.split("/", 1)[0] if "/" in api else "core"
    pod = _pod_spec(kind, doc)
    images: list[str] = []
    if isinstance(pod, dict):
        for key in ("initContainers", "containers"):
            for container in pod.get(key) or []:
                if isinstance(container, dict) and isinstance(container.get("image"), str):
                    images.append(container["image"])
    return K8sObject(
        file=file,
        kind=kind,
        name=str(meta["name"]),
        namespace=str(stated or "default"),
        group=group,
        images=tuple(images),
        has_pod_template=pod is not None and (kind in _POD_TEMPLATE_KINDS or kind in {"Pod", "CronJob"} or "template" in (doc.get("spec") or {})),
        api_version=api,
        namespaced=bool(stated),
        pod_labels=_pod_labels(kind, doc) if pod is not None else (),
        service_selector=_service_selector(kind, api, doc),
    )


def read_objects(root: Path, relative: str) -> list[K8sObject]:
    try:  # the same file as root / relative, without a Path made for each of a thousand files
        with open(os.path.join(root, relative), encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        try:  # pathlib's spelling of the file in the message (and its reading of a trailing '/')
            text = (root / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DevenvError(f"cannot read {relative}: {exc}")
    return parse_objects(text, relative)


def parse_objects(text: str, source: str, namespace: str | None = None) -> list[K8sObject]:
    """The objects of a YAML stream, in order; ``namespace`` goes on those that state none (as
    Tilt's helm() does with the release's namespace)."""
    try:
        docs = load_documents(text, _KubeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise DevenvError(f"{where} is not valid YAML: {getattr(exc, 'problem', exc)}", hint="fix the Kubernetes YAML; Tilt would refuse it too")
    objects: list[K8sObject] = []
    for doc in docs:
        items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                obj = _object(source, item, namespace)
                if obj:
                    objects.append(obj)
    return objects


def _potential_names(obj: K8sObject) -> list[str]:
    parts = [obj.name, obj.kind, obj.namespace, obj.group]
    return [":".join(parts[: i + 1]).lower() for i in range(len(parts))]


def unique_names(objects: list[K8sObject]) -> list[str]:
    """Tilt's k8s.UniqueNames with minComponents=1."""
    potential = [_potential_names(obj) for obj in objects]
    counts: dict[str, int] = {}
    for names in potential:
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    out = []
    for index, names in enumerate(potential):
        out.append(next((n for n in names if counts[n] == 1), f"{names[-1]}:{index}"))
    return out


def is_image_workload(obj: K8sObject) -> bool:
    """Tilt's isWorkload: any container image (a public one too), or a Job/CronJob."""
    return bool(obj.images) or (obj.group, obj.kind) in _ALWAYS_WORKLOAD


def image_workloads(all_objects: list[K8sObject]) -> list[K8sObject]:
    """The objects Tilt names with unique fragments (in Tiltfile order)."""
    return [o for o in all_objects if is_image_workload(o)]


def indistinct(objects: list[K8sObject]) -> list[tuple[K8sObject, K8sObject]]:
    """(first, later) pairs that share even Tilt's longest name ``name:kind:namespace:group``,
    which Tilt then tells apart only by position (``…:apps:3``): namespace unset and `default`,
    or two apiVersions of one group. Kubernetes would apply both onto one object."""
    first: dict[str, K8sObject] = {}
    pairs = []
    for obj in objects:
        full = _potential_names(obj)[-1]
        if first.setdefault(full, obj) is not obj:
            pairs.append((first[full], obj))
    return pairs


def resource_names(all_objects: list[K8sObject]) -> dict[K8sObject, str]:
    """The Tilt resource name of every workload among ``all_objects`` (in Tiltfile order)."""
    workloads = image_workloads(all_objects)
    names = dict(zip(workloads, unique_names(workloads)))
    for obj in all_objects:
        if obj not in names and obj.has_pod_template:
            names[obj] = obj.name
    return names
