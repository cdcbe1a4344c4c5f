"""Buttons in Tilt's UI (the built-in v1alpha1.ui_button + v1alpha1.cmd objects, no extension):
restart a registry's Deployment or a cluster DaemonSet, run doctor, and the manifest's own.

Restarts run `kubectl rollout restart` then `rollout status` in the current kubeconfig context,
and refuse to run when the manifest lists `cluster.contexts` and the current context is not one
of them. Every manifest value reaches the command as its own argv entry, never inside shell text.
"""

from __future__ import annotations

from dataclasses import dataclass

from devenv.manifest.model import Manifest
from devenv.render.starlark import call, literal
from devenv.tilt import HEALTH

# $1 kind/name, $2 namespace, then the allowed contexts (none: any).
RESTART_SCRIPT = """\
target=$1 ns=$2; shift 2
ctx=$(kubectl config current-context) || exit 1
if [ $# -gt 0 ]; then
  ok=; for c in "$@"; do [ "$c" = "$ctx" ] && ok=1; done
  if [ -z "$ok" ]; then echo "devenv: not restarting $target: context '$ctx' is not in cluster.contexts ($*)" >&2; exit 1; fi
fi
echo "devenv: kubectl --context $ctx -n $ns rollout restart $target"
kubectl --context "$ctx" -n "$ns" rollout restart "$target" || exit 1
kubectl --context "$ctx" -n "$ns" rollout status "$target" --timeout="${DEVENV_ROLLOUT_TIMEOUT:-300s}"
"""


@dataclass
class Button:
    name: str  # the UIButton's and the Cmd's object name
    text: str
    argv: list[str]
    resource: str | None  # None: Tilt's top bar
    confirm: bool
    icon: str
    dir: str | None = None  # relative to the Tiltfile; None: the Tiltfile's folder
    service: str | None = None  # sits on a service: only declared when the slice loads it


def restart_argv(kind: str, ref: str, contexts: list[str]) -> list[str]:
    namespace, name = ref.split("/", 1)
    return ["sh", "-c", RESTART_SCRIPT, "devenv-restart", f"{kind}/{name}", namespace, *contexts]


def buttons(m: Manifest, has_health: bool, manifest_rel: str, workdir: str | None) -> list[Button]:
    home = HEALTH if has_health else None
    contexts = list(m.cluster.contexts)
    out = []
    for name, registry in m.registries.items():
        if registry.deployment:
            out.append(
                Button(
                    f"devenv-restart-registry-{name}",
                    f"Restart {name} ({registry.deployment})",
                    restart_argv("deployment", registry.deployment, contexts),
                    home,
                    True,
                    "restart_alt",
                )
            )
    for ref in m.cluster.daemonsets:
        out.append(
            Button(f"devenv-restart-daemonset-{ref.replace('/', '-')}", f"Restart {ref}", restart_argv("daemonset", ref, contexts), home, True, "restart_alt")
        )
    out.append(Button("devenv-doctor", "Run doctor", ["devenv", "doctor", "--manifest", manifest_rel], home, False, "medical_services", dir=workdir))
    for name, spec in m.buttons.items():
        service = spec.resource if spec.resource in m.services else None
        out.append(
            Button(f"devenv-button-{name}", spec.text, ["sh", "-c", spec.cmd], spec.resource, spec.confirm, "smart_button", dir=workdir, service=service)
        )
    return out


def button_calls(button: Button) -> list[tuple[str, list[str], list[tuple[str, str]]]]:
    """(function, args, kwargs) of the two objects one button is made of, all encoded."""
    if button.resource:
        location = {"component_type": "Resource", "component_id": button.resource}
    else:
        location = {"component_type": "Global", "component_id": "nav"}
    ui = [
        ("name", literal(button.name)),
        ("location", literal(location)),
        ("text", literal(button.text)),
        ("icon_name", literal(button.icon)),
        ("requires_confirmation", literal(button.confirm)),
    ]
    annotations = {"tilt.dev/log-span-id": f"button:{button.name}"}
    if button.resource:
        annotations["tilt.dev/resource"] = button.resource  # its output shows in that resource's log
    cmd = [("name", literal(button.name)), ("args", literal(button.argv))]
    if button.dir:
        cmd.append(("dir", literal(button.dir)))
    cmd += [("annotations", literal(annotations)), ("start_on", call("v1alpha1.start_on_spec", ui_buttons=[button.name]).source)]
    return [("v1alpha1.ui_button", [], ui), ("v1alpha1.cmd", [], cmd)]
