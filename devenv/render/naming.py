"""Which Tilt resource each service's workload becomes, read from its Kubernetes YAML the way
Tilt names workloads (:mod:`devenv.render.workloads`), and the renames Tilt would refuse.

A mixin of :class:`devenv.render.context.ContextBuilder`, which provides the manifest, the
folders, the parse cache, ``inputs`` and ``problem``.
"""

from __future__ import annotations

from pathlib import Path

from devenv.manifest.model import Manifest
from devenv.render import workloads


class WorkloadNaming:
    m: Manifest
    root: Path
    inputs: set[Path]
    _parsed: dict[str, list[workloads.K8sObject]]
    tilt_names: dict[workloads.K8sObject, str]
    companions: dict[str, list[str]]

    def problem(self, path: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        raise NotImplementedError  # the ContextBuilder's

    def _workload_names(self) -> dict[str, str]:
        """Service -> the resource name Tilt gives its workload (see render.workloads)."""
        per_service: dict[str, list[workloads.K8sObject]] = {}
        everything: list[workloads.K8sObject] = []
        for name, svc in self.m.services.items():
            self.inputs.update(self.root / f for f in svc.k8s)
            if svc.helm:
                self.inputs.add(self.root / svc.helm.chart)
                self.inputs.update(self.root / v for v in svc.helm.values)
            objects = [o for f in svc.k8s for o in self._objects(f)]
            per_service[name] = objects
            everything.extend(objects)
        built = {s.image for s in self.m.services.values() if s.image}
        tilt_names = workloads.resource_names(everything, built)
        self.tilt_names = tilt_names
        chosen: dict[str, str] = {}
        for name, svc in self.m.services.items():
            if svc.workload:
                chosen[name] = svc.workload
            elif svc.helm:
                chosen[name] = svc.helm.release or name
            else:
                picked = self._pick_workload(name, svc, per_service[name], tilt_names)
                if picked:
                    chosen[name] = picked
        self._check_renames(chosen, set(tilt_names.values()))
        # Other workloads in a service's files (a migration Job, a second Deployment) are Tilt
        # resources of their own: they must wait for what the service waits for.
        self.companions = {
            name: list(dict.fromkeys(tilt_names[o] for o in per_service[name] if o in tilt_names and tilt_names[o] != chosen.get(name)))
            for name in self.m.services
        }
        return chosen

    def _objects(self, relative: str) -> list[workloads.K8sObject]:
        """A k8s file's objects, parsed once however many services name the file."""
        objects = self._parsed.get(relative)
        if objects is None:
            objects = self._parsed[relative] = workloads.read_objects(self.root, relative)
        return objects

    def _check_renames(self, chosen: dict[str, str], workload_names: set[str]) -> None:
        """Refuse what Tilt would refuse to load: two services on one workload resource, or a
        rename onto a name that a workload still holds when Tilt runs that k8s_resource call
        (Tilt renames in call order, so only later services' and unclaimed workloads count)."""
        owner: dict[str, str] = {}
        for name, workload in chosen.items():
            if workload in owner:
                self.problem(("services", name), f"Tilt puts the workload '{workload}' of this service and of '{owner[workload]}' in one resource",
                             "give the two workloads different names")
            owner.setdefault(workload, name)
        # Tilt renames in call order: a rename onto `name` fails if a later service's workload,
        # or a workload no service claims, still holds that name. One pass: the last position of
        # every claimed workload name (a set per service would make this quadratic).
        last_claim = {workload: index for index, workload in enumerate(chosen.values())}
        unclaimed = workload_names - last_claim.keys()
        for index, (name, workload) in enumerate(chosen.items()):
            if workload != name and (last_claim.get(name, -1) > index or name in unclaimed):
                self.problem(("services", name), f"Tilt cannot rename workload '{workload}' to '{name}': another workload's resource is named '{name}'",
                             "rename the service, or the workload in its Kubernetes YAML")

    def _pick_workload(self, name, svc, objects, tilt_names) -> str | None:
        candidates = [o for o in objects if o in tilt_names]
        if svc.image:
            own = workloads.normalize_image(svc.image)
            using = [o for o in candidates if any(workloads.normalize_image(i) == own for i in o.images)]
            if not using:
                self.problem(("services", name, "image"), f"image '{svc.image}' is used by none of the objects in {', '.join(svc.k8s)}",
                             "reference it in a container's `image:`, or Tilt will build it for nothing", "warning")
            else:
                candidates = using
        if not candidates:
            self.problem(("services", name, "k8s"), f"no workload (Deployment, StatefulSet, Job, …) found in {', '.join(svc.k8s)}",
                         "add one, or name it with `workload:`")
            return None
        if len(candidates) > 1:
            by_name = [o for o in candidates if o.name == name]
            if len(by_name) != 1:
                listed = ", ".join(tilt_names[o] for o in candidates)
                self.problem(("services", name, "k8s"), f"several workloads match: {listed}", "choose one with `workload:`")
                return None
            candidates = by_name
        return tilt_names[candidates[0]]
