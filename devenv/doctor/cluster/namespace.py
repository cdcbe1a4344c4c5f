"""``cluster.namespace``: the namespace the manifest deploys to (``cluster.namespace``) exists."""

from __future__ import annotations

from devenv.doctor.base import Context, Outcome, fail, ok, skip
from devenv.doctor.cluster.client import Action
from devenv.doctor.cluster.common import kube


def check_namespace(ctx: Context) -> Outcome:
    m = ctx.manifest
    name = m.cluster.namespace if m else None
    if not name:
        return skip("the manifest sets no cluster.namespace")
    client = kube(ctx)
    found = client.get(ctx, client.core().read_namespace, name, action=Action("get", "namespaces", name=name), not_found=True)
    if found is None:
        return fail(f"namespace '{name}' does not exist", hint=f"kubectl create namespace {name}")
    phase = (found.get("status") or {}).get("phase", "Active")
    if phase != "Active":
        return fail(
            f"namespace '{name}' is {phase}: it is being deleted",
            hint=f"wait for it to go, then: kubectl create namespace {name}   (stuck? kubectl get namespace {name} -o yaml shows the finalizers)",
        )
    return ok(f"namespace '{name}' exists")
