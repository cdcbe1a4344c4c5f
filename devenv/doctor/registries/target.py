"""A registry as the checks see it: where to connect, what to request, how to authenticate,
what must never be printed, and the fix hints that name it.

Built once per run from a manifest entry (``registries.<name>``). The URL may carry
``user:password@`` (the platform's PyPI did: ``admin/admin123``) or a token in its query; both
are used for the requests and kept out of every message (:attr:`Target.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping
from urllib.parse import unquote, urlsplit

from devenv.util.redact import query_secrets, redact_text, redact_url

if TYPE_CHECKING:
    from devenv.doctor.base import Context
    from devenv.manifest.model import Manifest, Registry

DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_PROBES = {"npm": "/-/ping", "pypi": "/simple/", "goproxy": "/healthz", "oci": "/v2/"}
# What the platform's Helmfile calls each kind's Deployment: restart hints name it, and say so.
DEPLOYMENTS = {"npm": "verdaccio", "pypi": "pypiserver", "goproxy": "go-module-registry", "oci": "registry"}
KIND_NAMES = {"npm": "npm registry", "pypi": "PyPI index", "goproxy": "Go module proxy", "oci": "container registry"}


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    url: str  # as written in the manifest: may hold credentials, never print it
    scheme: str
    host: str
    port: int
    base_path: str  # the URL's path without its trailing slash ("" for the root)
    query: str
    username: str | None
    password: str | None
    probe: str
    ca_file: Path | None  # absolute
    ca_file_shown: str | None  # as written in the manifest
    manifest_name: str
    namespace: str
    deployment_ref: str | None = None  # registries.<r>.deployment: NAMESPACE/NAME, when the manifest says

    @property
    def shown(self) -> str:
        """The URL as it may be printed."""
        return redact_url(self.url)

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``, no credentials: what messages call the registry."""
        default = DEFAULT_PORTS.get(self.scheme)
        return f"{self.scheme}://{self.host}" + ("" if self.port == default else f":{self.port}")

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Literal values to mask wherever they might surface (error texts quoting a request)."""
        found = [s for s in (self.password,) if s]
        if self.username and self.password:
            found.append(f"{self.username}:{self.password}")
        found.extend(query_secrets(self.query))
        return tuple(sorted(set(found), key=len, reverse=True))  # "user:pw" before "pw"

    def clean(self, text: str) -> str:
        return redact_text(text, self.secrets)

    def url_for(self, path: str) -> str:
        """An absolute request URL for ``path`` under the registry's base path (credentials left
        out: they travel as ``auth``). A query in the registry's URL is carried onto every request."""
        if path.startswith(("http://", "https://")):
            return path
        if not path.startswith("/"):
            path = "/" + path
        url = self.origin + self.base_path + path
        if self.query:
            url += ("&" if "?" in path else "?") + self.query
        return url

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username is None:
            return None
        return (self.username, self.password or "")

    # -- hints: concrete, and honest about what doctor cannot know ------------------------------------

    @property
    def deployment(self) -> str:
        return DEPLOYMENTS[self.kind]

    def restart_hint(self) -> str:
        if self.deployment_ref:  # the manifest names it: no guessing, and Tilt has a button for it
            ns, deploy = self.deployment_ref.split("/", 1)
            return (
                f"restart the {KIND_NAMES[self.kind]}: kubectl -n {ns} rollout restart deploy/{deploy}"
                f"   (or its Restart button on Tilt's packages:health; logs: kubectl -n {ns} logs deploy/{deploy})"
            )
        ns, deploy = self.namespace, self.deployment
        return (
            f"restart the {KIND_NAMES[self.kind]}: kubectl -n {ns} rollout restart deploy/{deploy}"
            f"   (if it runs in the cluster under that name; its logs: kubectl -n {ns} logs deploy/{deploy})"
        )

    def where(self, field: str) -> str:
        """``registries.<name>.<field> in services.yaml``"""
        return f"registries.{self.name}.{field} in {self.manifest_name}"


def target_for(name: str, registry: "Registry", manifest: "Manifest", *, root: Path | None, manifest_name: str, go_module: str | None = None) -> Target:
    parts = urlsplit(registry.url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 80)
    except ValueError:  # a port outside 0-65535: the model's pattern lets it through
        port = DEFAULT_PORTS.get(scheme, 80)
    probe = registry.probe or DEFAULT_PROBES[registry.kind]
    if registry.kind == "goproxy" and not registry.probe and go_module:
        from devenv.deps.wire import go_escape

        probe = f"/{go_escape(go_module)}/@v/list"
    ca_file = None
    if registry.ca_file:
        ca_path = Path(registry.ca_file)
        ca_file = ca_path if ca_path.is_absolute() else (root or Path.cwd()) / ca_path
    return Target(
        name=name,
        kind=registry.kind,
        url=registry.url,
        scheme=scheme,
        host=(parts.hostname or registry.host),
        port=port,
        base_path=parts.path.rstrip("/"),
        query=parts.query,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        probe=probe,
        ca_file=ca_file,
        ca_file_shown=registry.ca_file,
        manifest_name=manifest_name,
        namespace=manifest.cluster.namespace or "<namespace>",
        deployment_ref=registry.deployment,
    )


def targets(ctx: "Context") -> Mapping[str, Target]:
    """Every registry of the run's manifest, by name."""
    manifest = ctx.manifest
    if manifest is None:
        return {}
    root = ctx.loaded.root if ctx.loaded else None
    shown = ctx.loaded.path.name if ctx.loaded else "services.yaml"
    result = {}
    for name, registry in manifest.registries.items():
        module = next((s.package for s in manifest.sdks.values() if s.registry == name), None)
        result[name] = target_for(name, registry, manifest, root=root, manifest_name=shown, go_module=module)
    return result
