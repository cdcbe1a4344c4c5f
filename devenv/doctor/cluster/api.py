"""``cluster.api``: the API server answers within the deadline, and accepts the credentials
(a refused connection, a timeout, TLS, 401 and 403 each told apart with their own hint).
``cluster.version``: the server is at least the minimum Kubernetes version."""

from __future__ import annotations

from devenv.doctor.base import Context, Outcome, fail, ok, warn
from devenv.doctor.cluster.client import Action, Kube, Problem, build, refresh_hint
from devenv.doctor.cluster.common import CONTEXT, kube
from devenv.doctor.host import format_version, parse_version

MIN_KUBERNETES = "1.26"
MIN_ENV = "DEVENV_MIN_KUBERNETES"
ANONYMOUS = "system:anonymous"


def check_api(ctx: Context) -> Outcome:
    target = ctx.data(CONTEXT)
    client = build(target)
    from kubernetes import client as k8s

    version = client.get(ctx, k8s.VersionApi(client.api).get_code, action=Action("get", "/version")) or {}
    client.version = version
    # Who the server says we are (authentication.k8s.io/v1, Kubernetes >= 1.28): every
    # authenticated user may ask. Older servers answer 404: keep the kubeconfig's user name.
    review = None
    try:
        review = client.get(
            ctx,
            k8s.AuthenticationV1Api(client.api).create_self_subject_review,
            {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
            action=Action("create", "selfsubjectreviews.authentication.k8s.io"),
            not_found=True,
        )
    except Problem as problem:
        if "403 Forbidden" not in problem.outcome.message:
            raise
    info = ((review or {}).get("status") or {}).get("userInfo") or {}
    client.user = str(info.get("username") or "")
    client.groups = tuple(info.get("groups") or ())
    git = str(version.get("gitVersion", "?"))
    details = [
        f"server: {target.server}",
        f"version: {git} ({version.get('platform', '?')})",
        f"user: {client.user or '?'}" + (f" (groups: {', '.join(client.groups)})" if client.groups else ""),
    ]
    if client.user == ANONYMOUS:
        return warn(
            f"{target.server} answers (Kubernetes {git}), but as {ANONYMOUS}: the kubeconfig sends no credentials",
            hint=refresh_hint(target),
            details=details,
            data=client,
        )
    who = f"as {client.user}" if client.user else f"as kubeconfig user {target.user_name}"
    return ok(f"{target.server} answers: Kubernetes {git}, {who}", details=details, data=client)


def check_version(ctx: Context) -> Outcome:
    client: Kube = kube(ctx)
    override = ctx.env.get(MIN_ENV, "").strip()
    minimum = parse_version(override) if override else None
    shown, source = (override.lstrip("v"), f"${MIN_ENV}") if minimum else (MIN_KUBERNETES, "default")
    minimum = minimum or parse_version(MIN_KUBERNETES)
    assert minimum is not None  # MIN_KUBERNETES is a literal version
    git = str(client.version.get("gitVersion", ""))
    have = parse_version(git)
    if have is None:
        return warn(f"the API server reports no parseable version ({git or 'none'})")
    if have < minimum:
        name = client.target.k3d_cluster
        fix = (
            f"recreate the cluster with a newer k3s image: k3d cluster create {name} --image rancher/k3s:<v1.{minimum[1]}+>" if name else "upgrade the cluster"
        )
        return fail(f"Kubernetes {format_version(have)} is older than {shown} ({source})", hint=fix)
    return ok(f"{format_version(have)} (>= {shown})", details=[f"minimum: {shown} ({source}; override with {MIN_ENV}=X.Y)"])
