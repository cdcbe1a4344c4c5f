"""``cluster.coredns``: every registry host the manifest needs in the cluster is rewritten (or
answered by a ``hosts`` entry) in the block of the CoreDNS Corefile that receives its queries.

Reads ConfigMap ``kube-system/coredns`` and, where present, k3s's ``kube-system/coredns-custom``
(its ``*.server`` and ``*.override`` keys are imported by k3s's Corefile), parses them with
:mod:`devenv.doctor.corefile` (which documents which forms count), and names each missing host
with the exact lines to add and where.

Which hosts: ``cluster.coredns_rewrites: auto`` -> the host of every registry of the manifest
(IP addresses and ``localhost`` excepted: there is nothing to rewrite); a list -> those hosts;
``off`` -> the check is skipped.
"""

from __future__ import annotations

from collections import Counter

from devenv.doctor.base import Context, Outcome, fail, ok, skip
from devenv.doctor.cluster.blocking import host_consumers
from devenv.doctor.cluster.client import Action
from devenv.doctor.cluster.common import kube
from devenv.doctor.corefile import Answer, Corefile, CorefileError, configmap_files, parse
from devenv.util.net import is_ip

NAMESPACE = "kube-system"
CONFIGMAP = "coredns"
CUSTOM = "coredns-custom"
CUSTOM_KEY = "devenv.override"
K3D_HOST = "host.k3d.internal"
PLACEHOLDER = "<in-cluster address of the registry>"
RESTART = "kubectl -n kube-system rollout restart deployment coredns"


def required_hosts(manifest) -> list[str] | None:
    """The hosts to check, or None when the check is off."""
    setting = manifest.cluster.coredns_rewrites
    if setting == "off":
        return None
    if setting == "auto":
        hosts = [reg.host for reg in manifest.registries.values()]
    else:
        hosts = list(setting)
    out: list[str] = []
    for host in hosts:
        host = host.lower().rstrip(".")
        if not host or host == "localhost" or is_ip(host.strip("[]")) or host in out:
            continue
        out.append(host)
    return out


def gates(ctx: Context) -> list[str]:
    """When the check cannot tell (RBAC, a broken Corefile): everything that needs a rewrite."""
    m = ctx.manifest
    return host_consumers(m, required_hosts(m) or []) if m else []


def check_coredns(ctx: Context) -> Outcome:
    m = ctx.manifest
    if m is None:
        return skip("no manifest")
    hosts = required_hosts(m)
    if hosts is None:
        return skip("cluster.coredns_rewrites is off")
    if not hosts:
        return skip("the manifest names no registry host to rewrite")
    client = kube(ctx)
    core = client.core()
    main = client.get(ctx, core.read_namespaced_config_map, CONFIGMAP, NAMESPACE, action=Action("get", "configmaps", NAMESPACE, CONFIGMAP), not_found=True)
    if main is None:
        return fail(
            f"no ConfigMap {NAMESPACE}/{CONFIGMAP}: this cluster's DNS is not the usual CoreDNS",
            hint=f"kubectl -n {NAMESPACE} get configmaps   (k3s/k3d and kubeadm clusters ship it; "
            "set cluster.coredns_rewrites: off if names are resolved another way)",
        )
    custom = client.get(ctx, core.read_namespaced_config_map, CUSTOM, NAMESPACE, action=Action("get", "configmaps", NAMESPACE, CUSTOM), not_found=True)
    data = main.get("data") or {}
    custom_data = (custom or {}).get("data") or {}
    if "Corefile" not in data:
        return fail(f"ConfigMap {NAMESPACE}/{CONFIGMAP} has no Corefile key", hint=f"kubectl -n {NAMESPACE} edit configmap {CONFIGMAP}")
    try:
        corefile = parse(data["Corefile"], files=configmap_files(data, custom_data))
    except CorefileError as exc:
        where = exc.file.replace("/etc/coredns/custom/", f"ConfigMap {CUSTOM} key ").replace("/etc/coredns/", f"ConfigMap {CONFIGMAP} key ")
        return fail(
            f"the Corefile does not parse: {where}:{exc.line}: {exc.message}",
            hint=f"fix it: kubectl -n {NAMESPACE} edit configmap {CONFIGMAP if CUSTOM not in where else CUSTOM}"
            "   (CoreDNS keeps its last good configuration only until it restarts)",
        )
    answers = [corefile.answer(h) for h in hosts]
    missing = [a for a in answers if not a.ok]
    details = [_describe(a, corefile) for a in answers]
    details += [f"note: {n}" for a in answers for n in a.notes]
    sources = f"{NAMESPACE}/{CONFIGMAP}" + (f" + {NAMESPACE}/{CUSTOM} ({', '.join(sorted(custom_data))})" if custom_data else "")
    details.append(f"read: {sources}")
    if not missing:
        noun = "host is" if len(hosts) == 1 else "hosts are"
        return ok(f"all {len(hosts)} registry {noun} rewritten in the Corefile", details=details)
    names = ", ".join(a.host for a in missing)
    return fail(
        f"{len(missing)} of {len(hosts)} registry hosts not rewritten in the CoreDNS Corefile: {names}",
        hint=suggestion(corefile, answers, missing, custom is not None),
        details=details,
        gates=host_consumers(m, [a.host for a in missing]),
    )


def _where(answer: Answer) -> str:
    return answer.where.replace("/etc/coredns/custom/", f"{CUSTOM}:").replace("/etc/coredns/", f"{CONFIGMAP}:")


def _describe(answer: Answer, corefile: Corefile) -> str:
    if answer.ok:
        return f"{answer.host}: `{answer.how}` ({_where(answer)}, block {answer.block}) -> {answer.target}"
    text = f"{answer.host}: missing: {answer.missing}"
    shadowed = _shadowed(answer, corefile)
    if shadowed:
        text += f" (a rule at {shadowed} matches it, but in a block that never sees its queries)"
    return text


def _shadowed(answer: Answer, corefile: Corefile) -> str:
    """A rule for the host in another block (e.g. `.:53`) that a more specific zone shadows."""
    for server in corefile.servers:
        if server is answer.server:
            continue
        fake = Corefile((server,), corefile.files)
        other = fake.answer(answer.host)
        if other.ok:
            return other.where.replace("/etc/coredns/custom/", f"{CUSTOM}:").replace("/etc/coredns/", f"{CONFIGMAP}:")
    return ""


def _target(corefile: Corefile, answers: list[Answer]) -> str:
    """Where the other registry hosts already go; else k3d's host alias when CoreDNS knows it."""
    targets = Counter(a.target for a in answers if a.ok and a.how.startswith("rewrite") and a.target)
    if targets:
        return targets.most_common(1)[0][0]
    if corefile.answer(K3D_HOST).ok:
        return K3D_HOST
    return PLACEHOLDER


def suggestion(corefile: Corefile, answers: list[Answer], missing: list[Answer], has_custom: bool) -> str:
    target = _target(corefile, answers)
    groups: dict[str, list[str]] = {}
    for answer in missing:
        line = f"rewrite name exact {answer.host} {target}"
        server = answer.server
        if server is None:
            where = (
                f"add a server block for it to ConfigMap {NAMESPACE}/{CONFIGMAP} (key Corefile):\n"
                f"    {answer.host}:{corefile.dns_port()} {{\n        {line}\n        forward . /etc/resolv.conf\n    }}"
            )
            groups.setdefault(where, [])
            continue
        block = server.label
        if server.file.startswith("/etc/coredns/custom/"):
            key = server.file.rsplit("/", 1)[-1]
            where = f"add inside the `{block} {{` block of ConfigMap {NAMESPACE}/{CUSTOM}, key {key}:"
        elif any(p.endswith(".override") for p in server.imports) and "/custom/" in " ".join(server.imports):
            create = "" if has_custom else f" (create it: kubectl -n {NAMESPACE} create configmap {CUSTOM} --from-file={CUSTOM_KEY}=<file with these lines>)"
            where = f"add to ConfigMap {NAMESPACE}/{CUSTOM}, key {CUSTOM_KEY} (k3s imports it into the `{block}` block and keeps it across restarts){create}:"
        else:
            where = f"add inside the `{block} {{` block of ConfigMap {NAMESPACE}/{CONFIGMAP} (key Corefile):"
        groups.setdefault(where, []).append(line)
    parts = []
    for where, lines in groups.items():
        parts.append(where + "".join(f"\n    {line}" for line in lines))
    if target == PLACEHOLDER:
        parts.append(f"(replace {PLACEHOLDER} with the registry's Service name, e.g. verdaccio.<namespace>.svc.cluster.local)")
    parts.append(f"then: {RESTART}")
    return "\n".join(parts)
