"""The kubernetes client for the chosen context, and every way a request can fail, told apart.

All requests go through :meth:`Kube.get` (or :meth:`Kube.list`): a ``_request_timeout`` inside
what is left of the check's deadline, no urllib3 retries (a retry would double a timeout), the
raw JSON instead of the client's model objects (a 2,000-node list deserialised into models
costs seconds), and lists paginated with ``limit``/``_continue``. Failures become a
:class:`Problem` carrying the check's result:

- connection refused: the cluster is stopped (``k3d cluster start <name>``);
- a connect or read timeout: ``timeout`` (the server accepted, or not, and never answered);
- TLS: the kubeconfig's CA does not match the server;
- 401: expired or wrong credentials (refresh the kubeconfig: ``k3d kubeconfig merge ...``);
- 403: RBAC, naming the verb, the resource, the namespace and the user that was refused;
- any other status: the API server's own message.

The kubernetes package is imported here only, inside functions.
"""

from __future__ import annotations

import json
import re
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from devenv.doctor.base import Context, Outcome, Status, fail
from devenv.doctor.cluster.kubeconfig import Target
from devenv.util.redact import MASK, redact_text

MARGIN = 0.25  # seconds kept back from the deadline to report a timeout ourselves
PAGE = 500  # kubectl's chunk size


class Problem(Exception):
    """A request failed in a way that *is* the check's result."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


@dataclass(frozen=True)
class Action:
    """What a request does, in RBAC's words: verb, resource (``daemonsets.apps``), where."""

    verb: str
    resource: str
    namespace: str = ""
    name: str = ""

    def __str__(self) -> str:
        what = f"{self.verb} {self.resource}" + (f" {self.name}" if self.name else "")
        return what + (f" in namespace {self.namespace}" if self.namespace else " (cluster-wide)")


@dataclass
class Kube:
    """A client bound to one allowed context (the ``cluster.api`` check's data)."""

    target: Target
    api: Any = field(repr=False)  # kubernetes.client.ApiClient
    secrets: tuple[str, ...] = field(default=(), repr=False)
    user: str = ""  # as the API server knows it
    groups: tuple[str, ...] = ()
    version: dict = field(default_factory=dict)

    @property
    def who(self) -> str:
        return self.user or f"{self.target.user_name} (kubeconfig user)"

    # typed API groups
    def core(self):
        from kubernetes import client

        return client.CoreV1Api(self.api)

    def apps(self):
        from kubernetes import client

        return client.AppsV1Api(self.api)

    def get(self, ctx: Context, call: Callable, *args, action: Action, not_found: bool = False, **params) -> dict | None:
        """One request, bound by the deadline; the decoded JSON, or None for 404 when ``not_found``."""
        from kubernetes.client.exceptions import ApiException

        timeout = ctx.remaining() - MARGIN
        if timeout <= 0.05:
            raise Problem(timed_out(self.target, action, max(timeout, 0.0), connected=None))
        ctx.note(f"{action} at {self.target.server}")
        try:
            response = call(*args, _preload_content=False, _request_timeout=timeout, **params)
            return json.loads(response.data)
        except ApiException as exc:
            if exc.status == 404 and not_found:
                return None
            raise Problem(api_problem(self, exc, action)) from None
        except Exception as exc:  # noqa: BLE001 - urllib3's errors, classified below
            outcome = transport_problem(self.target, exc, action, timeout)
            if outcome is None:
                raise
            raise Problem(outcome) from None

    def list(self, ctx: Context, call: Callable, *args, action: Action, limit: int | None = None, **params) -> Iterator[dict]:
        """Every item of a list, page by page (``limit``/``_continue``): a few requests for
        thousands of objects, each page parsed and dropped before the next."""
        token = ""
        while True:
            paging: dict = {"_continue": token} if token else {}
            page = self.get(ctx, call, *args, action=action, limit=limit or PAGE, **paging, **params)
            assert page is not None
            yield from page.get("items") or ()
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return


# -- building the client ------------------------------------------------------------------------------


def build(target: Target) -> Kube:
    """A kubernetes client for ``target`` (no request is sent). Raises :class:`Problem`."""
    import warnings

    import urllib3
    from kubernetes import client
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader

    # `insecure-skip-tls-verify: true` is the kubeconfig's own choice: no warning per request.
    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    cfg = client.Configuration()
    try:
        KubeConfigLoader(config_dict=target.minimal_config(), active_context=target.context).load_and_set(cfg)
    except (ConfigException, ValueError, OSError) as exc:
        raise Problem(fail(f"cannot use the credentials of kubeconfig user '{target.user_name}' ({target.auth}): {exc}", hint=refresh_hint(target))) from None
    cfg.retries = False  # a retry would spend the deadline twice; doctor reports, it does not insist
    cfg.connection_pool_maxsize = 8
    secrets = list(target.secrets)
    for value in (cfg.api_key or {}).values():
        if isinstance(value, str):
            secrets.append(value)
            secrets.append(value.split(" ", 1)[-1])
    if cfg.password:
        secrets.append(cfg.password)
    return Kube(target, client.ApiClient(cfg), tuple(s for s in dict.fromkeys(secrets) if s))


# -- failures --------------------------------------------------------------------------------------


def refresh_hint(target: Target) -> str:
    name = target.k3d_cluster
    if name:
        return f"refresh the kubeconfig: k3d kubeconfig merge {name} --kubeconfig-merge-default --kubeconfig-switch-context"
    files = ", ".join(str(p) for p in target.located.paths)
    return f"refresh the credentials of user '{target.user_name}' in {files} (log in again, or re-run your cluster's get-credentials command)"


def _status_message(exc) -> tuple[str, dict]:
    try:
        body = json.loads(exc.body or "{}")
    except (TypeError, ValueError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    return str(body.get("message") or exc.reason or ""), body


_USER = re.compile(r'User "([^"]*)"')


def api_problem(kube: Kube, exc, action: Action) -> Outcome:
    target = kube.target
    message, _body = _status_message(exc)
    if exc.status == 0:  # the client turns urllib3's SSLError into ApiException(status=0)
        return tls_problem(target, str(exc.reason or ""))
    if exc.status == 401:
        return fail(
            f"401 Unauthorized: the API server rejected the credentials of kubeconfig user '{target.user_name}' ({target.auth}): expired or wrong",
            hint=refresh_hint(target),
            details=[f"request: {action}", f"server: {target.server}"],
        )
    if exc.status == 403:
        found = _USER.search(message)
        user = found.group(1) if found else kube.who
        scope = f" -n {action.namespace}" if action.namespace else ""
        kind = "role" if action.namespace else "clusterrole"
        binding = "rolebinding" if action.namespace else "clusterrolebinding"
        only = f" --resource-name={action.name}" if action.name else ""
        grant = (
            f"kubectl create {kind} devenv-doctor{scope} --verb={action.verb} --resource={action.resource}{only} && "
            f"kubectl create {binding} devenv-doctor{scope} --{kind}=devenv-doctor --user={user}"
        )
        return fail(
            f'403 Forbidden: user "{user}" may not {action}',
            hint=f"RBAC refuses it; a cluster admin can grant it: {grant}   (check: kubectl auth can-i {action.verb} {action.resource}{scope} --as {user})",
            details=[f"API server: {message}"] if message else [],
        )
    text = f"{exc.status} {exc.reason or ''}".strip()
    return fail(
        f"the API server answered {text} to {action}" + (f": {message}" if message else ""),
        hint="the API server is unhealthy: kubectl get --raw '/readyz?verbose'",
    )


def tls_problem(target: Target, reason: str) -> Outcome:
    short = reason.replace("SSLError\n", "").strip()
    found = re.search(r"certificate verify failed: ([^(]+)", short) or re.search(r"\] ([^(]+)\(", short)
    why = found.group(1).strip().rstrip(".") if found else short[:160]
    name = target.k3d_cluster
    fix = (
        f"k3d kubeconfig merge {name} --kubeconfig-merge-default --kubeconfig-switch-context"
        if name
        else "refresh the cluster's certificate-authority-data in the kubeconfig"
    )
    return fail(
        f"TLS failure talking to {target.server}: {why}",
        hint=f"the kubeconfig does not trust this server's certificate (was the cluster recreated?): {fix}",
        details=[f"error: {short[:400]}"],
    )


def timed_out(target: Target, action: Action, seconds: float, *, connected: bool | None) -> Outcome:
    if connected is False:
        what = f"{target.server} did not accept a connection within {seconds:.1f}s"
    elif connected:
        what = f"{target.server} accepted the connection but did not answer within {seconds:.1f}s"
    else:
        what = f"no time left to {action} at {target.server} ({seconds:.1f}s)"
    name = target.k3d_cluster
    look = f"docker ps --filter name=k3d-{name}; k3d cluster list" if name else "is the cluster paused, overloaded or behind a firewall that drops packets?"
    return Outcome(
        Status.TIMEOUT, f"{what} ({action})", hint=f"the API server does not answer: {look}; then: kubectl --context {target.context} get --raw /readyz"
    )


def transport_problem(target: Target, exc: BaseException, action: Action, timeout: float) -> Outcome | None:
    """urllib3's errors (retries are off, so they arrive unwrapped); None if not one of them."""
    from urllib3 import exceptions as u3

    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    name = target.k3d_cluster
    if isinstance(exc, u3.NameResolutionError):
        return fail(
            f"cannot resolve the API server's host in {target.server}", hint=f"check the `server:` of cluster '{target.cluster_name}' in the kubeconfig"
        )
    if isinstance(exc, u3.NewConnectionError):  # (a subclass of ConnectTimeoutError: test it first)
        if isinstance(exc.__cause__, ConnectionRefusedError) or "refused" in str(exc).lower():
            start = (
                f"k3d cluster start {name}" if name else f"start the cluster of context '{target.context}' (e.g. `minikube start`, `docker start <kind-node>`)"
            )
            return fail(f"connection refused by {target.server}: the cluster is stopped", hint=f"{start}   (or the kubeconfig's server address is stale)")
        return fail(f"cannot connect to {target.server}: {_short(exc)}", hint="check the network path to the API server and the kubeconfig's `server:`")
    if isinstance(exc, u3.ConnectTimeoutError):
        return timed_out(target, action, timeout, connected=False)
    if isinstance(exc, (u3.ReadTimeoutError, TimeoutError)):
        return timed_out(target, action, timeout, connected=True)
    if isinstance(exc, u3.SSLError):
        return tls_problem(target, str(exc))
    if isinstance(exc, u3.ProtocolError):
        return fail(
            f"the connection to {target.server} was cut during {action}: {_short(exc)}",
            hint="is something other than the API server listening on that port? check the kubeconfig's `server:`",
        )
    if isinstance(exc, u3.HTTPError):
        return fail(f"request to {target.server} failed: {_short(exc)}", hint="check the kubeconfig's `server:`")
    return None


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1][:200] if ": " in text else text[:200]


# -- keeping credentials out of every result ------------------------------------------------------------


def scrub(outcome: Outcome, secrets: tuple[str, ...]) -> Outcome:
    def clean(text: str) -> str:
        text = redact_text(text, secrets)
        return _BEARER.sub(f"Bearer {MASK}", text)

    return replace(outcome, message=clean(outcome.message), hint=clean(outcome.hint), details=tuple(clean(d) for d in outcome.details))


_BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{6,}")


def crashed(exc: BaseException, secrets: tuple[str, ...]) -> Outcome:
    """The engine's crash result, built here so the traceback is scrubbed of credentials first."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip().splitlines()
    return scrub(
        Outcome(
            Status.CRASHED,
            f"crashed: {type(exc).__name__}: {exc}",
            details=tuple(trace),
            hint="a bug in this check, not in your setup: rerun with -v and report the traceback",
        ),
        secrets,
    )
