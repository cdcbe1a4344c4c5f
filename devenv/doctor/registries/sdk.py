"""``registries.<sdk>-sdk``: the registry serves the SDK version the manifest expects.

A missing version names the Tilt step that publishes it (the SDK's step named ``publish``,
else its last step: ``tilt trigger packages:ts-sdk-publish``) and blocks the services that
consume the SDK (through that step in the graph).

Under Tilt's ``packages:health`` gate (Tilt gives its local resources ``TILT_HOST`` and
``TILT_PORT``; or ``DEVENV_HEALTH_GATE=1``) a version that the SDK's own chain publishes is
only a warning: the gate runs *before* that chain, and failing it would keep the version from
ever being published (a fresh registry is empty).
"""

from __future__ import annotations

from typing import Mapping

from devenv.deps import specs, wire
from devenv.doctor.base import Context, Outcome, Status, fail, ok, warn
from devenv.doctor.registries import protocols, web
from devenv.doctor.registries.dns import MARGIN
from devenv.doctor.registries.health import _no_answer
from devenv.doctor.registries.target import Target
from devenv.doctor.registries.tls import CAFileProblem, ssl_context
from devenv.manifest.model import Sdk
from devenv.tilt import step_resource


def publish_step(sdk: Sdk) -> str | None:
    if not sdk.steps:
        return None
    return "publish" if "publish" in sdk.steps else list(sdk.steps)[-1]


def publish_resource(name: str, sdk: Sdk) -> str | None:
    step = publish_step(sdk)
    return step_resource(name, step) if step else None


def publish_hint(name: str, sdk: Sdk, registry: str) -> str:
    resource = publish_resource(name, sdk)
    if resource:
        return f"tilt trigger {resource}"
    return f"publish {sdk.package}@{sdk.version} to the {registry} registry (the SDK has no steps in the manifest)"


def under_health_gate(env: Mapping[str, str]) -> bool:
    return env.get("DEVENV_HEALTH_GATE") == "1" or bool(env.get("TILT_HOST") and env.get("TILT_PORT"))


def request_path(target: Target, sdk: Sdk) -> tuple[str, str | None]:
    """The path that lists the SDK's versions on this kind of registry, and the Accept header."""
    kind, package = target.kind, sdk.package_name
    if kind == "npm":
        return wire.npm_path(package), protocols.NPM_ACCEPT
    if kind == "pypi":
        base = "" if "simple" in target.base_path.rsplit("/", 1)[-1] else "/simple"
        return f"{base}/{wire.pypi_normalize(package)}/", protocols.PYPI_ACCEPT
    if kind == "goproxy":
        return f"/{wire.go_escape(package)}/@v/list", None
    return f"/v2/{package}/tags/list", "application/json"


def _matches(kind: str, expected: str, served: str) -> bool:
    if kind == "pypi":
        return wire.same_pypi_version(expected, served)
    if kind == "goproxy":
        return specs.go_version(expected) == served
    return expected == served


def check(ctx: Context, target: Target, name: str, sdk: Sdk, gates: list[str]) -> Outcome:
    expected = sdk.version or ""
    wanted = f"{sdk.package}@{expected}"
    try:
        context = ctx.data(f"registries.{target.name}.tls") if target.tls else None
        context = context or ssl_context(target, ctx.env)
    except CAFileProblem as exc:
        return fail(str(exc), gates=gates)
    path, accept = request_path(target, sdk)
    ctx.note(f"GET {path}")
    try:
        answer = web.get(target, path, timeout=ctx.remaining() - MARGIN, verify=context, accept=accept)
    except web.Failure as failure:
        return _no_answer(target, path, failure, gates)
    details = web.describe(answer, path)
    hint = publish_hint(name, sdk, target.name)
    if answer.status in (404, 410):
        return _missing(
            ctx, target, name, sdk, f"{sdk.package} is not on the {target.name} registry at all (GET {path} → {answer.status})", details, hint, gates
        )
    if answer.status in (401, 403):
        return fail(
            f"GET {path} → {answer.status}: the registry will not list {sdk.package}",
            details=details,
            hint=f"give credentials in {target.where('url')} (never printed)",
            gates=gates,
        )
    if answer.status >= 300:
        return fail(
            f"GET {path} → {answer.status} {answer.reason}",
            details=details,
            hint=target.restart_hint() if answer.status >= 500 else "rerun with -v",
            gates=gates,
        )
    try:
        served = _parse(target.kind, answer, sdk.package_name)
    except ValueError as exc:
        return fail(
            f"GET {path} → {answer.status}, but the answer does not parse as a {target.kind} listing: {str(exc)[:120]}",
            details=details,
            hint=f"check {target.where('url')}",
            gates=gates,
        )
    details.append(f"read as {served.format}: {protocols.served_list(served, 20)}")
    if any(_matches(target.kind, expected, v) for v in served.versions):
        latest = f"; latest: {served.latest}" if served.latest and served.latest != expected else ""
        return ok(f"{wanted} is served ({len(served.versions)} version{'s' if len(served.versions) != 1 else ''}{latest})", details=details)
    if target.kind == "goproxy":
        info = _go_info(ctx, target, sdk, context)
        if info is not None:
            details.append(info[1])
            if info[0]:
                return ok(f"{wanted} is served (its .info answers, though @v/list does not list it)", details=details)
    if any(_matches(target.kind, expected, v) for v in served.yanked):
        return _missing(ctx, target, name, sdk, f"{wanted} is yanked on the {target.name} registry", details, hint, gates)
    return _missing(ctx, target, name, sdk, f"{wanted} is not published (it serves {protocols.served_list(served)})", details, hint, gates)


def _parse(kind: str, answer: web.Answer, package: str) -> protocols.Served:
    if kind == "npm":
        return protocols.parse_npm(answer.body)
    if kind == "pypi":
        return protocols.parse_pypi(answer.body, answer.content_type, package)
    if kind == "goproxy":
        return protocols.parse_go_list(answer.body)
    return protocols.parse_oci_tags(answer.body)


def _go_info(ctx: Context, target: Target, sdk: Sdk, context) -> tuple[bool, str] | None:
    """``@v/list`` may omit versions a proxy still serves (pseudo-versions): ask ``@v/<v>.info``."""
    version = wire.go_escape(specs.go_version(sdk.version or ""))
    path = f"/{wire.go_escape(sdk.package_name)}/@v/{version}.info"
    if ctx.remaining() < 2 * MARGIN:
        return None
    try:
        answer = web.get(target, path, timeout=ctx.remaining() - MARGIN, verify=context)
    except web.Failure:
        return None
    return 200 <= answer.status < 300, f"GET {path} → {answer.status}"


def _missing(ctx: Context, target: Target, name: str, sdk: Sdk, message: str, details: list[str], hint: str, gates: list[str]) -> Outcome:
    resource = publish_resource(name, sdk)
    if resource and under_health_gate(ctx.env):
        return warn(f"{message}; {resource} publishes it after this gate", details=details, hint=hint)
    return Outcome(Status.FAIL, message, tuple(details), hint, tuple(gates))
