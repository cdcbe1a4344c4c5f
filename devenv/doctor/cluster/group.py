"""Doctor group ``cluster``: the Kubernetes cluster Tilt deploys to (modules in
:mod:`devenv.doctor.cluster`, one per concern).

``cluster.context`` runs first and sends no request; every other check needs it (directly or
through ``cluster.api``), so when the kubeconfig's context is not one of ``cluster.contexts``
they are all ``skipped`` and no request reaches that cluster. The kubernetes client is
imported inside the checks only.
"""

from __future__ import annotations

from devenv.doctor.base import Check
from devenv.doctor.cluster import blocking, coredns
from devenv.doctor.cluster.api import check_api, check_version
from devenv.doctor.cluster.common import API, CONTEXT, GROUP, guarded
from devenv.doctor.cluster.context import check_context
from devenv.doctor.cluster.daemonsets import check_daemonsets
from devenv.doctor.cluster.namespace import check_namespace
from devenv.doctor.cluster.nodes import check_nodes

CHECKS = [
    Check(
        CONTEXT,
        GROUP,
        "context",
        guarded(check_context),
        deadline=3.0,
        gates=blocking.deployed_services,
        timeout_hint="reading the kubeconfig hangs: is it on a slow network mount? (KUBECONFIG, ~/.kube/config)",
    ),
    Check(
        API,
        GROUP,
        "api server",
        guarded(check_api),
        needs=(CONTEXT,),
        deadline=5.0,
        gates=blocking.deployed_services,
        timeout_hint="the API server (or the kubeconfig's exec credential plugin) does not answer: kubectl get --raw /readyz",
    ),
    Check("cluster.version", GROUP, "version", guarded(check_version), needs=(CONTEXT, API), deadline=1.0, gates=blocking.deployed_services),
    Check(
        "cluster.nodes",
        GROUP,
        "nodes",
        guarded(check_nodes),
        needs=(CONTEXT, API),
        deadline=10.0,
        gates=blocking.deployed_services,
        timeout_hint="listing nodes is slow: kubectl get nodes",
    ),
    Check("cluster.namespace", GROUP, "namespace", guarded(check_namespace), needs=(CONTEXT, API), deadline=5.0, gates=blocking.deployed_services),
    Check("cluster.coredns", GROUP, "coredns", guarded(coredns.check_coredns), needs=(CONTEXT, API), deadline=5.0, gates=coredns.gates),
    Check("cluster.daemonsets", GROUP, "daemonsets", guarded(check_daemonsets), needs=(CONTEXT, API), deadline=10.0, gates=blocking.deployed_services),
]
