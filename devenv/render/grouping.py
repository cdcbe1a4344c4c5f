"""Which workload Tilt groups each Service with, so the render can refuse a Service that Tilt
would show (and apply) in another service's resource.

Tilt v0.37 (internal/tiltfile/tiltfile_state.go, assembleK8sByWorkload then
assembleK8sUnresourced) walks the workloads in k8s_yaml order; each takes every still
unclaimed core/v1 Service whose non-empty selector matches its pod template labels
(internal/k8s/entity.go, filterBySelectorMatchesLabelsAndNamespace). A Service in a stated
namespace only matches workloads of that namespace, but one without a namespace, or in
`default`, matches a workload in ANY namespace. So two services that deploy one Service name
and selector, one in namespace `apps` and one in none (two Helm releases of one name), give the
second service's Service to the first one's resource.
"""

from __future__ import annotations

from devenv.render.workloads import K8sObject, is_image_workload


def _takes(workload: K8sObject, labels: dict[str, str], service: K8sObject) -> bool:
    if any(labels.get(k) != v for k, v in service.service_selector):
        return False
    return service.namespace == "default" or service.namespace == workload.namespace


def tilt_groups(objects: list[K8sObject]) -> dict[int, K8sObject]:
    """id(Service) -> the workload Tilt groups it with, for every Service some workload takes."""
    pod_creating = [o for o in objects if o.has_pod_template]
    order = [o for o in pod_creating if is_image_workload(o)] + [o for o in pod_creating if not is_image_workload(o)]
    # Each Service waits under one of its selector's pairs: a workload only looks at the
    # Services filed under its own labels (a thousand services stay linear, not quadratic).
    filed: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in objects:
        if obj.service_selector:
            filed.setdefault(obj.service_selector[0], []).append(obj)
    taken: dict[int, K8sObject] = {}
    for workload in order:
        labels = dict(workload.pod_labels)
        candidates = [s for pair in workload.pod_labels for s in filed.get(pair, ())]
        for service in candidates:  # a workload takes every match: their order is no matter
            if id(service) not in taken and _takes(workload, labels, service):
                taken[id(service)] = workload
    return taken
