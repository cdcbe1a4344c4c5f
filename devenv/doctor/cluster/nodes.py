"""``cluster.nodes``: every node is Ready; each that is not is named with its Ready condition's
reason and message. Zero nodes is a failure of its own. Nodes are listed in pages of 500, so
a cluster of thousands of nodes costs a handful of requests."""

from __future__ import annotations

from dataclasses import dataclass

from devenv.doctor.base import Context, Outcome, fail, ok, warn
from devenv.doctor.cluster.client import Action
from devenv.doctor.cluster.common import kube

SHOWN = 5  # nodes named in the message; the rest are in the details
LISTED = 50  # nodes named in the details


@dataclass(frozen=True)
class NotReady:
    name: str
    status: str  # False | Unknown | missing
    reason: str
    message: str

    def __str__(self) -> str:
        if self.status == "missing":
            return f"{self.name} (no Ready condition: its kubelet never reported)"
        state = "NotReady" if self.status == "False" else f"Ready={self.status}"
        why = ": ".join(p for p in (self.reason, _clip(self.message)) if p)
        return f"{self.name} ({state}" + (f", {why})" if why else ")")


def _clip(text: str, width: int = 120) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def readiness(node: dict) -> NotReady | None:
    name = (node.get("metadata") or {}).get("name", "?")
    for cond in (node.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                return None
            return NotReady(name, str(cond.get("status") or "Unknown"), str(cond.get("reason") or ""), str(cond.get("message") or ""))
    return NotReady(name, "missing", "", "")


def check_nodes(ctx: Context) -> Outcome:
    client = kube(ctx)
    total = 0
    cordoned = 0
    bad: list[NotReady] = []
    for node in client.list(ctx, client.core().list_node, action=Action("list", "nodes")):
        total += 1
        problem = readiness(node)
        if problem:
            bad.append(problem)
        elif (node.get("spec") or {}).get("unschedulable"):
            cordoned += 1
    name = client.target.k3d_cluster
    if total == 0:
        fix = (
            f"k3d cluster stop {name} && k3d cluster start {name}   (or add one: k3d node create agent --cluster {name})"
            if name
            else "kubectl get nodes; a cluster needs at least one node to run anything"
        )
        return fail("the cluster has no nodes: no pod can be scheduled", hint=fix)
    if bad:
        shown = ", ".join(str(b) for b in bad[:SHOWN]) + (f", and {len(bad) - SHOWN} more" if len(bad) > SHOWN else "")
        first = bad[0].name
        fix = f"kubectl describe node {first}"
        if name:
            fix += f"   (k3d nodes are containers: docker restart {' '.join(b.name for b in bad[:SHOWN])})"
        details = [str(b) for b in bad[:LISTED]]
        if len(bad) > LISTED:
            details.append(f"... and {len(bad) - LISTED} more")
        return fail(f"{len(bad)} of {total} nodes not Ready: {shown}", hint=fix, details=details)
    if cordoned == total:
        return warn(
            f"all {total} nodes are Ready but cordoned: no new pod can be scheduled",
            hint="kubectl uncordon <node>   (kubectl get nodes shows SchedulingDisabled)",
        )
    note = f" ({cordoned} cordoned)" if cordoned else ""
    return ok(f"{total} node{'s' if total != 1 else ''} Ready{note}")
