"""The cluster group against a real kube-apiserver (and etcd) on loopback, with token
authentication and RBAC: every fault the issue names, with its exact status, hint and a
bounded duration, and never a credential in any output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.fixtures.kube import CONTEXT, LIMITED_USER, REGISTRY_HOSTS, BlackHole, closed_port, run_cluster, write_cluster_manifest

pytestmark = pytest.mark.integration

NPM, GO, PYPI = REGISTRY_HOSTS["npm"], REGISTRY_HOSTS["go"], REGISTRY_HOSTS["pypi"]
ALL = ["web", "api", "worker", "gw"]
OTHERS = ("cluster.api", "cluster.version", "cluster.nodes", "cluster.namespace", "cluster.coredns", "cluster.daemonsets")
REWRITES = "".join(f"rewrite name exact {h} host.k3d.internal\n" for h in (NPM, GO, PYPI))
MERGE = "k3d kubeconfig merge ameide --kubeconfig-merge-default --kubeconfig-switch-context"


@pytest.fixture
def repo(tmp_path):
    return tmp_path / "repo"


@pytest.fixture
def manifest(repo):
    return write_cluster_manifest(repo)


@pytest.fixture
def healthy(kube_world):
    """Two Ready nodes, k3s's Corefile with every registry rewritten in coredns-custom, the
    registry mirror 2/2 ready."""
    kube_world.add_node("k3d-ameide-server-0")
    kube_world.add_node("k3d-ameide-agent-0")
    kube_world.put_coredns(custom={"registries.override": REWRITES})
    kube_world.add_daemonset("kube-system", "registry-mirror", desired=2, ready=2)
    return kube_world


def assert_no_secret(run, *secrets):
    for secret in secrets:
        assert secret not in run.text
        assert secret not in json.dumps(run.json)


# -- the happy path ------------------------------------------------------------------------------------


def test_a_healthy_cluster_passes(healthy, kube_server, manifest, tmp_path):
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kubeconfig"))
    assert run.statuses == {"cluster.context": "ok", **{c: "ok" for c in OTHERS}}, run.text
    assert run.code == 0
    assert run.result("cluster.api")["message"] == f"{kube_server.url} answers: Kubernetes v1.35.4, as admin"
    assert run.result("cluster.nodes")["message"] == "2 nodes Ready"
    assert run.result("cluster.coredns")["message"] == "all 3 registry hosts are rewritten in the Corefile"
    assert run.result("cluster.daemonsets")["message"] == "kube-system/registry-mirror: 2/2 pods ready and updated"
    assert run.json["summary"]["text"].startswith("all 7 checks passed")
    assert_no_secret(run, kube_server.admin_token)


def test_the_cli_exits_0_and_1_and_prints_json(healthy, kube_server, manifest, tmp_path):
    kubeconfig = kube_server.kubeconfig(tmp_path / "kubeconfig")
    argv = [sys.executable, "-m", "devenv", "doctor", "-f", str(manifest), "--only", "cluster", "--kubeconfig", str(kubeconfig)]
    done = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [c["status"] for c in json.loads(done.stdout)["checks"]] == ["ok"] * 7
    healthy.set_node_ready("k3d-ameide-agent-0", False)
    done = subprocess.run([*argv, "-v"], capture_output=True, text=True, timeout=60, env={"NO_COLOR": "1", "PATH": ""})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 of 2 nodes not Ready: k3d-ameide-agent-0" in done.stdout
    assert kube_server.admin_token not in done.stdout + done.stderr


# -- the context ------------------------------------------------------------------------------------------


def test_a_context_not_allowed_sends_no_request(kube_world, kube_server, counting_proxy, manifest, tmp_path):
    kubeconfig = kube_server.kubeconfig(tmp_path / "kubeconfig", server=counting_proxy.url, current="prod-eu")
    run = run_cluster(manifest, kubeconfig=kubeconfig)
    assert run.result("cluster.context")["status"] == "fail"
    assert run.result("cluster.context")["hint"] == f"kubectl config use-context {CONTEXT}"
    assert run.result("cluster.context")["blocked_services"] == ALL
    assert {c: run.status(c) for c in OTHERS} == {c: "skipped" for c in OTHERS}
    assert counting_proxy.connections == 0 and counting_proxy.bytes_up == 0
    assert run.seconds < 2
    # the same proxy does carry requests once the context is allowed
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "ok", server=counting_proxy.url))
    assert run.status("cluster.api") == "ok" and counting_proxy.connections > 0
    assert_no_secret(run, kube_server.admin_token)


# -- the API server ------------------------------------------------------------------------------------------


def test_connection_refused_means_the_cluster_is_stopped(kube_world, kube_server, manifest, tmp_path):
    port = closed_port()
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", server=f"https://127.0.0.1:{port}"))
    api = run.result("cluster.api")
    assert api["status"] == "fail"
    assert api["message"] == f"connection refused by https://127.0.0.1:{port}: the cluster is stopped"
    assert api["hint"] == "k3d cluster start ameide   (or the kubeconfig's server address is stale)"
    assert api["blocked_services"] == ALL
    assert all(run.status(c) == "skipped" for c in OTHERS[1:])
    assert api["duration"] < 1.0
    assert_no_secret(run, kube_server.admin_token)


def test_a_server_that_never_answers_times_out_within_the_deadline(kube_world, kube_server, black_hole, manifest, tmp_path):
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", server=black_hole.url), timeout=3)
    api = run.result("cluster.api")
    assert api["status"] == "timeout"
    assert api["message"].startswith(f"{black_hole.url} accepted the connection but did not answer within 2.")
    assert api["message"].endswith("(get /version (cluster-wide))")
    assert api["hint"] == (
        f"the API server does not answer: docker ps --filter name=k3d-ameide; k3d cluster list; then: kubectl --context {CONTEXT} get --raw /readyz"
    )
    assert api["blocked_services"] == ALL
    assert 2.5 <= api["duration"] <= 3.0
    assert run.seconds < 3.5
    assert black_hole.held, "the black hole never saw the connection"
    assert_no_secret(run, kube_server.admin_token)


def test_a_wrong_token_is_401_with_the_refresh_hint(kube_world, kube_server, manifest, tmp_path):
    kubeconfig = kube_server.kubeconfig(tmp_path / "kc", token=kube_server.wrong_token)
    run = run_cluster(manifest, kubeconfig=kubeconfig)
    api = run.result("cluster.api")
    assert api["status"] == "fail"
    assert api["message"] == (f"401 Unauthorized: the API server rejected the credentials of kubeconfig user '{CONTEXT}-user' (bearer token): expired or wrong")
    assert api["hint"] == f"refresh the kubeconfig: {MERGE}"
    assert all(run.result(c)["message"] == "needs cluster.api, which failed" for c in OTHERS[1:])
    assert api["duration"] < 1.0
    assert_no_secret(run, kube_server.wrong_token)


def test_an_untrusted_certificate_is_a_tls_failure(kube_world, kube_server, manifest, tmp_path):
    trustme = pytest.importorskip("trustme")
    import base64

    ca = base64.b64encode(trustme.CA().cert_pem.bytes()).decode()
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", ca_data=ca))
    api = run.result("cluster.api")
    assert api["status"] == "fail"
    assert api["message"].startswith(f"TLS failure talking to {kube_server.url}: ")
    assert "self-signed certificate" in api["message"] or "unable to get local issuer" in api["message"]
    assert api["hint"] == f"the kubeconfig does not trust this server's certificate (was the cluster recreated?): {MERGE}"
    assert_no_secret(run, kube_server.admin_token)


def test_rbac_refusals_name_verb_resource_namespace_and_user(healthy, kube_server, manifest, tmp_path):
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", token=kube_server.limited_token))
    assert run.status("cluster.api") == "ok"
    assert run.result("cluster.api")["message"].endswith(f"as {LIMITED_USER}")
    nodes = run.result("cluster.nodes")
    assert nodes["status"] == "fail"
    assert nodes["message"] == f'403 Forbidden: user "{LIMITED_USER}" may not list nodes (cluster-wide)'
    assert nodes["hint"] == (
        "RBAC refuses it; a cluster admin can grant it: kubectl create clusterrole devenv-doctor --verb=list "
        f"--resource=nodes && kubectl create clusterrolebinding devenv-doctor --clusterrole=devenv-doctor --user={LIMITED_USER}"
        f"   (check: kubectl auth can-i list nodes --as {LIMITED_USER})"
    )
    assert nodes["blocked_services"] == ALL
    coredns = run.result("cluster.coredns")
    assert coredns["message"] == (f'403 Forbidden: user "{LIMITED_USER}" may not get configmaps coredns in namespace kube-system')
    assert "kubectl create role devenv-doctor -n kube-system --verb=get --resource=configmaps --resource-name=coredns" in coredns["hint"]
    assert coredns["blocked_services"] == ALL  # it cannot tell: every consumer of a registry
    # what the role allows still passes
    assert run.status("cluster.namespace") == "ok" and run.status("cluster.daemonsets") == "ok"
    # a DaemonSet it may read but whose pods it may not list: the failure stands, the pods are unnamed
    healthy.patch_daemonset("kube-system", "registry-mirror", desired=2, ready=1, updated=2, available=1)
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", token=kube_server.limited_token))
    daemonsets = run.result("cluster.daemonsets")
    assert daemonsets["message"] == "kube-system/registry-mirror 1/2 pods ready"
    assert (f'pods of kube-system/registry-mirror not listed: 403 Forbidden: user "{LIMITED_USER}" may not list pods in namespace kube-system') in daemonsets[
        "details"
    ]
    assert_no_secret(run, kube_server.limited_token)


def test_the_server_version_is_held_to_a_minimum(healthy, kube_server, manifest, tmp_path):
    kubeconfig = kube_server.kubeconfig(tmp_path / "kc")
    run = run_cluster(manifest, kubeconfig=kubeconfig, env={"DEVENV_MIN_KUBERNETES": "1.40"})
    version = run.result("cluster.version")
    assert version["status"] == "fail"
    assert version["message"] == "Kubernetes 1.35.4 is older than 1.40 ($DEVENV_MIN_KUBERNETES)"
    assert run.result("cluster.version")["blocked_services"] == ALL


# -- nodes ---------------------------------------------------------------------------------------------------


def test_a_node_not_ready_is_named_with_its_reason(healthy, kube_server, manifest, tmp_path):
    healthy.set_node_ready("k3d-ameide-agent-0", False, reason="KubeletNotReady", message="PLEG is not healthy: pleg was last seen active 3m0s ago")
    healthy.add_node("k3d-ameide-agent-1", ready=None, reason="NodeStatusUnknown", message="Kubelet stopped posting node status.")
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    nodes = run.result("cluster.nodes")
    assert nodes["status"] == "fail"
    assert nodes["message"] == (
        "2 of 3 nodes not Ready: k3d-ameide-agent-0 (NotReady, KubeletNotReady: PLEG is not healthy: pleg was last "
        "seen active 3m0s ago), k3d-ameide-agent-1 (Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status.)"
    )
    assert nodes["hint"] == ("kubectl describe node k3d-ameide-agent-0   (k3d nodes are containers: docker restart k3d-ameide-agent-0 k3d-ameide-agent-1)")
    assert nodes["blocked_services"] == ALL
    assert nodes["duration"] < 2


def test_zero_nodes_is_a_failure_of_its_own(kube_world, kube_server, manifest, tmp_path):
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    nodes = run.result("cluster.nodes")
    assert nodes["status"] == "fail"
    assert nodes["message"] == "the cluster has no nodes: no pod can be scheduled"
    assert nodes["hint"].startswith("k3d cluster stop ameide && k3d cluster start ameide")


def test_nodes_are_listed_in_pages(healthy, kube_server, manifest, tmp_path, monkeypatch):
    from devenv.doctor.cluster import client

    for i in range(3):
        healthy.add_node(f"k3d-ameide-agent-{i + 1}")
    monkeypatch.setattr(client, "PAGE", 2)
    before = _audit_lines(kube_server)
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    assert run.result("cluster.nodes")["message"] == "5 nodes Ready"
    lists = [
        e
        for e in _audit_lines(kube_server)[len(before) :]
        if e["verb"] == "list" and e["objectRef"].get("resource") == "nodes" and e["user"]["username"] == "admin" and e["stage"] == "ResponseComplete"
    ]
    assert len(lists) == 3
    assert all("limit=2" in e["requestURI"] for e in lists)
    assert sum("continue=" in e["requestURI"] for e in lists) == 2


def _audit_lines(server) -> list[dict]:
    return [json.loads(line) for line in server.audit_log.read_text().splitlines() if line.strip()]


# -- namespace ------------------------------------------------------------------------------------------------


def test_a_missing_namespace_has_the_create_hint(healthy, kube_server, repo, tmp_path):
    manifest = write_cluster_manifest(repo, namespace="ameide-missing")
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    ns = run.result("cluster.namespace")
    assert (ns["status"], ns["message"], ns["hint"]) == ("fail", "namespace 'ameide-missing' does not exist", "kubectl create namespace ameide-missing")
    assert ns["blocked_services"] == ALL


# -- CoreDNS ----------------------------------------------------------------------------------------------------


def test_a_missing_rewrite_names_the_host_the_lines_and_the_consumers(healthy, kube_server, manifest, tmp_path):
    healthy.put_coredns(custom={"registries.override": f"rewrite name exact {NPM} host.k3d.internal\n"})
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    coredns = run.result("cluster.coredns")
    assert coredns["status"] == "fail"
    assert coredns["message"] == f"2 of 3 registry hosts not rewritten in the CoreDNS Corefile: {GO}, {PYPI}"
    assert coredns["hint"] == (
        "add to ConfigMap kube-system/coredns-custom, key devenv.override (k3s imports it into the `.:53` block and "
        "keeps it across restarts):\n"
        f"    rewrite name exact {GO} host.k3d.internal\n"
        f"    rewrite name exact {PYPI} host.k3d.internal\n"
        "then: kubectl -n kube-system rollout restart deployment coredns"
    )
    assert coredns["blocked_services"] == ["worker", "gw"]
    assert f"{NPM}: `rewrite name exact {NPM} host.k3d.internal` (coredns-custom:registries.override:1, block .:53) -> host.k3d.internal" in coredns["details"]
    assert run.code == 1
    assert run.json["summary"]["blocked_services"] == ["worker", "gw"]


def test_k3s_default_corefile_alone_lacks_every_rewrite(healthy, kube_server, manifest, tmp_path):
    healthy.put_coredns()
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    coredns = run.result("cluster.coredns")
    assert coredns["message"] == f"3 of 3 registry hosts not rewritten in the CoreDNS Corefile: {NPM}, {GO}, {PYPI}"
    assert "create it: kubectl -n kube-system create configmap coredns-custom" in coredns["hint"]
    assert f"rewrite name exact {NPM} host.k3d.internal" in coredns["hint"]  # k3d's NodeHosts knows that name
    assert coredns["blocked_services"] == ALL


def test_rewrites_in_the_corefile_itself_and_a_custom_server_block(healthy, kube_server, manifest, tmp_path):
    corefile = (
        ".:53 {\n    errors\n    rewrite name suffix .packages.dev.ameide.io .infra.svc.cluster.local\n"
        "    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n"
        "    import /etc/coredns/custom/*.override\n}\nimport /etc/coredns/custom/*.server\n"
    )
    server = f"ameide.io:53 {{\n    hosts {{\n        10.0.0.7 {GO}\n        fallthrough\n    }}\n}}\n"
    healthy.put_coredns(corefile, nodehosts=None, custom={"ameide.server": server})
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    coredns = run.result("cluster.coredns")
    # ameide.io:53 takes every *.ameide.io query: the suffix rewrite in .:53 never sees them
    assert coredns["message"] == f"2 of 3 registry hosts not rewritten in the CoreDNS Corefile: {NPM}, {PYPI}"
    assert coredns["hint"].startswith("add inside the `ameide.io:53 {` block of ConfigMap kube-system/coredns-custom, key ameide.server:\n")
    assert (
        f"{NPM}: missing: the ameide.io:53 block has no rewrite or hosts entry for it (a rule at coredns:Corefile:3 "
        "matches it, but in a block that never sees its queries)" in coredns["details"]
    )
    assert coredns["blocked_services"] == ["web", "api", "worker"]


def test_an_explicit_host_list_and_off(healthy, kube_server, repo, tmp_path):
    kubeconfig = kube_server.kubeconfig(tmp_path / "kc")
    healthy.put_coredns(custom={"registries.override": f"rewrite name exact {NPM} host.k3d.internal\n"})
    run = run_cluster(write_cluster_manifest(repo, coredns_rewrites=[NPM]), kubeconfig=kubeconfig)
    assert run.result("cluster.coredns")["message"] == "all 1 registry host is rewritten in the Corefile"
    run = run_cluster(write_cluster_manifest(repo, coredns_rewrites=[NPM, "mirror.ameide.io"]), kubeconfig=kubeconfig)
    assert run.result("cluster.coredns")["message"].endswith(": mirror.ameide.io")
    run = run_cluster(write_cluster_manifest(repo, coredns_rewrites="off"), kubeconfig=kubeconfig)
    assert run.result("cluster.coredns")["status"] == "skipped"
    assert run.result("cluster.coredns")["message"] == "cluster.coredns_rewrites is off"


def test_a_corefile_that_does_not_parse_is_named_with_its_position(healthy, kube_server, manifest, tmp_path):
    healthy.put_coredns(custom={"broken.override": "rewrite name exact {\n"})
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    coredns = run.result("cluster.coredns")
    assert coredns["status"] == "fail"
    assert coredns["message"].startswith("the Corefile does not parse: ConfigMap coredns-custom key broken.override:1:")
    assert coredns["hint"].startswith("fix it: kubectl -n kube-system edit configmap coredns-custom")


def test_no_coredns_configmap(healthy, kube_server, manifest, tmp_path):
    healthy.delete_configmap("kube-system", "coredns")
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    assert run.result("cluster.coredns")["message"] == ("no ConfigMap kube-system/coredns: this cluster's DNS is not the usual CoreDNS")


# -- DaemonSets ------------------------------------------------------------------------------------------------


def test_a_daemonset_half_ready_names_its_pods(healthy, kube_server, manifest, tmp_path):
    healthy.apps.delete_namespaced_daemon_set("registry-mirror", "kube-system")
    ds = healthy.add_daemonset("kube-system", "registry-mirror", desired=2, ready=1)
    healthy.add_daemon_pod("kube-system", ds, "registry-mirror-7xk2p", "k3d-ameide-server-0", ready=True)
    healthy.add_daemon_pod(
        "kube-system",
        ds,
        "registry-mirror-q9d4m",
        "k3d-ameide-agent-0",
        ready=False,
        waiting=("ImagePullBackOff", 'Back-off pulling image "registry.local/registry-mirror:1"'),
    )
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    result = run.result("cluster.daemonsets")
    assert result["status"] == "fail"
    assert result["message"] == (
        "kube-system/registry-mirror 1/2 pods ready (not ready: registry-mirror-q9d4m on k3d-ameide-agent-0: "
        'ImagePullBackOff: Back-off pulling image "registry.local/registry-mirror:1")'
    )
    assert result["hint"] == (
        "kubectl -n kube-system describe pods -l app=registry-mirror   (then: kubectl -n kube-system rollout restart daemonset/registry-mirror)"
    )
    assert result["blocked_services"] == ALL
    assert result["duration"] < 2


@pytest.mark.parametrize(
    "desired, ready, updated, message",
    [
        (0, 0, 0, "kube-system/registry-mirror is scheduled on no node (desired 0)"),
        (2, 2, 1, "kube-system/registry-mirror 1/2 pods updated to the current template (rollout stuck?)"),
    ],
)
def test_daemonset_counts(healthy, kube_server, manifest, tmp_path, desired, ready, updated, message):
    healthy.patch_daemonset("kube-system", "registry-mirror", desired=desired, ready=ready, updated=updated, available=ready)
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    assert run.result("cluster.daemonsets")["message"] == message


def test_several_daemonsets_in_one_namespace_and_a_missing_one(healthy, kube_server, repo, tmp_path):
    for i in range(3):
        healthy.add_daemonset("infra", f"agent-{i}", desired=3, ready=3)
    manifest = write_cluster_manifest(repo, daemonsets=["kube-system/registry-mirror", "infra/agent-0", "infra/agent-1", "infra/agent-2", "infra/log-shipper"])
    run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc"))
    result = run.result("cluster.daemonsets")
    assert result["message"] == "1 of 5 DaemonSets not ready: infra/log-shipper not found"
    assert result["hint"] == ("deploy it (kubectl -n infra get daemonsets), or remove infra/log-shipper from cluster.daemonsets")


# -- credentials never printed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["ok", "context", "401", "403", "refused", "timeout", "node", "rewrite", "daemonset"])
def test_no_token_in_any_output(healthy, kube_server, manifest, tmp_path, fault):
    token = {"401": kube_server.wrong_token, "403": kube_server.limited_token}.get(fault, kube_server.admin_token)
    kwargs: dict = {"token": token}
    hole = None
    if fault == "context":
        kwargs["current"] = "prod-eu"
    elif fault == "refused":
        kwargs["server"] = f"https://127.0.0.1:{closed_port()}"
    elif fault == "timeout":
        hole = BlackHole()
        kwargs["server"] = hole.url
    elif fault == "node":
        healthy.set_node_ready("k3d-ameide-agent-0", False)
    elif fault == "rewrite":
        healthy.put_coredns()
    elif fault == "daemonset":
        healthy.patch_daemonset("kube-system", "registry-mirror", desired=2, ready=1, updated=2, available=1)
    try:
        run = run_cluster(manifest, kubeconfig=kube_server.kubeconfig(tmp_path / "kc", **kwargs), timeout=2)
    finally:
        if hole:
            hole.close()
    assert_no_secret(run, token, kube_server.admin_token, kube_server.limited_token, kube_server.wrong_token)
    assert (run.code == 0) == (fault == "ok")
