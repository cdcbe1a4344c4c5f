"""Buttons and service ergonomics in the real Tilt, and a restart button run for real.

Tilt's object set (`tilt alpha tiltfile-result`) holds one UIButton and one Cmd per button, with
the manifest's text, confirmation and resource and the exact argv; custom commands and texts come
through the Starlark encoder byte for byte. The restart command, run as Tilt's Cmd would run it
against the real kube-apiserver of the cluster tests, leaves kubectl's restart annotation on the
Deployment and on the DaemonSet, and refuses to touch a context the manifest does not allow.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from tests.fixtures.kube import CONTEXT
from tests.fixtures.manifests import build_tree, deployment
from tests.integration.judge import render_tiltfile
from tests.support.components import tool

UI = "tilt.dev/v1alpha1, Resource=uibuttons"
CMD = "tilt.dev/v1alpha1, Resource=cmds"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
AWKWARD_CMD = "printf '%s\\n' \"it's\" 'a \"b\"' \\\\ ${HOME} ü🙂"
AWKWARD_TEXT = "Seed 'db' \"now\" \\ ü🙂"
MANUAL = 2  # Tilt's model.TriggerModeManual: manual trigger, no auto init
AUTO_WITH_MANUAL_INIT = 3


def _manifest(ns: str, deploy: str, ds_ns: str, ds: str) -> dict:
    return {
        "version": 1,
        "project": "btn",
        "registries": {"npm": {"kind": "npm", "url": "http://npm.example.io", "deployment": f"{ns}/{deploy}"}},
        "sdks": {
            "ts": {
                "language": "typescript",
                "path": "sdk",
                "package": "@btn/sdk",
                "steps": {"build": {"cmd": "make build", "trigger": "manual", "auto_init": False}},
            }
        },
        "services": {
            "web": {
                "k8s": ["web.yaml"],
                "sdks": ["ts"],
                "trigger": "manual",
                "auto_init": False,
                "links": ["http://localhost:8080/", {"url": "https://web.example.io/admin", "name": "admin 'ü'"}],
            },
            "api": {"k8s": ["api.yaml"], "sdks": [], "auto_init": False},
        },
        "cluster": {"contexts": [CONTEXT], "daemonsets": [f"{ds_ns}/{ds}"]},
        "buttons": {"seed": {"text": AWKWARD_TEXT, "cmd": AWKWARD_CMD, "resource": "web", "confirm": True}, "wipe": {"text": "Wipe", "cmd": "rm -rf tmp"}},
    }


def _load(tilt, root: Path, names: list[str] | None = None) -> dict:
    run = tilt.tiltfile_result(root / "Tiltfile", args=names)
    assert run.code == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


@pytest.fixture
def repo(tmp_path):
    suffix = uuid.uuid4().hex[:6]
    m = _manifest(f"reg-{suffix}", "verdaccio", "kube-system", f"registry-mirror-{suffix}")
    build_tree(
        tmp_path,
        {
            "services.yaml": yaml.safe_dump(m, allow_unicode=True, sort_keys=False),
            "web.yaml": deployment("web", "nginx:1"),
            "api.yaml": deployment("api", "nginx:1"),
            "sdk/x": "",
        },
    )
    render_tiltfile(tmp_path)
    return tmp_path, m


def test_tilt_holds_each_button_and_its_exact_command(repo, tilt):
    root, m = repo
    data = _load(tilt, root)
    ui, cmds = data["ObjectSet"][UI], data["ObjectSet"][CMD]
    ns, deploy = m["registries"]["npm"]["deployment"].split("/")
    ds_ns, ds = m["cluster"]["daemonsets"][0].split("/")
    want = {  # name -> (resource, text, confirmation, argv after the script, or the whole argv)
        "devenv-restart-registry-npm": ("packages:health", True, ["devenv-restart", f"deployment/{deploy}", ns, CONTEXT]),
        f"devenv-restart-daemonset-{ds_ns}-{ds}": ("packages:health", True, ["devenv-restart", f"daemonset/{ds}", ds_ns, CONTEXT]),
        "devenv-doctor": ("packages:health", False, ["devenv", "doctor", "--manifest", "services.yaml"]),
        "devenv-button-seed": ("web", True, ["sh", "-c", AWKWARD_CMD]),
        "devenv-button-wipe": (None, False, ["sh", "-c", "rm -rf tmp"]),
    }
    assert set(ui) == set(cmds) == set(want)
    for name, (resource, confirm, argv) in want.items():
        spec, cmd = ui[name]["spec"], cmds[name]["spec"]
        location = spec["location"]
        assert location == ({"componentType": "Resource", "componentID": resource} if resource else {"componentType": "Global", "componentID": "nav"})
        assert spec.get("requiresConfirmation", False) is confirm, name
        assert cmd["startOn"]["uiButtons"] == [name]
        assert cmd["dir"] == str(root)
        if resource:  # the command's output lands in that resource's log
            assert cmds[name]["metadata"]["annotations"]["tilt.dev/resource"] == resource
        args = cmd["args"]
        assert (args[:2] == ["sh", "-c"] and args[3:] == argv) if argv[0] == "devenv-restart" else args == argv
    assert ui["devenv-button-seed"]["spec"]["text"] == AWKWARD_TEXT


def test_links_trigger_and_auto_init_reach_tilt(repo, tilt):
    root, _ = repo
    manifests = {mf["Name"]: mf for mf in _load(tilt, root)["Manifests"]}
    assert manifests["web"]["TriggerMode"] == MANUAL
    assert manifests["packages:ts-sdk-build"]["TriggerMode"] == MANUAL
    assert manifests["api"]["TriggerMode"] == AUTO_WITH_MANUAL_INIT
    assert manifests["packages:health"]["TriggerMode"] == 0
    links = manifests["web"]["DeployTarget"]["Links"]
    assert [(f"{link['URL']['Scheme']}://{link['URL']['Host']}{link['URL']['Path']}", link["Name"]) for link in links] == [
        ("http://localhost:8080/", ""),
        ("https://web.example.io/admin", "admin 'ü'"),
    ]


def test_a_slice_leaves_out_the_buttons_of_services_it_does_not_load(repo, tilt):
    root, _ = repo
    data = _load(tilt, root, ["api"])
    assert "web" not in {mf["Name"] for mf in data["Manifests"]}
    assert "devenv-button-seed" not in data["ObjectSet"][UI]
    assert "devenv-doctor" in data["ObjectSet"][UI]


def _run_cmd(spec: dict, kubeconfig: Path) -> subprocess.CompletedProcess:
    """Run a Cmd as Tilt's Cmd controller does: its argv, in its dir, with Tilt's environment."""
    kubectl = tool("kubectl", "DEVENV_KUBECTL")
    env = {
        "PATH": os.pathsep.join([str(Path(kubectl).parent), "/usr/bin", "/bin"]),
        "HOME": str(kubeconfig.parent),
        "KUBECONFIG": str(kubeconfig),
        "DEVENV_ROLLOUT_TIMEOUT": "2s",
    }
    return subprocess.run(spec["args"], cwd=spec["dir"], env=env, capture_output=True, text=True, timeout=60)


def _restart_targets(kube_world, m: dict):
    from kubernetes import client

    ns, deploy = m["registries"]["npm"]["deployment"].split("/")
    kube_world.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    kube_world.apps.create_namespaced_deployment(ns, yaml.safe_load(deployment(deploy, "verdaccio/verdaccio:6")))
    ds_ns, ds = m["cluster"]["daemonsets"][0].split("/")
    kube_world.add_daemonset(ds_ns, ds, desired=1, ready=1)

    def annotations():
        d = kube_world.apps.read_namespaced_deployment(deploy, ns).spec.template.metadata.annotations or {}
        s = kube_world.apps.read_namespaced_daemon_set(ds, ds_ns).spec.template.metadata.annotations or {}
        return d, s

    return annotations


def test_restart_buttons_restart_the_deployment_and_daemonset_in_the_real_apiserver(repo, tilt, kube_world, kube_server, tmp_path):
    root, m = repo
    cmds = _load(tilt, root)["ObjectSet"][CMD]
    annotations = _restart_targets(kube_world, m)
    assert annotations() == ({}, {})
    kubeconfig = kube_server.kubeconfig(tmp_path / "kube" / "config")
    ds_button = next(n for n in cmds if n.startswith("devenv-restart-daemonset-"))
    for name in ("devenv-restart-registry-npm", ds_button):
        run = _run_cmd(cmds[name]["spec"], kubeconfig)
        assert "restarted" in run.stdout, run.stdout + run.stderr
        # No controllers run beside this kube-apiserver, so `rollout status` cannot see the new
        # pods and gives up after DEVENV_ROLLOUT_TIMEOUT: the restart itself is what we assert.
    deploy_annotations, ds_annotations = annotations()
    assert RESTARTED_AT in deploy_annotations and RESTARTED_AT in ds_annotations


def test_restart_buttons_refuse_a_context_the_manifest_does_not_allow(repo, tilt, kube_world, kube_server, tmp_path):
    root, m = repo
    cmds = _load(tilt, root)["ObjectSet"][CMD]
    annotations = _restart_targets(kube_world, m)
    kubeconfig = kube_server.kubeconfig(tmp_path / "kube" / "config", current="prod-eu")
    run = _run_cmd(cmds["devenv-restart-registry-npm"]["spec"], kubeconfig)
    assert run.returncode == 1
    assert "context 'prod-eu' is not in cluster.contexts" in run.stderr
    assert annotations() == ({}, {})
