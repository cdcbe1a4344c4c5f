"""``cluster.daemonsets``: each DaemonSet of ``cluster.daemonsets`` (``namespace/name``) exists,
runs on at least one node, and has every pod ready and updated (``numberReady`` and
``updatedNumberScheduled`` equal ``desiredNumberScheduled``). For one that is not, its
not-ready pods are named with their reasons when the pods can be listed.

One GET per DaemonSet when a namespace holds one of them, one paginated list per namespace
when it holds several: the requests grow with namespaces, not with DaemonSets or nodes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from devenv.doctor.base import Context, Outcome, fail, ok, skip
from devenv.doctor.cluster.client import Action, Kube, Problem
from devenv.doctor.cluster.common import kube

PODS_NAMED = 5


@dataclass(frozen=True)
class Verdict:
    key: str
    ok: bool
    summary: str
    pods: tuple[str, ...] = ()
    selector: str = ""


def check_daemonsets(ctx: Context) -> Outcome:
    m = ctx.manifest
    wanted = list(m.cluster.daemonsets) if m else []
    if not wanted:
        return skip("the manifest lists no cluster.daemonsets")
    client = kube(ctx)
    found = fetch(ctx, client, wanted)
    verdicts = [judge(key, found.get(key)) for key in wanted]
    bad = [v for v in verdicts if not v.ok]
    pod_notes: list[str] = []
    if bad:
        verdicts, pod_notes = _with_pods(ctx, client, verdicts, found)
        bad = [v for v in verdicts if not v.ok]
    details = [f"{v.key}: {v.summary}" for v in verdicts] + [f"  {p}" for v in bad for p in v.pods] + pod_notes
    if not bad:
        if len(verdicts) == 1:
            return ok(f"{verdicts[0].key}: {verdicts[0].summary}", details=details)
        return ok(f"all {len(verdicts)} DaemonSets ready", details=details)
    message = "; ".join(_line(v) for v in bad)
    if len(verdicts) > 1:
        message = f"{len(bad)} of {len(verdicts)} DaemonSets not ready: {message}"
    first = bad[0].key.split("/", 1)
    return fail(message, details=details, hint=_hint(bad[0], first[0], first[1]))


def _line(v: Verdict) -> str:
    text = f"{v.key} {v.summary}"
    if v.pods:
        more = f", and {len(v.pods) - PODS_NAMED} more" if len(v.pods) > PODS_NAMED else ""
        text += f" (not ready: {', '.join(v.pods[:PODS_NAMED])}{more})"
    return text


def _hint(v: Verdict, namespace: str, name: str) -> str:
    if "not found" in v.summary:
        return f"deploy it (kubectl -n {namespace} get daemonsets), or remove {namespace}/{name} from cluster.daemonsets"
    if "no node" in v.summary:
        return f"kubectl -n {namespace} describe daemonset {name}   (nodeSelector, affinity or taints exclude every node)"
    pods = f"kubectl -n {namespace} describe pods -l {v.selector}" if v.selector else f"kubectl -n {namespace} describe daemonset {name}"
    return f"{pods}   (then: kubectl -n {namespace} rollout restart daemonset/{name})"


def fetch(ctx: Context, client: Kube, wanted: list[str]) -> dict[str, dict]:
    by_ns: dict[str, list[str]] = defaultdict(list)
    for key in wanted:
        ns, name = key.split("/", 1)
        by_ns[ns].append(name)
    apps = client.apps()
    found: dict[str, dict] = {}
    for ns, names in by_ns.items():
        if len(names) == 1:
            obj = client.get(ctx, apps.read_namespaced_daemon_set, names[0], ns, action=Action("get", "daemonsets.apps", ns, names[0]), not_found=True)
            if obj is not None:
                found[f"{ns}/{names[0]}"] = obj
            continue
        want = set(names)
        for obj in client.list(ctx, apps.list_namespaced_daemon_set, ns, action=Action("list", "daemonsets.apps", ns)):
            found_name = (obj.get("metadata") or {}).get("name")
            if found_name in want:
                found[f"{ns}/{found_name}"] = obj
    return found


def judge(key: str, obj: dict | None) -> Verdict:
    if obj is None:
        return Verdict(key, False, "not found")
    sel = selector(obj)
    status = obj.get("status") or {}
    desired = int(status.get("desiredNumberScheduled") or 0)
    ready = int(status.get("numberReady") or 0)
    updated = int(status.get("updatedNumberScheduled") or 0)
    if desired == 0:
        return Verdict(key, False, "is scheduled on no node (desired 0)", selector=sel)
    if ready != desired:
        return Verdict(key, False, f"{ready}/{desired} pods ready", selector=sel)
    if updated != desired:
        return Verdict(key, False, f"{updated}/{desired} pods updated to the current template (rollout stuck?)", selector=sel)
    return Verdict(key, True, f"{ready}/{desired} pods ready and updated", selector=sel)


def selector(obj: dict) -> str:
    sel = ((obj.get("spec") or {}).get("selector")) or {}
    parts = [f"{k}={v}" for k, v in (sel.get("matchLabels") or {}).items()]
    for expr in sel.get("matchExpressions") or ():
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def _with_pods(ctx: Context, client: Kube, verdicts: list[Verdict], found: dict[str, dict]) -> tuple[list[Verdict], list[str]]:
    """Name the not-ready pods of each failing DaemonSet (one paginated list per DaemonSet)."""
    notes: list[str] = []
    out: list[Verdict] = []
    core = client.core()
    for v in verdicts:
        obj = found.get(v.key)
        if v.ok or obj is None or "no node" in v.summary:
            out.append(v)
            continue
        ns = v.key.split("/", 1)[0]
        uid = (obj.get("metadata") or {}).get("uid")
        sel = v.selector
        try:
            pods = [
                p
                for p in client.list(ctx, core.list_namespaced_pod, ns, label_selector=sel, action=Action("list", "pods", ns))
                if any(o.get("uid") == uid for o in (p.get("metadata") or {}).get("ownerReferences") or ())
            ]
        except Problem as problem:
            if problem.outcome.status.value == "timeout":
                raise
            notes.append(f"pods of {v.key} not listed: {problem.outcome.message}")
            out.append(v)
            continue
        reasons = tuple(r for r in (pod_reason(p) for p in pods) if r)
        out.append(Verdict(v.key, v.ok, v.summary, reasons, v.selector))
    return out, notes


def pod_reason(pod: dict) -> str:
    """``name on node: reason: message`` for a pod that is not ready; "" for a ready one."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or ()}
    if (conditions.get("Ready") or {}).get("status") == "True":
        return ""
    where = f"{meta.get('name', '?')}" + (f" on {spec['nodeName']}" if spec.get("nodeName") else "")
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        if cs.get("ready"):
            continue
        state = cs.get("state") or {}
        for kind in ("waiting", "terminated"):
            if kind in state:
                info = state[kind] or {}
                reason = info.get("reason") or kind
                if kind == "terminated" and info.get("exitCode") is not None:
                    reason += f" (exit {info['exitCode']})"
                message = _clip(info.get("message") or "")
                return f"{where}: {reason}" + (f": {message}" if message else "")
    scheduled = conditions.get("PodScheduled") or {}
    if scheduled.get("status") == "False":
        return f"{where}: {scheduled.get('reason') or 'Unschedulable'}: {_clip(scheduled.get('message') or '')}".rstrip(": ")
    ready = conditions.get("Ready") or {}
    reason = ready.get("reason") or status.get("phase") or "not ready"
    message = _clip(ready.get("message") or "")
    return f"{where}: {reason}" + (f": {message}" if message else "")


def _clip(text: str, width: int = 100) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
