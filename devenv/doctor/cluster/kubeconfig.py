"""Find, read and merge kubeconfig files the way kubectl does, and choose the context.

Where from, first match wins: ``--kubeconfig`` (passed to checks as ``$DEVENV_KUBECONFIG``),
``$KUBECONFIG`` (a ``:``-separated list; missing files are ignored, as kubectl does),
``~/.kube/config``. Merging follows kubectl: for clusters, users and contexts the first file
that defines a name wins; ``current-context`` comes from the first file that sets it.
``--context`` (``$DEVENV_KUBE_CONTEXT``) overrides the current context.

Relative file paths inside a kubeconfig (``certificate-authority``, ``client-key``,
``tokenFile``...) are made absolute against the folder of the file that defined them.
Every credential found is collected in ``Target.secrets`` so output can be scrubbed of it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

PATH_KEYS = ("certificate-authority", "client-certificate", "client-key", "tokenFile")
SECRET_USER_KEYS = ("token", "password", "client-key-data", "client-certificate-data")
K3D_PREFIX = "k3d-"


class KubeconfigError(Exception):
    def __init__(self, message: str, *, hint: str = "", details: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details


@dataclass(frozen=True)
class Located:
    paths: tuple[Path, ...]  # existing files, in precedence order
    missing: tuple[Path, ...]
    source: str  # "--kubeconfig", "$KUBECONFIG", "~/.kube/config"

    def describe(self) -> str:
        shown = ", ".join(str(p) for p in self.paths) or "none"
        return f"{shown} (from {self.source})"


def locate(env: Mapping[str, str]) -> Located:
    flag = env.get("DEVENV_KUBECONFIG", "")
    if flag:
        raw, source = [flag], "--kubeconfig"
    elif env.get("KUBECONFIG", "").strip(os.pathsep):
        raw, source = [p for p in env["KUBECONFIG"].split(os.pathsep) if p], "$KUBECONFIG"
    else:
        home = env.get("HOME") or str(Path.home())
        raw, source = [str(Path(home) / ".kube" / "config")], "~/.kube/config"
    seen: list[Path] = []
    for item in raw:
        path = Path(os.path.expanduser(item))
        if path not in seen:
            seen.append(path)
    existing = tuple(p for p in seen if p.is_file())
    missing = tuple(p for p in seen if not p.is_file())
    return Located(existing, missing, source)


@dataclass
class Merged:
    clusters: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    contexts: dict[str, dict] = field(default_factory=dict)
    current: str = ""
    current_from: Path | None = None
    defined_in: dict[tuple[str, str], Path] = field(default_factory=dict)  # (kind, name) -> file


def _load_file(path: Path) -> dict:
    import yaml

    try:
        text = path.read_text()
    except OSError as exc:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}", hint=f"check the file's permissions: ls -l {path}")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise KubeconfigError(
            f"kubeconfig {where}: {problem}", hint="fix the file, or regenerate it (e.g. `k3d kubeconfig merge <cluster> --kubeconfig-merge-default`)"
        )
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KubeconfigError(
            f"kubeconfig {path} is not a mapping (found {type(doc).__name__})",
            hint="regenerate it (e.g. `k3d kubeconfig merge <cluster> --kubeconfig-merge-default`)",
        )
    return doc


def _absolute(entry: dict, base: Path) -> dict:
    out = dict(entry)
    for key in PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            out[key] = str((base / os.path.expanduser(value)).resolve())
    return out


def merge(paths: tuple[Path, ...]) -> Merged:
    merged = Merged()
    for path in paths:
        doc = _load_file(path)
        base = path.parent
        for kind, target, inner in (("clusters", merged.clusters, "cluster"), ("users", merged.users, "user"), ("contexts", merged.contexts, "context")):
            items = doc.get(kind) or []
            if not isinstance(items, list):
                raise KubeconfigError(f"kubeconfig {path}: `{kind}` must be a list")
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise KubeconfigError(f"kubeconfig {path}: an entry of `{kind}` has no name")
                name = item["name"]
                if name in target:
                    continue
                body = item.get(inner) or {}
                if not isinstance(body, dict):
                    raise KubeconfigError(f"kubeconfig {path}: {kind} '{name}' is not a mapping")
                target[name] = _absolute(body, base) if inner != "context" else dict(body)
                merged.defined_in[(kind, name)] = path
        current = doc.get("current-context")
        if current and not merged.current:
            merged.current = str(current)
            merged.current_from = path
    return merged


@dataclass(frozen=True)
class Target:
    """The one cluster doctor may talk to, as the kubeconfig describes it."""

    located: Located
    context: str
    chosen_by: str  # "current-context" | "--context"
    cluster_name: str
    cluster: Mapping[str, Any] = field(repr=False)
    user_name: str = ""
    user: Mapping[str, Any] = field(default_factory=dict, repr=False)
    namespace: str = ""
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def server(self) -> str:
        return str(self.cluster.get("server", ""))

    @property
    def k3d_cluster(self) -> str | None:
        """``k3d-ameide`` -> ``ameide``: k3d names its contexts (and clusters) that way."""
        for name in (self.context, self.cluster_name):
            if name.startswith(K3D_PREFIX) and len(name) > len(K3D_PREFIX):
                return name[len(K3D_PREFIX) :]
        return None

    @property
    def auth(self) -> str:
        user = self.user
        if user.get("exec"):
            command = (user["exec"] or {}).get("command", "?")
            return f"exec plugin `{os.path.basename(str(command))}`"
        if user.get("auth-provider"):
            return f"auth-provider {(user['auth-provider'] or {}).get('name', '?')}"
        if user.get("token") or user.get("tokenFile"):
            return "bearer token"
        if user.get("client-certificate") or user.get("client-certificate-data"):
            return "client certificate"
        if user.get("username"):
            return "basic auth"
        return "no credentials"

    def minimal_config(self) -> dict:
        """A one-context kubeconfig (absolute paths) for the kubernetes client's loader."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": self.context,
            "clusters": [{"name": self.cluster_name, "cluster": dict(self.cluster)}],
            "users": [{"name": self.user_name, "user": dict(self.user)}],
            "contexts": [
                {
                    "name": self.context,
                    "context": {"cluster": self.cluster_name, "user": self.user_name, **({"namespace": self.namespace} if self.namespace else {})},
                }
            ],
        }


def collect_secrets(user: Mapping[str, Any]) -> tuple[str, ...]:
    """Every credential of a kubeconfig user, as it could appear in text (raw and decoded)."""
    found: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and len(value) >= 6:
            found.append(value)
            try:  # *-data fields are base64: their decoded PEM could leak too
                decoded = base64.b64decode(value, validate=True).decode("utf-8", "ignore")
            except Exception:  # noqa: BLE001 - not base64
                decoded = ""
            found.extend(line for line in decoded.splitlines() if len(line) >= 16 and "-----" not in line)

    for key in SECRET_USER_KEYS:
        add(user.get(key))
    token_file = user.get("tokenFile")
    if isinstance(token_file, str):
        try:
            add(Path(token_file).read_text().strip())
        except OSError:
            pass
    provider = user.get("auth-provider") or {}
    for key, value in (provider.get("config") or {}).items():
        if any(s in key for s in ("token", "secret", "password")):
            add(value)
    return tuple(dict.fromkeys(found))


def resolve_target(env: Mapping[str, str], located: Located | None = None) -> tuple[Target, Merged]:
    """The context doctor would use (``--context`` or the current one), fully resolved.
    Raises :class:`KubeconfigError` when there is no usable kubeconfig or context."""
    located = located or locate(env)
    if not located.paths:
        missing = ", ".join(str(p) for p in located.missing) or "~/.kube/config"
        raise KubeconfigError(
            f"no kubeconfig: {missing} not found (from {located.source})",
            hint="create the cluster or export its kubeconfig, e.g. `k3d kubeconfig merge <cluster> --kubeconfig-merge-default --kubeconfig-switch-context`",
        )
    merged = merge(located.paths)
    wanted = env.get("DEVENV_KUBE_CONTEXT", "")
    chosen_by = "--context" if wanted else "current-context"
    name = wanted or merged.current
    if not name:
        raise KubeconfigError(
            f"no current context in {located.describe()}", hint="kubectl config use-context <context>", details=tuple(f"context: {c}" for c in merged.contexts)
        )
    return target_for(name, chosen_by, merged, located), merged


def target_for(name: str, chosen_by: str, merged: Merged, located: Located) -> Target:
    context = merged.contexts.get(name)
    if context is None:
        raise KubeconfigError(
            f"context '{name}' ({chosen_by}) is not defined in {located.describe()}",
            hint="list the contexts with `kubectl config get-contexts`",
            details=tuple(f"context: {c}" for c in merged.contexts),
        )
    cluster_name = str(context.get("cluster", ""))
    cluster = merged.clusters.get(cluster_name)
    if cluster is None or not cluster.get("server"):
        raise KubeconfigError(
            f"context '{name}' names cluster '{cluster_name}', which has no server in {located.describe()}",
            hint="regenerate the kubeconfig entry of this cluster",
        )
    user_name = str(context.get("user", ""))
    user = merged.users.get(user_name, {}) if user_name else {}
    return Target(
        located=located,
        context=name,
        chosen_by=chosen_by,
        cluster_name=cluster_name,
        cluster=cluster,
        user_name=user_name,
        user=user,
        namespace=str(context.get("namespace", "") or ""),
        secrets=collect_secrets(user),
    )
