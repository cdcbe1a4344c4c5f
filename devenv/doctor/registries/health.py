"""``registries.<name>.http``: the registry answers its probe path, per kind.

- npm (Verdaccio): ``/-/ping`` or a package document (the example probes the SDK's).
- pypi: ``/simple/`` (HTML or PEP 691 JSON).
- goproxy: ``/healthz`` (the platform's go-module-registry) or ``<module>/@v/list``.
- oci: ``/v2/``: 200, and 401 (credentials wanted) both mean alive.

2xx is a pass (a warning when the body is not what that kind of registry sends, e.g. a
gateway's default page, or when it took over a second); a 404 at the probe is a warning (the
registry is alive; the probe or an unpublished package is wrong); 401/403 and other 4xx fail;
5xx fails with the restart hint. A refused, reset or stalled connection is told apart.
"""

from __future__ import annotations

import json

from devenv.doctor.base import Context, Outcome, Status, fail, ok, warn
from devenv.doctor.registries import web
from devenv.doctor.registries.dns import MARGIN
from devenv.doctor.registries.target import Target
from devenv.doctor.registries.tls import CAFileProblem, ssl_context

SLOW = 1.0  # seconds: a healthy local registry answers in milliseconds


def _looks_wrong(target: Target, answer: web.Answer) -> str | None:
    """Why a 2xx body is not what this kind of registry sends, or None."""
    kind, ctype, path = target.kind, answer.content_type.lower(), target.probe
    if kind == "oci":
        if "docker-distribution-api-version" not in {k.lower() for k in answer.headers}:
            return "no Docker-Distribution-API-Version header: not a registry v2 API"
        return None
    if kind == "npm":
        if "json" not in ctype:
            return f"npm answers JSON; this is {ctype or 'untyped'}"
        try:
            json.loads(answer.body or b"{}")
        except ValueError:
            return "npm answers JSON; this does not parse"
        return None
    if kind == "pypi" and "simple" in path:
        if not ("html" in ctype or "pypi.simple" in ctype):
            return f"a simple index is HTML or PEP 691 JSON; this is {ctype or 'untyped'}"
    return None


def check(ctx: Context, target: Target, gates: list[str], publish_hints: dict[str, str]) -> Outcome:
    try:
        context = ctx.data(f"registries.{target.name}.tls") if target.tls else None
        context = context or ssl_context(target, ctx.env)
    except CAFileProblem as exc:
        return fail(str(exc), hint=f"fix {target.where('ca_file')}", gates=gates)
    path = target.probe
    ctx.note(f"GET {path}")
    try:
        answer = web.get(target, path, timeout=ctx.remaining() - MARGIN, verify=context)
    except web.Failure as failure:
        return _no_answer(target, path, failure, gates)
    details = web.describe(answer, path)
    code = answer.status
    hop = ""
    if answer.redirects:
        hop = f" after {len(answer.redirects)} redirect{'s' if len(answer.redirects) > 1 else ''} (to {answer.url})"
    said = f"GET {path} → {code} {answer.reason}{hop} in {web.ms(answer.elapsed)}"
    if 200 <= code < 300 or (code == 401 and target.kind == "oci"):
        alive = " (alive; it wants credentials for the API)" if code == 401 else ""
        wrong = _looks_wrong(target, answer) if code < 300 else None
        if wrong:
            return warn(
                f"{said}, but {wrong}",
                details=details,
                hint=f"is {target.origin} really the {target.kind} registry (not a gateway's default page)? check {target.where('url')} and .probe",
            )
        if answer.elapsed > SLOW:
            return warn(f"{said}: slow{alive}", details=details, hint="a local registry answers in milliseconds: is it overloaded or swapping?")
        return ok(said + alive, details=details)
    if code == 404:
        unpublished = publish_hints.get(path)
        if unpublished:
            return warn(f"{said}: the registry answers, but the probed package is not published yet", details=details, hint=unpublished)
        return warn(
            f"{said}: the registry answers, but not at its probe path",
            details=details,
            hint=f"set {target.where('probe')} to a path it serves (default for {target.kind}: {_default_probe(target.kind)})",
        )
    if code in (401, 403):
        if target.username is not None:
            what = "rejects the credentials in the URL" if code == 401 else "refuses the credentials in the URL"
            hint = f"fix the user/password in {target.where('url')} (doctor never prints them)"
        else:
            what = "wants credentials" if code == 401 else "forbids anonymous access"
            hint = (
                f"give the registry's credentials in {target.where('url')}: `user:password@` before the host "
                f"(doctor never prints them), or allow anonymous reads"
            )
        challenge = answer.headers.get("www-authenticate", "")
        return fail(f"{said}: it {what}" + (f" ({challenge.split(' ', 1)[0]})" if challenge else ""), details=details, hint=hint, gates=gates)
    if code >= 500:
        gateway = code in (502, 503, 504)
        what = "the gateway in front of the registry cannot reach it" if gateway else "the registry itself is failing"
        return fail(f"{said}: {what}", details=details, hint=target.restart_hint(), gates=gates)
    return fail(
        f"{said}: not an answer a {target.kind} registry gives at its probe", details=details, hint=f"check {target.where('url')} and .probe", gates=gates
    )


def _default_probe(kind: str) -> str:
    from devenv.doctor.registries.target import DEFAULT_PROBES

    return DEFAULT_PROBES[kind]


def _no_answer(target: Target, path: str, failure: web.Failure, gates: list[str]) -> Outcome:
    message = f"GET {path}: {failure.message}"
    if failure.kind in ("stall", "timeout"):
        return Outcome(Status.TIMEOUT, message, hint=target.restart_hint(), gates=tuple(gates))
    if failure.kind == "reset":
        return fail(message, gates=gates, hint=f"the registry (or a proxy in front of it) dropped the request: {target.restart_hint()}")
    if failure.kind == "refused":
        return fail(message, gates=gates, hint=f"start the {target.name} registry on {target.host}:{target.port}")
    if failure.kind == "redirects":
        return fail(message, gates=gates, hint=f"a redirect loop: check the gateway's routes for {target.host}")
    if failure.kind == "tls":
        return fail(message, gates=gates, hint=f"see the registries.{target.name}.tls check")
    return fail(message, gates=gates, hint="rerun with -v")
