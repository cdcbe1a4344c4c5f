"""Finding and reading kubeconfigs, choosing the context, and refusing the ones the manifest
does not allow: all without a server (no request is ever sent by these checks)."""

from __future__ import annotations

import base64

import pytest
import yaml

from devenv.doctor.cluster.kubeconfig import KubeconfigError, locate, merge, resolve_target
from tests.fixtures.kube import CONTEXT, closed_port, run_cluster, write_cluster_manifest, write_kubeconfig

TOKEN = "s3cr3t-token-value-0123456789"
OTHERS = ("cluster.api", "cluster.version", "cluster.nodes", "cluster.namespace", "cluster.coredns", "cluster.daemonsets")


@pytest.fixture
def manifest(tmp_path):
    return write_cluster_manifest(tmp_path / "repo")


def server() -> str:
    return f"https://127.0.0.1:{closed_port()}"


def test_locate_prefers_the_flag_then_kubeconfig_then_home(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("{}")
    b.write_text("{}")
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text("{}")
    assert locate({"DEVENV_KUBECONFIG": str(a), "KUBECONFIG": str(b), "HOME": str(home)}).paths == (a,)
    found = locate({"KUBECONFIG": f"{b}:{tmp_path / 'missing'}:{a}", "HOME": str(home)})
    assert found.paths == (b, a) and found.missing == (tmp_path / "missing",) and found.source == "$KUBECONFIG"
    assert locate({"HOME": str(home)}).paths == (home / ".kube" / "config",)


def test_merge_follows_kubectl_first_file_wins(tmp_path):
    first = write_kubeconfig(tmp_path / "one" / "config", server="https://one:1", token="tok-one-123456", others=())
    second = write_kubeconfig(tmp_path / "two" / "config", server="https://two:2", token="tok-two-123456", context="other", others=(CONTEXT,))
    doc = yaml.safe_load(second.read_text())
    doc["clusters"][0]["cluster"]["certificate-authority"] = "ca.crt"
    second.write_text(yaml.safe_dump(doc))
    merged = merge((first, second))
    assert merged.current == CONTEXT and merged.current_from == first
    assert merged.clusters[CONTEXT]["server"] == "https://one:1"
    assert merged.clusters["other"]["certificate-authority"] == str((tmp_path / "two" / "ca.crt").resolve())
    assert merged.users[f"{CONTEXT}-user"]["token"] == "tok-one-123456"


def test_the_target_carries_its_secrets(tmp_path):
    path = write_kubeconfig(tmp_path / "config", server=server(), token=TOKEN)
    doc = yaml.safe_load(path.read_text())
    key = base64.b64encode(b"-----BEGIN KEY-----\nMIIEpAIBAAKCAQEAsecretkeymaterial0123\n-----END KEY-----\n").decode()
    doc["users"][0]["user"]["client-key-data"] = key
    path.write_text(yaml.safe_dump(doc))
    target, _ = resolve_target({"DEVENV_KUBECONFIG": str(path)})
    assert target.context == CONTEXT and target.k3d_cluster == "ameide"
    assert TOKEN in target.secrets and key in target.secrets
    assert "MIIEpAIBAAKCAQEAsecretkeymaterial0123" in target.secrets
    assert TOKEN not in repr(target)


@pytest.mark.parametrize(
    "text, message",
    [
        ("clusters: [\n  - name: a\n  bad", "kubeconfig {path}:2:3: expected the node content"),
        ("- just\n- a list\n", "is not a mapping"),
        ("clusters: {a: b}\n", "`clusters` must be a list"),
    ],
)
def test_broken_kubeconfigs_are_named(tmp_path, text, message):
    path = tmp_path / "config"
    path.write_text(text)
    with pytest.raises(KubeconfigError) as info:
        resolve_target({"DEVENV_KUBECONFIG": str(path)})
    assert message.format(path=path) in info.value.message


def test_no_kubeconfig_fails_the_context_check_with_a_k3d_hint(manifest, tmp_path):
    run = run_cluster(manifest, env={"HOME": str(tmp_path / "empty-home")})
    context = run.result("cluster.context")
    assert context["status"] == "fail"
    assert context["message"] == f"no kubeconfig: {tmp_path / 'empty-home' / '.kube' / 'config'} not found (from ~/.kube/config)"
    assert context["hint"] == (
        "create the cluster or export its kubeconfig, e.g. `k3d kubeconfig merge ameide --kubeconfig-merge-default --kubeconfig-switch-context`"
    )
    assert all(run.status(c) == "skipped" for c in OTHERS)
    assert context["blocked_services"] == ["web", "api", "worker", "gw"]
    assert run.code == 1


def test_a_context_the_manifest_does_not_allow_stops_everything(manifest, tmp_path):
    path = write_kubeconfig(tmp_path / "config", server=server(), token=TOKEN, current="prod-eu")
    run = run_cluster(manifest, kubeconfig=path)
    context = run.result("cluster.context")
    assert context["status"] == "fail"
    assert context["message"] == (
        f"context 'prod-eu' (current-context in {path}) is not allowed by the manifest (cluster.contexts: {CONTEXT}); no request was sent to it"
    )
    assert context["hint"] == f"kubectl config use-context {CONTEXT}"
    for check in OTHERS:
        result = run.result(check)
        assert result["status"] == "skipped"
        assert result["message"] == "needs cluster.context, which failed", result
    assert TOKEN not in run.text and TOKEN not in str(run.json)


def test_the_context_flag_is_held_to_the_same_rule(manifest, tmp_path):
    path = write_kubeconfig(tmp_path / "config", server=server(), token=TOKEN)
    run = run_cluster(manifest, kubeconfig=path, context="prod-eu")
    assert run.result("cluster.context")["message"].startswith("context 'prod-eu' (--context in")
    assert run.result("cluster.context")["hint"] == f"pass --context {CONTEXT}"
    run = run_cluster(manifest, kubeconfig=path, context="nowhere")
    assert run.result("cluster.context")["message"].startswith("context 'nowhere' (--context) is not defined in")


def test_an_allowed_context_missing_from_the_kubeconfig_gets_the_merge_hint(manifest, tmp_path):
    path = write_kubeconfig(tmp_path / "config", server=server(), token=TOKEN, context="docker-desktop", others=())
    run = run_cluster(manifest, kubeconfig=path)
    assert run.result("cluster.context")["hint"] == ("k3d kubeconfig merge ameide --kubeconfig-merge-default --kubeconfig-switch-context")


def test_a_manifest_without_contexts_talks_to_no_cluster(tmp_path):
    manifest = write_cluster_manifest(tmp_path / "repo", contexts=())
    path = write_kubeconfig(tmp_path / "config", server=server(), token=TOKEN)
    run = run_cluster(manifest, kubeconfig=path)
    assert run.result("cluster.context")["status"] == "skipped"
    assert run.result("cluster.context")["message"] == "the manifest lists no cluster.contexts: doctor talks to no cluster"
    assert all(run.status(c) == "skipped" for c in OTHERS)
    assert run.code == 0
