"""``cluster.context``: a kubeconfig is found and parsed, and its context is one the manifest
allows (``cluster.contexts``). Sends no request: when the context is not allowed, every other
cluster check is skipped, so doctor never touches a cluster the manifest does not name."""

from __future__ import annotations

from devenv.doctor.base import Context, Outcome, fail, ok, skip
from devenv.doctor.cluster.kubeconfig import KubeconfigError, locate, merge, resolve_target


def check_context(ctx: Context) -> Outcome:
    m = ctx.manifest
    allowed = list(m.cluster.contexts) if m else []
    if not allowed:
        return skip("the manifest lists no cluster.contexts: doctor talks to no cluster")
    located = locate(ctx.env)
    try:
        target, merged = resolve_target(ctx.env, located)
    except KubeconfigError as exc:
        hint = exc.hint
        k3d = next((c[len("k3d-") :] for c in allowed if c.startswith("k3d-")), None)
        if k3d and "<cluster>" in hint:
            hint = hint.replace("<cluster>", k3d)
        elif "<context>" in hint:
            present = [c for c in allowed if c in _contexts(located)]
            hint = hint.replace("<context>", present[0] if present else allowed[0])
        return fail(exc.message, hint=hint, details=exc.details)
    files = ", ".join(str(p) for p in located.paths)
    details = [
        f"kubeconfig: {located.describe()}",
        f"context: {target.context} ({target.chosen_by})",
        f"cluster: {target.cluster_name} at {target.server}",
        f"user: {target.user_name} ({target.auth})",
        f"allowed by the manifest: {', '.join(allowed)}",
    ]
    if target.context not in allowed:
        present = [c for c in allowed if c in merged.contexts]
        if target.chosen_by == "--context":
            hint = f"pass --context {present[0] if present else allowed[0]}"
        elif present:
            hint = f"kubectl config use-context {present[0]}"
        else:
            k3d = next((c[len("k3d-") :] for c in allowed if c.startswith("k3d-")), None)
            hint = (
                f"k3d kubeconfig merge {k3d} --kubeconfig-merge-default --kubeconfig-switch-context"
                if k3d
                else f"add context {allowed[0]} to the kubeconfig, then: kubectl config use-context {allowed[0]}"
            )
        return fail(
            f"context '{target.context}' ({target.chosen_by} in {files}) is not allowed by the manifest "
            f"(cluster.contexts: {', '.join(allowed)}); no request was sent to it",
            hint=hint,
            details=details,
        )
    return ok(f"{target.context} -> {target.server} (user {target.user_name}, {target.auth})", details=details, data=target)


def _contexts(located) -> list[str]:
    try:
        return list(merge(located.paths).contexts)
    except KubeconfigError:
        return []
