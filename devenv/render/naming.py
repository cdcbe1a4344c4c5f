"""Which Tilt resource each service's workload becomes, read from its Kubernetes YAML the way
Tilt names workloads (:mod:`devenv.render.workloads`), and the renames Tilt would refuse.

A mixin of :class:`devenv.render.context.ContextBuilder`, which provides the manifest, the
folders, the parse cache, ``inputs`` and ``problem``.
"""

from __future__ import annotations

from pathlib import Path

from devenv.errors import DevenvError
from devenv.manifest.model import Manifest
from devenv.render import grouping, helm, workloads


class WorkloadNaming:
    m: Manifest
    root: Path
    inputs: dict[str, None]
    _parsed: dict[str, list[workloads.K8sObject]]
    tilt_names: dict[workloads.K8sObject, str]
    companions: dict[str, list[str]]

    def problem(self, path: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        raise NotImplementedError  # the ContextBuilder's

    def _workload_names(self) -> dict[str, str]:
        """Service -> the resource name Tilt gives its workload (see render.workloads). Every
        object of the Tiltfile counts, a Helm chart's too (asked of `helm template`)."""
        per_service: dict[str, list[workloads.K8sObject] | None] = {}
        everything: list[workloads.K8sObject] = []
        for name, svc in self.m.services.items():
            objects = self._service_objects(name, svc)
            per_service[name] = objects
            everything.extend(objects or [])
        if not (self._check_duplicates(per_service) and self._check_indistinct(per_service, everything)):
            self.tilt_names, self.companions = {}, {name: [] for name in self.m.services}
            return {}
        self._check_service_groups(per_service, everything)
        tilt_names = workloads.resource_names(everything)
        self.tilt_names = tilt_names
        resources = set(tilt_names.values())
        chosen: dict[str, str] = {}
        for name, svc in self.m.services.items():
            objects = per_service[name]
            if svc.workload:
                chosen[name] = svc.workload
                if objects is not None and svc.workload not in resources:
                    self._unknown_workload(name, svc, objects, tilt_names)
            elif objects is None:  # a chart, and no helm to ask: Tilt's usual name for it
                chosen[name] = (svc.helm.release if svc.helm else None) or name
            else:
                picked = self._pick_workload(name, svc, objects, tilt_names)
                if picked:
                    chosen[name] = picked
        self._check_renames(chosen, set(tilt_names.values()))
        # Other workloads in a service's files (a migration Job, a second Deployment) are Tilt
        # resources of their own: they must wait for what the service waits for.
        self.companions = {
            name: list(dict.fromkeys(tilt_names[o] for o in per_service[name] or () if o in tilt_names and tilt_names[o] != chosen.get(name)))
            for name in self.m.services
        }
        self._check_companions(chosen)
        return chosen

    def _check_companions(self, chosen: dict[str, str]) -> None:
        """A second workload of a service's files that shares its resource name with another
        service's workload lands in that service's resource (Tilt groups pod-creating objects
        without an image by name), and the rename of that resource leaves none to configure."""
        owner = {workload: name for name, workload in chosen.items()}
        for name, companions in self.companions.items():
            for companion in companions:
                other = owner.get(companion)
                if other is not None and other != name:
                    self.problem(
                        ("services", name),
                        f"Tilt puts the workload '{companion}' of this service's YAML in the resource of service '{other}'",
                        "give the two workloads different names",
                    )

    def _service_objects(self, name: str, svc) -> list[workloads.K8sObject] | None:
        """The objects the service's k8s_yaml() gives Tilt; None for a chart without helm."""
        self.inputs.update(dict.fromkeys(svc.k8s))
        if not svc.helm:
            return [o for f in svc.k8s for o in self._objects(f)]
        self.inputs[svc.helm.chart] = None
        self.inputs.update(dict.fromkeys(svc.helm.values))
        try:
            objects = helm.template(self.root, svc.helm, svc.helm.release or name)
        except DevenvError as exc:
            self.problem(("services", name, "helm"), exc.message, exc.hint)
            return None  # the one error; no guesses about workloads on top of it
        if objects is None and not svc.workload:
            self.problem(
                ("services", name, "helm"),
                f"helm is not on PATH: assuming the chart's workload is named '{svc.helm.release or name}' and shares no name with another workload",
                "install helm (Tilt needs it too) so devenv names the chart's workloads as Tilt will",
                "warning",
            )
        return objects

    def _check_duplicates(self, per_service: dict[str, list[workloads.K8sObject] | None]) -> bool:
        """Tilt's k8s_yaml refuses an object it already has ("Duplicate YAML": same kind, name,
        namespace as written, apiVersion) and stops loading; refuse it first, naming both."""
        seen: dict[tuple, tuple[str, workloads.K8sObject, int]] = {}
        clean, index = True, 0
        for name, objects in per_service.items():
            for obj in objects or ():
                index += 1  # a file named twice yields the very same objects again
                first = seen.setdefault(obj.address, (name, obj, index))
                if first[2] == index:
                    continue
                clean = False
                where = f"service '{first[0]}'" if first[0] != name else "this service"
                key = "helm" if self.m.services[name].helm else "k8s"
                self.problem(
                    ("services", name, key),
                    f"{obj.describe()} from {obj.file} is already deployed by {where} (from {first[1].file}); Tilt stops at duplicate YAML",
                    "keep each Kubernetes object in one file, named by one service",
                )
        return clean

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
                self.problem(
                    ("services", name),
                    f"Tilt puts the workload '{workload}' of this service and of '{owner[workload]}' in one resource",
                    "give the two workloads different names",
                )
            owner.setdefault(workload, name)
        # Tilt renames in call order: a rename onto `name` fails if a later service's workload,
        # or a workload no service claims, still holds that name. One pass: the last position of
        # every claimed workload name (a set per service would make this quadratic).
        last_claim = {workload: index for index, workload in enumerate(chosen.values())}
        unclaimed = workload_names - last_claim.keys()
        for index, (name, workload) in enumerate(chosen.items()):
            if workload != name and (last_claim.get(name, -1) > index or name in unclaimed):
                self.problem(
                    ("services", name),
                    f"Tilt cannot rename workload '{workload}' to '{name}': another workload's resource is named '{name}'",
                    "rename the service, or the workload in its Kubernetes YAML",
                )

    def _unknown_workload(self, name, svc, objects, tilt_names) -> None:
        """`workload:` must be the very name Tilt gives a workload (qualified when names clash)."""
        own = [tilt_names[o] for o in objects if o in tilt_names]
        hint = f"Tilt names this service's workloads: {', '.join(own)}" if own else "name a Deployment, StatefulSet, Job, … of its YAML"
        self.problem(("services", name, "workload"), f"Tilt has no workload resource named '{svc.workload}'", hint)

    def _check_indistinct(self, per_service, everything) -> bool:
        """Refuse workloads Tilt tells apart only by their position in the Tiltfile (it names
        them ``name:kind:namespace:group:N``): they are one object to Kubernetes."""
        owner = {id(o): name for name, objects in per_service.items() for o in objects or ()}
        pairs = workloads.indistinct(workloads.image_workloads(everything))
        for first, later in pairs:
            name, other = owner[id(later)], owner[id(first)]
            where = f"service '{other}'" if other != name else "this service"
            self.problem(
                ("services", name, "helm" if self.m.services[name].helm else "k8s"),
                f"{later.describe()} from {later.file} is the same object as {first.describe()} from {first.file} "
                f"of {where} (namespace unset means `default`; apiVersions of one group are one object)",
                "keep one of the two, or give them different names or namespaces",
            )
        return not pairs

    def _check_service_groups(self, per_service, everything) -> None:
        """Refuse a Service Tilt would put in another service's resource in another namespace
        (a Service without a namespace matches workloads in any: render.grouping)."""
        owner = {id(o): name for name, objects in per_service.items() for o in objects or ()}
        for service, workload in grouping.tilt_groups(everything).items():
            name, other = owner[service], owner[id(workload)]
            obj = next(o for o in per_service[name] if id(o) == service)
            if other == name or obj.namespace == workload.namespace:
                continue
            own = "helm.namespace" if self.m.services[name].helm else "metadata.namespace"
            self.problem(
                ("services", name, "helm" if self.m.services[name].helm else "k8s"),
                f"Tilt groups Service {obj.name} from {obj.file} (namespace {obj.namespace}) with the workload {workload.describe()} "
                f"of service '{other}': Tilt matches a Service without a namespace, or in `default`, to a workload in any namespace",
                f"state another namespace for this service's objects (`{own}`), or give the Service a selector (a Helm release name) of its own",
            )

    def _pick_workload(self, name, svc, objects, tilt_names) -> str | None:
        candidates = [o for o in objects if o in tilt_names]
        key, files = ("helm", f"the chart {svc.helm.chart}") if svc.helm else ("k8s", ", ".join(svc.k8s))
        own_name = (svc.helm.release if svc.helm else None) or name
        if svc.image:
            own = workloads.normalize_image(svc.image)
            using = [o for o in candidates if any(workloads.normalize_image(i) == own for i in o.images)]
            if not using:
                self.problem(
                    ("services", name, "image"),
                    f"image '{svc.image}' is used by none of the objects in {files}",
                    "reference it in a container's `image:`, or Tilt will build it for nothing",
                    "warning",
                )
            else:
                candidates = using
        if not candidates:
            self.problem(("services", name, key), f"no workload (Deployment, StatefulSet, Job, …) found in {files}", "add one, or name it with `workload:`")
            return None
        if len(candidates) > 1:
            by_name = [o for o in candidates if o.name == own_name]
            if len(by_name) != 1:
                listed = ", ".join(tilt_names[o] for o in candidates)
                self.problem(("services", name, key), f"several workloads match: {listed}", "choose one with `workload:`")
                return None
            candidates = by_name
        return tilt_names[candidates[0]]
