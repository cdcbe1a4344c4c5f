"""``registries.<sdk>-sdk`` for ``source: buf`` SDKs: the BSR has generated the expected version.

Asked on the SDK's BSR endpoint (its ``registry``, else ``https://<module host>/gen/<ecosystem>``)
in each ecosystem's own protocol:

- npm: the package document (``/@buf%2f<name>``) lists the version;
- Go: ``/<module>/@v/<version>.info`` answers;
- Python: the simple index page (``/<project>/``) lists a file of that version.

A 401/403 means credentials: set ``BUF_TOKEN`` or run ``buf registry login``; a 404 means the
BSR has not generated this plugin for this module commit. The token comes from ``BUF_TOKEN``
(``token`` or ``token1@host1,token2@host2``, as buf reads it) or the ``~/.netrc`` (``$NETRC``)
entry for the endpoint's host, is sent as a bearer token, and is never printed.
"""

from __future__ import annotations

from devenv.deps import wire
from devenv.doctor.base import Context, Outcome, fail, ok
from devenv.doctor.registries import protocols, web
from devenv.doctor.registries.dns import MARGIN
from devenv.doctor.registries.health import _no_answer
from devenv.doctor.registries.target import Target, target_for
from devenv.doctor.registries.tls import CAFileProblem, ssl_context
from devenv.manifest import buf
from devenv.manifest.model import Registry, Sdk


def bsr_target(ctx: Context, name: str, sdk: Sdk) -> Target | None:
    """The SDK's `registry` when it names one, else the BSR endpoint of the module's host."""
    manifest = ctx.manifest
    if manifest is None:
        return None
    shown = ctx.loaded.path.name if ctx.loaded else "services.yaml"
    root = ctx.loaded.root if ctx.loaded else None
    if sdk.registry and sdk.registry in manifest.registries:
        return target_for(sdk.registry, manifest.registries[sdk.registry], manifest, root=root, manifest_name=shown)
    module = buf.Ref.parse(sdk.buf.module) if sdk.buf else None
    if module is None:
        return None
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    registry = Registry(kind=buf.REGISTRY_KIND[ecosystem], url=buf.endpoint(ecosystem, module))
    return target_for(f"{name}-bsr", registry, manifest, root=root, manifest_name=shown)


def request_path(target: Target, sdk: Sdk) -> tuple[str, str | None]:
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    if ecosystem == "npm":
        return wire.npm_path(sdk.package or ""), protocols.NPM_ACCEPT
    if ecosystem == "go":
        version = wire.go_escape(sdk.version or "")
        return f"/{wire.go_escape(sdk.package or '')}/@v/{version}.info", None
    return f"/{wire.pypi_normalize(sdk.package or '')}/", protocols.PYPI_ACCEPT


def check(ctx: Context, name: str, sdk: Sdk, gates: list[str]) -> Outcome:
    target = bsr_target(ctx, name, sdk)
    if target is None:
        return fail(f"SDK '{name}' has no BSR endpoint", gates=gates)
    try:
        context = ssl_context(target, ctx.env) if target.tls else False
    except CAFileProblem as exc:
        return fail(str(exc), gates=gates)
    path, accept = request_path(target, sdk)
    secret = buf.token(ctx.env, target.host)
    ctx.note(f"GET {target.origin}{target.base_path}{path}" + (" (with a bearer token)" if secret else ""))
    try:
        answer = web.get(target, path, timeout=ctx.remaining() - MARGIN, verify=context, accept=accept, bearer=secret)
    except web.Failure as failure:
        return _no_answer(target, path, failure, gates)
    return _judge(answer, target, path, name, sdk, gates, bool(secret))


def _judge(answer: web.Answer, target: Target, path: str, name: str, sdk: Sdk, gates: list[str], sent_token: bool) -> Outcome:
    wanted = f"{sdk.package}@{sdk.version}"
    details = web.describe(answer, path)
    where = f"{target.origin}{target.base_path}"
    if answer.status in (401, 403):
        why = "refused the token given" if sent_token else "needs a token"
        return fail(
            f"GET {path} → {answer.status}: the BSR at {where} {why} for {sdk.package}",
            details=details,
            gates=gates,
            hint=f"set BUF_TOKEN (a BSR token for {target.host}) or run `buf registry login {target.host}` (doctor reads ~/.netrc)",
        )
    if answer.status in (404, 410):
        return fail(
            f"{wanted} is not generated for this plugin and commit (GET {path} → {answer.status})", details=details, gates=gates, hint=_version_hint(sdk)
        )
    if answer.status >= 300:
        return fail(f"GET {path} → {answer.status} {answer.reason}", details=details, gates=gates, hint="rerun with -v")
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    if ecosystem == "go":
        return ok(f"{wanted} is generated ({where})", details=details)
    try:
        served = protocols.parse_npm(answer.body) if ecosystem == "npm" else protocols.parse_pypi(answer.body, answer.content_type, sdk.package or "")
    except ValueError as exc:
        return fail(f"GET {path} → {answer.status}, but the answer does not parse: {str(exc)[:120]}", details=details, gates=gates, hint="rerun with -v")
    details.append(f"read as {served.format}: {protocols.served_list(served, 20)}")
    same = wire.same_pypi_version if ecosystem == "python" else str.__eq__
    if any(same(sdk.version or "", v) for v in served.versions):
        return ok(f"{wanted} is generated ({where})", details=details)
    return fail(
        f"{wanted} is not generated for this plugin and commit (the BSR lists {protocols.served_list(served)})",
        details=details,
        gates=gates,
        hint=_version_hint(sdk),
    )


def _version_hint(sdk: Sdk) -> str:
    ecosystem = buf.ECOSYSTEM_OF_LANGUAGE[sdk.language]
    parts = buf.parse_version(ecosystem, sdk.version or "")
    module = sdk.buf.module if sdk.buf else "<module>"
    plugin = sdk.buf.plugin if sdk.buf else "<plugin>"
    commit = f":{parts.commit}" if parts else ""
    return (
        f"`buf registry sdk version --module={module}{commit} --plugin={plugin}` prints the version the BSR "
        f"generates; check the commit was pushed and the plugin version exists"
    )
