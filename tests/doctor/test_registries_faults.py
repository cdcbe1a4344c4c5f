"""Faults in front of the real registries, each with its exact status, hint, blocked services
and a bounded time: HTTP 500, a stall, a reset, nothing listening, NXDOMAIN, a resolver that
never answers, a black-holed address, and TLS certificates that are untrusted, expired or for
another host. Plus what Tilt's log pane gets when doctor is not on a terminal."""

from __future__ import annotations

import re
import shutil

import pytest

from devenv.doctor.registries import DEADLINES
from tests.support.registries import hostname, make_site

pytestmark = pytest.mark.integration

RESTART_NPM = (
    "restart the npm registry: kubectl -n ameide rollout restart deploy/verdaccio   "
    "(if it runs in the cluster under that name; its logs: kubectl -n ameide logs deploy/verdaccio)"
)
SLACK = 0.5  # what a check may take beyond its deadline (thread hand-off, scheduling on 2 shared cores)
# What the whole run may take beyond it: the run's time counts from the process's start, so it also
# pays start-up and the manifest load (1 ms over 0.5 s once, on a loaded CI machine). Still far below
# the stall (10 s), which is what these tests tell apart.
RUN_SLACK = 2.0


@pytest.fixture
def npm_site(registry_lab, verdaccio, tmp_path):
    return make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio})


def test_http_500_fails_with_the_restart_hint(npm_site):
    npm_site.proxies["npm"].mode = "500"
    run = npm_site.doctor("--json")
    assert run.code == 1
    check = run.check("registries.npm.http")
    assert check["status"] == "fail"
    assert re.fullmatch(r"GET /-/ping → 500 Internal Server Error in \d+ ms: the registry itself is failing", check["message"])
    assert check["hint"] == RESTART_NPM
    assert check["blocked_services"] == ["web", "admin"]
    assert check["duration"] < 1.0
    sdk = run.check("registries.ts-sdk")
    assert (sdk["status"], sdk["message"]) == ("skipped", "needs registries.npm.http, which failed")
    assert run.json()["summary"]["text"].startswith("1 problem blocks 2 of 2 services: web, admin in ")


def test_a_stalled_registry_costs_its_deadline_and_no_more(npm_site):
    npm_site.proxies["npm"].mode = "stall"  # reads the request, answers nothing for 10 s
    run = npm_site.doctor("--json")
    check = run.check("registries.npm.http")
    assert check["status"] == "timeout"
    assert re.fullmatch(
        rf"GET /-/ping: {re.escape(hostname('npm'))}:\d+ accepted the connection but sent no answer "
        r"within \d\.\ds",
        check["message"],
    )
    assert check["hint"] == RESTART_NPM
    assert check["blocked_services"] == ["web", "admin"]
    assert DEADLINES["http"] - 0.5 <= check["duration"] <= DEADLINES["http"] + SLACK
    assert run.json()["duration"] <= DEADLINES["http"] + RUN_SLACK


def test_a_reset_connection_is_told_apart(npm_site):
    npm_site.proxies["npm"].mode = "reset"
    run = npm_site.doctor("--json")
    check = run.check("registries.npm.http")
    assert check["status"] == "fail"
    assert re.fullmatch(rf"GET /-/ping: {re.escape(hostname('npm'))}:\d+ reset the connection before answering", check["message"])
    assert check["hint"] == f"the registry (or a proxy in front of it) dropped the request: {RESTART_NPM}"
    assert check["duration"] < 1.0


def test_nothing_listening(registry_lab, verdaccio, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio})
    address, port = registry_lab.dead(hostname("npm"))
    site.manifest.write_text(site.manifest.read_text().replace(f":{site.proxies['npm'].port}", f":{port}"))
    run = site.doctor("--json")
    check = run.check("registries.npm.dns")
    assert check["status"] == "fail"
    assert check["message"] == (f"{hostname('npm')} resolves to {address} (/etc/hosts), but nothing listens on port {port} (connection refused)")
    assert check["hint"] == (
        f"start the npm registry (or the gateway / `kubectl port-forward` in front of it) on "
        f"{address}:{port}, or point {hostname('npm')} at the address where it listens"
    )
    assert check["blocked_services"] == ["web", "admin"]
    assert run.check("registries.npm.http")["status"] == "skipped"
    assert check["duration"] < 1.0


def test_nxdomain(registry_lab, verdaccio, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio})
    del registry_lab.hosts[hostname("npm")]  # not in /etc/hosts: the DNS stub answers NXDOMAIN
    queries = registry_lab.net.nxdomain.queries
    run = site.doctor("--json")
    check = run.check("registries.npm.dns")
    assert check["status"] == "fail"
    assert check["message"] == f"{hostname('npm')} does not resolve: NXDOMAIN (Name or service not known)"
    assert check["hint"].startswith(f"make {hostname('npm')} resolve on this machine: an /etc/hosts line `<address> {hostname('npm')}`")
    assert check["blocked_services"] == ["web", "admin"]
    assert check["duration"] < 1.0
    assert registry_lab.net.nxdomain.queries > queries  # the real resolver path: files, then DNS


def test_a_resolver_that_never_answers_costs_the_dns_deadline(registry_lab, verdaccio, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio})
    del registry_lab.hosts[hostname("npm")]
    run = site.doctor("--json", resolver="silent")
    check = run.check("registries.npm.dns")
    assert check["status"] == "timeout"
    assert re.fullmatch(rf"{re.escape(hostname('npm'))}: the resolver gave no answer within \d\.\ds", check["message"])
    assert check["hint"] == (
        f"the DNS server in /etc/resolv.conf does not answer (VPN down? offline?): fix it, or add an /etc/hosts line for {hostname('npm')}"
    )
    assert check["blocked_services"] == ["web", "admin"]
    assert DEADLINES["dns"] - 0.5 <= check["duration"] <= DEADLINES["dns"] + SLACK


def test_a_black_holed_address_costs_the_dns_deadline(registry_lab, verdaccio, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio})
    hole = registry_lab.blackhole("blackhole.packages.dev.example.io")
    site.manifest.write_text(
        site.manifest.read_text().replace(f"{hostname('npm')}:{site.proxies['npm'].port}", f"blackhole.packages.dev.example.io:{hole.port}")
    )
    run = site.doctor("--json")
    check = run.check("registries.npm.dns")
    assert check["status"] == "timeout"
    assert re.fullmatch(
        rf"blackhole\.packages\.dev\.example\.io resolves to {re.escape(hole.host)} \(/etc/hosts\), "
        rf"but {re.escape(hole.host)}:{hole.port} does not answer: packets dropped \(no reply to the "
        r"TCP handshake within \d\.\ds\)",
        check["message"],
    )
    assert check["hint"].startswith(f"something drops traffic to {hole.host}:{hole.port}")
    assert DEADLINES["dns"] - 0.5 <= check["duration"] <= DEADLINES["dns"] + SLACK


def test_faults_at_once_cost_the_longest_deadline_not_the_sum(registry_lab, verdaccio, pypi_index, go_proxy, oci_registry, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio, "go": go_proxy, "pypi": pypi_index, "images": oci_registry})
    site.proxies["npm"].mode = "stall"
    site.proxies["pypi"].mode = "stall"  # behind TLS: the handshake completes, then no HTTP answer
    site.proxies["images"].mode = "500"
    del registry_lab.hosts[hostname("go")]
    run = site.doctor("--json", resolver="silent")
    statuses = {c["id"]: c["status"] for c in run.json()["checks"]}
    assert statuses["registries.npm.http"] == "timeout"
    assert statuses["registries.pypi.http"] == "timeout"
    assert statuses["registries.go.dns"] == "timeout"
    assert statuses["registries.images.http"] == "fail"
    assert run.json()["duration"] <= max(DEADLINES["http"], DEADLINES["dns"]) + RUN_SLACK
    assert run.json()["summary"]["blocked_services"] == ["web", "admin", "api", "gw"]


def test_a_registry_no_sdk_uses_still_fails_but_blocks_nothing(registry_lab, oci_registry, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"images": oci_registry})
    site.proxies["images"].mode = "500"
    run = site.doctor("--json")
    assert run.code == 1
    check = run.check("registries.images.http")
    assert (check["status"], check["blocked_services"]) == ("fail", [])
    assert check["hint"].startswith("restart the container registry: kubectl -n ameide rollout restart deploy/registry")
    assert re.fullmatch(r"1 problem \(blocking no service of the manifest\) in \d+\.\ds", run.json()["summary"]["text"])


# -- TLS -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, message",
    [
        ("untrusted", "untrusted issuer: the certificate is signed by 'rogue CA', which this machine does not trust"),
        ("expired", r"the certificate go\.packages\.dev\.example\.io serves expired on \d{4}-\d\d-\d\d \(10 days ago\)"),
        ("wronghost", "wrong host: the certificate is for other.packages.dev.example.io, not go.packages.dev.example.io"),
    ],
)
def test_tls_failures_are_named(registry_lab, go_proxy, tmp_path, kind, message):
    site = make_site(registry_lab, tmp_path / "repo", {"go": go_proxy}, tls={"go": kind})
    run = site.doctor("--json", "-v")
    check = run.check("registries.go.tls")
    assert check["status"] == "fail"
    assert re.fullmatch(message if kind == "expired" else re.escape(message), check["message"])
    hints = {
        "untrusted": "trust the registry's CA: set registries.go.ca_file in services.yaml to its PEM bundle (relative "
        "to the manifest), or export SSL_CERT_FILE=<bundle>",
        "wronghost": "reissue the certificate with go.packages.dev.example.io among its names, or use a host it names in registries.go.url in services.yaml",
    }
    if kind in hints:
        assert check["hint"] == hints[kind]
    else:
        assert check["hint"].startswith("renew the registry's certificate (or fix this machine's clock: it says ")
    assert check["blocked_services"] == ["gw"]
    assert any(d.startswith("OpenSSL: ") for d in check["details"])
    assert run.check("registries.go.http")["message"] == "needs registries.go.tls, which failed"
    assert check["duration"] < 1.5


def test_ca_file_is_read_relative_to_the_manifest(registry_lab, go_proxy, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"go": go_proxy}, trust=False, registries={"go": {"ca_file": "certs/registry-ca.pem"}})
    (site.manifest.parent / "certs").mkdir()
    run = site.doctor("--json")
    check = run.check("registries.go.tls")
    assert check["status"] == "fail"
    assert check["message"] == (f"ca_file certs/registry-ca.pem does not exist ({site.manifest.parent / 'certs' / 'registry-ca.pem'})")
    shutil.copy(registry_lab.net.ca_pem, site.manifest.parent / "certs" / "registry-ca.pem")
    run = site.doctor("--json", "-v")
    assert run.code == 0, run.out
    assert "trust: the system store, ca_file certs/registry-ca.pem" in run.check("registries.go.tls")["details"]


def test_without_the_ca_the_same_registry_is_untrusted(registry_lab, go_proxy, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"go": go_proxy}, trust=False)
    check = site.doctor("--json").check("registries.go.tls")
    assert check["status"] == "fail" and check["message"].startswith("untrusted issuer")
    assert site.doctor("--json", env={"SSL_CERT_FILE": str(registry_lab.net.ca_pem)}).code == 0


def test_https_to_a_plain_http_port(registry_lab, go_proxy, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"go": go_proxy}, tls={"go": None})
    site.manifest.write_text(site.manifest.read_text().replace("http://go.", "https://go."))
    check = site.doctor("--json").check("registries.go.tls")
    assert check["status"] == "fail"
    assert re.fullmatch(r"go\.packages\.dev\.example\.io:\d+ does not speak TLS \(\w+\): is it a plain-HTTP port\?", check["message"])
    assert check["hint"] == "use http:// in registries.go.url in services.yaml, or the registry's TLS port"


# -- what Tilt's log pane gets -------------------------------------------------------------------------


def test_the_non_tty_table_fits_tilts_log_pane(registry_lab, verdaccio, go_proxy, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio, "go": go_proxy}, tls={"go": "expired"}, url_auth={"npm": "ci:hunter2-pw"})
    site.proxies["npm"].mode = "500"
    run = site.doctor()  # stdout is a pipe, as under Tilt
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == "Package registries"
    assert all(len(line) <= 110 for line in lines), max(lines, key=len)
    assert all(line == line.rstrip() for line in lines)  # no padding for a narrower pane to wrap
    assert "\x1b" not in run.out
    assert "hunter2-pw" not in run.out
    text = re.sub(r"\s+", " ", run.out)
    assert "✗ npm HTTP GET /-/ping → 500 Internal Server Error" in text
    assert "blocks: web, admin" in text and "blocks: gw" in text
    assert re.fullmatch(r"2 problems block 3 of 3 services: web, admin, gw in \d+\.\ds", lines[-1])
    assert len(lines) <= 20  # quiet: one line per check, plus hints and what it blocks
